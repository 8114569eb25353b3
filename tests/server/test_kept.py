"""The bounded map the server keeps between requests (``services/kept.py``)."""

from __future__ import annotations

import threading

from sync_server.services.kept import Kept


def test_the_least_recently_used_entry_goes_first_whether_read_one_by_one_or_by_page() -> None:
    kept: Kept[str] = Kept(3)
    for key in "abc":
        kept.put(key, key.upper())
    assert kept.get_many(["a", "x", "b"]) == ["A", None, "B"]  # a, b now the most recent
    kept.put("d", "D")  # c was the least recently used
    assert kept.get("c") is None
    assert kept.get_many(["a", "b", "d"]) == ["A", "B", "D"]
    assert kept.get("a") == "A"
    kept.put("e", "E")  # b is now the oldest
    assert kept.get_many(["b", "d", "a", "e"]) == [None, "D", "A", "E"]


def test_readers_and_writers_of_many_threads_never_see_a_wrong_value() -> None:
    kept: Kept[int] = Kept(50)
    wrong: list[tuple[int, int | None]] = []

    def work(offset: int) -> None:
        for i in range(2_000):
            key = (offset + i) % 80
            kept.put(key, key * 7)
            keys = list(range(key, key + 5))
            for k, value in zip(keys, kept.get_many(keys), strict=True):
                if value is not None and value != k * 7:
                    wrong.append((k, value))

    threads = [threading.Thread(target=work, args=(n * 13,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(kept.get_many(list(range(80)))) == 80
    assert sum(value is not None for value in kept.get_many(list(range(80)))) <= 50
