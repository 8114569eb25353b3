#!/bin/sh
# make installer: the laptop's one-folder app in dist/drome-proximite (PyInstaller), checked:
# no test or server package inside, then its --self-check run headless from another folder.
# Windows: the same steps by hand, then Inno Setup (docs/windows.md).
set -eu
BIN=${BIN:-.venv/bin}
DIST=${DIST:-dist}
WORK=${WORK:-build/pyinstaller}
APP="$DIST/drome-proximite"
start=$(date +%s)

"$BIN/python" scripts/third_party_notices.py >/dev/null
"$BIN/python" scripts/windows_version_info.py >/dev/null
"$BIN/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" build_installer.spec

# The laptop carries neither the server nor the test tools of the dev venv.
forbidden='sync_server|fastapi|uvicorn|starlette|pydantic_settings|psycopg|hypothesis|pytest|_pytest|pytestqt|pygments|ruff|httpx'
found=$(grep -oE "\('($forbidden)(\.[A-Za-z0-9_.]+)?'" "$WORK"/build_installer/PYZ-*.toc | sort -u || true)
found="$found$(ls "$APP/_internal" | grep -E "^($forbidden)([-_.]|$)" || true)"
if [ -n "$found" ]; then
    echo "Paquets de test ou du serveur dans l'app du camion :" >&2
    echo "$found" >&2
    exit 1
fi

APP_DIR=$(cd "$APP" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && QT_QPA_PLATFORM=offscreen "$APP_DIR/drome-proximite" --self-check)

echo "App du camion : $APP ($(du -sh "$APP" | cut -f1), construite en $(($(date +%s) - start)) s)"
