"""Entry point of the van app: ``van-app`` (``--demo`` loads the demo data set first)."""

from __future__ import annotations

import argparse
import sys

from van_app import __version__, config


def _install_translations(app) -> None:  # type: ignore[no-untyped-def]
    """French everywhere: our texts are written in French, Qt's own come from qtbase_fr
    (found in the Qt install or, frozen, in the bundle: ``van_app.ui.qt_translations``)."""
    from van_app.ui.qt_translations import install_translations

    install_translations(app)


def _has_desktop_libraries() -> bool:
    """False, with the fix in French, when the package was installed without its app extra."""
    import importlib.util

    missing = [m for m in ("PySide6", "sqlcipher3", "reportlab") if not importlib.util.find_spec(m)]
    if missing:
        print(
            f"Bibliothèques de l'app absentes ({', '.join(missing)}) : installez "
            '"drome-proximite[app]" (pip install "drome-proximite[app]").',
            file=sys.stderr,
        )
    return not missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="van-app", description="Drôme Proximité — app du camion")
    parser.add_argument("--demo", action="store_true", help="charger les données de démonstration")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="vérifier l'installation sans écran (ressources, base, PDF, Qt), puis quitter",
    )
    args = parser.parse_args(argv)
    if not _has_desktop_libraries():
        return 1
    if args.self_check:
        from van_app.self_check import run_self_check

        return run_self_check()
    from van_app.core.app_log import install_log_file

    install_log_file(config.data_dir())  # van-app.log, for the support (stderr included)

    if args.demo:
        from van_app.core.demo import ensure_demo_data

        for line in ensure_demo_data(config.data_dir()):
            print(line)
        server_url = config.Settings.load().server_url
        if server_url:  # make demo runs the demo server beside the app
            from van_app.sync.demo_sync import sync_demo_laptop

            for line in sync_demo_laptop(config.data_dir(), server_url):
                print(line)

    from PySide6.QtWidgets import QApplication

    from van_app.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Drôme Proximité")
    app.setOrganizationName(config.APP_AUTHOR)
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(config.resources_dir() / "icons" / "drome-proximite.png")))
    _install_translations(app)
    from van_app.ui.gc_guard import UiThreadGarbageCollector

    collector = UiThreadGarbageCollector(app)  # noqa: F841  (lives as long as the app)
    window = MainWindow(settings=config.Settings.load())
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
