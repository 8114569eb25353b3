"""How a person is named on screen and in exports, the French administrative way."""

from __future__ import annotations

from van_app.core.models import Beneficiary


def display_name(person: Beneficiary) -> str:
    """ "DUPRÉ Hélène (née MARTIN)": usual name in capitals, then first names, then birth name."""
    main = (person.usual_name or person.birth_name).upper()
    text = f"{main} {person.first_names}".strip()
    if person.usual_name and person.usual_name.upper() != person.birth_name.upper():
        born = "née" if person.sex == "F" else "né"
        text += f" ({born} {person.birth_name.upper()})"
    return text
