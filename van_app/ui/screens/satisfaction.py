"""Satisfaction: the laptop is turned toward the visitor, who rates three things in a few taps.

Written for someone who may read poorly: one short question per line, four large buttons with a
coloured face and one word each, nothing else to read. The answer is anonymous (see
``van_app.core.satisfaction``); once saved, a "Merci !" page shows and the form comes back blank
after a few seconds, so the next visitor never sees the previous answer.
"""

from __future__ import annotations

from PySide6.QtCore import SIGNAL, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from van_app.core.satisfaction import (
    QUESTIONS,
    record_satisfaction,
    satisfaction_count_today,
    services_for,
)
from van_app.core.validation import ValidationError
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.faces import FACE_SIZE, face_icon
from van_app.ui.widgets.style import ERROR_STYLE

RESET_AFTER_MS = 8_000  # long enough to read "Merci !", short enough for the next visitor
_INK = "#1f3a5f"
_ANSWER_STYLE = f"""
QPushButton {{
    font-size: 20px; color: {_INK}; background: #ffffff; text-align: left;
    border: 2px solid #9aa9bb; border-radius: 12px; padding: 6px 14px; min-height: 42px;
}}
QPushButton:hover {{ background: #eef4fb; }}
QPushButton:checked {{
    background: {_INK}; color: #ffffff; font-weight: 700; border: 4px solid {_INK};
}}
QPushButton:focus {{ border: 4px solid #f0a500; }}
QPushButton:disabled {{ color: #8a96a3; }}
"""
_PRIMARY_STYLE = f"""
QPushButton {{
    font-size: 22px; font-weight: 700; color: #ffffff; background: {_INK};
    border: 3px solid {_INK}; border-radius: 12px; padding: 10px 36px; min-height: 36px;
}}
QPushButton:focus {{ border: 3px solid #f0a500; }}
QPushButton:disabled {{ background: #c3ccd6; border-color: #c3ccd6; color: #f4f6f8; }}
"""


