"""What the dashboard's filters offer: the communes of the tour and the stops of a period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from van_app.core.indicators.french import format_date
from van_app.core.models import TourStop
from van_app.core.reference import ReferenceData


@dataclass(frozen=True)
class StopOption:
    stop_id: str
    stop_date: dt.date
    commune_insee: str
    label: str  # "06/10/2026 — Luc-en-Diois"


@dataclass(frozen=True)
class FilterOptions:
    communes: tuple[tuple[str, str], ...]  # (INSEE code, name), by name
    stops: tuple[StopOption, ...]  # of the period, by date


def filter_options(
    session: Session, start: dt.date, end: dt.date, ref: ReferenceData
) -> FilterOptions:
    """Every commune the van has ever stopped in, and the period's (non-cancelled) stops."""
    stops = session.exec(select(TourStop).where(col(TourStop.deleted).is_(False))).all()
    insee_codes = {s.commune_insee for s in stops}
    communes = sorted(
        ((code, ref.label("communes", code)) for code in insee_codes), key=lambda c: (c[1], c[0])
    )
    in_period = sorted(
        (s for s in stops if start <= s.stop_date <= end),
        key=lambda s: (s.stop_date, ref.label("communes", s.commune_insee), s.id),
    )
    return FilterOptions(
        communes=tuple(communes),
        stops=tuple(
            StopOption(
                s.id,
                s.stop_date,
                s.commune_insee,
                f"{format_date(s.stop_date)} — {ref.label('communes', s.commune_insee)}",
            )
            for s in in_period
        ),
    )
