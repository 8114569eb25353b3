"""``van-sync-server``: run and administer the CMS sync server from the command line."""

from __future__ import annotations

import argparse
import sys

from sync_server.core.config import Settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync_server.main import create_app

    uvicorn.run(create_app(Settings()), host=args.host, port=args.port, log_level="info")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="van-sync-server", description="Serveur de synchronisation Drôme Proximité"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="démarrer le serveur")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.set_defaults(handler=_serve)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
