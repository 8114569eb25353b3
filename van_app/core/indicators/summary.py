"""The key figures of a report as rows (label, value, detail, target), for tiles and exports.

The dashboard's tiles, the PDF's first table and the XLSX "Synthèse" sheet are the same list,
so they can never disagree on what is a key figure or how it is worded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from van_app.core.indicators.figures import ActivityReport, ResolutionFigures
from van_app.core.indicators.french import (
    MEDICAL_RESERVED,
    TARGETS,
    Target,
    few_cases,
    format_date,
    format_days,
    format_number,
    format_percent,
    plural,
)

_SOCIAL_CONSULTATION = ("consultation sociale", "consultations sociales")
DEFINITION_OF = {"median_days": "time_to_resolve", "open_follow_ups": "follow_ups"}


@dataclass(frozen=True)
class KeyRow:
    key: str
    label: str
    kind: str  # "count", "share" or "days": how ``value`` is formatted
    value: float | None  # None: not computable (no denominator, or not readable)
    text: str  # the value in French ("45 %", "3,5 jours", "12"), or why it is missing
    detail: str  # numerator and denominator, or what the count is made of
    target: Target | None = None
    cases: int | None = None  # what a share or a median rests on (its denominator)
    previous_text: str = ""  # the same figure for the comparison period ("" without one)
    previous_value: float | None = None

    @property
    def definition_key(self) -> str:
        """The key of ``definitions(ref)`` that says what this figure counts."""
        return DEFINITION_OF.get(self.key, self.key)

    @property
    def few_cases(self) -> str:
        """ "(sur 3 cas seulement)" under 5 cases, else ""."""
        return few_cases(self.cases) if self.cases is not None else ""

    @property
    def target_met(self) -> bool | None:
        return self.target.met(self.value) if self.target is not None else None

    @property
    def target_status(self) -> str:
        """ "atteint", "non atteint", or "" without a target or a value."""
        met = self.target_met
        return "" if met is None else "atteint" if met else "non atteint"


def _value_text(kind: str, value: float | None) -> str:
    if kind == "share":
        return format_percent(value)
    if kind == "days":
        return format_days(value)
    return "—" if value is None else format_number(int(value))


def _row(
    key: str,
    label: str,
    kind: str,
    value: float | None,
    detail: str,
    missing: str = "",
    cases: int | None = None,
) -> KeyRow:
    text = missing if missing else _value_text(kind, value)
    if not missing and cases is not None and few_cases(cases) and few_cases(cases) not in detail:
        detail = f"{detail} {few_cases(cases)}".strip()
    return KeyRow(
        key, label, kind, None if missing else value, text, detail, TARGETS.get(key), cases
    )


def key_rows(report: ActivityReport, previous: ActivityReport | None = None) -> list[KeyRow]:
    """The key figures in the order they are shown, each beside ``previous``'s (by default
    the report's own year-before comparison)."""
    previous = previous or report.previous
    rows = _key_rows(report)
    if previous is None:
        return rows
    before = {row.key: row for row in _key_rows(previous)}
    return [
        replace(
            row,
            previous_text=before[row.key].text if row.key in before else "",
            previous_value=before[row.key].value if row.key in before else None,
        )
        for row in rows
    ]


