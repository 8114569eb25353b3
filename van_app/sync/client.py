"""HTTP client of the sync protocol (docs/protocol.md): requests, gzip, French errors.

No Qt here: the engine and the benchmark call it from any thread. Each call is one request;
``stats`` counts requests and bytes so the benchmark can report what goes over the wire.
"""

from __future__ import annotations

import contextlib
import gzip
import ipaddress
import json
import os
import ssl
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import truststore
from requests.adapters import HTTPAdapter

PROTOCOL_VERSION = 2
# The summary checksum asked for (docs/protocol.md): the additive one, which both sides keep
# up to date as records are written, so a verification costs what changed.
CHECKSUM_KIND = "sum"
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 60


class SyncError(Exception):
    """A sync could not go through; ``str(exc)`` is a French sentence for the user."""

    code = "error"


class ServerUnreachableError(SyncError):
    code = "unreachable"


class DeviceNotAuthorizedError(SyncError):
    """401: revoked device, disabled user, unknown token (enrol again online), or, at an
    enrolment, a wrong password (``code`` from the server's body)."""

    def __init__(self, message: str, code: str = "unauthorized") -> None:
        super().__init__(message)
        self.code = code or "unauthorized"

    @property
    def wrong_password(self) -> bool:
        return self.code == "invalid_credentials"


class UpdateRequiredError(SyncError):
    code = "client_too_old"


