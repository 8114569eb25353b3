"""French wording of the indicators: numbers, shares, days, months, targets and definitions.

One place for the texts that the dashboard, the PDF and the XLSX all show, so the three say
the same thing. Shares are fractions in the core; they become "45 %" only here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from van_app.core.indicators.figures import ActivityFilter
from van_app.core.reference import ReferenceData

NBSP = "\u00a0"
MISSING = "—"  # a share with no denominator: nothing to show, not "0 %"

MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
SHORT_MONTHS = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()

SERVICE_LABELS = {None: "accueil social et PMI", "social": "accueil social", "pmi": "PMI"}
QUESTION_LABELS = {
    "service_rendered": "Le service rendu",
    "reception": "Les conditions d'accueil",
    "waiting_time": "Le temps d'attente",
}
SCORE_LABELS = ("Mauvais", "Moyen", "Bien", "Excellent")
DELAY_BUCKETS = (
    ("0", "Le jour même", 0, 0),
    ("1-4", "1 à 4 jours", 1, 4),
    ("5-14", "5 à 14 jours", 5, 14),
    ("15-21", "15 à 21 jours", 15, 21),
    ("22+", "22 jours et plus", 22, None),
)
"""(code, label, first day, last day or None) of the time-to-resolve distribution: the
Département's references (4 days at a one-stop service, 15 to 21 days before it)."""

MIN_CASES = 5
"""Under this many cases a figure says how few it rests on."""


def delay_bucket(days: int) -> str:
    """The code of the bucket a delay in days falls in."""
    return next(
        code
        for code, _, low, high in DELAY_BUCKETS
        if days >= low and (high is None or days <= high)
    )


def few_cases(count: int) -> str:
    """ "(sur 3 cas seulement)" when a figure rests on 1 to 4 cases, else ""."""
    if 0 < count < MIN_CASES:
        return f"(sur {count} cas seulement)"
    return ""


OUTSIDE_TOUR = "Hors tournée"


def _rounded(value: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: int) -> str:
    """ "1 234": thousands separated by a non-breaking space."""
    return f"{value:,}".replace(",", NBSP)


def format_decimal(value: float, decimals: int = 1) -> str:
    """ "3,5" with a French comma; "4" rather than "4,0"."""
    text = f"{_rounded(value, decimals):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    whole = format_number(int(whole)) if whole not in ("-0", "") else "0"
    return f"{whole},{fraction}" if fraction else whole


def format_percent(value: float | None, decimals: int = 0) -> str:
    """ "45 %" for 0.45; "—" when the share has no denominator."""
    if value is None:
        return MISSING
    return f"{format_decimal(value * 100, decimals)}{NBSP}%"


def format_days(value: float | None) -> str:
    """ "3,5 jours", "1 jour", "0 jour" (French singular under 2); "—" when unknown."""
    if value is None:
        return MISSING
    return f"{format_decimal(value, 1)} {'jour' if abs(value) < 2 else 'jours'}"


