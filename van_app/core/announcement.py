"""The town hall's announcement of the van's coming stops: a poster (PDF) and an e-mail.

Town halls are how the villages learn that the van is coming (DESIGN.md, "The service"), so
the poster reads at a glance from a notice board: big dates in words, hours, the place, the
services in plain words and how to reach the CMS. It carries no personal data at all, only the
plan. The e-mail is the polite covering text the supervisor sends with it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from sqlmodel import Session, col, select

from van_app.core.cms_contacts import CmsContact, cms_contact
from van_app.core.local_store import CurrentUser
from van_app.core.measures import format_date
from van_app.core.models import TourPattern
from van_app.core.reference import Commune, ReferenceData
from van_app.core.today import SERVICE_LABELS
from van_app.core.tour_calendar import (
    MONTHS,
    french_long_date,
    hours_range_text,
    hours_text,
    rule_text,
)
from van_app.core.tour_planning import PlannedStop, list_planned_stops

__all__ = [
    "SERVICE_DESCRIPTIONS",
    "Announcement",
    "announcement_email",
    "announcement_pdf",
    "build_announcement",
]

# What each service offers, in words a notice board reader understands.
SERVICE_DESCRIPTIONS = {
    "social": (
        "Écoute, information et aide pour vos démarches : RSA, CAF, Assurance maladie et "
        "complémentaire santé solidaire, APA, MDPH, logement, énergie, budget, emploi, "
        "démarches en ligne. Orientation vers le bon interlocuteur."
    ),
    "pmi": (
        "Pesée et mesure des bébés et des jeunes enfants, conseils sur l'alimentation, le "
        "sommeil, les vaccinations et le développement, suivi des futures mamans."
    ),
}
_SERVICE_TITLES = {
    "social": SERVICE_LABELS["social"],
    "pmi": f"{SERVICE_LABELS['pmi']} (protection maternelle et infantile)",
}
_BLUE = "#1f3a5f"
_HOUR_RE = re.compile(r"\d{1,2} h(?: \d{2})?")
_LIGHT = "#eef4fb"


@dataclass(frozen=True)
class Announcement:
    """One commune's coming stops and who to contact, as printed and e-mailed."""

    commune: Commune
    stops: tuple[PlannedStop, ...]
    rules: tuple[str, ...]  # "le 2e mardi de chaque mois" for the repeating tours shown
    cms: CmsContact
    issued_on: dt.date
    sender_name: str

    @property
    def recipient(self) -> str | None:
        """The town hall's e-mail address (from the communes' reference)."""
        return self.commune.town_hall_email

    @property
    def services(self) -> tuple[str, ...]:
        """The services offered at one stop at least: "social", "pmi" or both."""
        offered = {s.services for s in self.stops}
        return tuple(code for code in ("social", "pmi") if code in offered or "both" in offered)


def build_announcement(
    session: Session,
    user: CurrentUser,
    ref: ReferenceData,
    commune_insee: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    cms: CmsContact | None = None,
) -> Announcement:
    """The commune's stops from ``start`` (not before today) to ``end``; LookupError if the
    commune is not one of the Drôme's.
    """
    commune = ref.communes.get(commune_insee)
    if commune is None:
        raise LookupError(f"Commune inconnue : « {commune_insee} ».")
    stops = list_planned_stops(session, user, ref, max(start, today), end, today, commune_insee)
    pattern_ids = sorted({s.pattern_id for s in stops if s.pattern_id})
    patterns = sorted(
        session.exec(select(TourPattern).where(col(TourPattern.id).in_(pattern_ids))).all(),
        key=lambda p: (p.week_of_month % 6, p.weekday),  # the last week (-1) after the 4th
    )
    rules = tuple(dict.fromkeys(rule_text(p.weekday, p.week_of_month) for p in patterns))
    return Announcement(
        commune=commune,
        stops=tuple(stops),
        rules=rules,
        cms=cms or cms_contact(user.cms_code),
        issued_on=today,
        sender_name=user.display_name,
    )


# -- wording shared by the poster and the e-mail -----------------------------------------------


