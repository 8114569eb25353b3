"""My follow-ups: the demands still open, the overdue first, and closing them.

Closing happens in a small form under the table (not a modal box) so the list stays in sight;
its date and outcome feed the "time to resolve a problem" indicator.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.follow_ups import FollowUpRow, close_follow_up, open_follow_ups
from van_app.core.measures import format_date
from van_app.core.validation import ValidationError
from van_app.core.work_in_progress import KeptWork, kept_work
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.keyboard import SIGN, SIGN_KEYPAD, add_shortcut, chain_tab_order
from van_app.ui.models.follow_ups import FollowUpsSortProxy, FollowUpsTableModel
from van_app.ui.widgets.record_table import list_table, selected_source_row
from van_app.ui.widgets.social_parts import (
    FieldErrors,
    date_edit,
    fill_combo,
    french_moment,
    from_qdate,
    to_qdate,
)
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE, TITLE_STYLE
from van_app.ui.work_keeper import WorkKeeper

WORK_PREFIX = "close_follow_up:"  # kept typing of a closing: "close_follow_up:<id>"


class FollowUpsScreen(QWidget):
    """This social worker's open follow-ups; double-click opens the person's file."""

    loaded = Signal()
    follow_up_closed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("FollowUpsScreen")
        self._loading = False
        self._reload_again = False
        self._announcing = False
        self._closing: FollowUpRow | None = None

        title = QLabel(self.tr("Mes suivis en cours"))
        title.setStyleSheet(TITLE_STYLE)
        self.summary_label = QLabel()

        self.model = FollowUpsTableModel(self)
        self.proxy = FollowUpsSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = list_table(
            self.proxy,
            sort_column=FollowUpsTableModel.COL_DUE,
            stretch_column=FollowUpsTableModel.COL_DEMAND,
        )
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(90)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.close_button = QPushButton(self.tr("Clôturer le suivi…"))
        self.close_button.clicked.connect(self._on_close_clicked)
        self.open_person_button = QPushButton(self.tr("Ouvrir le dossier de la personne"))
        self.open_person_button.clicked.connect(self._on_open_person)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.open_person_button)
        buttons.addStretch(1)

        # -- the closing form -----------------------------------------------------------------
        self.errors = FieldErrors()
        self.close_box = QGroupBox(self.tr("Clôturer le suivi"))
        self.close_title = QLabel()
        self.close_title.setStyleSheet(SUBTITLE_STYLE)
        self.close_title.setWordWrap(True)
        self.outcome_combo = QComboBox()
        self.outcome_combo.setMaximumWidth(380)
        fill_combo(self.outcome_combo, context.reference.follow_up_outcomes, self.tr("Choisissez…"))
        self.closed_on_edit = date_edit()
        self.closed_on_edit.setFixedWidth(150)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setMaximumHeight(80)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText(
            self.tr("Facultatif : des faits (droit ouvert le…, dossier transmis à…).")
        )
        self.confirm_button = QPushButton(self.tr("Confirmer la clôture"))
        self.confirm_button.clicked.connect(self._on_confirm)
        self.cancel_button = QPushButton(self.tr("Annuler"))
        self.cancel_button.clicked.connect(self._hide_close_form)
        form = QFormLayout()
        form.addRow(self.tr("Issue :"), self.errors.wrap(self.outcome_combo, "outcome"))
        form.addRow(self.tr("Clôturé le :"), self.errors.wrap(self.closed_on_edit, "closed_on"))
        form.addRow(self.tr("Note :"), self.errors.wrap(self.note_edit, "note"))
        close_buttons = QHBoxLayout()
        close_buttons.addStretch(1)
        close_buttons.addWidget(self.cancel_button)
        close_buttons.addWidget(self.confirm_button)
        close_layout = QVBoxLayout(self.close_box)
        close_layout.addWidget(self.close_title)
        close_layout.addLayout(form)
        close_layout.addLayout(close_buttons)
        self.close_box.hide()

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.close_box)
        layout.addWidget(self.message_label)
        context.events.records_changed.connect(self._on_records_changed)
        context.events.work_resume_requested.connect(self.resume_closing)
        self._resume_id = ""  # a closing to reopen once the list is loaded
        # The closing form's typing, kept every second and when it is left.
        self.keeper = WorkKeeper(context, self._work_key, self._work_title, self._work_state, self)
        # Keyboard: Tab in reading order (Annuler before Confirmer), Ctrl+Entrée confirms.
        chain_tab_order(
            [
                self.table,
                self.close_button,
                self.open_person_button,
                self.outcome_combo,
                self.closed_on_edit,
                self.note_edit,
                self.cancel_button,
                self.confirm_button,
            ]
        )
        add_shortcut(self, [SIGN, SIGN_KEYPAD], self._on_confirm_shortcut)
        self._update_buttons()

    # -- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload in the background; a change meanwhile triggers one more reload."""
        if self._loading:
            self._reload_again = True
            return
        store, ref, today = self.context.store, self.context.reference, self.context.today()

        def load() -> list[FollowUpRow]:
            with store.session() as session:
                return open_follow_ups(session, store.user, today, ref)

        self._loading = True
        self.context.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, rows: list[FollowUpRow]) -> None:
        self._loading = False
        selected = self.selected_row()
        self.model.set_rows(rows)
        if not rows:
            self.summary_label.setText(self.tr("Aucun suivi en cours : tout est clôturé."))
        else:
            total = (
                self.tr("1 suivi en cours")
                if len(rows) == 1
                else self.tr("%1 suivis en cours").replace("%1", str(len(rows)))
            )
            late = self.model.overdue_count()
            self.summary_label.setText(
                total
                + (
                    self.tr(", dont %1 en retard.").replace("%1", str(late))
                    if late
                    else self.tr(", aucun en retard.")
                )
            )
        if self._resume_id and self.select_follow_up(self._resume_id):
            self._resume_id = ""
            self._on_close_clicked()
        elif selected is not None:
            self.select_follow_up(selected.follow_up_id)
        self._update_buttons()
        if self._reload_again:
            self._reload_again = False
            self.refresh()
        else:
            self.loaded.emit()

    def _on_load_failed(self, exc: Exception) -> None:
        self._loading = False
        self._reload_again = False
        if isinstance(exc, PermissionError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message(
                self.tr("Impossible de charger les suivis (%1).").replace(
                    "%1", failure_reason(exc)
                ),
                error=True,
            )

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if self._closing is not None:
            self.keeper.timer.start()
        self.refresh()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.keeper.flush()  # leaving the screen: the closing typed is kept
        self.keeper.pause()
        super().hideEvent(event)

    # -- work in progress ------------------------------------------------------------------------

    def _work_key(self) -> str | None:
        closing = self._closing
        return None if closing is None else f"{WORK_PREFIX}{closing.follow_up_id}"

    def _work_title(self) -> str:
        closing = self._closing
        name = closing.person_name if closing is not None else ""
        return self.tr("Clôture de suivi — %1").replace("%1", name)

    def _work_state(self) -> dict[str, object] | None:
        if self._closing is None:
            return None
        return {
            "outcome": self.outcome_combo.currentData(),
            "closed_on": from_qdate(self.closed_on_edit.date()).isoformat(),
            "note": self.note_edit.toPlainText(),
        }

    def resume_closing(self, key: str) -> None:
        """ "Reprendre la saisie" on Today: select that follow-up and reopen its closing."""
        if not key.startswith(WORK_PREFIX):
            return
        follow_up_id = key.removeprefix(WORK_PREFIX)
        if self.select_follow_up(follow_up_id):
            self._on_close_clicked()
        else:
            self._resume_id = follow_up_id  # when the list arrives

    def _look_for_kept_closing(self, key: str) -> None:
        store, username = self.context.store, self.context.store.user.username

        def find() -> KeptWork | None:
            with store.read_session() as session:
                return kept_work(session, username, key)

        self.context.runner.submit(find, lambda kept: self._bring_back(key, kept))

    def _bring_back(self, key: str, kept: KeptWork | None) -> None:
        if kept is None or self._work_key() != key or self.keeper.has_changes():
            return
        payload = kept.payload
        index = self.outcome_combo.findData(payload.get("outcome"))
        self.outcome_combo.setCurrentIndex(max(0, index))
        with contextlib.suppress(KeyError, TypeError, ValueError):  # a date as it was typed
            self.closed_on_edit.setDate(to_qdate(dt.date.fromisoformat(payload["closed_on"])))
        self.note_edit.setPlainText(str(payload.get("note") or ""))
        self.keeper.start(kept=True)
        self._show_message(
            self.tr(
                "Saisie reprise : ce qui avait été tapé le %1 sans être enregistré est revenu."
            ).replace("%1", french_moment(kept.saved_at))
        )

    def _on_records_changed(self) -> None:
        if self.isVisible() and not self._announcing:
            self.refresh()

    # -- selection -----------------------------------------------------------------------------

    def selected_row(self) -> FollowUpRow | None:
        row = selected_source_row(self.table)
        return None if row is None else self.model.row_at(row)

    def select_follow_up(self, follow_up_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).follow_up_id == follow_up_id:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
                return True
        return False

    def _update_buttons(self, *_: object) -> None:
        selected = self.selected_row()
        if self._closing is not None and (
            selected is None or selected.follow_up_id != self._closing.follow_up_id
        ):
            self._hide_close_form()  # another row chosen: that form was about the previous one
            return
        has_row = selected is not None
        self.close_button.setEnabled(has_row and not self.close_box.isVisibleTo(self))
        self.open_person_button.setEnabled(has_row)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(self.proxy.mapToSource(index).row())
        self.context.events.person_opened.emit(row.beneficiary_id)

    def _on_open_person(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.context.events.person_opened.emit(row.beneficiary_id)

    # -- closing -------------------------------------------------------------------------------

    def _on_close_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        self._closing = row
        self.close_title.setText(
            self.tr("%1 — %2 (ouvert le %3)")
            .replace("%1", row.person_name)
            .replace("%2", row.demand_label)
            .replace("%3", format_date(row.opened_on))
        )
        self.outcome_combo.setCurrentIndex(0)
        self.closed_on_edit.setDate(to_qdate(self.context.today()))
        self.note_edit.clear()
        self.errors.clear()
        self._show_message("")
        self.close_box.show()
        self._update_buttons()
        self.outcome_combo.setFocus()
        self.keeper.start()
        key = self._work_key()
        if key is not None:
            self._look_for_kept_closing(key)

    def _on_confirm_shortcut(self) -> None:
        if self.close_box.isVisible() and self.confirm_button.isEnabled():
            self._on_confirm()

    def _hide_close_form(self) -> None:
        """Annuler, another row chosen: what was typed is kept (and said where)."""
        if self.keeper.has_changes():
            self.keeper.flush()
            self._show_message(
                self.tr(
                    "Clôture non enregistrée : la saisie est gardée sur ce poste. « Clôturer le "
                    "suivi… » sur ce suivi la reprendra."
                )
            )
        self.keeper.pause()
        self._closing = None
        self.close_box.hide()
        self._update_buttons()

    def _on_confirm(self) -> None:
        if self._closing is None:
            return
        follow_up_id = self._closing.follow_up_id
        outcome = self.outcome_combo.currentData()
        closed_on: dt.date = from_qdate(self.closed_on_edit.date())
        note = self.note_edit.toPlainText()
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        self.confirm_button.setEnabled(False)

        def close() -> str:
            close_follow_up(store, follow_up_id, outcome, closed_on, note, ref, today)
            return follow_up_id

        self.context.runner.submit(close, self._on_closed, self._on_close_failed)

    def _on_closed(self, follow_up_id: str) -> None:
        self.confirm_button.setEnabled(True)
        self.keeper.saved(f"{WORK_PREFIX}{follow_up_id}")  # written: nothing more to keep
        self.keeper.pause()
        self._hide_close_form()
        self._show_message(self.tr("Suivi clôturé."))
        self.follow_up_closed.emit(follow_up_id)
        self.refresh()
        self._announcing = True  # our own news: the refresh above already covers it
        try:
            self.context.events.records_changed.emit()
        finally:
            self._announcing = False

    def _on_close_failed(self, exc: Exception) -> None:
        self.confirm_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            _labels, others = self.errors.show(exc.errors)
            self._show_message(
                "\n".join(
                    [
                        self.tr("Le suivi n'a pas été clôturé : corrigez les champs en rouge."),
                        *others,
                    ]
                ),
                error=True,
            )
        elif isinstance(exc, PermissionError | LookupError):
            self._show_message(str(exc), error=True)
        else:
            self._show_message(
                self.tr("Erreur inattendue (%1) : le suivi n'a pas été clôturé.").replace(
                    "%1", failure_reason(exc)
                ),
                error=True,
            )

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "color: #1b5e20;")
        self.message_label.setText(text)