class RequestRefusedError(SyncError):
    """A 4xx the server explained (``code`` from its body)."""

    def __init__(self, message: str, code: str = "refused", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class ServerFailedError(SyncError):
    code = "server_error"


class UntrustedServerError(SyncError):
    """The server's HTTPS certificate is not trusted by this laptop (nor its CA bundle)."""

    code = "untrusted_certificate"


class InsecureServerError(SyncError):
    """A password would leave in clear: ``http://`` to anything but this computer."""

    code = "insecure"


# Environment variables by which an administrator names the CA bundle requests must use.
CA_BUNDLE_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def is_loopback(host: str) -> bool:
    """This computer itself (the demo server, tests): nothing crosses a network."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_clear_password(server_url: str) -> None:
    """Raise InsecureServerError before a password is sent to ``server_url`` unencrypted."""
    parts = urlsplit(server_url)
    if parts.scheme.lower() == "https" or is_loopback(parts.hostname or ""):
        return
    raise InsecureServerError(
        "L'adresse du serveur du CMS n'est pas chiffrée (elle commence par http:// au lieu "
        "de https://) : le mot de passe circulerait en clair sur le réseau. Demandez au "
        "support du CMS l'adresse en https://."
    )


class _SystemTrustAdapter(HTTPAdapter):
    """HTTPS checked against the operating system's certificate store (truststore): a
    Département's internal CA, installed on its laptops, is trusted like a public one."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        super().init_poolmanager(*args, **kwargs)


class ServerRestoredError(SyncError):
    """409 ``server_restored``: the server went back to a backup; recover, then sync again.

    ``server_id`` is the new epoch; ``floor`` the newest version this device shares with it.
    """

    code = "server_restored"

    def __init__(self, message: str, server_id: str, floor: int) -> None:
        super().__init__(message)
        self.server_id = server_id
        self.floor = floor


@dataclass
class WireStats:
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


class SyncClient:
    """One server, one device token (None before enrolment)."""

    def __init__(self, server_url: str, token: str | None = None) -> None:
        self.server_url = server_url.rstrip("/")
        self.token = token
        # The server id (epoch) the device's versions refer to: sent with every sync call so a
        # restored server answers 409 before applying anything. None: a device never synced.
        self.server_id: str | None = None
        self.stats = WireStats()
        self._ahead: tuple[tuple[int, int], Future[dict[str, Any]]] | None = None
        self._reader = threading.local()  # set in the thread that reads a page ahead
        self._http = requests.Session()
        if not any(os.environ.get(name) for name in CA_BUNDLE_ENV):
            # A bundle named by the administrator is used as requests reads it; otherwise the
            # system's store, where certifi's list would miss an internal CA.
            self._http.mount("https://", _SystemTrustAdapter())
        self._http.headers.update(
            {
                "X-Protocol-Version": str(PROTOCOL_VERSION),
                "Accept-Encoding": "gzip",
                "User-Agent": "drome-proximite-van-app",
            }
        )

    def close(self) -> None:
        self._settle()
        self._http.close()

    # -- calls -------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/api/v1/health", auth=False)

    def enrol(
        self,
        username: str,
        password: str,
        device_name: str,
        *,
        install_id: str | None = None,
        recovery_key: str | None = None,
    ) -> dict[str, Any]:
        """A new device token; with ``install_id``, the laptop's recovery key if the server
        hands it to this professional (keeping ``recovery_key`` if it had none)."""
        refuse_clear_password(self.server_url)
        body: dict[str, Any] = {"username": username, "password": password}
        body["device_name"] = device_name
        if install_id:
            body["install_id"] = install_id
        if recovery_key:
            body["recovery_key"] = recovery_key
        return self._call("POST", "/api/v1/auth/enrol", body, auth=False)

    def deposit_recovery(self, install_id: str, recovery_key: str) -> dict[str, Any]:
        body = {"install_id": install_id, "recovery_key": recovery_key}
        return self._call("POST", "/api/v1/auth/recovery", body)

    def change_password(self, current_password: str, new_password: str) -> None:
        refuse_clear_password(self.server_url)
        body = {"current_password": current_password, "new_password": new_password}
        self._call("POST", "/api/v1/auth/password", body)

    def push(self, changes: list[dict[str, Any]], change_prefix: str = "") -> dict[str, Any]:
        """``change_prefix``: changes sent without a change id have "<prefix>.<id>"."""
        body: dict[str, Any] = {"changes": changes}
        if change_prefix:
            body["change_prefix"] = change_prefix
        return self._call("POST", "/api/v1/sync/push", body)

    def pull(self, since: int, limit: int) -> dict[str, Any]:
        """One page; when more follow, the next one is asked for at once, in a thread, so
        the server prepares it while the caller stores this one (the caller's cursor still
        moves only with what it stores: a page read ahead is only kept in memory)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == (since, limit):
            page = ahead[1].result()  # raises what the request raised
        else:
            if ahead is not None:
                self._wait(ahead[1])
            page = self._pull(since, limit)
        if page.get("more") and isinstance(page.get("next"), int):
            self._read_ahead(int(page["next"]), limit)
        return page

    def _pull(self, since: int, limit: int) -> dict[str, Any]:
        # skip_own: the server leaves out what this device's accepted pushes wrote as sent.
        return self._call("GET", f"/api/v1/sync/pull?since={since}&limit={limit}&skip_own=1")

    def _read_ahead(self, since: int, limit: int) -> None:
        future: Future[dict[str, Any]] = Future()

        def read() -> None:
            self._reader.active = True  # its own request must not wait for itself
            try:
                future.set_result(self._pull(since, limit))
            except BaseException as exc:  # handed to whoever takes the page
                future.set_exception(exc)

        self._ahead = ((since, limit), future)
        threading.Thread(target=read, name="sync-pull-ahead", daemon=True).start()

    def _settle(self) -> None:
        """Wait for a page read ahead that nobody took (one request at a time)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            self._wait(ahead[1])

    @staticmethod
    def _wait(future: Future[dict[str, Any]]) -> None:
        with contextlib.suppress(BaseException):  # a page nobody took: its failure is moot
            future.result()

    def summary(self, exclude: list[str] | None = None) -> dict[str, Any]:
        """Counts and checksums; ``exclude``: ids this device holds changes of its own for."""
        if exclude:
            body = {"exclude": exclude, "checksum_kind": CHECKSUM_KIND}
            return self._call("POST", "/api/v1/sync/summary", body)
        return self._call("GET", f"/api/v1/sync/summary?checksum_kind={CHECKSUM_KIND}")

    def digests(self, table: str) -> dict[str, Any]:
        """[id, version, digest] of every record of ``table`` this user may pull."""
        return self._call("POST", "/api/v1/sync/digests", {"table": table})

    def fetch(self, keys: list[tuple[str, str]]) -> dict[str, Any]:
        """Named records again, as a pull gives them."""
        body = {"records": [{"table": table, "id": record_id} for table, record_id in keys]}
        return self._call("POST", "/api/v1/sync/fetch", body)

    def sync(
        self,
        changes: list[dict[str, Any]],
        since: int,
        limit: int,
        exclude: list[str] | None = None,
        change_prefix: str = "",
        *,
        summary: bool = True,
    ) -> dict[str, Any]:
        """Push, first pull page and (``summary``) the summary in one request (a quiet sync
        costs one)."""
        body: dict[str, Any] = {
            "changes": changes,
            "since": since,
            "limit": limit,
            "exclude": exclude or [],
            "skip_own": True,
            "checksum_kind": CHECKSUM_KIND,
        }
        if not summary:
            body["summary"] = False
        if change_prefix and changes:
            body["change_prefix"] = change_prefix
        return self._call("POST", "/api/v1/sync", body)

    # -- plumbing ----------------------------------------------------------------------------

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, auth: bool = True
    ) -> dict[str, Any]:
        if self._ahead is not None and not getattr(self._reader, "active", False):
            self._settle()  # a page read ahead and not taken: the session serves one call
        headers: dict[str, str] = {}
        data = None
        if body is not None:
            data = gzip.compress(json.dumps(body, separators=(",", ":")).encode("utf-8"), 6)
            headers["Content-Type"] = "application/json"
            headers["Content-Encoding"] = "gzip"
        if auth:
            if not self.token:
                raise DeviceNotAuthorizedError(
                    "Ce poste n'est pas encore inscrit auprès du CMS : connectez-vous une "
                    "première fois avec le réseau."
                )
            headers["Authorization"] = f"Bearer {self.token}"
            if self.server_id:
                headers["X-Server-Id"] = self.server_id
        try:
            response = self._http.request(
                method,
                self.server_url + path,
                data=data,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
            content = response.content  # reading the body can fail too (connection cut)
        except requests.exceptions.SSLError as exc:
            raise UntrustedServerError(
                "Le certificat du serveur du CMS n'est pas reconnu par ce poste (autorité de "
                "certification inconnue ou certificat expiré) : contactez le support du CMS. "
                "Les saisies restent sur ce poste."
            ) from exc
        except requests.RequestException as exc:
            raise ServerUnreachableError(
                "Le serveur du CMS est injoignable (pas de réseau ou serveur arrêté). "
                "Les saisies restent sur ce poste et partiront à la prochaine synchronisation."
            ) from exc
        self.stats.requests += 1
        self.stats.bytes_sent += len(data or b"") + len(path)
        self.stats.bytes_received += int(response.headers.get("Content-Length") or len(content))
        return self._decode(response, content)

    @staticmethod
    def _decode(response: requests.Response, content: bytes) -> dict[str, Any]:
        try:
            payload = json.loads(content) if content else {}
        except ValueError:
            payload = {}
        detail = payload.get("detail") if isinstance(payload, dict) else None
        code = payload.get("code", "") if isinstance(payload, dict) else ""
        status = response.status_code
        if status < 300:
            if not isinstance(payload, dict):
                raise ServerFailedError("Réponse du serveur illisible : réessayez plus tard.")
            return payload
        if status == 426:
            raise UpdateRequiredError(
                "Cette version de l'application est trop ancienne pour le serveur du CMS : "
                "faites la mise à jour."
            )
        if status == 409 and code == "server_restored" and isinstance(payload, dict):
            raise ServerRestoredError(
                detail if isinstance(detail, str) else "Serveur restauré.",
                str(payload.get("server_id") or ""),
                int(payload.get("floor") or 0),
            )
        if status == 401:
            raise DeviceNotAuthorizedError(
                detail
                if isinstance(detail, str)
                else "Ce poste n'est plus autorisé à se synchroniser : contactez le CMS.",
                str(code),
            )
        if status >= 500:
            raise ServerFailedError(
                f"Le serveur du CMS a rencontré une erreur ({status}) : réessayez plus tard."
            )
        message = detail if isinstance(detail, str) else f"Requête refusée ({status})."
        raise RequestRefusedError(message, code or "refused", status)
