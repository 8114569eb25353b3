"""``van-sync-server``: run and administer the CMS sync server from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import getpass
import logging.config
import os
import sys
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from sync_server.core.config import Settings
from sync_server.core.db import make_engine, migrate, session_scope
from sync_server.core.high_water import HighWater, high_water_path
from sync_server.core.security import hash_password
from sync_server.models import utcnow
from sync_server.purge_cli import add_purge_command
from sync_server.services import accounts, disclosure, epochs, laptop_recovery, quarantine
from sync_server.services.audit import audit
from sync_server.wire_schema import load_schema

PASSWORD_ENV = "VAN_SYNC_PASSWORD"
MIN_PASSWORD_LENGTH = 8
DEMO_CMS = "CMS-DIE"
DEMO_PASSWORD = "demo"
# The van app's demo accounts (van_app/core/demo.py), so `make demo` can sync against them.
DEMO_USERS = (
    ("amartin", "Agnès Martin", ["social_worker"]),
    ("bnguyen", "Binh Nguyen", ["pmi_nurse"]),
    ("croux", "Claire Roux", ["supervisor"]),
)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "database_url", None):
        settings = settings.model_copy(update={"database_url": args.database_url})
    return settings


_OPEN_ENGINES: list[Engine] = []  # closed when the command ends (main)


def _engine(args: argparse.Namespace) -> tuple[Settings, Engine]:
    settings = _settings(args)
    engine = make_engine(settings.resolved_database_url())
    _OPEN_ENGINES.append(engine)
    migrate(engine)
    return settings, engine


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync_server.core.logs import logging_config
    from sync_server.main import create_app

    settings = _settings(args)
    config = logging_config(settings)
    logging.config.dictConfig(config)  # migrations at start are logged too
    workers = getattr(args, "workers", 1)
    if workers > 1:  # each worker builds its app from the environment (create_app())
        url = settings.resolved_database_url()
        if make_url(url).get_backend_name() != "postgresql":
            print("--workers : réservé à PostgreSQL (SQLite : un seul processus).", file=sys.stderr)
            return 2
        os.environ["VAN_SYNC_DATABASE_URL"] = url
        engine = make_engine(url)
        migrate(engine)  # once, before the workers start
        engine.dispose()
        uvicorn.run(
            "sync_server.main:serving_app", factory=True, workers=workers,
            host=args.host, port=args.port, log_config=config,
        )  # fmt: skip
        return 0
    app = create_app(settings)
    gc.freeze()  # what startup built stays out of the collector's full passes (issue 15)
    uvicorn.run(app, host=args.host, port=args.port, log_config=config)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password:
        return args.password
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    first = getpass.getpass("Mot de passe : ")
    second = getpass.getpass("Mot de passe (encore) : ")
    if first != second:
        raise accounts.AccountError("Les deux mots de passe diffèrent.")
    return first


def _new_password_hash(args: argparse.Namespace) -> tuple[str, Engine]:
    """The password typed (or given), long enough, hashed as the server checks it."""
    password = _read_password(args)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise accounts.AccountError(
            f"Mot de passe trop court ({MIN_PASSWORD_LENGTH} caractères au moins)."
        )
    settings, engine = _engine(args)
    return hash_password(settings, password), engine


def _create_user(args: argparse.Namespace) -> int:
    password_hash, engine = _new_password_hash(args)
    with session_scope(engine, write=True) as session:
        user = accounts.create_user(
            session,
            username=args.username,
            display_name=args.display_name,
            roles=args.role,
            cms_code=args.cms,
            password_hash=password_hash,
        )
        audit(
            session,
            "user_created",
            username=_operator(),
            target=user.username,
            roles=list(user.roles),
            cms_code=user.cms_code,
        )
    print(f"Compte « {user.username} » créé ({', '.join(user.roles)}, {user.cms_code}).")
    return 0


def _list_users(args: argparse.Namespace) -> int:
    _, engine = _engine(args)
    with session_scope(engine) as session:
        users = accounts.list_users(session)
    if not users:
        print("Aucun compte.")
    for user in users:
        state = "désactivé" if user.disabled else "actif"
        print(
            f"{user.username:<16} {user.display_name:<28} {user.cms_code:<10} "
            f"{','.join(user.roles):<28} {state}"
        )
    return 0


def _disable_user(args: argparse.Namespace) -> int:
    _, engine = _engine(args)
    with session_scope(engine, write=True) as session:
        user = accounts.disable_user(session, args.username)
        audit(session, "user_disabled", username=_operator(), target=user.username)
    print(f"Compte « {user.username} » désactivé : ses postes ne se synchronisent plus.")
    return 0


def _enable_user(args: argparse.Namespace) -> int:
    _, engine = _engine(args)
    with session_scope(engine, write=True) as session:
        user = accounts.enable_user(session, args.username)
        audit(session, "user_enabled", username=_operator(), target=user.username)
    print(
        f"Compte « {user.username} » réactivé : ses postes non révoqués se synchronisent de "
        "nouveau."
    )
    return 0


# Hours in each unit of a period: h(ours), d(ays) or j(ours), w(eeks) or s(emaines).
_PERIOD_HOURS = {"h": 1, "d": 24, "j": 24, "w": 168, "s": 168}


def parse_period(text: str) -> dt.timedelta:
    """``36h``, ``14d`` (or ``14j``), ``2w`` (or ``2s``): a period for ``--silent-since``."""
    text = text.strip().lower()
    hours = _PERIOD_HOURS.get(text[-1:]) if text else None
    if hours is None or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise argparse.ArgumentTypeError(
            f"durée « {text} » illisible : un nombre suivi de h (heures), d ou j (jours), "
            "w ou s (semaines), par exemple 14d"
        )
    return dt.timedelta(hours=int(text[:-1]) * hours)


def _seen(device) -> str:  # type: ignore[no-untyped-def]
    return device.last_seen_at.strftime("%d/%m/%Y %H:%M") if device.last_seen_at else "—"


def _list_devices(args: argparse.Namespace) -> int:
    _, engine = _engine(args)
    silent_since = getattr(args, "silent_since", None)
    with session_scope(engine) as session:
        if silent_since is not None:
            rows = accounts.silent_devices(session, utcnow() - silent_since)
        else:
            rows = accounts.list_devices(session, args.username)
    if silent_since is not None:
        days = silent_since.total_seconds() / 86400
        period = f"{days:g} jour(s)" if days >= 1 else f"{silent_since.total_seconds() / 3600:g} h"
        if not rows:
            print(f"Tous les postes actifs se sont synchronisés depuis moins de {period}.")
        else:
            print(f"{len(rows)} poste(s) sans synchronisation depuis plus de {period} :")
    elif not rows:
        print("Aucun poste inscrit.")
    for row in rows:
        device = row.device
        state = "révoqué" if device.revoked_at else "actif"
        seen = _seen(device)
        print(f"{device.id}  {row.username:<16} {device.name:<24} vu le {seen:<16} {state}")
    return 0


def _revoke_device(args: argparse.Namespace) -> int:
    _, engine = _engine(args)
    with session_scope(engine, write=True) as session:
        device = accounts.revoke_device(session, args.device_id)
        audit(session, "device_revoked", username=_operator(), target=device.id)
        stolen = laptop_recovery.block_laptop(session, device) if args.stolen else []
        if stolen:
            audit(session, "laptop_blocked", username=_operator(), targets=stolen)
    print(f"Poste {device.id} révoqué : son jeton est refusé dès maintenant.")
    if stolen:
        print(
            f"Ordinateur déclaré volé : {len(stolen)} jeton(s) refusé(s), et sa clé de secours "
            "ne sera plus jamais remise."
        )
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    """A forgotten password: the next online login on the laptop reopens its store."""
    password_hash, engine = _new_password_hash(args)
    with session_scope(engine, write=True) as session:
        user = accounts.find_user(session, args.username)
        if user is None:
            raise accounts.AccountError(f"Aucun compte « {args.username} ».")
        user.password_hash = password_hash
        user.updated_at = utcnow()
        session.add(user)
        audit(session, "password_reset", username=_operator(), target=user.username)
    print(
        f"Mot de passe de « {user.username} » réinitialisé. Sur son poste, la prochaine "
        "connexion avec ce mot de passe, en ligne, rouvre la base locale et ses saisies."
    )
    return 0


def _mark_restored(args: argparse.Namespace) -> int:
    """After restoring a backup: a new epoch, so every laptop sends again what was lost."""
    settings, engine = _engine(args)
    url = engine.url.render_as_string(hide_password=False)
    high_water = HighWater(high_water_path(url, settings.resolved_state_dir()))
    mark = high_water.mark
    with session_scope(engine, write=True) as session:
        # Whatever epoch the mark was written in: versions went that high once.
        seen = mark.max_version if mark else 0
        meta = epochs.mark_restored(session, reason="command", seen_max=seen, operator=_operator())
        floor, server_id, max_version = meta.restore_floor, meta.server_id, meta.max_version
    high_water.raise_to(server_id, max_version)
    print(
        "Restauration enregistrée : les postes renverront au serveur ce qu'ils savent "
        f"au-delà de la version {floor} à leur prochaine synchronisation."
    )
    return 0


def _who_received(args: argparse.Namespace) -> int:
    """Who received a person's file: every pull that handed out a record of it."""
    _, engine = _engine(args)
    with session_scope(engine) as session:
        records = disclosure.person_file(session, args.person_id)
        if not records:
            raise accounts.AccountError("Aucune personne avec cet identifiant sur ce serveur.")
        found = disclosure.receipts(session, set(records))
        audit(session, "disclosure_listed", username=_operator(), target=args.person_id)
    print(f"Dossier de la personne {args.person_id} : {len(records)} fiche(s).")
    if not found:
        print("Aucun poste ne l'a reçu (dans la période que le journal conserve).")
    for receipt in found:
        when = receipt.at.strftime("%d/%m/%Y %H:%M")
        print(
            f"{when}  {receipt.username or '?':<16} poste {receipt.device_id or '?'}  "
            f"depuis {receipt.address or '?'}  {receipt.records} fiche(s)"
        )
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    """Records set aside because they could not be served; --repair serves them again."""
    settings, engine = _engine(args)
    schema = load_schema(settings.resolved_schema_path())
    with session_scope(engine, write=True) as session:
        rows = quarantine.quarantined(session)
        if not rows:
            print("Aucune fiche mise de côté.")
            return 0
        for row in rows:
            print(f"{row.table_name:<22} {row.id}  {row.cms_code:<10} {row.quarantined}")
        if args.repair:
            count = quarantine.repair(session, schema, rows, _operator())
            print(f"{count} fiche(s) réparée(s) : elles sont de nouveau servies aux postes.")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    settings, engine = _engine(args)
    password_hash = hash_password(settings, DEMO_PASSWORD)
    created = []
    with session_scope(engine, write=True) as session:
        for username, name, roles in DEMO_USERS:
            if accounts.find_user(session, username) is not None:
                continue
            accounts.create_user(
                session,
                username=username,
                display_name=name,
                roles=roles,
                cms_code=DEMO_CMS,
                password_hash=password_hash,
            )
            created.append(username)
        if created:
            audit(session, "user_created", username=_operator(), target=created, demo=True)
    if created:
        print(
            f"Comptes de démonstration créés ({DEMO_CMS}, mot de passe « {DEMO_PASSWORD} ») : "
            + ", ".join(created)
        )
    else:
        print("Les comptes de démonstration existent déjà.")
    return 0


