"""A first pull digests its new rows with ``row_digest``: the same digests as verification's."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from van_app.sync.digests import CLASSES, record_digest
from van_app.sync.new_rows import NewRows
from van_app.sync.row_digest import row_digest
from van_app.sync.wire import MODELS, decode_fields

STAMP = "2026-03-02T09:15:00.123456Z"
WIRE = {
    "beneficiary": {"created_at": STAMP, "updated_at": STAMP, "author": "a", "device": "d",
                    "birth_name": 'Éloïse "dite" 𝄞', "first_names": "Zoé",
                    "birth_date": "1988-04-12", "sex": "F", "known_to_cms": True},
    "social_consultation": {"created_at": STAMP, "updated_at": STAMP, "author": "a",
                            "device": "d", "beneficiary_id": "b1",
                            "consultation_date": "2026-03-02", "duration_minutes": 30,
                            "demand_types": ["rsa", "energy"], "signed_at": STAMP,
                            "note": "ligne\nà la ligne"},
    "pmi_consultation": {"created_at": STAMP, "updated_at": STAMP, "beneficiary_id": "b1",
                         "weight_g": 7450, "vaccinations": ["dtp"]},
}  # fmt: skip


def test_row_digests_are_record_digests_for_every_set_of_classes() -> None:
    fresh = NewRows()
    for table, fields in WIRE.items():
        assert table in MODELS
        fresh.add(table, f"id-{table}", decode_fields(table, fields), 7, False)
        fresh.add(table, f"bare-{table}", {"deleted": True}, 8, False)
    for table, rows in fresh.rows.items():
        for row in rows.values():
            shaped = SimpleNamespace(**row, __tablename__=table)
            for size in range(1, len(CLASSES) + 1):
                for classes in map(frozenset, itertools.combinations(CLASSES, size)):
                    assert row_digest(table, row, classes) == record_digest(shaped, classes)  # type: ignore[arg-type]
