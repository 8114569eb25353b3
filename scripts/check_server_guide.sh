#!/usr/bin/env bash
# Runs every shell block of docs/server.md as written, in order, on this machine, as on the
# Debian VM the guide is for, then checks what each step must have done.
#
# It runs as root in a private mount namespace where /etc, /opt, /usr/local, /var/lib,
# /var/log and /var/backups are overlays over a scratch folder: `useradd`, the files put in
# /etc and /opt, the service's state, logs and backups vanish with it. What cannot run here is
# replaced by a shim, and said:
#   sudo       runs the command as root, `-u USER` through runuser;
#   apt-get    checks that each named package exists in Debian's archive, installs nothing;
#   systemctl  `daemon-reload` runs `systemd-analyze verify` on the unit; `start`, `stop`,
#              `enable --now`, `restart` run the unit's ExecStart with its User=,
#              EnvironmentFile=, StateDirectory=, LogsDirectory= and WorkingDirectory=;
#              `reload caddy` is not run (no Caddy service here);
#   caddy      the real one if `caddy` is on PATH or CADDY names it, else "not validated".
# PostgreSQL is the machine's own (socket /var/run/postgresql): the guide's role `van-sync`
# and database `van_sync` are created there and dropped at the end (the check refuses to
# start if they exist). The guide's SQLite section runs after the PostgreSQL one, with the
# env file switched to SQLite. The program is built from `git archive HEAD` (GUIDE_CHECK_WORKTREE=1:
# the working tree). Needs: root, network access to the package index (pip), port 8765 free.
#
# Usage: scripts/check_server_guide.sh        (about a minute and a half)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
GUIDE="$REPO/docs/server.md"
OVERLAID=(/etc /opt /usr/local /var/lib /var/log /var/backups)

if [ -z "${GUIDE_CHECK_INSIDE:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "check_server_guide: run as root (it uses a mount namespace)" >&2; exit 2; }
    exec env GUIDE_CHECK_INSIDE=1 unshare --mount --propagation private "$0" "$@"
fi

SCRATCH=$(mktemp -d /tmp/server-guide-check.XXXXXX)
chmod 0755 "$SCRATCH"
export GUIDE_SCRATCH="$SCRATCH"
for dir in "${OVERLAID[@]}"; do
    name=$(echo "$dir" | tr / _)
    mkdir -p "$SCRATCH/upper$name" "$SCRATCH/work$name"
    mount -t overlay overlay \
        -o "lowerdir=$dir,upperdir=$SCRATCH/upper$name,workdir=$SCRATCH/work$name" "$dir"
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "ÉCHEC : $*" >&2; exit 1; }
NOT_VALIDATED=()

psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
pg_leftovers() {
    psql_admin -tA -c "SELECT count(*) FROM pg_database WHERE datname = 'van_sync'" | grep -qx 1 && return 0
    psql_admin -tA -c "SELECT count(*) FROM pg_roles WHERE rolname = 'van-sync'" | grep -qx 1
}

# -- shims -----------------------------------------------------------------------------------
SHIMS="$SCRATCH/shims"
mkdir -p "$SHIMS"
cat > "$SHIMS/sudo" <<'EOF'
#!/bin/sh
user=""
while [ $# -gt 0 ]; do
    case "$1" in
        -u) user="$2"; shift 2 ;;
        --) shift; break ;;
        -*) shift ;;
        *) break ;;
    esac
done
if [ -n "$user" ] && [ "$user" != root ]; then
    cd / 2>/dev/null || true
    exec runuser -u "$user" -- "$@"
fi
exec "$@"
EOF
cat > "$SHIMS/apt-get" <<'EOF'
#!/bin/sh
[ "$1" = install ] || { echo "apt-get shim: only 'install' is expected" >&2; exit 1; }
shift
for package in "$@"; do
    case "$package" in -*) continue ;; esac
    apt-cache show "$package" > /dev/null 2>&1 || { echo "paquet Debian inconnu : $package" >&2; exit 1; }
    if dpkg -s "$package" > /dev/null 2>&1; then state="installé"; else state="NON installé ici"; fi
    echo "apt-get (vérifié, rien installé) : $package existe dans Debian, $state"
