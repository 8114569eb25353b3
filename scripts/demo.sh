#!/bin/sh
# The demo: a CMS sync server with the demo accounts on 127.0.0.1:8765, and the van app with
# its demo month next to it. The app enrols itself at the first login (password "demo") and
# syncs with the server; closing the app stops the server.
set -eu
BIN=${BIN:-.venv/bin}
DEMO_DIR=${DEMO_DIR:-$(pwd)/.demo}
PORT=${DEMO_PORT:-8765}
mkdir -p "$DEMO_DIR/server"
export VAN_SYNC_DATABASE_URL="sqlite:///$DEMO_DIR/server/sync.db"
"$BIN/van-sync-server" seed-demo
"$BIN/van-sync-server" serve --port "$PORT" >"$DEMO_DIR/server/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM
echo "Serveur de démonstration : http://127.0.0.1:$PORT (journal : $DEMO_DIR/server/server.log)"
VAN_APP_SERVER_URL="http://127.0.0.1:$PORT" VAN_APP_DATA_DIR="$DEMO_DIR/van-app" "$BIN/van-app" --demo