class _FrenchHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix or "utilisation : ")


def _french(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """argparse's own words (section titles, -h) in French."""
    parser._positionals.title = "arguments"
    parser._optionals.title = "options"
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _french(
        argparse.ArgumentParser(
            prog="van-sync-server",
            description="Serveur de synchronisation Drôme Proximité",
            formatter_class=_FrenchHelp,
            add_help=False,
        )
    )
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--database-url",
        help="base de données (défaut : VAN_SYNC_DATABASE_URL, sinon un fichier SQLite)",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMANDE", title="commandes"
    )

    def command(name: str, text: str, handler: Callable[[argparse.Namespace], int]):
        sub = commands.add_parser(
            name,
            prog=f"van-sync-server {name}",
            help=text,
            description=text,
            parents=[database],
            formatter_class=_FrenchHelp,
            add_help=False,
        )
        _french(sub)
        sub.set_defaults(handler=handler)
        return sub

    serve = command("serve", "démarrer le serveur", _serve)
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port d'écoute (8765)")
    serve.add_argument(
        "--workers", type=int, default=1, help="processus servant en parallèle (PostgreSQL ; 1)"
    )

    create = command("create-user", "créer un compte", _create_user)
    create.add_argument("username", metavar="IDENTIFIANT")
    create.add_argument("--display-name", required=True, help="nom affiché (Prénom Nom)")
    create.add_argument(
        "--role",
        action="append",
        required=True,
        help="rôle (répétable) : social_worker, pmi_nurse, supervisor, administrator",
    )
    create.add_argument("--cms", required=True, help="code du CMS (ex. CMS-DIE)")
    create.add_argument(
        "--password",
        help=f"mot de passe (sinon {PASSWORD_ENV}, sinon demandé deux fois)",
    )

    command("list-users", "lister les comptes", _list_users)
    disable = command("disable-user", "désactiver un compte et tous ses postes", _disable_user)
    disable.add_argument("username", metavar="IDENTIFIANT")
    enable = command("enable-user", "réactiver un compte désactivé", _enable_user)
    enable.add_argument("username", metavar="IDENTIFIANT")
    listed = command("list-devices", "lister les postes inscrits", _list_devices)
    listed.add_argument("username", metavar="IDENTIFIANT", nargs="?")
    silent = command(
        "devices",
        "les postes qui ne se synchronisent plus (--silent-since 14d)",
        _list_devices,
    )
    silent.add_argument(
        "--silent-since",
        type=parse_period,
        required=True,
        metavar="DURÉE",
        help="sans synchronisation depuis plus de DURÉE : 36h, 14d (ou 14j), 2w (ou 2s)",
    )
    silent.set_defaults(username=None)
    revoke = command("revoke-device", "révoquer le jeton d'un poste", _revoke_device)
    revoke.add_argument("device_id", metavar="ID_POSTE")
    revoke.add_argument(
        "--stolen",
        action="store_true",
        help="ordinateur volé ou perdu : tous ses jetons refusés, sa clé de secours bloquée",
    )
    reset = command(
        "reset-password",
        "réinitialiser le mot de passe oublié d'un compte",
        _reset_password,
    )
    reset.add_argument("username", metavar="IDENTIFIANT")
    reset.add_argument(
        "--password",
        help=f"nouveau mot de passe (sinon {PASSWORD_ENV}, sinon demandé deux fois)",
    )
    command("seed-demo", "créer les comptes de démonstration (CMS-DIE)", _seed_demo)
    who = command(
        "who-received", "quels postes ont reçu le dossier d'une personne (journal)", _who_received
    )
    who.add_argument("person_id", metavar="ID_PERSONNE")
    aside = command("quarantine", "lister les fiches mises de côté (illisibles)", _quarantine)
    aside.add_argument("--repair", action="store_true", help="les réparer et les servir")
    add_purge_command(command, _engine, _operator)
    command(
        "mark-restored",
        "après la restauration d'une sauvegarde : les postes renvoient ce qui a été perdu",
        _mark_restored,
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except accounts.AccountError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    finally:
        while _OPEN_ENGINES:
            _OPEN_ENGINES.pop().dispose()


if __name__ == "__main__":
    sys.exit(main())
