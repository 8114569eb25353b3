"""What the social and the PMI consultation forms share: the note, the addenda, the footer,
and the draft → sign → addenda plumbing.

Both forms read and write the same way: the store is read off the UI thread, every write is
followed by a re-read (a new draft gets its id, a signed one its addenda), and a refusal from
the core lands, in French, under the field it is about. A screen only says how to read, save,
sign and add an addendum for its kind, and how to show what was read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from van_app.core.form_codec import decode, encode
from van_app.core.local_store import LocalStore
from van_app.core.reference import ReferenceData
from van_app.core.social_form import AddendumView
from van_app.core.validation import MAX_DURATION_MINUTES, NOTE_MAX_LENGTH, ValidationError
from van_app.core.work_in_progress import KeptWork, drop_work, kept_work
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.keyboard import SAVE, SIGN, SIGN_KEYPAD, add_shortcut, focus_first
from van_app.ui.widgets.form_keyboard import FormKeyboard
from van_app.ui.widgets.measure_edit import thousands
from van_app.ui.widgets.social_header import (
    AddendaWidget,
    ConsultationHeaderWidget,
    ask_signature,
)
from van_app.ui.widgets.social_parts import FieldErrors, french_moment
from van_app.ui.widgets.style import ERROR_STYLE
from van_app.ui.work_keeper import WorkKeeper

REMINDER_STYLE = (
    "QLabel { background: #fff8e1; border: 1px solid #f0d68a; border-radius: 4px; padding: 6px; }"
)
OK_STYLE = "color: #1b5e20;"

# What a screen reads for one consultation, off the UI thread: (person id, consultation id).
Reader = Callable[[str, str | None], Any]


class ConsultationFormBase(FormKeyboard, QWidget):
    """A consultation form: draft, sign after a confirmation, then only addenda.

    A screen passes its header, builds its own fields and ``_note_box``, then hands them
    with ``_addenda_box`` to ``_assemble``; it fills in the hooks below ``# -- per kind`` and sets
    ``_save``, ``_sign`` and ``_add_addendum`` to the core's functions (as staticmethods).
    """

    loaded = Signal()
    work_restored = Signal()  # unsaved typing was brought back after a reopen
    consultation_saved = Signal(str)  # a draft was written (id)
    consultation_signed = Signal(str)
    addendum_added = Signal(str)  # the consultation's id

    def __init__(
        self, context: AppContext, header: ConsultationHeaderWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(type(self).__name__)
        self.context = context
        self.header = header
        self.header.open_person_requested.connect(self._on_open_person)
        self.confirm_signature: Callable[[QWidget], bool] = ask_signature
        self.data: Any = None
        self._busy = False
        self.errors = FieldErrors()
        self._pending_form: Any = None  # a form brought back from work in progress
        self._focus_before_write: QWidget | None = None
        self.keeper = WorkKeeper(context, self._work_key, self._work_title, self._work_state, self)

    # -- building ----------------------------------------------------------------------------

    def _make_duration_spin(self) -> QSpinBox:
        """The consultation's length in minutes (0 shows as "non renseignée"); the screen keeps
        it as ``self.duration_spin``, which ``_set_enabled`` makes read-only."""
        spin = QSpinBox()
        spin.setRange(0, MAX_DURATION_MINUTES)
        spin.setSingleStep(5)
        spin.setSpecialValueText(self.tr("non renseignée"))
        spin.setSuffix(self.tr(" min"))
        spin.setFixedWidth(150)
        return spin

    def _note_box(self, title: str, reminder: str, min_height: int) -> QGroupBox:
        """The note with its reminder always in sight and a character counter."""
        self.reminder_label = QLabel(reminder)
        self.reminder_label.setWordWrap(True)
        self.reminder_label.setStyleSheet(REMINDER_STYLE)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setMinimumHeight(min_height)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.textChanged.connect(self._update_counter)
        self.counter_label = QLabel()
        self.counter_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        note_box = QGroupBox(title)
        note_layout = QVBoxLayout(note_box)
        note_layout.addWidget(self.reminder_label)
        note_layout.addWidget(self.errors.wrap(self.note_edit, "note"))
        note_layout.addWidget(self.counter_label)
        return note_box

    def _addenda_box(self, reminder: str) -> QGroupBox:
        """The addenda, shown once the consultation is signed."""
        self.addenda = AddendaWidget(reminder, self.errors)
        self.addenda.add_requested.connect(self._on_add_addendum)
        self.addenda_box = QGroupBox(self.tr("Compléments (addenda)"))
        QVBoxLayout(self.addenda_box).addWidget(self.addenda)
        self.addenda_box.hide()
        return self.addenda_box

    def _assemble(self, parts: Sequence[QWidget | QLayout]) -> None:
        """Header on top, the parts one under the other in a scroll area, and a footer: what
        happened, and the actions."""
        content = QWidget()
        body = QVBoxLayout(content)
        body.setSpacing(12)
        for part in parts:
            if isinstance(part, QLayout):
                body.addLayout(part)
            else:
                body.addWidget(part)
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field, not here
        self.scroll.setWidget(content)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Enregistrer le brouillon"))
        self.save_button.clicked.connect(self._on_save)
        self.sign_button = QPushButton(self.tr("Signer"))
        self.sign_button.clicked.connect(self._on_sign)
        footer = QHBoxLayout()
        footer.addWidget(self.message_label, 1)
        footer.addWidget(self.save_button)
        footer.addWidget(self.sign_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(footer)
        self._update_counter()
        self._set_enabled(False)
        add_shortcut(self, SAVE, self._on_save)
        add_shortcut(self, [SIGN, SIGN_KEYPAD], self._on_sign_or_add_addendum)
        self.update_tab_order()

    # -- per kind ----------------------------------------------------------------------------

    def _reader(self) -> Reader:
        """A function, safe off the UI thread, that reads what ``_show_loaded`` shows."""
        raise NotImplementedError

    def _show_loaded(self, result: Any) -> None:
        """Set ``self.data`` from what ``_reader`` returned and fill the kind's fields; clear
        ``self.errors`` at the step that suits them (before sections that check as they fill)."""
        raise NotImplementedError

    def _set_editable(self, editable: bool) -> None:
        """Let the kind's own fields be changed, or not."""
        raise NotImplementedError

    def current_form(self) -> Any:
        """What the form holds now, as plain values for the core."""
        raise NotImplementedError

    def _person_id(self) -> str:
        raise NotImplementedError

    def _consultation_id(self) -> str | None:
        """The stored consultation's id, None while it is new."""
        raise NotImplementedError

    def _is_signed(self) -> bool:
        raise NotImplementedError

    def _addenda_views(self) -> Sequence[AddendumView]:
        raise NotImplementedError

    # The core's writes, run off the UI thread; save and sign return the consultation's id.
    _save: Callable[[LocalStore, Any, ReferenceData, dt.date], str]
    _sign: Callable[[LocalStore, Any, ReferenceData, dt.date], str]
    _add_addendum: Callable[[LocalStore, str, str], Any]

    def _unreadable(self) -> dict[str, str]:
        """Fields whose text the core could never be given (a measure that is not a number)."""
        return {}

    def _tab_widgets(self) -> list[QWidget]:
        """The kind's own fields, in the order the eye reads them (rows added included)."""
        return []

    # What kind of form this is for work in progress ("social", "pmi"), its form's type, and
    # how a list of kept work names it.
    work_kind: str
    form_type: type
    work_label: str

    def _raw_texts(self) -> dict[str, str]:
        """Texts typed that the form cannot carry (a measure that is not a number yet)."""
        return {}

    def _restore_raw_texts(self, texts: dict[str, str]) -> None:
        """Put such texts back as they were typed."""

    def _form_to_show(self, loaded: Any) -> Any:
        """The form to fill the screen with: what was kept of unsaved typing, else ``loaded``."""
        form, self._pending_form = self._pending_form, None
        return form if form is not None else loaded

    # -- work in progress --------------------------------------------------------------------

    def _key_for(self, person_id: str, consultation_id: str | None) -> str:
        return f"{self.work_kind}:{consultation_id or 'new:' + person_id}"

    def _work_key(self) -> str | None:
        if self.data is None or self._busy:
            return None
        return self._key_for(self._person_id(), self._consultation_id())

    def _work_title(self) -> str:
        return f"{self.work_label} — {self.header.name_label.text()}"

    def _work_state(self) -> dict[str, Any] | None:
        """What is on screen, valid or not: the form, the note and an addendum as typed."""
        if self.data is None or self._busy:
            return None
        editable = bool(self.data.editable)
        return {
            "form": encode(self.current_form()) if editable else None,
            "note": self.note_edit.toPlainText() if editable else None,
            "raw": self._raw_texts() if editable else {},
            "addendum": self.addenda.edit.toPlainText(),
        }

    def _bring_back(self, payload: dict[str, Any]) -> None:
        """Fill the screen with kept work (after the consultation itself was shown)."""
        editable = bool(self.data.editable)
        if editable and payload.get("note") is not None:
            self.note_edit.setPlainText(payload["note"])
        if editable:
            self._restore_raw_texts(payload.get("raw") or {})
        if payload.get("addendum"):
            self.addenda.edit.setPlainText(payload["addendum"])

    def hideEvent(self, event: Any) -> None:  # leaving the screen: keep what was typed
        self.keeper.flush()
        self.keeper.pause()
        super().hideEvent(event)

    def showEvent(self, event: Any) -> None:
        if self.data is not None and not self._busy:
            self.keeper.timer.start()
        super().showEvent(event)

    def keep_work_now(self) -> None:
        """Logout, lock, closing: keep what was typed before the store closes."""
        self.keeper.flush()

    # -- loading -----------------------------------------------------------------------------

    def load(self, person_id: str, consultation_id: str = "") -> None:
        """Open a consultation (a new one when ``consultation_id`` is empty) in the form, with
        what was kept of unsaved typing on it, if any."""
        self.keeper.flush()
        self.keeper.pause()
        read, store = self._reader(), self.context.store
        key = self._key_for(person_id, consultation_id or None)

        def task() -> tuple[Any, KeptWork | None]:
            result = read(person_id, consultation_id or None)
            with store.read_session() as session:
                return result, kept_work(session, store.user.username, key)

        self.data = None
        self._set_enabled(False)
        self._show_message(self.tr("Chargement…"))
        self._busy = True
        self.context.runner.submit(task, self._on_loaded_with_work, self._on_failed)

    def _on_loaded_with_work(self, result: tuple[Any, KeptWork | None]) -> None:
        loaded, kept = result
        form = kept.payload.get("form") if kept is not None else None
        if form is not None:
            self._pending_form = decode(self.form_type, form)
        self._on_loaded(loaded, start_keeper=kept is None)
        focus_first(self.first_field())
        if kept is None:
            return
        self._bring_back(kept.payload)
        self.keeper.start(kept=True)
        self._show_message(
            self.tr(
                "Saisie reprise : ce qui avait été tapé le %1 sans être enregistré est revenu. "
                "Vérifiez-le, puis enregistrez ou signez."
            ).replace("%1", french_moment(kept.saved_at))
        )
        self.work_restored.emit()

    def _on_loaded(self, result: Any, message: str = "", *, start_keeper: bool = True) -> None:
        self._busy = False
        self._show_loaded(result)
        self.update_tab_order()
        self.addenda.set_addenda(self._addenda_views(), self.data.can_add_addendum)
        self.addenda_box.setVisible(self._is_signed())
        self._set_enabled(True)
        self._show_message(message)
        self.scroll.verticalScrollBar().setValue(0)  # a form opens at its top
        if start_keeper:
            self.keeper.start()
        self.loaded.emit()

    # -- state -------------------------------------------------------------------------------

    def _set_enabled(self, enabled: bool) -> None:
        editable = enabled and self.data is not None and self.data.editable
        self._set_editable(editable)
        self.duration_spin.setReadOnly(not editable)
        self.note_edit.setReadOnly(not editable)
        for button in (self.save_button, self.sign_button):
            button.setVisible(self.data is None or self.data.editable)
            button.setEnabled(editable)
        self.addenda.button.setEnabled(enabled)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message_label.setText(text)

    def error_text(self, key: str) -> str:
        """The message shown for a field or row key, "" when none is (for tests and help)."""
        return self.errors.text(key)

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Each message under its field, the rest in the footer; scroll to the first."""
        labels, others = self.errors.show(errors)
        summary = self.tr("Rien n'a été enregistré : corrigez les champs signalés en rouge.")
        self._show_message("\n".join([summary, *others]), error=True)
        content = self.scroll.widget()
        if labels:
            first = min(labels, key=lambda w: w.mapTo(content, w.rect().topLeft()).y())
            self.scroll.ensureWidgetVisible(first, 50, 120)

    def _update_counter(self) -> None:
        length = len(self.note_edit.toPlainText())
        self.counter_label.setText(
            self.tr("%1 / %2 caractères")
            .replace("%1", thousands(length))
            .replace("%2", thousands(NOTE_MAX_LENGTH))
        )
        self.counter_label.setStyleSheet(
            ERROR_STYLE if length > NOTE_MAX_LENGTH else "color: #555;"
        )

    # -- user actions ------------------------------------------------------------------------

    def _run_write(self, write: Callable[[], str], done: SignalInstance, message: str) -> None:
        """Write in the background, then reload what was stored (new rows get their ids)."""
        if self._busy or self.data is None:
            return
        read, person_id = self._reader(), self._person_id()
        store, before = self.context.store, self._work_key()
        self.keeper.pause()
        focused = next((w for w in self._focus_chain() if w.hasFocus()), None)
        self._focus_before_write = focused

        def task() -> tuple[str, Any]:
            consultation_id = write()
            # What was typed is now stored: the kept work goes in the same background run.
            drop_work(store, *{k for k in (before, self._key_for(person_id, consultation_id)) if k})
            return consultation_id, read(person_id, consultation_id)

        def succeeded(result: tuple[str, Any]) -> None:
            self._on_loaded(result[1], message, start_keeper=False)
            self._focus_back(focused)
            self.keeper.saved()
            self.keeper.start()
            if self._is_signed():
                self.scroll.ensureWidgetVisible(self.addenda_box)
            done.emit(result[0])
            self.context.events.records_changed.emit()

        self._busy = True
        self._set_enabled(False)
        self.context.runner.submit(task, succeeded, self._on_failed)

    def _write_form(self, sign: bool) -> None:
        if self.data is None or not self.data.editable or self._busy:
            return
        unreadable = self._unreadable()
        if unreadable:  # the text cannot become a number: the core would never see it
            self._show_errors(unreadable)
            return
        if sign and not self.confirm_signature(self):
            return
        form = self.current_form()
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        write = self._sign if sign else self._save
        if sign:
            done, message = self.consultation_signed, self.tr("Consultation signée.")
        else:
            done, message = self.consultation_saved, self.tr("Brouillon enregistré.")
        self._run_write(lambda: write(store, form, ref, today), done, message)

    def _on_save(self) -> None:
        self._write_form(sign=False)

    def _on_sign(self) -> None:
        self._write_form(sign=True)

    def _on_add_addendum(self, note: str) -> None:
        consultation_id = self._consultation_id()
        if self.data is None or not self.data.can_add_addendum or not consultation_id:
            return
        store, add = self.context.store, self._add_addendum

        def write() -> str:
            add(store, consultation_id, note)
            return consultation_id

        self._run_write(write, self.addendum_added, self.tr("Complément ajouté."))

    def _on_failed(self, exc: Exception) -> None:
        self._busy = False
        self._set_enabled(True)
        self._focus_back(self._focus_before_write)
        if self.data is not None:
            self.keeper.start(kept=self.keeper.kept_key is not None)
        if isinstance(exc, ValidationError):
            errors = dict(exc.errors)
            if self.data is not None and self._is_signed() and "note" in errors:
                errors["addendum"] = errors.pop("note")
            self._show_errors(errors)
        elif isinstance(exc, PermissionError | LookupError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message(
                self.tr("Erreur inattendue (%1) : rien n'a été enregistré.").replace(
                    "%1", failure_reason(exc)
                ),
                error=True,
            )

    def _on_open_person(self) -> None:
        if self.data is not None:
            self.context.events.person_opened.emit(self._person_id())
