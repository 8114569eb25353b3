#!/bin/sh
# Checks what pip cannot install: Python 3.11+, venv, and the system libraries Qt loads.
# As root with apt-get (a fresh Debian, CI) it installs what is missing; otherwise it says
# which packages to install. Usage: bootstrap.sh [gui|test]   ("gui" adds the X11 libraries;
# "test" adds poppler's pdftotext, which the tests use to read the exported PDFs: without root
# it is only advised, and those text checks are skipped).
set -eu
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Python 3.11 ou plus récent est nécessaire ($PYTHON)." >&2
    exit 1
fi

LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
libs=$("$LDCONFIG" -p 2>/dev/null || true)
missing=""
need_lib() { # library file, Debian package
    case "$libs" in *"$1"*) ;; *) missing="$missing $2" ;; esac
}
need_lib libEGL.so.1 libegl1
need_lib libGL.so.1 libgl1
need_lib libOpenGL.so.0 libopengl0
need_lib libxkbcommon.so.0 libxkbcommon0
need_lib libfontconfig.so.1 libfontconfig1
need_lib libfreetype.so.6 libfreetype6
need_lib libdbus-1.so.3 libdbus-1-3
need_lib libglib-2.0.so.0 libglib2.0-0
if [ "${1:-}" = "gui" ]; then
    need_lib libxcb-cursor.so.0 libxcb-cursor0
    need_lib libxkbcommon-x11.so.0 libxkbcommon-x11-0
    need_lib libxcb-icccm.so.4 libxcb-icccm4
    need_lib libxcb-keysyms.so.1 libxcb-keysyms1
    need_lib libxcb-shape.so.0 libxcb-shape0
    need_lib libxcb-render-util.so.0 libxcb-render-util0
    need_lib libxcb-image.so.0 libxcb-image0
fi
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    missing="$missing python3-venv"
fi
fc-list 2>/dev/null | grep -q . || missing="$missing fonts-dejavu-core"

optional=""
if [ "${1:-}" = "test" ] && ! command -v pdftotext >/dev/null 2>&1; then
    optional="poppler-utils"
fi
if [ -n "$optional" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        missing="$missing $optional"
    else
        echo "Conseillé pour les tests (texte des PDF exportés) : sudo apt-get install $optional" >&2
    fi
fi

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installation des paquets système manquants :$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    else
        echo "Paquets système manquants. Installez-les puis relancez :" >&2
        echo "  sudo apt-get install$missing" >&2
        exit 1
    fi
fi
