"""A bounded map kept in a server process between requests, least recently used out first.

Summaries, verification lines, fingerprints and what each set of roles sees of a record are
kept this way: each thread of the server reads and fills them, so every access takes a lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """At most ``size`` entries; ``get`` and ``put`` make an entry the most recent."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def get_many(self, keys: list[Hashable]) -> list[V | None]:
        """``get`` of each key, under one lock (a page of records is one call)."""
        with self._lock:
            entries = self._entries
            found = [entries.get(key) for key in keys]
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
