"""Fields of the registration form that are more than a line edit: the commune, the parents.

The commune completer matches without accents and by postal code ("etoile", "26800"), which
Qt's own completer filtering cannot do, so the list of choices is filtered here as one types.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.people import RELATION_LABELS, RELATIONS
from van_app.core.people_search import PersonHit
from van_app.core.reference import ReferenceData
from van_app.core.registration import ParentChoice, commune_choice_text
from van_app.core.text import fold
from van_app.ui.context import AppContext
from van_app.ui.widgets.people_search import PersonPickerWidget, hit_text

MAX_COMMUNE_CHOICES = 40


class CommuneEdit(QLineEdit):
    """A commune of the Drôme typed by name or postal code, picked from a list as one types."""

    def __init__(self, ref: ReferenceData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices = sorted(
            ((commune_choice_text(c), fold(commune_choice_text(c))) for c in ref.communes.values()),
            key=lambda pair: pair[1],
        )
        self._model = QStringListModel(self)
        self.completer_ = QCompleter(self._model, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(10)
        self.setCompleter(self.completer_)
        self.setPlaceholderText(self.tr("Nom ou code postal, puis choisir dans la liste"))
        self.textEdited.connect(self._offer)

    def matches(self, typed: str) -> list[str]:
        """Choices starting with what was typed first, then those containing it."""
        folded = fold(typed)
        if not folded:
            return []
        starts = [shown for shown, key in self._choices if key.startswith(folded)]
        inside = [shown for shown, key in self._choices if folded in key and shown not in starts]
        return (starts + inside)[:MAX_COMMUNE_CHOICES]

    def _offer(self, typed: str) -> None:
        choices = self.matches(typed)
        self._model.setStringList(choices)
        if choices:
            self.completer_.complete()
        else:
            self.completer_.popup().hide()


def default_relation(sex: str) -> str:
    """A woman picked as a parent is most often the mother, a man the father."""
    return {"F": "mother", "M": "father"}.get(sex, "guardian")


class ParentRowWidget(QWidget):
    """One parent: who, the relation (mother, father, guardian), and a button to remove it."""

    remove_requested = Signal(object)

    def __init__(self, person_id: str, text: str, relation: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.name_label = QLabel(text)
        self.name_label.setWordWrap(True)
        self.relation_combo = QComboBox()
        for code in RELATIONS:
            self.relation_combo.addItem(self.tr(RELATION_LABELS[code]), code)
        self.relation_combo.setCurrentIndex(max(0, self.relation_combo.findData(relation)))
        self.remove_button = QPushButton(self.tr("Retirer"))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.relation_combo)
        row.addWidget(self.name_label, 1)
        row.addWidget(self.remove_button)

    def choice(self) -> ParentChoice:
        return ParentChoice(self.person_id, self.relation_combo.currentData())


class ParentsWidget(QWidget):
    """The parents of the person being registered, picked among people already registered."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ParentRowWidget] = []
        self.empty_label = QLabel(self.tr("Aucun parent indiqué."))
        self.empty_label.setStyleSheet("color: #555;")
        self.picker = PersonPickerWidget(
            context, self.tr("Rechercher un parent déjà enregistré (nom ou date de naissance)…")
        )
        self.picker.person_chosen.connect(self._on_chosen)
        self._column = QVBoxLayout()
        self._column.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._column)
        layout.addWidget(self.picker)

    def rows(self) -> list[ParentRowWidget]:
        return list(self._rows)

    def add_parent(self, person_id: str, text: str, relation: str) -> ParentRowWidget | None:
        """Add a row; None when this person is already listed (a double-click picks twice)."""
        if any(row.person_id == person_id for row in self._rows):
            return None
        row = ParentRowWidget(person_id, text, relation)
        row.remove_requested.connect(self._remove)
        self._rows.append(row)
        self._column.addWidget(row)
        self.empty_label.hide()
        self.changed.emit()
        return row

    def remove_all(self) -> None:
        for row in list(self._rows):
            self._remove(row)

    def choices(self) -> list[ParentChoice]:
        return [row.choice() for row in self._rows]

    def _on_chosen(self, hit: PersonHit) -> None:
        if self.add_parent(hit.id, hit_text(hit), default_relation(hit.sex)) is not None:
            self.picker.clear()

    def _remove(self, row: ParentRowWidget) -> None:
        self._rows.remove(row)
        self._column.removeWidget(row)
        row.deleteLater()
        self.empty_label.setVisible(not self._rows)
        self.changed.emit()

    def set_enabled(self, enabled: bool) -> None:
        self.picker.setEnabled(enabled)
        for row in self._rows:
            row.setEnabled(enabled)
