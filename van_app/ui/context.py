"""What every screen of a logged-in session shares: store, task runner, lists, and events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from van_app.core.local_store import LocalStore
from van_app.core.reference import ReferenceData
from van_app.tasks import TaskRunner


class AppEvents(QObject):
    """Application-wide happenings, so screens never need to know each other.

    The session widget listens and switches screens; screens emit and refresh.
    """

    person_opened = Signal(str)  # beneficiary id: show the person's file
    consultation_requested = Signal(str, str, str)  # kind "social"/"pmi", person id, id or ""
    records_changed = Signal()  # something was saved: lists and counters reload
    people_requested = Signal()  # go to the search, to find or register someone
    work_kept = Signal(str)  # a form left with typing: kept on this laptop (its title)
    work_resume_requested = Signal(str)  # reopen a form's kept typing (its key)


@dataclass
class AppContext:
    store: LocalStore
    runner: TaskRunner
    reference: ReferenceData
    events: AppEvents = field(default_factory=AppEvents)
    today: Callable[[], dt.date] = field(default=dt.date.today)
    server_url: str = ""  # the CMS server this laptop syncs with ("" if none)
