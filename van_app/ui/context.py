"""What every screen of a logged-in session needs: the store, the task runner, the lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from van_app.core.local_store import LocalStore
from van_app.core.reference import ReferenceData
from van_app.tasks import TaskRunner


@dataclass
class AppContext:
    store: LocalStore
    runner: TaskRunner
    reference: ReferenceData
    today: Callable[[], dt.date] = field(default=dt.date.today)
