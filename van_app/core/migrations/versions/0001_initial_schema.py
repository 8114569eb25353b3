"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "beneficiary",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("birth_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("usual_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("first_names", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("birthplace", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("commune_insee", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("known_to_cms", sa.Boolean(), nullable=False),
        sa.Column("information_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_beneficiary_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_beneficiary_birth_name"), ["birth_name"], unique=False)

    op.create_table(
        "local_meta",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "staff_account",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("cms_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_account_username"), ["username"], unique=True)

    op.create_table(
        "supervisor_review",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("consultation_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("consultation_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervisor_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervisor_review_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "tour_stop",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("commune_insee", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("stop_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("services", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("cms_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tour_stop", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tour_stop_commune_insee"), ["commune_insee"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tour_stop_stop_date"), ["stop_date"], unique=False)

    op.create_table(
        "household_link",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("child_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["beneficiary.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["beneficiary.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("household_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_link_child_id"), ["child_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_household_link_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "pmi_consultation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("beneficiary_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("stop_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("consultation_date", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("known_before", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=True),
        sa.Column("length_mm", sa.Integer(), nullable=True),
        sa.Column("head_circumference_mm", sa.Integer(), nullable=True),
        sa.Column("feeding_mode", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("vaccinations", sa.JSON(), nullable=False),
        sa.Column("development", sa.JSON(), nullable=False),
        sa.Column("advice_topics", sa.JSON(), nullable=False),
        sa.Column(
            "orientation_partner", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("orientation_date", sa.Date(), nullable=True),
        sa.Column("next_appointment", sa.Date(), nullable=True),
        sa.Column("gestational_age_weeks", sa.Integer(), nullable=True),
        sa.Column("expected_term_date", sa.Date(), nullable=True),
        sa.Column("maternal_weight_g", sa.Integer(), nullable=True),
        sa.Column("blood_pressure_systolic", sa.Integer(), nullable=True),
        sa.Column("blood_pressure_diastolic", sa.Integer(), nullable=True),
        sa.Column("early_prenatal_interview_done", sa.Boolean(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stop_id"],
            ["tour_stop.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pmi_consultation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pmi_consultation_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pmi_consultation_consultation_date"), ["consultation_date"], unique=False
        )

    op.create_table(
        "satisfaction_answer",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("stop_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("service_rendered", sa.Integer(), nullable=False),
        sa.Column("reception", sa.Integer(), nullable=False),
        sa.Column("waiting_time", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stop_id"],
            ["tour_stop.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "social_consultation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("beneficiary_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("stop_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("consultation_date", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("known_before", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("arrival_mode", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("demand_types", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stop_id"],
            ["tour_stop.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("social_consultation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_consultation_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_social_consultation_consultation_date"),
            ["consultation_date"],
            unique=False,
        )

    op.create_table(
        "follow_up",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("beneficiary_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("consultation_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("demand_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["social_consultation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_beneficiary_id"), ["beneficiary_id"], unique=False
        )

    op.create_table(
        "pmi_addendum",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("consultation_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["pmi_consultation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pmi_addendum", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pmi_addendum_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "social_addendum",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("consultation_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["social_consultation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("social_addendum", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_addendum_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "social_orientation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("consultation_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("partner_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("orientation_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["social_consultation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("social_orientation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_orientation_consultation_id"), ["consultation_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("social_orientation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_orientation_consultation_id"))

    op.drop_table("social_orientation")
    with op.batch_alter_table("social_addendum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_addendum_consultation_id"))

    op.drop_table("social_addendum")
    with op.batch_alter_table("pmi_addendum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pmi_addendum_consultation_id"))

    op.drop_table("pmi_addendum")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_beneficiary_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("social_consultation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_consultation_consultation_date"))
        batch_op.drop_index(batch_op.f("ix_social_consultation_beneficiary_id"))

    op.drop_table("social_consultation")
    op.drop_table("satisfaction_answer")
    with op.batch_alter_table("pmi_consultation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pmi_consultation_consultation_date"))
        batch_op.drop_index(batch_op.f("ix_pmi_consultation_beneficiary_id"))

    op.drop_table("pmi_consultation")
    with op.batch_alter_table("household_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_link_parent_id"))
        batch_op.drop_index(batch_op.f("ix_household_link_child_id"))

    op.drop_table("household_link")
    with op.batch_alter_table("tour_stop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tour_stop_stop_date"))
        batch_op.drop_index(batch_op.f("ix_tour_stop_commune_insee"))

    op.drop_table("tour_stop")
    with op.batch_alter_table("supervisor_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervisor_review_consultation_id"))

    op.drop_table("supervisor_review")
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_account_username"))

    op.drop_table("staff_account")
    op.drop_table("local_meta")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_beneficiary_birth_name"))
        batch_op.drop_index(batch_op.f("ix_beneficiary_birth_date"))

    op.drop_table("beneficiary")