done
EOF
cat > "$SHIMS/systemctl" <<'EOF'
#!/bin/bash
set -euo pipefail
UNIT_DIR=/etc/systemd/system
PIDFILE="$GUIDE_SCRATCH/service.pid"
field() { sed -n "s/^$1=//p" "$UNIT_DIR/$2.service" | tail -n 1; }
start() {
    local unit=$1 user envfile exec_start state logs workdir
    user=$(field User "$unit"); envfile=$(field EnvironmentFile "$unit")
    exec_start=$(field ExecStart "$unit"); workdir=$(field WorkingDirectory "$unit")
    state=$(field StateDirectory "$unit"); logs=$(field LogsDirectory "$unit")
    [ -n "$state" ] && install -d -o "$user" -g "$user" -m "$(field StateDirectoryMode "$unit")" "/var/lib/$state"
    [ -n "$logs" ] && install -d -o "$user" -g "$user" -m "$(field LogsDirectoryMode "$unit")" "/var/log/$logs"
    cd "${workdir:-/}"
    setsid runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="${workdir:-/}" \
        sh -c "umask $(field UMask "$unit"); set -a; . '$envfile'; set +a; exec $exec_start" \
        >> "$GUIDE_SCRATCH/service.out" 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    echo "systemctl (shim) : $unit démarré (pid $!) comme $user"
}
stop() {
    [ -f "$PIDFILE" ] || return 0
    local pid; pid=$(cat "$PIDFILE")
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
    echo "systemctl (shim) : $1 arrêté"
}
args="$*"
case "$args" in
    daemon-reload)
        unit="$UNIT_DIR/van-sync-server.service"
        if command -v systemd-analyze > /dev/null; then
            # Whatever it says, but that no systemd runs here (no bus, no manager).
            out=$(systemd-analyze verify "$unit" 2>&1 || true)
            echo "$out" | grep -v -e '^$' -e 'Failed to connect to bus' -e 'not running as init' \
                > "$GUIDE_SCRATCH/verify.out" || true
            if [ -s "$GUIDE_SCRATCH/verify.out" ]; then cat "$GUIDE_SCRATCH/verify.out" >&2; exit 1; fi
            echo "systemd-analyze verify $(basename "$unit") : rien à redire"
        else
            echo "systemd-analyze absent : unité NON vérifiée" | tee -a "$GUIDE_SCRATCH/not-validated" >&2
        fi ;;
    "enable --now "*|"start "*|"restart "*)
        unit=${args##* }
        if [ "$1" = restart ]; then stop "$unit"; fi
        start "$unit" ;;
    "stop "*) stop "${args##* }" ;;
    "reload caddy") echo "systemctl (shim) : pas de service Caddy ici, 'reload caddy' non exécuté" ;;
    *) echo "systemctl shim: unexpected '$*'" >&2; exit 1 ;;
esac
EOF
cat > "$SHIMS/caddy" <<'EOF'
#!/bin/sh
real="${CADDY:-}"
if [ -z "$real" ]; then
    real=$(PATH=$(echo "$PATH" | sed "s#^$GUIDE_SCRATCH/shims:##") command -v caddy || true)
fi
if [ -z "$real" ]; then
    echo "caddy absent : Caddyfile NON validé" | tee -a "$GUIDE_SCRATCH/not-validated" >&2
    exit 0
