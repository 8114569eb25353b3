"""The wire schema shipped for the server is the one the models describe."""

from __future__ import annotations

import json

from van_app.config import resources_dir
from van_app.core.models import DOMAIN_TABLES
from van_app.core.sync_schema import LOCAL_ONLY, export_schema, schema_path


def test_the_shipped_schema_matches_the_models() -> None:
    shipped = json.loads(schema_path(resources_dir()).read_text("utf-8"))
    assert shipped == export_schema(), (
        "drome_resources/schema/sync_schema.json is stale: run python -m van_app.core.sync_schema"
    )


def test_every_synced_column_is_on_the_wire_with_its_class() -> None:
    tables = export_schema()["tables"]
    for model in DOMAIN_TABLES:
        wire = tables[model.__tablename__]["fields"]
        columns = {c.name for c in model.__table__.columns} - LOCAL_ONLY
        assert set(wire) == columns
        assert all(field["class"] in {"S", "C", "M"} for field in wire.values())
    assert tables["pmi_consultation"]["fields"]["weight_g"]["class"] == "M"
    assert tables["social_consultation"]["fields"]["note"]["class"] == "C"