def _lower_first(text: str) -> str:
    """ "Accueil social" -> "accueil social"; an acronym ("PMI") stays as it is."""
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _month(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def period_text(stops: tuple[PlannedStop, ...]) -> str:
    """ "décembre 2026" or "de décembre 2026 à février 2027"."""
    first, last = _month(stops[0].stop_date), _month(stops[-1].stop_date)
    return first if first == last else f"de {first} à {last}"


def _keep_hours_together(text: str) -> str:
    """ "13 h 30" never broken across two lines of the poster (non-breaking spaces)."""
    return _HOUR_RE.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


def _contact_lines(cms: CmsContact) -> list[str]:
    lines = [cms.name]
    if cms.address:
        lines.append(cms.address)
    if cms.phone:
        lines.append(f"Téléphone : {cms.phone}")
    if cms.email:
        lines.append(f"Courriel : {cms.email}")
    return lines


def _require_stops(announcement: Announcement) -> None:
    if not announcement.stops:
        raise ValueError(
            f"Aucun passage du camion n'est prévu à {announcement.commune.name} sur cette période."
        )


# -- e-mail ------------------------------------------------------------------------------------


def announcement_email(announcement: Announcement) -> tuple[str, str]:
    """(subject, body) of the e-mail to the town hall, in plain text, poster attached."""
    _require_stops(announcement)
    a = announcement
    commune = a.commune.name
    subject = f"Passages du camion médico-social à {commune} ({period_text(a.stops)})"
    lines = [
        "Madame, Monsieur,",
        "",
        f"Le {_lower_first(a.cms.name)} (Département de la Drôme) vous informe des "
        f"prochains passages de son camion médico-social itinérant à {commune} :",
        "",
    ]
    for stop in a.stops:
        lines.append(
            f"- {french_long_date(stop.stop_date)}, de {hours_text(stop.start_time)} à "
            f"{hours_text(stop.end_time)} — {stop.place} "
            f"({_lower_first(stop.services_label)}) ;"
        )
    lines[-1] = lines[-1][: -len(" ;")] + "."
    if a.rules:
        lines += ["", f"Le camion passe régulièrement le {' et le '.join(a.rules)}."]
    lines += ["", "Sur place, l'accueil est gratuit, confidentiel et sans rendez-vous :"]
    for code in a.services:
        lines.append(f"- {_SERVICE_TITLES[code]} : {_lower_first(SERVICE_DESCRIPTIONS[code])}")
    lines += [
        "",
        "Nous vous serions reconnaissants de bien vouloir relayer cette information auprès de "
        "vos habitants (affichage en mairie, bulletin ou site internet de la commune). Vous "
        "trouverez ci-joint une affiche prête à imprimer.",
        "",
        "Pour toute question, vous pouvez joindre le centre médico-social :",
        *_contact_lines(a.cms),
    ]
    if a.cms.opening_hours:
        lines.append("Horaires d'ouverture :")
        lines += a.cms.opening_hours.splitlines()
    lines += [
        "",
        "Nous vous remercions de votre précieux concours et vous prions d'agréer, Madame, "
        "Monsieur, l'expression de nos salutations distinguées.",
        "",
        a.sender_name,
        f"Responsable du {_lower_first(a.cms.name)}",
    ]
    return subject, "\n".join(lines) + "\n"


# -- poster ------------------------------------------------------------------------------------


def announcement_pdf(path: Path | str, announcement: Announcement) -> Path:
    """Write the A4 poster to ``path``; return it. ValueError when no stop is planned."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from van_app.core.reports.fonts import BOLD, REGULAR

    _require_stops(announcement)
    a = announcement
    path = Path(path)
    blue = colors.HexColor(_BLUE)

    def style(name: str, size: float, **extra: object) -> ParagraphStyle:
        values: dict[str, object] = {"fontName": REGULAR, "leading": size * 1.25}
        values.update(extra)
        return ParagraphStyle(name, fontSize=size, **values)

    band = style("band", 10, textColor=blue)
    title = style("title", 25, fontName=BOLD, textColor=blue, spaceAfter=3 * mm)
    lead = style("lead", 12.5, spaceAfter=2 * mm)
    heading = style(
        "heading",
        15,
        fontName=BOLD,
        textColor=blue,
        spaceBefore=4 * mm,
        spaceAfter=2 * mm,
    )
    date_style = style("date", 17, fontName=BOLD)
    hours_style = style("hours", 15, textColor=blue)
    place_style = style("place", 13)
    services_style = style("services", 11.5, textColor=blue)
    body = style("body", 11)

    def para(text: str, st: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(_keep_hours_together(text)).replace("\n", "<br/>"), st)

    story = [
        para(f"DÉPARTEMENT DE LA DRÔME  ·  {a.cms.name}", band),
        Spacer(1, 3 * mm),
        para(f"Le camion médico-social passe à {a.commune.name}", title),
        para(
            "Le centre médico-social (CMS) vient près de chez vous avec son camion aménagé. "
            "Accueil gratuit, confidentiel et sans rendez-vous, ouvert à toutes et à tous.",
            lead,
        ),
        para("Prochains passages", heading),
    ]
    rows = [
        [
            [
                para(french_long_date(s.stop_date), date_style),
                para(hours_range_text(s.start_time, s.end_time), hours_style),
            ],
            [para(s.place, place_style), para(s.services_label, services_style)],
        ]
        for s in a.stops
    ]
    table = Table(rows, colWidths=[88 * mm, None], repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.HexColor(_LIGHT), colors.white]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#c6d8ee")),
                ("TOPPADDING", (0, 0), (-1, -1), 2.2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    story.append(table)
    if a.rules:
        story += [
            Spacer(1, 3 * mm),
            para(f"Le camion passe régulièrement le {' et le '.join(a.rules)}.", body),
        ]
    story.append(para("Sur place", heading))
    for code in a.services:
        story.append(
            Paragraph(
                f"<b>{escape(_SERVICE_TITLES[code])}</b> : {escape(SERVICE_DESCRIPTIONS[code])}",
                style(f"service-{code}", 11, spaceAfter=1.5 * mm),
            )
        )
    # Who to call, side by side with when: one framed block that never splits across pages.
    lines = _contact_lines(a.cms)
    reach = [para(lines[0], style("cms-name", 11, fontName=BOLD))]
    reach += [para(line, body) for line in lines[1:]]
    hours = (
        [para(f"Horaires d'ouverture :\n{a.cms.opening_hours}", body)]
        if a.cms.opening_hours
        else []
    )
    box = Table([[reach, hours]], colWidths=[82 * mm, None])
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.8, blue),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * mm),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    story.append(KeepTogether([para("Pour joindre le centre médico-social", heading), box]))

    footer = (
        f"Document à afficher en mairie  ·  Département de la Drôme  ·  "
        f"édité le {format_date(a.issued_on)}"
    )

    def on_page(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFillColor(blue)
        canvas.rect(0, A4[1] - 8 * mm, A4[0], 8 * mm, stroke=0, fill=1)
        canvas.setFont(REGULAR, 8.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        text = footer if doc.page == 1 else f"{footer}  ·  page {doc.page}"
        canvas.drawCentredString(A4[0] / 2, 10 * mm, text)
        canvas.restoreState()

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=f"Passages du camion médico-social à {a.commune.name}",
        author=a.cms.name,
        lang="fr-FR",
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return path