def _key_rows(report: ActivityReport) -> list[KeyRow]:
    key, f = report.key, report.filter
    rows = [
        _row(
            "people",
            "Personnes reçues",
            "count",
            key.people,
            f"dont {format_number(key.people_social)} à l'accueil social, "
            f"{format_number(key.people_pmi)} en PMI"
            if f.service is None
            else "",
        ),
        _row(
            "consultations",
            "Consultations signées",
            "count",
            key.consultations,
            (
                f"{format_number(key.social_consultations)} sociales, "
                f"{format_number(key.pmi_consultations)} de PMI"
                if f.service is None
                else ""
            )
            + (
                ("" if f.service else " ; ")
                + plural(key.drafts_left_out, "brouillon non compté", "brouillons non comptés")
                if key.drafts_left_out
                else ""
            ),
        ),
        _row(
            "unknown_before",
            "Personnes non connues du CMS auparavant",
            "share",
            key.unknown_before_share,
            f"{plural(key.unknown_before, 'personne', 'personnes')} sur "
            f"{plural(key.first_met, 'rencontrée', 'rencontrées')} pour la première fois",
            cases=key.first_met,
        ),
    ]
    rendered = report.satisfaction.question("service_rendered")
    rows.append(
        _row(
            "satisfaction",
            "Service rendu jugé « bien » ou « excellent »",
            "share",
            rendered.share,
            f"{plural(rendered.good_or_excellent, 'réponse', 'réponses')} sur "
            f"{format_number(rendered.answers)} ; taux de réponse "
            f"{format_percent(report.satisfaction.response_rate)} "
            f"({format_number(report.satisfaction.answers)} / "
            f"{format_number(report.satisfaction.consultations)} consultations)",
            cases=rendered.answers,
        )
    )
    resolution, missing = report.resolution, report.social_unavailable
    rows.append(
        _row(
            "immediate_resolution",
            "Résolution immédiate (sur place)",
            "share",
            resolution.immediate_share if resolution else None,
            f"{plural(resolution.resolved_on_spot, *_SOCIAL_CONSULTATION)}"
            f" sur {format_number(resolution.social_consultations)}"
            if resolution
            else "",
            missing,
            cases=resolution.social_consultations if resolution else None,
        )
    )
    rows.append(
        _row(
            "median_days",
            "Délai médian de résolution d'une demande",
            "days",
            resolution.median_days if resolution else None,
            _median_detail(resolution) if resolution else "",
            missing,
            cases=resolution.resolved_demands if resolution else None,
        )
    )
    rows.append(
        _row(
            "open_follow_ups",
            f"Suivis en cours au {format_date(resolution.as_of)}"
            if resolution
            else "Suivis en cours",
            "count",
            resolution.open_follow_ups if resolution else None,
            f"dont {format_number(resolution.overdue_follow_ups)} en retard" if resolution else "",
            missing,
        )
    )
    social = report.social
    rows.append(
        _row(
            "orientations",
            "Orientations vers un partenaire",
            "count",
            social.orientations_total if social else None,
            f"dans {format_number(social.consultations_with_orientation)} consultations sur "
            f"{format_number(social.social_consultations)} "
            f"({format_percent(social.orientation_share)})"
            if social
            else "",
            missing,
        )
    )
    pmi, pmi_missing = report.pmi, report.pmi_unavailable
    rows.append(
        _row(
            "children_seen",
            "Enfants de moins de 6 ans vus en PMI",
            "count",
            pmi.children_seen if pmi else None,
            plural(pmi.child_consultations, "consultation", "consultations") if pmi else "",
            pmi_missing,
        )
    )
    rows.append(
        _row(
            "prenatal",
            "Consultations prénatales",
            "count",
            pmi.prenatal_consultations if pmi else None,
            plural(pmi.women_followed, "femme suivie", "femmes suivies") if pmi else "",
            pmi_missing,
        )
    )
    vaccination = pmi.vaccination if pmi else None
    rows.append(
        _row(
            "late_vaccinations",
            "Vaccinations trouvées en retard",
            "count",
            vaccination.late_doses if vaccination else None,
            f"chez {plural(vaccination.children_with_late_doses, 'enfant', 'enfants')} sur "
            f"{format_number(vaccination.children_checked)}, dont "
            f"{plural(vaccination.late_doses_given, 'dose rattrapée', 'doses rattrapées')}"
            if vaccination
            else "",
            pmi_missing or ("" if vaccination else MEDICAL_RESERVED),
        )
    )
    return rows


def _median_detail(resolution: ResolutionFigures) -> str:
    """What the median rests on: every resolved demand, and the follow-ups' own median."""
    follow_ups = resolution.resolved_follow_ups
    few = few_cases(resolution.resolved_demands)
    text = (
        f"{plural(resolution.resolved_demands, 'demande résolue', 'demandes résolues')}"
        f"{' ' + few if few else ''}, "
        f"dont {format_number(resolution.resolved_on_spot)} sur place (0 jour) ; "
        f"suivis seuls : {format_days(resolution.follow_up_median_days)} "
        f"({plural(follow_ups, 'suivi résolu', 'suivis résolus')}"
    )
    if few_cases(follow_ups):
        text += f", {few_cases(follow_ups)[1:-1]}"
    text += ")"
    partial = resolution.partially_resolved_follow_ups
    if partial:
        text += f" ; {plural(partial, 'suivi', 'suivis')} partiellement résolu"
        text += "s à part" if partial > 1 else " à part"
    return text
