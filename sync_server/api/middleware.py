"""Request bodies: size limit (uncompressed) and ``Content-Encoding: gzip`` decoding.

Pure ASGI, before FastAPI reads the body: a body over the limit, compressed or not (a gzip
bomb stops at the limit, never inflated further), gets 413 and nothing is applied.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CHUNK = 64 * 1024


class _Refused(Exception):
    def __init__(self, status: int, detail: str, code: str) -> None:
        super().__init__(detail)
        self.status, self.detail, self.code = status, detail, code


class RequestBodyMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        try:
            if encoding not in (b"identity", b"gzip", b""):
                raise _Refused(
                    415,
                    "Compression non prise en charge : envoyez du JSON brut ou gzip.",
                    "unsupported_encoding",
                )
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                raise _Refused(413, self._too_large(), "too_large")
            body = await self._read(receive, gzipped=encoding == b"gzip")
        except _Refused as refused:
            await _send_error(send, refused.status, refused.detail, refused.code)
            return
        new_headers = [
            (k, v)
            for k, v in scope["headers"]
            if k.lower() not in (b"content-encoding", b"content-length")
        ]
        new_headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, "headers": new_headers}, replay, send)

    def _too_large(self) -> str:
        mib = self.max_bytes / (1024 * 1024)
        return (
            f"Requête trop volumineuse ({mib:g} Mo au plus, décompressée) : "
            "envoyez les modifications en plusieurs fois."
        )

    async def _read(self, receive: Receive, *, gzipped: bool) -> bytes:
        raw = bytearray()
        out = bytearray()
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Refused(400, "Requête interrompue.", "bad_request")
            chunk = message.get("body", b"")
            raw += chunk
            if len(raw) > self.max_bytes:
                raise _Refused(413, self._too_large(), "too_large")
            if inflater is not None and chunk:
                try:
                    out += inflater.decompress(chunk, self.max_bytes + 1 - len(out))
                except zlib.error as exc:
                    raise _Refused(400, "Corps compressé illisible (gzip).", "invalid") from exc
                if len(out) > self.max_bytes or inflater.unconsumed_tail:
                    raise _Refused(413, self._too_large(), "too_large")
            if not message.get("more_body", False):
                break
        if inflater is None:
            return bytes(raw)
        try:
            out += inflater.flush()
        except zlib.error as exc:
            raise _Refused(400, "Corps compressé illisible (gzip).", "invalid") from exc
        if not inflater.eof:
            raise _Refused(400, "Corps compressé incomplet (gzip).", "invalid")
        if len(out) > self.max_bytes:
            raise _Refused(413, self._too_large(), "too_large")
        return bytes(out)


async def _send_error(send: Send, status: int, detail: str, code: str) -> None:
    payload: dict[str, Any] = {"detail": detail, "code": code}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
