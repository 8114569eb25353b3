"""The name a merged person goes by: the kept record's, with the values chosen from the other.

The merge confirmation names the person as she will be written once merged (the values the
supervisor picked field by field), never by a first name she is about to replace.
"""

from __future__ import annotations

from collections.abc import Mapping

from van_app.core.merge_people import OTHER, PersonSummary
from van_app.core.models import Beneficiary
from van_app.core.people import display_name

_NAME_FIELDS = ("birth_name", "usual_name", "first_names", "sex")


def merged_name(kept: PersonSummary, other: PersonSummary, choices: Mapping[str, str]) -> str:
    """ "ROUX Camille": ``display_name`` of the kept record after ``choices`` ("keep"/"other"
    per field, as ``merge_people`` takes them)."""
    values = {
        field: (other if choices.get(field) == OTHER else kept).name_parts[position]
        for position, field in enumerate(_NAME_FIELDS)
    }
    return display_name(Beneficiary(**values, author="", device=""))  # transient, never added
