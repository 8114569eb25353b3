"""The global cap on password checks: Argon2id on demand for anyone is memory on demand.

Enrolment is the one call that runs before authentication. Its password checks (and the
decoy check of an unknown username) go through this gate: at most ``max_password_checks`` at
once on their own threads, the others wait without holding a thread (the route is async), and
a request that waited ``password_queue_seconds`` gets 503 with Retry-After. Enrolled devices'
sync calls never queue behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class GateBusyError(Exception):
    """Too many password checks waiting: try again later."""


class PasswordGate:
    def __init__(self, concurrency: int, queue_seconds: float) -> None:
        self.concurrency = max(1, concurrency)
        self.queue_seconds = queue_seconds
        self._semaphore: asyncio.Semaphore | None = None
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="password")

    async def run(self, check: Callable[[], T]) -> T:
        if self._semaphore is None:  # made in the server's event loop, at first use
            self._semaphore = asyncio.Semaphore(self.concurrency)
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self.queue_seconds)
        except TimeoutError as exc:
            raise GateBusyError from exc
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, check)
        finally:
            self._semaphore.release()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
