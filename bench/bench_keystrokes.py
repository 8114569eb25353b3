"""Keystrokes and keystroke-level-model time of a typical consultation, typed on the real forms.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_keystrokes.py
Targets: a social consultation in 45 s or less, a baby's visit in 40 s or less.

The real session (navigation, screens, a status bar with its "Synchroniser" button) is built
over a real store in a temporary folder, and each scenario is typed with key events only
(QTest.keyClick / keyClicks sent to the focused widget, as a keyboard does), from the
person's file to the signed consultation; the bench then checks what was stored.

The model (Card, Moran and Newell, "The Psychology of Human-Computer Interaction", 1983):

- K = 0.28 s per keystroke, an average non-secretarial typist (55 words a minute); a
  modifier counts as its own keystroke, so Ctrl+S is two;
- M = 1.35 s of mental preparation before each field or decision (choosing a demand, an
  action, a partner, starting the note, signing). Within one unit (a follow-up and its due
  date, a measure typed after the previous one) and before an anticipated confirmation, no
  extra M (the model's heuristic rules 2 and 3);
- when Tab cannot reach a field (the old tab chain left the form), the bench takes the
  mouse, as the tester did: H + P + B + H = 0.4 + 1.1 + 0.2 + 0.4 = 2.1 s per detour.

Each scenario prints its keystrokes (navigation keys among them: Tab, arrows), its mouse
detours, the K + M (+ mouse) time and whether the target is met. The typing path adapts to
the code it runs on (no shortcut or type-to-tick in an older checkout: Tab, arrows, Space),
so the same script measures before and after.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QWidget,
)

from van_app.core.keystore import KdfParams  # noqa: E402
from van_app.core.local_store import LocalStore  # noqa: E402
from van_app.core.measures import format_date  # noqa: E402
from van_app.core.reference import reference  # noqa: E402
from van_app.core.registration import PersonForm, register_person  # noqa: E402
from van_app.tasks import TaskRunner  # noqa: E402
from van_app.ui.context import AppContext  # noqa: E402

K, M, MOUSE = 0.28, 1.35, 2.1
SOCIAL_TARGET, BABY_TARGET = 45.0, 40.0
FAST = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)
NOTE = "Dossier FSL energie prepare avec elle, a deposer a la CAF."  # 60 characters
KEYBOARD_FIRST = importlib.util.find_spec("van_app.ui.keyboard") is not None
NAVIGATION_KEYS = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Up, Qt.Key.Key_Down}
CTRL = Qt.KeyboardModifier.ControlModifier


@dataclass
class Typist:
    """Sends keys to the focused widget and counts them, the thinking and the mouse."""

    app: QApplication
    form: QWidget | None = None
    show_form: Callable[[], None] | None = None
    keys: int = 0
    navigation: int = 0
    mentals: int = 0
    mouse: int = 0
    log: list[str] = field(default_factory=list)

    def focused(self) -> QWidget:
        widget = self.app.focusWidget()
        assert widget is not None, "nothing has the focus"
        return widget

    def press(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
        QTest.keyClick(self.focused(), key, modifiers)
        self.keys += 1 + (modifiers != Qt.KeyboardModifier.NoModifier)
        self.navigation += key in NAVIGATION_KEYS
        self.settle()

    def type(self, text: str) -> None:
        for char in text:
            QTest.keyClicks(self.focused(), char)
            self.keys += 1
        self.settle()

    def think(self) -> None:
        self.mentals += 1

    def settle(self, ms: int = 5) -> None:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            self.app.processEvents()

    def wait(self, done: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        end = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > end:
                raise TimeoutError(what)
            self.app.processEvents()
            time.sleep(0.002)

    def has_focus(self, target: QWidget) -> bool:
        focused = self.app.focusWidget()
        return focused is not None and (focused is target or target.isAncestorOf(focused))

    def tab_to(self, target: QWidget, limit: int = 60) -> None:
        """Tab until ``target`` has the focus; when Tab cannot get there, take the mouse."""
        for _ in range(limit):
            if self.has_focus(target):
                return
            if self.form is not None and not self.form.isVisible():
                break  # Tab wandered out and something switched the screen
            self.press(Qt.Key.Key_Tab)
        self.mouse += 1
        self.log.append(f"souris : {type(target).__name__}")
        if self.form is not None and not self.form.isVisible() and self.show_form:
            self.show_form()
        target.setFocus(Qt.FocusReason.MouseFocusReason)
        self.settle()

    def choose(self, combo, prefix: str, code: str) -> None:  # type: ignore[no-untyped-def]
        """A list field: a few letters select the entry (the arrows when they do not)."""
        self.tab_to(combo)
        self.type(prefix)
        for _ in range(combo.count()):
            if combo.currentData() == code:
                return
            self.press(Qt.Key.Key_Down)
        raise AssertionError(f"{code} not chosen")

    def tick(self, codes, query: str, code: str) -> None:  # type: ignore[no-untyped-def]
        """A code list: filter, then Enter ticks the first row shown (or arrows and Space)."""
        self.tab_to(codes.filter_edit)
        self.type(query)
        if KEYBOARD_FIRST:
            self.press(Qt.Key.Key_Return)
        else:
            before = set(codes.checked_codes())
            self.tab_to(codes.list)
            for _ in range(codes.list.count()):
                if codes.list.currentRow() == codes.list.row(codes.item_for(code)):
                    break
                self.press(Qt.Key.Key_Down)
            self.press(Qt.Key.Key_Space)
            wrong = set(codes.checked_codes()) ^ (before | {code})
            for other in wrong:  # Space ticked a row hidden by the filter: the mouse mends it
                self.mouse += 1
                self.log.append(f"souris : Espace a coché/décoché « {other} », caché")
                codes.set_checked(other, other in before or other == code)
        assert code in codes.checked_codes(), f"{code} not ticked"

    def answer_box(self, button_text: str) -> None:
        """When the confirmation opens: Tab to ``button_text``, then Entrée."""

        def answer() -> None:
            box = self.app.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(10, answer)
                return
            target = next(b for b in box.buttons() if b.text() == button_text)
            for _ in range(6):
                if self.app.focusWidget() is target:
                    break
                self.press(Qt.Key.Key_Tab)
            self.press(Qt.Key.Key_Return)

        QTimer.singleShot(0, answer)

    def seconds(self) -> float:
        return self.keys * K + self.mentals * M + self.mouse * MOUSE


def _store(folder: Path, username: str, roles: list[str]) -> LocalStore:
    return LocalStore.initialize(
        folder,
        username=username,
        password="bench-password",
        display_name="Bench",
        roles=roles,
        cms_code="CMS-BENCH",
        kdf=FAST,
    )


def _person(store: LocalStore, name: str, first: str, born: dt.date, sex: str) -> str:
    today = dt.date.today()
    form = PersonForm(
        birth_name=name,
        first_names=first,
        birth_date=format_date(born),
        sex=sex,
        information_date=format_date(today),
    )
    return register_person(store, form, reference(), today).id


def _window(store: LocalStore, runner: TaskRunner):  # type: ignore[no-untyped-def]
    """The session as the professional sees it, status bar and its button included."""
    from van_app.ui.session import SessionWidget

    context = AppContext(store=store, runner=runner, reference=reference())
    window = QMainWindow()
    session = SessionWidget(context)
    window.setCentralWidget(session)
    window.statusBar().addPermanentWidget(QPushButton("Synchroniser"))
    window.resize(1366, 740)
    window.show()
    window.activateWindow()
    return window, session


def _open_file(typist: Typist, session, person_id: str) -> None:  # type: ignore[no-untyped-def]
    screen = session.person_file_screen
    session.open_person(person_id)
    typist.wait(lambda: screen.data is not None and screen.person_id == person_id, "file")
    typist.settle(50)
    screen.setFocus()


def _new_consultation(typist: Typist, session, button, form) -> None:  # type: ignore[no-untyped-def]
    typist.think()
    if KEYBOARD_FIRST:
        typist.press(Qt.Key.Key_N, CTRL)
    else:
        typist.tab_to(button)
        typist.press(Qt.Key.Key_Space)
    typist.wait(lambda: form.data is not None and not form._busy, "form")
    typist.form = form
    typist.show_form = lambda: session.show_screen(form)
    typist.settle(50)


def _sign(typist: Typist, form) -> None:  # type: ignore[no-untyped-def]
    signed: list[str] = []
    form.consultation_signed.connect(signed.append)
    typist.think()
    typist.answer_box("Signer")  # anticipated: no M of its own
    if KEYBOARD_FIRST:
        typist.press(Qt.Key.Key_Return, CTRL)
    else:
        typist.tab_to(form.sign_button)
        typist.press(Qt.Key.Key_Space)
    typist.wait(lambda: bool(signed), "signature")


def social_visit(app: QApplication, folder: Path) -> Typist:
    """One demand, two actions, one orientation, an outcome, a follow-up with its due date,
    a 60-character note; the arrival mode too, since signing asks for it."""
    store = _store(folder, "social", ["social_worker"])
    runner = TaskRunner()
    person = _person(store, "Dupre", "Helene", dt.date(1980, 3, 12), "F")
    window, session = _window(store, runner)
    form = session.social_screen
    typist = Typist(app)
    try:
        _open_file(typist, session, person)
        _new_consultation(typist, session, session.person_file_screen.new_social_button, form)
        typist.think()
        typist.choose(form.arrival_combo, "bo", "word_of_mouth")
        typist.think()
        typist.tick(form.demand_list, "energ", "energy")
        typist.think()
        typist.tick(form.actions_list, "info", "information")
        typist.think()
        typist.tick(form.actions_list, "const", "file_preparation")
        typist.think()
        typist.choose(form.outcome_combo, "s", "follow_up_opened")
        typist.think()  # an orientation to the ADIL, dated today
        typist.tab_to(form.orientations.add_button)
        typist.press(Qt.Key.Key_Space)
        row = form.orientations.rows()[-1]
        typist.choose(row.partner_combo, "adil", "adil")
        typist.think()  # a follow-up of the energy demand, due on a chosen day
        typist.tab_to(form.follow_ups.add_button)
        typist.press(Qt.Key.Key_Space)
        follow_up = form.follow_ups.rows()[-1]
        typist.choose(follow_up.demand_combo, "", "energy")
        due = dt.date.today() + dt.timedelta(days=10)
        typist.tab_to(follow_up.due_edit)
        typist.type(f"{due:%d%m}")  # the year stays
        typist.think()
        typist.tab_to(form.note_edit)
        typist.type(NOTE)
        _sign(typist, form)
        stored = form.current_form()
        assert stored.demand_types == ["energy"]
        assert stored.actions == ["information", "file_preparation"]
        assert [o.partner_code for o in stored.orientations] == ["adil"]
        assert [(f.demand_type, f.due_on) for f in stored.follow_ups] == [("energy", due)]
        assert stored.arrival_mode == "word_of_mouth" and stored.note == NOTE
    finally:
        window.close()
        runner.wait_for_done()
        store.close()
    return typist


def baby_visit(app: QApplication, folder: Path) -> Typist:
    """A four-month-old: weight, length, head circumference, one vaccine, one advice topic."""
    store = _store(folder, "nurse", ["pmi_nurse"])
    runner = TaskRunner()
    baby = _person(store, "Bonnet", "Leo", dt.date.today() - dt.timedelta(days=125), "M")
    window, session = _window(store, runner)
    form = session.pmi_screen
    typist = Typist(app)
    try:
        _open_file(typist, session, baby)
        _new_consultation(typist, session, session.person_file_screen.new_pmi_button, form)
        child = form.child
        for edit, text in ((child.weight_edit, "6,4"), (child.length_edit, "63")):
            typist.think()
            typist.tab_to(edit.edit)
            typist.type(text)
        typist.think()
        typist.tab_to(child.head_edit.edit)
        typist.type("41,5")
        typist.think()  # the vaccine due today: its row in the table, then Space
        table = child.vaccinations.table
        model = child.vaccinations.model
        typist.tab_to(table)
        target = next(
            r
            for r in range(model.rowCount())
            if model.index(r, 0).flags() & Qt.ItemFlag.ItemIsUserCheckable
        )
        if table.currentIndex().row() < 0:
            typist.press(Qt.Key.Key_Down)
        while table.currentIndex().row() < target:
            typist.press(Qt.Key.Key_Down)
        if table.currentIndex().column() != 0:
            typist.press(Qt.Key.Key_Home)
        typist.press(Qt.Key.Key_Space)
        assert model.given_codes(), "no vaccine ticked"
        typist.think()
        typist.tick(form.advice_list, "somm", "sleep")
        _sign(typist, form)
        stored = form.current_form()
        assert (stored.weight_g, stored.length_mm, stored.head_circumference_mm) == (
            6400,
            630,
            415,
        )
        assert stored.advice_topics == ["sleep"] and len(stored.vaccinations) == 1
    finally:
        window.close()
        runner.wait_for_done()
        store.close()
    return typist


def _report(title: str, typist: Typist, target: float) -> bool:
    seconds = typist.seconds()
    met = seconds <= target
    print(
        f"{title:<28} {typist.keys:4d} keystrokes ({typist.navigation} Tab/arrows), "
        f"{typist.mentals:2d} M, {typist.mouse} mouse detours -> {seconds:5.1f} s "
        f"(target <= {target:.0f} s: {'met' if met else 'NOT met'})"
    )
    for line in typist.log:
        print(f"    {line}")
    return met


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    from van_app.ui.gc_guard import UiThreadGarbageCollector

    collector = UiThreadGarbageCollector(app)  # noqa: F841  (as the app does)
    print(f"Keystroke-level model: K = {K} s, M = {M} s, mouse detour = {MOUSE} s")
    with tempfile.TemporaryDirectory() as social_dir, tempfile.TemporaryDirectory() as pmi_dir:
        social = social_visit(app, Path(social_dir))  # type: ignore[arg-type]
        baby = baby_visit(app, Path(pmi_dir))  # type: ignore[arg-type]
    ok = _report("Social consultation", social, SOCIAL_TARGET)
    ok &= _report("Baby visit (PMI)", baby, BABY_TARGET)
    return 0 if ok else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # no interpreter teardown: the ballast above must not be freed