def _label(text: str, style: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(style)
    label.setWordWrap(True)
    return label


class SatisfactionScreen(QWidget):
    """Three questions, four large answers each, "Valider", then "Merci !" and a clean form."""

    answer_saved = Signal()  # an answer was stored (after records_changed)
    handback_requested = Signal()  # the professional takes the laptop back

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("SatisfactionScreen")
        # The screen itself holds the focus at first: digit keys work and no answer button
        # looks highlighted (a focus frame on "Mauvais" could read as a suggestion).
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.services = services_for(context.store.user.roles)
        self._saving = False
        self.question_labels = {
            "service_rendered": self.tr("Le service rendu"),
            "reception": self.tr("Les conditions d'accueil"),
            "waiting_time": self.tr("Le temps d'attente"),
        }
        self.answer_labels = {
            1: self.tr("Mauvais"),
            2: self.tr("Moyen"),
            3: self.tr("Bien"),
            4: self.tr("Excellent"),
        }

        self.pages = QStackedWidget()
        self.form_page = self._build_form()
        self.thanks_page = self._build_thanks()
        self.pages.addWidget(self.form_page)
        self.pages.addWidget(self.thanks_page)

        self.reset_timer = QTimer(self, singleShot=True, interval=RESET_AFTER_MS)
        self.reset_timer.timeout.connect(self.reset)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.reset()

    # -- building ----------------------------------------------------------------------------

    def _build_form(self) -> QScrollArea:
        self.title_label = _label(
            self.tr("Votre avis nous aide à améliorer ce service"),
            f"font-size: 28px; font-weight: 700; color: {_INK};",
        )
        self.intro_label = _label(
            self.tr("Pour chaque question, choisissez une réponse."),
            "font-size: 20px; color: #333;",
        )

        self.service_buttons: dict[str, QRadioButton] = {}
        service_row = QHBoxLayout()
        self.service_label = QLabel(self.tr("Service évalué :"))
        service_row.addWidget(self.service_label)
        service_names = {"social": self.tr("Accueil social"), "pmi": self.tr("PMI")}
        for service in self.services:
            button = QRadioButton(service_names[service])
            self.service_buttons[service] = button
            service_row.addWidget(button)
        service_row.addStretch(1)
        self.service_box = QWidget()
        self.service_box.setStyleSheet("font-size: 18px;")
        self.service_box.setLayout(service_row)
        self.service_box.setVisible(len(self.services) > 1)
        if self.services:
            self.service_buttons[self.services[0]].setChecked(True)

        self.groups: dict[str, QButtonGroup] = {}
        self.answer_buttons: dict[str, dict[int, QPushButton]] = {}
        self.question_errors: dict[str, QLabel] = {}
        self.questions_box = QWidget()
        questions = QVBoxLayout(self.questions_box)
        questions.setContentsMargins(0, 0, 0, 0)
        questions.setSpacing(10)
        for number, question in enumerate(QUESTIONS, start=1):
            questions.addWidget(self._build_question(number, question))

        self.error_label = _label("", ERROR_STYLE + " font-size: 18px;")
        self.error_label.hide()
        self.validate_button = QPushButton(self.tr("Valider"))
        self.validate_button.setStyleSheet(_PRIMARY_STYLE)
        self.validate_button.setAutoDefault(True)
        self.validate_button.clicked.connect(self._on_validate)
        self.validate_button.setMinimumWidth(280)
        self.validate_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.hint_label = _label(
            self.tr("Répondez aux trois questions, puis validez."), "font-size: 18px; color: #555;"
        )
        validate_row = QHBoxLayout()
        validate_row.setSpacing(18)
        validate_row.addWidget(self.validate_button)
        validate_row.addWidget(self.hint_label, 1)
        validate_row.addStretch(0)  # keeps "Valider" its size once the hint is hidden

        self.anonymity_label = _label(
            self.tr("Réponse anonyme : ni votre nom ni vos réponses ne sont liés à votre dossier."),
            "font-size: 16px; color: #555;",
        )
        self.count_label = _label("", "font-size: 14px; color: #777;")
        self.handback_button = QPushButton(self.tr("Quitter (réservé au professionnel)"))
        self.handback_button.setFlat(True)
        self.handback_button.setStyleSheet("font-size: 14px; color: #555;")
        self.handback_button.setAutoDefault(False)
        self.handback_button.clicked.connect(self.handback_requested)
        footer = QHBoxLayout()
        footer.addWidget(self.anonymity_label, 1)
        footer.addWidget(self.count_label)
        footer.addWidget(self.handback_button)

        self.no_service_label = _label(
            self.tr(
                "Ce questionnaire est recueilli par l'assistant·e socio-éducatif·ve ou "
                "l'infirmier·e de PMI. Votre compte ne peut pas enregistrer d'avis."
            ),
            "font-size: 18px; color: #555;",
        )
        self.no_service_label.setVisible(not self.services)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(24, 12, 24, 10)
        layout.setSpacing(10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.no_service_label)
        layout.addWidget(self.service_box)
        layout.addWidget(self.questions_box)
        layout.addSpacing(4)
        layout.addLayout(validate_row)
        layout.addWidget(self.error_label)
        # A supervisor sees why there is nothing to fill in rather than a greyed-out form.
        for widget in (self.intro_label, self.questions_box, self.validate_button):
            widget.setVisible(bool(self.services))
        layout.addStretch(1)
        layout.addLayout(footer)
        # On a small laptop screen the page scrolls rather than cutting a question off.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(content)
        return scroll

    def _build_question(self, number: int, question: str) -> QWidget:
        box = QWidget()
        label = QLabel(f"{number}. {self.question_labels[question]}")
        label.setStyleSheet(f"font-size: 22px; font-weight: 700; color: {_INK};")
        group = QButtonGroup(self)
        group.setExclusive(True)
        row = QHBoxLayout()
        row.setSpacing(12)
        buttons: dict[int, QPushButton] = {}
        for value in (1, 2, 3, 4):
            button = QPushButton(face_icon(value), self.answer_labels[value])
            button.setIconSize(QSize(FACE_SIZE, FACE_SIZE))
            button.setCheckable(True)
            button.setAutoDefault(True)  # Enter on a focused answer chooses it, like Space
            button.setStyleSheet(_ANSWER_STYLE)
            button.setAccessibleName(f"{self.question_labels[question]} : {button.text()}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            group.addButton(button, value)
            row.addWidget(button, 1)
            buttons[value] = button
        group.idClicked.connect(lambda _value, q=question: self._on_answered(q))
        error = _label("", ERROR_STYLE + " font-size: 18px;")
        error.hide()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(error)
        self.groups[question] = group
        self.answer_buttons[question] = buttons
        self.question_errors[question] = error
        return box

    def _build_thanks(self) -> QWidget:
        self.thanks_label = _label(
            self.tr("Merci !"), f"font-size: 56px; font-weight: 700; color: {_INK};"
        )
        self.thanks_detail = _label(
            self.tr("Votre avis a bien été enregistré."), "font-size: 24px; color: #333;"
        )
        self.thanks_hint = _label(
            self.tr("Vous pouvez rendre l'ordinateur au professionnel. Bonne journée !"),
            "font-size: 20px; color: #555;",
        )
        self.new_answer_button = QPushButton(self.tr("Nouvel avis"))
        self.new_answer_button.setStyleSheet(_PRIMARY_STYLE)
        self.new_answer_button.setAutoDefault(True)
        self.new_answer_button.clicked.connect(self.reset)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(18)
        layout.addStretch(1)
        smile = QLabel()
        smile.setPixmap(face_icon(4, 96).pixmap(96, 96))
        for widget in (smile, self.thanks_label, self.thanks_detail, self.thanks_hint):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        layout.addWidget(self.new_answer_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    # -- state -------------------------------------------------------------------------------

    def answers(self) -> dict[str, int]:
        """The answers chosen so far, question key → 1..4."""
        return {q: group.checkedId() for q, group in self.groups.items() if group.checkedId() > 0}

    def service(self) -> str | None:
        """The service being rated: the professional's, or the one chosen if they hold both."""
        for service, button in self.service_buttons.items():
            if button.isChecked():
                return service
        return None

    def select(self, question: str, value: int) -> None:
        """Choose an answer, as a click would."""
        self.answer_buttons[question][value].click()

    def reset(self) -> None:
        """A blank form for the next visitor: no trace of the previous answer on screen."""
        self.reset_timer.stop()
        for group in self.groups.values():
            group.setExclusive(False)  # an exclusive group refuses to uncheck its last button
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
        self._clear_errors()
        self.pages.setCurrentWidget(self.form_page)
        self._update_state()
        if self.isVisible():
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.form_page.verticalScrollBar().setValue(0)

    def _on_answered(self, question: str) -> None:
        self.question_errors[question].hide()
        self._update_state()

    def _update_state(self) -> None:
        enabled = bool(self.services) and not self._saving
        for buttons in self.answer_buttons.values():
            for button in buttons.values():
                button.setEnabled(enabled)
        complete = len(self.answers()) == len(QUESTIONS)
        self.validate_button.setEnabled(enabled and complete)
        self.hint_label.setVisible(enabled and not complete)

    def _clear_errors(self) -> None:
        self.error_label.hide()
        for label in self.question_errors.values():
            label.hide()

    # -- loading and saving --------------------------------------------------------------------

    def load(self) -> None:
        """Refresh the count of answers collected today, in the background."""
        store, day = self.context.store, self.context.today()

        def count() -> int:
            with store.session() as session:
                return satisfaction_count_today(session, store.user, day)

        self.context.runner.submit(count, self._on_count_loaded, lambda _exc: None)

    def _on_count_loaded(self, count: int) -> None:
        self.count_label.setText(self.tr("Avis du jour : %1").replace("%1", str(count)))

    def _on_validate(self) -> None:
        service, answers = self.service(), self.answers()
        if self._saving or service is None or len(answers) != len(QUESTIONS):
            return
        store, day, ref = self.context.store, self.context.today(), self.context.reference
        self._saving = True
        self._clear_errors()
        self._update_state()
        self.context.runner.submit(
            lambda: record_satisfaction(store, service, answers, day, ref),
            self._on_saved,
            self._on_save_failed,
        )

    def _on_saved(self, _answer: object) -> None:
        self._saving = False
        self.reset()  # clear the answers before anything else is shown
        self.pages.setCurrentWidget(self.thanks_page)
        self.new_answer_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reset_timer.start()
        self.context.events.records_changed.emit()
        self.answer_saved.emit()
        self.load()

    def _on_save_failed(self, exc: Exception) -> None:
        self._saving = False
        self._update_state()
        if isinstance(exc, ValidationError):
            general = []
            for key, message in exc.errors.items():
                if key in self.question_errors:
                    self.question_errors[key].setText(message)
                    self.question_errors[key].show()
                else:
                    general.append(message)
            if general:
                self.error_label.setText(" ".join(general))
                self.error_label.show()
            return
        self.error_label.setText(
            self.tr("L'avis n'a pas pu être enregistré (%1). Prévenez le professionnel.").replace(
                "%1", failure_reason(exc)
            )
        )
        self.error_label.show()

    # -- keyboard ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits 1 to 4 answer the question in focus (or the first unanswered one)."""
        key = event.key()
        if self.pages.currentWidget() is self.form_page and Qt.Key.Key_1 <= key <= Qt.Key.Key_4:
            value = int(key) - int(Qt.Key.Key_0)
            question = self._focused_question() or next(
                (q for q in QUESTIONS if q not in self.answers()), QUESTIONS[-1]
            )
            button = self.answer_buttons[question][value]
            if button.isEnabled():
                button.click()
                self._focus_after(question)
            return
        super().keyPressEvent(event)

    def _focused_question(self) -> str | None:
        focused = self.focusWidget()
        if isinstance(focused, QAbstractButton):
            for question, group in self.groups.items():
                if focused in group.buttons():
                    return question
        return None

    def _focus_after(self, question: str) -> None:
        index = QUESTIONS.index(question)
        if index + 1 < len(QUESTIONS):
            following = self.groups[QUESTIONS[index + 1]]
            target = following.checkedButton() or following.button(1)
        else:
            target = self.validate_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- visibility ----------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.handback_button.setVisible(self.receivers(SIGNAL("handback_requested()")) > 0)
        self.load()
        if self.pages.currentWidget() is self.form_page and not self.answers():
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        """Leaving the screen forgets a half-filled form: it belonged to someone."""
        super().hideEvent(event)
        if not self._saving and not event.spontaneous():
            self.reset()
