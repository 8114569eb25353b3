"""The supervisor's activity indicators for a period, and their French wording (no Qt).

``activity_report(session, user_roles, ActivityFilter(...), ref, today)`` returns an
``ActivityReport`` of plain numbers that the dashboard and the bilan exports (PDF, XLSX) show;
``definitions(ref)`` says in French what each figure counts. What counts (signed
consultations, people once after merges, first contacts, orientations, resolved demands) is
defined once in ``counted``, which the anonymised statistics read too.
"""

from __future__ import annotations

from van_app.core.indicators.compute import activity_report, year_before
from van_app.core.indicators.figures import (
    ActivityFilter,
    ActivityReport,
    CommuneAttendance,
    CountItem,
    FilterError,
    KeyFigures,
    MonthFigures,
    PmiFigures,
    QuestionSatisfaction,
    ResolutionFigures,
    SatisfactionFigures,
    SocialFigures,
    StopAttendance,
    VaccinationFigures,
    share,
)
from van_app.core.indicators.french import (
    DEFINITION_TITLES,
    DELAY_BUCKETS,
    MEDICAL_RESERVED,
    MIN_CASES,
    NOT_THIS_SERVICE,
    OUTSIDE_TOUR,
    QUESTION_LABELS,
    SCORE_LABELS,
    SERVICE_LABELS,
    SOCIAL_RESERVED,
    TARGETS,
    Target,
    definitions,
    delay_bucket,
    few_cases,
    format_date,
    format_days,
    format_decimal,
    format_month,
    format_number,
    format_percent,
    partial_codes,
    period_text,
    plural,
    resolved_codes,
)
from van_app.core.indicators.options import FilterOptions, StopOption, filter_options
from van_app.core.indicators.summary import KeyRow, key_rows

__all__ = [
    "DEFINITION_TITLES",
    "DELAY_BUCKETS",
    "MEDICAL_RESERVED",
    "MIN_CASES",
    "NOT_THIS_SERVICE",
    "OUTSIDE_TOUR",
    "QUESTION_LABELS",
    "SCORE_LABELS",
    "SERVICE_LABELS",
    "SOCIAL_RESERVED",
    "TARGETS",
    "ActivityFilter",
    "ActivityReport",
    "CommuneAttendance",
    "CountItem",
    "FilterError",
    "FilterOptions",
    "KeyFigures",
    "KeyRow",
    "MonthFigures",
    "PmiFigures",
    "QuestionSatisfaction",
    "ResolutionFigures",
    "SatisfactionFigures",
    "SocialFigures",
    "StopAttendance",
    "StopOption",
    "Target",
    "VaccinationFigures",
    "activity_report",
    "definitions",
    "delay_bucket",
    "few_cases",
    "filter_options",
    "format_date",
    "format_days",
    "format_decimal",
    "format_month",
    "format_number",
    "format_percent",
    "key_rows",
    "partial_codes",
    "period_text",
    "plural",
    "resolved_codes",
    "share",
    "year_before",
]
