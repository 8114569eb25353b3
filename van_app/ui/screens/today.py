"""Today: the stop of the day (or "hors tournée"), the people seen by this professional, and
the supervisor's requests for completion waiting for this professional's answer (an addendum).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from van_app.core.french import de_name, moment_text, time_text
from van_app.core.measures import format_date
from van_app.core.review import CompletionRequestItem
from van_app.core.today import TodaySummary, today_summary
from van_app.core.work_in_progress import KeptWork, all_kept_work, consultation_of
from van_app.ui.context import AppContext
from van_app.ui.models.seen_people import SeenPeopleTableModel
from van_app.ui.widgets.social_parts import french_moment
from van_app.ui.widgets.style import CARD_STYLE, ERROR_STYLE, SUBTITLE_STYLE, TITLE_STYLE

RESUMABLE_ELSEWHERE = ("register:", "close_follow_up:")  # reopened by their own screen
KEPT_STYLE = (
    "QFrame#KeptWork { background: #fff8e1; border: 1px solid #f0d68a; border-radius: 6px; }"
)
REQUESTS_STYLE = (
    "QFrame#CompletionRequests { background: #fdecea; border: 1px solid #f3b5ae; "
    "border-radius: 6px; }"
)


def _hours(value) -> str:  # type: ignore[no-untyped-def]
    """French hours: 9 h 30, 14 h 00 (the app's one time format)."""
    return time_text(value)


class _RequestsScroll(QScrollArea):
    """Shows the first requests in full and scrolls the others, so that the people seen today
    stay in sight however many requests wait."""

    VISIBLE = 3

    def __init__(self, body: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("QScrollArea { background: transparent; }")
        self.viewport().setAutoFillBackground(False)
        self.setWidget(body)
        self._fitted_width = -1

    def fit(self) -> None:
        """Height of the first ``VISIBLE`` rows at the current width (they wrap)."""
        layout = self.widget().layout()
        width = self.viewport().width()
        rows = [layout.itemAt(i).widget() for i in range(layout.count())][: self.VISIBLE]
        heights = [
            row.heightForWidth(width) if row.hasHeightForWidth() else row.sizeHint().height()
            for row in rows
            if row is not None
        ]
        self._fitted_width = width
        self.setFixedHeight(sum(heights) + layout.spacing() * max(0, len(heights) - 1) + 2)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self.viewport().width() != self._fitted_width:  # a new width: rows wrap anew
            self.fit()


class TodayScreen(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("TodayScreen")
        context.events.records_changed.connect(self._on_records_changed)

        self.date_label = QLabel()
        self.date_label.setStyleSheet(TITLE_STYLE)

        self.stop_card = QFrame()
        self.stop_card.setObjectName("StopCard")
        self.stop_card.setStyleSheet(CARD_STYLE)
        self.stop_title = QLabel()
        self.stop_title.setStyleSheet(SUBTITLE_STYLE)
        self.stop_details = QLabel()
        self.stop_details.setWordWrap(True)
        card_layout = QVBoxLayout(self.stop_card)
        card_layout.addWidget(self.stop_title)
        card_layout.addWidget(self.stop_details)

        # The supervisor's requests: first thing after the stop, hidden when there are none.
        self.requests_box = QFrame()
        self.requests_box.setObjectName("CompletionRequests")
        self.requests_box.setStyleSheet(REQUESTS_STYLE)
        self.requests_title = QLabel(self.tr("Compléments demandés"))
        self.requests_title.setStyleSheet(SUBTITLE_STYLE)
        requests_body = QWidget()
        requests_body.setObjectName("CompletionRequestsBody")
        requests_body.setStyleSheet("QWidget#CompletionRequestsBody { background: transparent; }")
        self.requests_list = QVBoxLayout(requests_body)
        self.requests_list.setContentsMargins(0, 0, 0, 0)
        self.requests_list.setSpacing(8)
        # Many requests scroll inside the box, so the people seen today stay in sight.
        self.requests_scroll = _RequestsScroll(requests_body)
        requests_layout = QVBoxLayout(self.requests_box)
        requests_layout.addWidget(self.requests_title)
        requests_layout.addWidget(self.requests_scroll)
        self.requests_box.hide()
        self.request_labels: list[QLabel] = []
        self.request_buttons: list[QPushButton] = []

        # Typing left unsaved in a form: where to find it again (it stays until saved).
        self.kept_box = QFrame()
        self.kept_box.setObjectName("KeptWork")
        self.kept_box.setStyleSheet(KEPT_STYLE)
        self.kept_title = QLabel(self.tr("Saisies en cours, pas encore enregistrées"))
        self.kept_title.setStyleSheet(SUBTITLE_STYLE)
        self.kept_list = QVBoxLayout()
        kept_layout = QVBoxLayout(self.kept_box)
        kept_layout.addWidget(self.kept_title)
        kept_layout.addLayout(self.kept_list)
        self.kept_box.hide()
        self.kept_buttons: list[QPushButton] = []

        self.seen_title = QLabel(self.tr("Personnes reçues aujourd'hui"))
        self.seen_title.setStyleSheet(SUBTITLE_STYLE)
        self.receive_button = QPushButton(self.tr("Recevoir une personne…"))
        self.receive_button.setToolTip(self.tr("Rechercher la personne ou l'enregistrer"))
        self.receive_button.clicked.connect(self.context.events.people_requested)
        self.seen_hint = QLabel(
            self.tr("Double-cliquez sur une ligne (ou Entrée) pour rouvrir la consultation.")
        )
        self.seen_hint.setStyleSheet("color: #555;")
        self.seen_model = SeenPeopleTableModel(self)
        self.seen_table = QTableView()
        self.seen_table.setModel(self.seen_model)
        self.seen_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.seen_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.seen_table.setTabKeyNavigation(False)  # Tab leaves; the arrows move inside
        self.seen_table.verticalHeader().hide()
        self.seen_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.seen_table.activated.connect(self._on_row_activated)
        self.empty_label = QLabel(self.tr("Personne n'a encore été reçu aujourd'hui."))
        self.empty_label.setStyleSheet("color: #555;")
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(self.date_label)
        layout.addWidget(self.stop_card)
        layout.addWidget(self.requests_box)
        layout.addWidget(self.kept_box)
        seen_header = QHBoxLayout()
        seen_header.addWidget(self.seen_title, 1)
        seen_header.addWidget(self.receive_button)
        layout.addLayout(seen_header)
        # Nobody seen yet: the line takes the table's room, so nothing above spreads out.
        layout.addWidget(self.empty_label, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.seen_table, 1)
        layout.addWidget(self.seen_hint)
        layout.addWidget(self.sync_label)
        layout.addWidget(self.error_label)

    def refresh(self) -> None:
        """Reload in the background; the screen stays usable meanwhile."""
        store, user, day, ref = (
            self.context.store,
            self.context.store.user,
            self.context.today(),
            self.context.reference,
        )

        def load() -> tuple[TodaySummary, list[KeptWork]]:
            with store.read_session() as session:
                return today_summary(session, user, day, ref), all_kept_work(session, user.username)

        self.context.runner.submit(load, self._on_day_loaded, self._on_failed)

    def _on_day_loaded(self, result: tuple[TodaySummary, list[KeptWork]]) -> None:
        summary, kept = result
        self._on_loaded(summary)
        self._show_kept(kept)

    def _show_kept(self, kept: list[KeptWork]) -> None:
        """One line per form left unsaved, with the button that reopens it."""
        while self.kept_list.count():
            widget = self.kept_list.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.kept_buttons = []
        for work in kept:
            target = consultation_of(work)
            if target is None and not work.key.startswith(RESUMABLE_ELSEWHERE):
                continue
            label = QLabel(
                self.tr("%1 — tapé le %2")
                .replace("%1", work.title)
                .replace("%2", french_moment(work.saved_at))
            )
            label.setWordWrap(True)
            button = QPushButton(self.tr("Reprendre la saisie"))
            button.clicked.connect(lambda _checked=False, t=target, k=work.key: self._resume(t, k))
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(label, 1)
            line.addWidget(button)
            self.kept_list.addWidget(row)
            self.kept_buttons.append(button)
        self.kept_box.setVisible(bool(self.kept_buttons))

    def _resume(self, consultation: tuple[str, str, str] | None, key: str) -> None:
        if consultation is not None:
            self.context.events.consultation_requested.emit(*consultation)
        else:  # a registration, a follow-up being closed: their screen reopens it
            self.context.events.work_resume_requested.emit(key)

    def _on_loaded(self, summary: TodaySummary) -> None:
        locale = QLocale(QLocale.Language.French, QLocale.Country.France)
        self.date_label.setText(locale.toString(summary.day, "dddd d MMMM yyyy").capitalize())
        if summary.stop is None:
            self.stop_title.setText(self.tr("Hors tournée"))
            self.stop_details.setText(self.tr("Aucun arrêt du camion n'est prévu aujourd'hui."))
        else:
            stop = summary.stop
            self.stop_title.setText(self.tr("Arrêt du jour : %1").replace("%1", stop.commune))
            self.stop_details.setText(
                self.tr("%1 — de %2 à %3 — %4")
                .replace("%1", stop.place)
                .replace("%2", _hours(stop.start))
                .replace("%3", _hours(stop.end))
                .replace("%4", stop.services)
            )
        self.seen_model.set_rows(summary.seen)
        self.empty_label.setVisible(not summary.seen)
        self.seen_table.setVisible(bool(summary.seen))
        self.seen_hint.setVisible(bool(summary.seen))
        self.sync_label.setText(self._waiting_text(summary))
        self._show_requests(summary.completion_requests)
        self.error_label.hide()

    def _show_requests(self, requests: list[CompletionRequestItem]) -> None:
        """One line per request: what, who asked and what, and the button to answer."""
        while self.requests_list.count():
            item = self.requests_list.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.request_labels, self.request_buttons = [], []
        for request in requests:
            service = (
                self.tr("Consultation sociale")
                if request.kind == "social"
                else self.tr("Consultation de PMI")
            )
            head = (
                self.tr("%1 du %2 — %3")
                .replace("%1", service)
                .replace("%2", format_date(request.consultation_date))
                .replace("%3", request.person_name)
            )
            asked = (
                self.tr("Demandé par %1 le %2 :")
                .replace("%1", request.reviewer)
                .replace("%2", french_moment(request.requested_at))
            )
            label = QLabel(
                f"<b>{html.escape(head)}</b><br>{html.escape(asked)} "
                f"« {html.escape(request.comment)} »"
            )
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            button = QPushButton(self.tr("Répondre par un complément"))
            button.clicked.connect(
                lambda _checked=False, r=request: self.context.events.consultation_requested.emit(
                    r.kind, r.person_id, r.consultation_id
                )
            )
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(label, 1)
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            self.requests_list.addWidget(row)
            self.request_labels.append(label)
            self.request_buttons.append(button)
        if len(requests) > 1:
            self.requests_title.setText(
                self.tr("Compléments demandés (%1)").replace("%1", str(len(requests)))
            )
        else:
            self.requests_title.setText(self.tr("Compléments demandés"))
        self.requests_box.setVisible(bool(requests))
        self.requests_scroll.fit()

    def _on_row_activated(self, index) -> None:  # type: ignore[no-untyped-def]
        """Enter or double-click: back to that consultation (to complete, sign or read it)."""
        seen = self.seen_model.row_at(index.row())
        self.context.events.consultation_requested.emit(
            seen.service, seen.beneficiary_id, seen.consultation_id
        )

    def _waiting_text(self, summary: TodaySummary) -> str:
        colleagues = "".join(
            " " + self._colleague_waiting_text(name, count, also=bool(summary.waiting_changes))
            for name, count in summary.colleagues_waiting
        )
        if not summary.waiting_changes and colleagues:
            return self.tr("Aucune de vos modifications n'attend d'envoi au CMS.") + colleagues
        if not summary.waiting_changes:
            return self.tr("Aucune modification en attente d'envoi au CMS.")
        if summary.waiting_changes == 1:
            text = self.tr("1 modification en attente d'envoi au CMS")
        else:
            text = self.tr("%1 modifications en attente d'envoi au CMS").replace(
                "%1", str(summary.waiting_changes)
            )
        if summary.waiting_since is not None:
            text += self.tr(", depuis le %1").replace("%1", moment_text(summary.waiting_since))
        return text + "." + colleagues

    def _colleague_waiting_text(self, name: str, count: int, *, also: bool) -> str:
        """A colleague's changes leave only with her login: say so, with her name."""
        if count == 1:
            text = self.tr(
                "1 modification %1 attend%3 sur ce poste : elle partira à sa prochaine connexion."
            )
        else:
            text = self.tr(
                "%2 modifications %1 attendent%3 sur ce poste : elles partiront à sa "
                "prochaine connexion."
            ).replace("%2", str(count))
        return text.replace("%1", de_name(name)).replace("%3", self.tr(" aussi") if also else "")

    def _on_failed(self, exc: Exception) -> None:
        self.error_label.setText(
            self.tr("Impossible de charger la journée : réessayez ; le détail est dans le journal.")
        )
        self.error_label.show()

    def _on_records_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.refresh()
        self.seen_table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
