"""A TCP proxy between the client and the server that breaks connections on purpose.

Each incoming connection carries one HTTP request; the proxy takes the next planned fault
(or passes the exchange through) and answers with ``Connection: close``, so every request
meets exactly one planned fate:
- ``drop_before``: the request is read and the connection closed; the server sees nothing;
- ``cut_request``: half the request reaches the server, then both sides are closed;
- ``drop_after``: the server answers (it has committed) but the client gets nothing;
- ``cut_response``: the client gets half the response, then the connection closes;
- ``delay``: the exchange passes after ``delay_seconds``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque

FAULTS = ("drop_before", "cut_request", "drop_after", "cut_response", "delay")


def _read_message(sock: socket.socket) -> bytes:
    """One HTTP message (headers and a Content-Length body) or what came before EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _with_close(message: bytes) -> bytes:
    head, _, body = message.partition(b"\r\n\r\n")
    lines = [
        line
        for line in head.split(b"\r\n")
        if not line.lower().startswith((b"connection:", b"keep-alive:"))
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class FaultyProxy:
    """Listens on 127.0.0.1:<port>, forwards to the server's port, breaks as planned."""

    def __init__(self, target_port: int, delay_seconds: float = 0.3) -> None:
        self.target_port = target_port
        self.delay_seconds = delay_seconds
        self.plan: deque[str] = deque()
        self.seen: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopped = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, *faults: str) -> None:
        self.plan.extend(faults)

    def close(self) -> None:
        self._stopped = True
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._exchange, args=(client,), daemon=True).start()

    def _exchange(self, client: socket.socket) -> None:
        fault = self.plan.popleft() if self.plan else "pass"
        self.seen.append(fault)
        with contextlib.suppress(OSError):  # either side may hang up: that is the point
            self._forward(client, fault)

    def _forward(self, client: socket.socket, fault: str) -> None:
        with client:
            request = _read_message(client)
            if not request or fault == "drop_before":
                return
            if fault == "delay":
                time.sleep(self.delay_seconds)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:
                return
            with upstream:
                if fault == "cut_request":
                    upstream.sendall(request[: max(1, len(request) // 2)])
                    return
                upstream.sendall(_with_close(request))
                response = _read_message(upstream)
            if fault == "drop_after" or not response:
                return
            response = _with_close(response)
            if fault == "cut_response":
                client.sendall(response[: len(response) * 3 // 4])
                return
            client.sendall(response)
