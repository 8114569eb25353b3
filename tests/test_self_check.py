"""``van-app --self-check`` passes on a whole install and names the missing part otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from van_app.__main__ import main


def test_the_self_check_passes_and_leaves_the_data_folder_alone(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--self-check"]) == 0
    out = capsys.readouterr().out
    assert "Vérification terminée" in out
    assert "PDF rendu en DejaVuSans" in out
    assert os.environ["VAN_APP_DATA_DIR"] == str(data_dir)
    assert not data_dir.exists() or not list(data_dir.iterdir()), "the scratch store is elsewhere"


def test_missing_resources_fail_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAN_APP_RESOURCES_DIR", str(tmp_path / "nowhere"))
    assert main(["--self-check"]) == 1
    err = capsys.readouterr().err
    assert "ÉCHEC — ressources" in err
    assert "réinstallez-la" in err


def test_an_install_without_the_app_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "PySide6" else real(name, *a)
    )
    assert main([]) == 1
    assert 'pip install "drome-proximite[app]"' in capsys.readouterr().err
