"""Write THIRD_PARTY_NOTICES.md: every package the app and the server ship with, and its licence.

Read from the installed packages (``importlib.metadata``): the project's requirements for its
``app`` and ``server`` extras, followed transitively, never the dev tools. For each: name,
version, licence, which program uses it, and the licence texts the package ships. Libraries
compiled inside a wheel (Qt in PySide6, SQLCipher and OpenSSL in sqlcipher3) and the fonts are
named explicitly, with the texts kept in ``drome_resources/licences``. ``make installer`` runs
it; run it again after changing a dependency:

    .venv/bin/python scripts/third_party_notices.py [--output THIRD_PARTY_NOTICES.md]
"""

from __future__ import annotations

import argparse
import re
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "drome-proximite"
EXTRAS = {"app": "app", "server": "serveur"}
LICENCES_DIR = ROOT / "drome_resources" / "licences"
LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)
# Compiled into a wheel rather than installed as a package: (name, licence, inside, texts).
EMBEDDED = (
    (
        "Qt 6",
        "LGPL-3.0-only (Qt's open-source licence, used unmodified through PySide6)",
        "PySide6-Essentials, PySide6-Addons, shiboken6",
        ("LGPL-3.0.txt", "GPL-3.0.txt"),
    ),
    (
        "SQLCipher",
        "BSD-3-Clause (Zetetic LLC); SQLite: public domain",
        "sqlcipher3",
        ("SQLCipher.txt",),
    ),
    ("OpenSSL", "Apache-2.0", "sqlcipher3, cryptography", ("Apache-2.0.txt",)),
)
# Packages whose metadata declares no licence: what their licence file says.
DECLARED = {"sqlcipher3": "Zlib (pysqlite's licence)"}
FONTS = ("DejaVu Sans", "Bitstream Vera licence (DejaVu changes: public domain)")


def closure(extra: str) -> set[str]:
    """Canonical names of the installed distributions the project needs with ``extra``."""
    environment = default_environment()
    seen: set[str] = set()
    todo = [(PROJECT, frozenset({extra}))]
    while todo:
        name, extras = todo.pop()
        for line in metadata.requires(name) or ():
            requirement = Requirement(line)
            marker = requirement.marker
            if marker and not any(
                marker.evaluate({**environment, "extra": e}) for e in extras or {""}
            ):
                continue
            key = canonicalize_name(requirement.name)
            if key in seen:
                continue
            try:
                metadata.distribution(requirement.name)
            except metadata.PackageNotFoundError:
                continue  # a platform-only dependency not installed here
            seen.add(key)
            todo.append((requirement.name, frozenset(requirement.extras)))
    return seen


def licence_of(dist: metadata.Distribution) -> str:
    """The licence as the package declares it: SPDX expression, field, or classifiers."""
    meta = dist.metadata
    if canonicalize_name(meta["Name"]) in DECLARED:
        return DECLARED[canonicalize_name(meta["Name"])]
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    declared = (meta.get("License") or "").strip()
    if declared and len(declared) < 120 and "\n" not in declared:
        return declared
    classifiers = [
        c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    return ", ".join(classifiers) or (declared.splitlines()[0] if declared else "non déclarée")


def licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(file name, text) of the licence files in the package's metadata folder."""
    texts = []
    for file in dist.files or ():
        parts = Path(str(file)).parts
        if not parts[0].endswith(".dist-info") or not LICENCE_FILE.search(parts[-1]):
            continue
        try:
            texts.append((parts[-1], Path(str(dist.locate_file(file))).read_text("utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return sorted(texts)


def frozen_app_notices() -> list[str]:
    """The interpreter and PyInstaller's bootloader, inside the frozen laptop app only."""
    lines: list[str] = []
    python = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    if python.is_file():
        version = sysconfig.get_python_version()
        lines += [f"### Python {version} (the interpreter in the frozen app) — PSF-2.0", ""]
        lines += ["```", python.read_text("utf-8").rstrip(), "```", ""]
    try:
        pyinstaller = metadata.distribution("pyinstaller")
    except metadata.PackageNotFoundError:
        return lines
    lines += [
        f"### PyInstaller {pyinstaller.version} bootloader (the frozen app's launcher) — "
        "GPL-2.0-or-later with the bootloader exception (the launched program may be under "
        "any licence)",
        "",
    ]
    for file, text in licence_texts(pyinstaller):
        lines += [f"#### {file}", "", "```", text.rstrip(), "```", ""]
    return lines


def render() -> str:
    users: dict[str, list[str]] = {}
    for extra, label in EXTRAS.items():
        for name in closure(extra):
            users.setdefault(name, []).append(label)
    dists = sorted(
        (metadata.distribution(name) for name in users), key=lambda d: d.metadata["Name"].lower()
    )
    lines = [
        "# Third-party notices — Drôme Proximité",
        "",
        "Drôme Proximité is licensed under the EUPL-1.2 (`LICENSE`). It ships with the software",
        "below, each under its own licence. Generated by `scripts/third_party_notices.py` from the",
        "installed packages; « Utilisé par » says which program needs it (app = the laptop,",
        "serveur = the CMS sync server).",
        "",
        "## Summary",
        "",
        "| Component | Version | Licence | Utilisé par |",
        "|---|---|---|---|",
    ]
    for name, licence, inside, _ in EMBEDDED:
        lines.append(f"| {name} (inside {inside}) | as bundled | {licence} | app |")
    lines.append(f"| {FONTS[0]} (`drome_resources/fonts`) | 2.37 | {FONTS[1]} | app |")
    lines.append(f"| Python (frozen app) | {sysconfig.get_python_version()} | PSF-2.0 | app |")
    lines.append("| PyInstaller bootloader (frozen app) | as built | GPL-2.0+ w/ exception | app |")
    for dist in dists:
        used = ", ".join(users[canonicalize_name(dist.metadata["Name"])])
        licence = licence_of(dist).replace("|", "/")
        lines.append(f"| {dist.metadata['Name']} | {dist.version} | {licence} | {used} |")
    lines += ["", "## Licence texts", ""]
    for name, licence, inside, files in EMBEDDED:
        lines += [f"### {name} — {licence}", "", f"Compiled into: {inside}.", ""]
        for file in files:
            lines += [
                f"#### {file}",
                "",
                "```",
                (LICENCES_DIR / file).read_text("utf-8").rstrip(),
                "```",
                "",
            ]
    lines += frozen_app_notices()
    dejavu = ROOT / "drome_resources" / "fonts" / "LICENSE-DejaVu.txt"
    lines += [
        f"### {FONTS[0]} — {FONTS[1]}",
        "",
        "```",
        dejavu.read_text("utf-8").rstrip(),
        "```",
        "",
    ]
    for dist in dists:
        lines += [f"### {dist.metadata['Name']} {dist.version} — {licence_of(dist)}", ""]
        home = dist.metadata.get("Home-page") or next(
            (u.split(",", 1)[1].strip() for u in dist.metadata.get_all("Project-URL") or []), ""
        )
        if home:
            lines += [f"Source: {home}", ""]
        texts = licence_texts(dist)
        if not texts:
            lines += [
                "(The package ships no licence file; its licence is the one declared above.)",
                "",
            ]
        for file, text in texts:
            lines += [f"#### {file}", "", "```", text.rstrip().replace("```", "'''"), "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "THIRD_PARTY_NOTICES.md")
    args = parser.parse_args(argv)
    args.output.write_text(render() + "\n", encoding="utf-8")
    print(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
