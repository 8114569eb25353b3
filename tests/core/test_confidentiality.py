"""Every field declares S, C or M, and the roles read exactly their classes."""

from __future__ import annotations

import pytest

from van_app.core.confidentiality import Conf, field_class, fields_by_class, readable_fields
from van_app.core.models import (
    DOMAIN_TABLES,
    Beneficiary,
    FollowUp,
    PmiConsultation,
    SocialConsultation,
    SyncedRecord,
)


@pytest.mark.parametrize("model", DOMAIN_TABLES, ids=lambda m: m.__tablename__)
def test_every_column_has_a_class(model: type[SyncedRecord]) -> None:
    classes = fields_by_class(model)
    assert set(classes) == {c.name for c in model.__table__.columns}


def test_classes_follow_the_design() -> None:
    assert field_class(Beneficiary, "phone") is Conf.SERVICE
    assert field_class(Beneficiary, "known_to_cms") is Conf.SERVICE
    assert field_class(SocialConsultation, "note") is Conf.SOCIAL
    assert field_class(SocialConsultation, "demand_types") is Conf.SOCIAL
    assert field_class(SocialConsultation, "consultation_date") is Conf.SERVICE
    assert field_class(FollowUp, "due_on") is Conf.SOCIAL
    for measure in ("weight_g", "length_mm", "head_circumference_mm", "vaccinations", "note"):
        assert field_class(PmiConsultation, measure) is Conf.MEDICAL
    assert field_class(PmiConsultation, "kind") is Conf.MEDICAL  # "prenatal" reveals a pregnancy


def test_roles_read_only_their_classes() -> None:
    social = readable_fields(PmiConsultation, ["social_worker"])
    assert "weight_g" not in social and "note" not in social
    assert {"consultation_date", "beneficiary_id"} <= social
    nurse = readable_fields(SocialConsultation, ["pmi_nurse"])
    assert "note" not in nurse and "demand_types" not in nurse
    supervisor = readable_fields(PmiConsultation, ["supervisor"])
    assert "weight_g" not in supervisor
    both = readable_fields(PmiConsultation, ["supervisor", "pmi_nurse"])
    assert "weight_g" in both
