"""The table model of people seen today, tested without any widget."""

from __future__ import annotations

from PySide6.QtCore import Qt

from van_app.core.today import SeenPerson
from van_app.ui.models.seen_people import ID_ROLE, SeenPeopleTableModel


def test_rows_columns_and_french_labels() -> None:
    model = SeenPeopleTableModel()
    model.set_rows(
        [
            SeenPerson("b1", "c1", "ACHARD Josiane", "social", "signed"),
            SeenPerson("b2", "c2", "ROUX Jade", "pmi", "draft"),
        ]
    )
    assert model.rowCount() == 2 and model.columnCount() == 3
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Personne"
    assert model.data(model.index(0, 1)) == "Accueil social"
    assert model.data(model.index(0, 2)) == "Signée"
    assert model.data(model.index(1, 1)) == "PMI"
    assert model.data(model.index(1, 2)) == "Brouillon"
    assert model.data(model.index(1, 0), ID_ROLE) == "c2"