def format_date(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_month(value: dt.date, *, short: bool = False) -> str:
    """ "octobre 2026", or "oct. 2026" for chart axes."""
    names = SHORT_MONTHS if short else MONTHS
    return f"{names[value.month - 1]} {value.year}"


def period_text(activity_filter: ActivityFilter) -> str:
    return f"du {format_date(activity_filter.start)} au {format_date(activity_filter.end)}"


def plural(count: int, singular: str, plural_form: str) -> str:
    """ "1 personne", "12 personnes", "0 personne"."""
    return f"{format_number(count)} {singular if count < 2 else plural_form}"


# -- the Département's goals (DESIGN.md, "The service") --------------------------------------


@dataclass(frozen=True)
class Target:
    key: str
    value: float
    text: str  # shown beside the figure
    higher_is_better: bool = True

    def met(self, value: float | None) -> bool | None:
        """Whether ``value`` reaches the target; None when there is no value."""
        if value is None:
            return None
        return value >= self.value if self.higher_is_better else value <= self.value


TARGETS: dict[str, Target] = {
    "unknown_before": Target(
        "unknown_before", 0.5, f"Repère du pilote : environ la moitié (50{NBSP}%)"
    ),
    "satisfaction": Target(
        "satisfaction", 0.7, f"Objectif : 70{NBSP}% de « bien » ou « excellent »"
    ),
    "immediate_resolution": Target(
        "immediate_resolution", 0.45, f"Objectif : 45{NBSP}% (guichet unique comparable)"
    ),
    "median_days": Target(
        "median_days",
        4,
        "Objectif : 4 jours (15 à 21 jours avant le guichet unique)",
        higher_is_better=False,
    ),
}


def resolved_codes(ref: ReferenceData, list_name: str) -> tuple[str, ...]:
    """Codes of ``outcomes`` or ``follow_up_outcomes`` marked ``resolved`` in the file."""
    return tuple(item.code for item in ref.items(list_name) if item.get("resolved"))


def partial_codes(ref: ReferenceData) -> tuple[str, ...]:
    """Follow-up outcomes marked ``partial`` ("Partiellement résolu"): not resolved."""
    return tuple(item.code for item in ref.items("follow_up_outcomes") if item.get("partial"))


def _labels(ref: ReferenceData, list_name: str, codes: tuple[str, ...]) -> str:
    return " ou ".join(f"« {ref.label(list_name, code)} »" for code in codes) or "(aucune)"


def definitions(ref: ReferenceData) -> dict[str, str]:
    """Short French notes shown under each figure and in the reports' definitions."""
    spot = _labels(ref, "outcomes", resolved_codes(ref, "outcomes"))
    closed = _labels(ref, "follow_up_outcomes", resolved_codes(ref, "follow_up_outcomes"))
    partial = _labels(ref, "follow_up_outcomes", partial_codes(ref))
    return {
        "scope": (
            "Seules les consultations signées et non supprimées sont comptées ; les brouillons "
            "ne le sont pas (ils peuvent encore changer). La date retenue est celle de la "
            "consultation ; la commune et l'arrêt sont ceux de l'arrêt du camion."
        ),
        "people": (
            "Personnes reçues : personnes distinctes ayant eu au moins une consultation "
            "signée dans la période. Un doublon fusionné compte pour la personne à laquelle "
            "il a été rattaché."
        ),
        "consultations": "Consultations : consultations sociales et de PMI signées.",
        "unknown_before": (
            "Non connues du CMS : parmi les personnes rencontrées pour la première fois par le "
            "camion dans la période (première consultation signée, tous services et doublons "
            "fusionnés compris), celles dont le dossier indique « non connue du CMS avant son "
            "premier contact ». Cette réponse est demandée une fois, à l'inscription, et se "
            "corrige dans le dossier ; les consultations suivantes ne la changent pas."
        ),
        "satisfaction": (
            "Satisfaction : part des réponses « bien » ou « excellent » (notes 3 et 4 sur 4), "
            "question par question, parmi les réponses anonymes recueillies dans la période. "
            "Taux de réponse : réponses / consultations signées."
        ),
        "immediate_resolution": (
            f"Résolution immédiate : consultations sociales dont l'issue est {spot} / "
            "consultations sociales signées."
        ),
        "time_to_resolve": (
            "Délai de résolution : toutes les demandes résolues dans la période — réglées sur "
            f"place ({spot}, 0 jour) et suivis clôturés avec l'issue {closed} (jours entre "
            "l'ouverture et la clôture) ; médiane et répartition (le jour même, 1 à 4, 5 à 14, "
            "15 à 21, 22 jours et plus). La médiane des seuls suivis est donnée à côté. Les "
            f"suivis clôturés {partial} sont comptés à part, pas comme résolus. Un chiffre "
            f"établi sur moins de {MIN_CASES} cas le signale."
        ),
        "follow_ups": (
            "Suivis en cours : suivis ouverts et non clôturés à la fin de la période (ou "
            "aujourd'hui si elle n'est pas terminée) ; en retard : leur échéance est passée."
        ),
        "orientations": (
            "Orientations : orientations vers un partenaire, non supprimées, des consultations "
            "sociales signées de la période (datées par la consultation), par partenaire (une "
            "consultation peut en compter plusieurs)."
        ),
        "demand_types": (
            "Types de demande : nombre de consultations sociales signées où la demande est "
            "cochée (plusieurs par consultation) ; part = / consultations sociales."
        ),
        "children_seen": (
            "Enfants vus : personnes distinctes de moins de 6 ans à la date d'une consultation "
            "de PMI signée (d'après la date de naissance)."
        ),
        "prenatal": (
            "Consultations prénatales : consultations de PMI de personnes de 6 ans ou plus, "
            "que la PMI ne reçoit que pour un suivi de grossesse. Déduit de la date de "
            "naissance : le type de consultation relève du secret médical."
        ),
        "late_vaccinations": (
            "Vaccinations trouvées en retard : doses du calendrier vaccinal toujours en retard à "
            "l'issue d'une consultation d'enfant (compte tenu des doses enregistrées jusqu'à ce "
            "jour, carnet de santé compris), comptées une fois par enfant et par dose ; "
            "« rattrapées » : enregistrées lors d'une consultation suivante de la période."
        ),
        "attendance": (
            "Fréquentation : personnes distinctes reçues à chaque arrêt ; par commune et par "
            "mois, personnes distinctes et nombre d'arrêts tenus (arrêts sans personne reçue "
            "compris). Seuls les arrêts jusqu'à aujourd'hui (ou la fin de la période si elle "
            "est passée) sont tenus ; les suivants sont « prévus » et ne comptent pas."
        ),
        "comparison": (
            "Comparaison : même période un an avant ; objectif du Département atteint "
            "(« atteint ») ou non (« non atteint »)."
        ),
    }


DEFINITION_TITLES = {
    "scope": "Champ",
    "people": "Personnes reçues",
    "consultations": "Consultations",
    "unknown_before": "Non connues du CMS",
    "satisfaction": "Satisfaction",
    "immediate_resolution": "Résolution immédiate",
    "time_to_resolve": "Délai de résolution",
    "follow_ups": "Suivis en cours",
    "orientations": "Orientations",
    "demand_types": "Types de demande",
    "children_seen": "Enfants vus",
    "prenatal": "Consultations prénatales",
    "late_vaccinations": "Vaccinations en retard",
    "attendance": "Fréquentation",
    "comparison": "Comparaison",
}
"""A French title for each key of ``definitions``."""

MEDICAL_RESERVED = "réservé aux professionnels de PMI"
SOCIAL_RESERVED = "réservé au service social et au responsable du CMS"
NOT_THIS_SERVICE = "sans objet pour le service choisi"
