"""Record identifiers: UUIDv7, made on the device, time-ordered so indexes stay compact."""

from __future__ import annotations

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())
