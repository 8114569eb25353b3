"""``van-sync-server purge [--dry-run]``: the retention periods applied (services/lifecycle.py).

The periods come from the server's settings (``VAN_SYNC_PURGE_INACTIVE_MONTHS``, default 24;
``VAN_SYNC_AUDIT_KEEP_MONTHS``, default 12) unless given on the command line. Meant to run
daily from a timer; a dry run lists, per CMS, how many people the purge would take.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any

from sync_server.services.lifecycle import purge


def add_purge_command(
    command: Callable[..., argparse.ArgumentParser],
    engine_of: Callable[[argparse.Namespace], tuple[Any, Any]],
    operator: Callable[[], str],
) -> None:
    def handler(args: argparse.Namespace) -> int:
        settings, engine = engine_of(args)
        report = purge(
            engine,
            today=args.today or dt.date.today(),
            inactive_months=args.inactive_months or settings.purge_inactive_months,
            audit_months=args.audit_months or settings.audit_keep_months,
            dry_run=args.dry_run,
            operator=operator(),
        )
        verb = "seraient purgées" if args.dry_run else "purgées"
        print(f"{report.people} personne(s) sans contact ni suivi ouvert {verb}.")
        for cms, ids in sorted(report.upcoming.items()):
            print(f"  {cms:<12} {len(ids)} personne(s)")
        print(f"{report.cascaded} fiche(s) rattachée(s) supprimée(s) avec elles.")
        print(f"{report.erased} fiche(s) supprimée(s) effacée(s) (seuls les identifiants restent).")
        if not args.dry_run:
            print(f"{report.audit_events} événement(s) du journal d'audit supprimé(s).")
        return 0

    sub = command(
        "purge",
        "appliquer les durées de conservation (personnes sans contact, journal d'audit)",
        handler,
    )
    sub.add_argument("--dry-run", action="store_true", help="compter sans rien effacer")
    sub.add_argument(
        "--inactive-months", type=int, help="mois sans contact avant la purge (défaut 24)"
    )
    sub.add_argument("--audit-months", type=int, help="mois de journal d'audit gardés (défaut 12)")
    sub.add_argument(
        "--today", type=dt.date.fromisoformat, help=argparse.SUPPRESS
    )  # tests: the day the periods count back from