fi
exec "$real" "$@"
EOF
chmod +x "$SHIMS"/*
export PATH="$SHIMS:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

cleanup() {
    set +e
    systemctl stop van-sync-server > /dev/null 2>&1
    if [ -n "${PG_MADE:-}" ]; then
        psql_admin -c 'DROP DATABASE IF EXISTS van_sync WITH (FORCE)' -c 'DROP ROLE IF EXISTS "van-sync"'
    fi
    [ -f "$SCRATCH/service.out" ] && [ -n "${FAILED:-}" ] && tail -n 30 "$SCRATCH/service.out"
    cd /
    for dir in "${OVERLAID[@]}"; do umount "$dir"; done
    rm -rf "$SCRATCH"
}
trap 'status=$?; [ "$status" = 0 ] || FAILED=1; cleanup' EXIT

# -- the guide's blocks ----------------------------------------------------------------------
# Each fenced block is preceded (or not) by "<!-- check: NAME -->"; ```sh blocks are run,
# ```text blocks are the reference list of commands, run with their placeholders filled.
BLOCKS="$SCRATCH/blocks"
mkdir -p "$BLOCKS"
awk -v dir="$BLOCKS" '
    /^<!-- check: .* -->$/ { name = $0; sub(/^<!-- check: /, "", name); sub(/ -->$/, "", name); next }
    /^```(sh|text)$/ && !inside { inside = 1; n++; kind = substr($0, 4)
        file = sprintf("%s/%02d-%s.%s", dir, n, (name == "" ? "block" : name), kind); gsub(/ /, "_", file)
        printf "" > file; name = ""; next }
    /^```$/ && inside { inside = 0; close(file); next }
    inside { print >> file }
    /^```/ && !inside { print "bloc ni sh ni text : " $0 > "/dev/stderr"; exit 1 }
' "$GUIDE"
ls "$BLOCKS" | grep -q . || fail "aucun bloc dans $GUIDE"

HOME_DIR="$SCRATCH/admin-home"  # the administrator's folder on the VM, where scp put the files
mkdir -p "$HOME_DIR"
chmod 0755 "$HOME_DIR"
cd "$HOME_DIR"

if curl -s -o /dev/null "http://127.0.0.1:8765/"; then fail "le port 8765 est déjà pris"; fi
if pg_leftovers; then fail "le rôle van-sync ou la base van_sync existent déjà dans PostgreSQL"; fi
PG_MADE=1

API=http://127.0.0.1:8765/api/v1
PROTOCOL=(-H "X-Protocol-Version: 2")
enrol() {  # enrol a laptop of $1 by the API, print its token
    curl -sS --fail "${PROTOCOL[@]}" -H 'Content-Type: application/json' \
        -d "{\"username\": \"$1\", \"password\": \"Soleil-du-Diois-2026\", \"device_name\": \"$2\"}" \
        "$API/auth/enrol" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
status_with() {  # HTTP status of a summary with token $1, and the error code if any
    curl -sS -o "$SCRATCH/answer.json" -w '%{http_code}' "${PROTOCOL[@]}" \
        -H "Authorization: Bearer $1" "$API/sync/summary"
    python3 -c 'import json, sys; print("", json.load(open(sys.argv[1])).get("code", ""))' "$SCRATCH/answer.json"
}
before_restore() {  # a laptop enrolled before the backup, one after it
    sudo van-sync-admin create-user "check-$1" --display-name "Vérification" --role social_worker \
        --cms CMS-CHECK --password Soleil-du-Diois-2026 > /dev/null
    TOKEN_BEFORE=$(enrol "check-$1" "avant la sauvegarde")
}
after_backup() { TOKEN_AFTER=$(enrol "check-$1" "après la sauvegarde"); }
after_restore() {
    local after before
    after=$(status_with "$TOKEN_AFTER")
    [ "$after" = "401 invalid_token" ] || fail "poste inscrit après la sauvegarde : '$after' au lieu de 401 invalid_token (Réinscrire ce poste)"
    before=$(status_with "$TOKEN_BEFORE")
    case "$before" in 200*) ;; *) fail "poste inscrit avant la sauvegarde : '$before'" ;; esac
    sudo van-sync-admin list-devices "check-$1" | grep -q "avant la sauvegarde" || fail "poste d'avant perdu"
    echo "vérifié : le poste inscrit après la sauvegarde doit se réinscrire (401 invalid_token), l'autre synchronise"
}

run_block() {  # run one ```sh block in this shell, as written
    local file=$1
    say "$(basename "$file")"
    sed 's/^/  $ /' "$file"
    # shellcheck disable=SC1090
    source "$file"
}

for file in "$BLOCKS"/*; do
    name=$(basename "$file"); name=${name#*-}; kind=${name##*.}; name=${name%.*}
    case "$name" in
        in_the_checkout)
            mkdir -p "$SCRATCH/checkout"
            if [ -n "${GUIDE_CHECK_WORKTREE:-}" ]; then
                (cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 tar -c --ignore-failed-read) \
                    | tar -x -C "$SCRATCH/checkout"
            else
                git -C "$REPO" archive --format=tar HEAD | tar -x -C "$SCRATCH/checkout"
            fi
            (cd "$SCRATCH/checkout" && run_block "$file")
            # The administrator's scp of the wheel and of packaging/server/ to the VM.
            cp "$SCRATCH"/checkout/dist/drome_proximite-*.whl "$HOME_DIR/"
            mkdir -p "$HOME_DIR/packaging"
            cp -r "$SCRATCH/checkout/packaging/server" "$HOME_DIR/packaging/"
            continue ;;
        pg_backup) before_restore pg ;;
        sqlite_backup)
            say "(vérification) le fichier d'environnement passe à SQLite, le service redémarre"
            sed -i 's#^VAN_SYNC_DATABASE_URL=.*#VAN_SYNC_DATABASE_URL=sqlite:////var/lib/van-sync-server/sync.db#' \
                /etc/van-sync-server/van-sync-server.env
            systemctl restart van-sync-server
            curl -sS --fail --retry 20 --retry-connrefused --retry-delay 1 "$API/ready" > /dev/null
            before_restore sqlite ;;
    esac
    if [ "$kind" = text ]; then
        [ "$name" = reference ] || fail "bloc text inattendu : $name"
        say "référence des commandes (les MAJUSCULES remplacées)"
        DEVICE=$(sudo van-sync-admin list-devices | awk 'NR == 1 { print $1 }')
        grep -v -e 'mark-restored' "$file" | sed -e 's/ *#.*$//' -e 's/\[IDENTIFIANT\]/amartin/' \
            -e 's/IDENTIFIANT/amartin/' -e "s/ID_POSTE/$DEVICE/" \
            -e 's/ID_PERSONNE/00000000-0000-0000-0000-000000000000/' -e 's/\[--repair\]/--repair/' \
            -e 's/\[--dry-run\]/--dry-run/' \
            > "$SCRATCH/reference.sh"
        sed 's/^/  $ /' "$SCRATCH/reference.sh"
        while read -r line; do
            case "$line" in
                *who-received*) eval "$line" && fail "who-received d'un inconnu" || echo "(refus attendu : personne inconnue)" ;;
                *reset-password*) printf 'Nouveau-mot-2026\nNouveau-mot-2026\n' | eval "$line" ;;
                *) eval "$line" ;;
            esac
        done < "$SCRATCH/reference.sh"
        continue
    fi
    if [ "$name" = accounts ]; then  # each command asks for its password twice
        say "$(basename "$file")"
        while read -r line; do
            echo "  \$ $line"
            printf 'Lavande-de-Nyons-2026\nLavande-de-Nyons-2026\n' | eval "$line"
        done < "$file"
        continue
    fi
    run_block "$file"
    case "$name" in
        pg_backup|sqlite_backup) after_backup "${name%_backup}" ;;
        pg_restore|sqlite_restore) after_restore "${name%_restore}" ;;
        service)
            id van-sync > /dev/null || fail "pas de compte van-sync"
            [ "$(stat -c '%U %a' /var/lib/van-sync-server)" = "van-sync 700" ] || fail "droits de /var/lib/van-sync-server"
            [ "$(stat -c '%G %a' /etc/van-sync-server/van-sync-server.env)" = "van-sync 640" ] || fail "droits du fichier d'environnement"
            if /opt/van-sync-server/bin/python -c 'import PySide6' 2> /dev/null; then fail "Qt installé avec le serveur"; fi
            echo "vérifié : compte van-sync, droits, aucun Qt dans /opt/van-sync-server" ;;
    esac
done

say "vérifications finales"
curl -s -o /dev/null "$API/sync/pull?since=0&limit=5&nom=MOREL"  # a query string, never logged
grep -q "GET /api/v1/ready" /var/log/van-sync-server/access.log || fail "access.log sans les requêtes"
if grep -q "?" /var/log/van-sync-server/access.log; then fail "une chaîne de requête dans access.log"; fi
grep -q "Application startup complete" /var/log/van-sync-server/server.log || fail "server.log vide"
if [ -s "$SCRATCH/not-validated" ]; then NOT_VALIDATED+=("$(cat "$SCRATCH/not-validated")"); fi
echo "Guide vérifié : chaque bloc de docs/server.md a tourné tel qu'écrit."
for line in "${NOT_VALIDATED[@]}"; do echo "  non validé ici : $line"; done
