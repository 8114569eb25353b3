"""Whom the laptop trusts: HTTPS checked against the system's store or the administrator's
CA bundle, and never a password over plain HTTP to another computer."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync_server.core.db import make_engine, session_scope
from sync_server.core.security import hash_password
from sync_server.main import create_app
from sync_server.services import accounts
from tests.conftest import FAST_KDF
from tests.server.conftest import fast_settings
from van_app import config
from van_app.sync.client import (
    InsecureServerError,
    SyncClient,
    UntrustedServerError,
    is_loopback,
)
from van_app.sync.credentials import TokenStore
from van_app.sync.enrolment import enrol_device

PASSWORD = "Soleil-du-Diois-2026"


@pytest.fixture(autouse=True)
def _no_ambient_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test names is trusted (no bundle or store from the machine's setup)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAN_APP_KEYRING_BACKEND", "memory")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_test_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A CA (as a Département's internal one) and a certificate for 127.0.0.1 it signs:
    (ca.pem, server.pem, server.key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("AC interne de test du Département"))
        .issuer_name(_name("AC interne de test du Département"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("sync.cms.test"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The sync server under uvicorn with TLS on 127.0.0.1: (its https URL, the CA file)."""
    folder = tmp_path_factory.mktemp("tls")
    ca_path, cert_path, key_path = make_test_ca(folder)
    settings = fast_settings(f"sqlite:///{folder / 'cms.db'}", state_dir=folder / "state")
    engine = make_engine(settings.resolved_database_url())
    app = create_app(settings, engine=engine)
    with session_scope(engine, write=True) as session:
        accounts.create_user(
            session,
            username="amartin",
            display_name="Agnès Martin",
            roles=["social_worker"],
            cms_code="CMS-DIE",
            password_hash=hash_password(settings, PASSWORD),
        )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="error",
            ssl_certfile=str(cert_path),
            ssl_keyfile=str(key_path),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield f"https://127.0.0.1:{port}", ca_path
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("10.0.0.5", "192.168.1.20", "sync.cms.test", "127.0.0.1.nip.io", ""):
        assert not is_loopback(host), host


def test_plain_http_to_another_computer_is_refused_before_any_connection(
    tmp_path: Path,
) -> None:
    # An address of TEST-NET-1 (RFC 5737): nothing answers there, and nothing is tried.
    for url in ("http://192.0.2.10:8765", "http://sync.cms.invalid", "HTTP://192.0.2.10"):
        client = SyncClient(url)
        started = time.monotonic()
        with pytest.raises(InsecureServerError) as refused:
            client.enrol("amartin", PASSWORD, "Portable")
        assert time.monotonic() - started < 0.5  # no connection attempt, no DNS lookup
        assert "en clair" in str(refused.value) and "https://" in str(refused.value)
        assert client.stats.requests == 0
        with pytest.raises(InsecureServerError):
            client.change_password(PASSWORD, "Lavande-de-Nyons-2027")
        client.close()
    # From the login screen's first setup: refused, and nothing is written on the laptop.
    folder = tmp_path / "van"
    with pytest.raises(InsecureServerError):
        enrol_device(folder, "http://192.0.2.10:8765", "amartin", PASSWORD, kdf=FAST_KDF)
    assert not (folder / config.KEYS_FILE).exists()
    assert not (folder / config.DATABASE_FILE).exists()


def test_an_unknown_certificate_authority_is_refused_in_french(
    https_server: tuple[str, Path],
) -> None:
    url, _ca = https_server
    client = SyncClient(url)
    with pytest.raises(UntrustedServerError) as refused:
        client.health()
    assert "certificat" in str(refused.value)
    client.close()


def test_the_administrators_ca_bundle_is_honoured(
    https_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca = https_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    client = SyncClient(url)
    assert client.health()["status"] == "ok"
    client.close()
    tokens = TokenStore()
    store = enrol_device(tmp_path / "van", url, "amartin", PASSWORD, tokens=tokens, kdf=FAST_KDF)
    assert tokens.get(url, "amartin")
    store.close()


def test_the_systems_certificate_store_is_used(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Linux the system store is OpenSSL's (``SSL_CERT_FILE`` names it here, as
    update-ca-certificates' bundle would): trusted through truststore, where certifi's own
    list alone would refuse the internal CA."""
    url, ca = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    client = SyncClient(url)
    assert client.health()["status"] == "ok"
    client.close()
