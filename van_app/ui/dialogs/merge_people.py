"""Comparing two records of one person side by side, and merging them.

The supervisor picks the record to keep and, where the two differ, the right value of each
field. Merging asks for a confirmation that says what happens to the visits: all are kept,
none is edited; the other record simply points to the kept one from then on. When the two
are in fact two people (twins, namesakes), "Ce ne sont pas les mêmes personnes" says so, and
the pair is no longer proposed on this device (``core.distinct_people``).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from van_app.core.distinct_people import dismiss_pair
from van_app.core.french import de_name
from van_app.core.merge_names import merged_name
from van_app.core.merge_people import (
    KEEP,
    OTHER,
    Comparison,
    MergeResult,
    PersonSummary,
    compare,
    merge_people,
)
from van_app.ui.context import AppContext
from van_app.ui.failure_text import failure_reason
from van_app.ui.widgets.style import ERROR_STYLE, SUBTITLE_STYLE

SIDES = ("a", "b")
DIFFER_STYLE = "background: #fff4e0;"
HEADER_STYLE = "font-weight: 600; color: #1f3a5f;"
CONFIRM_STYLE = "QFrame#ConfirmBox { background: #eef4fb; border: 1px solid #c6d8ee; }"


def confirm_distinct(parent: QWidget, label_a: str, label_b: str) -> bool:
    """Ask before declaring two records two people (the screen and the dialog both ask)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.tr("Ce ne sont pas les mêmes personnes"))
    box.setText(
        parent.tr("Les fiches « %1 » et « %2 » sont-elles celles de deux personnes différentes ?")
        .replace("%1", label_a)
        .replace("%2", label_b)
    )
    box.setInformativeText(
        parent.tr(
            "Ces deux fiches resteront séparées et ne seront plus proposées comme doublon "
            "sur ce poste."
        )
    )
    confirm = box.addButton(
        parent.tr("Ce sont deux personnes différentes"), QMessageBox.ButtonRole.AcceptRole
    )
    cancel = box.addButton(parent.tr("Annuler"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is confirm


def dismiss_in_background(
    context: AppContext, a_id: str, b_id: str, done: Callable[[], None], failed: Callable
) -> None:
    """``dismiss_pair`` on the runner, ``done()`` or ``failed(exc)`` back on the UI thread."""
    store = context.store
    context.runner.submit(lambda: dismiss_pair(store, a_id, b_id), lambda _new: done(), failed)


class MergePeopleDialog(QDialog):
    """Side by side comparison of two records; ``merged(kept_id)`` once they are merged."""

    loaded = Signal()
    merged = Signal(str)
    distinct = Signal(str, str)  # the two ids, declared two people

    def __init__(
        self, context: AppContext, a_id: str, b_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.ids = {"a": a_id, "b": b_id}
        self.comparison: Comparison | None = None
        self.result: MergeResult | None = None
        self.keep_radios: dict[str, QRadioButton] = {}
        self.value_radios: dict[str, dict[str, QRadioButton]] = {}
        self._touched: set[str] = set()
        self.setWindowTitle(self.tr("Comparer et fusionner deux fiches"))

        title = QLabel(self.tr("Est-ce la même personne ?"))
        title.setStyleSheet(SUBTITLE_STYLE)
        intro = QLabel(
            self.tr(
                "Vérifiez chaque ligne. Si c'est bien la même personne, choisissez la fiche à "
                "conserver et, là où les deux fiches diffèrent (lignes surlignées), la bonne "
                "valeur. Sinon (jumeaux, homonymes), indiquez que ce ne sont pas les mêmes "
                "personnes."
            )
        )
        intro.setWordWrap(True)

        self.grid_widget = QWidget()
        self.grid = QGridLayout(self.grid_widget)
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid_widget)
        self.loading_label = QLabel(self.tr("Lecture des deux fiches…"))

        # -- confirmation, inside the dialog so the comparison stays in sight ----------------
        self.confirm_box = QFrame()
        self.confirm_box.setObjectName("ConfirmBox")
        self.confirm_box.setStyleSheet(CONFIRM_STYLE)
        self.confirm_label = QLabel()
        self.confirm_label.setWordWrap(True)
        self.confirm_label.setTextFormat(Qt.TextFormat.RichText)
        self.back_button = QPushButton(self.tr("Revenir à la comparaison"))
        self.back_button.clicked.connect(self._hide_confirmation)
        self.confirm_button = QPushButton(self.tr("Confirmer la fusion"))
        self.confirm_button.clicked.connect(self._on_confirm)
        confirm_buttons = QHBoxLayout()
        confirm_buttons.addStretch(1)
        confirm_buttons.addWidget(self.back_button)
        confirm_buttons.addWidget(self.confirm_button)
        confirm_layout = QVBoxLayout(self.confirm_box)
        confirm_layout.addWidget(self.confirm_label)
        confirm_layout.addLayout(confirm_buttons)
        self.confirm_box.hide()

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()

        self.cancel_button = QPushButton(self.tr("Annuler"))
        self.cancel_button.clicked.connect(self.reject)
        self.merge_button = QPushButton(self.tr("Fusionner…"))
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self._show_confirmation)
        self.distinct_button = QPushButton(self.tr("Ce ne sont pas les mêmes personnes…"))
        self.distinct_button.setEnabled(False)
        self.distinct_button.clicked.connect(self._on_distinct)
        buttons = QHBoxLayout()
        buttons.addWidget(self.distinct_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.merge_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.loading_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.confirm_box)
        layout.addLayout(buttons)
        self.resize(900, 640)
        self._load()

    # -- loading -------------------------------------------------------------------------------

    def _load(self) -> None:
        store, ref = self.context.store, self.context.reference
        a_id, b_id = self.ids["a"], self.ids["b"]

        def read() -> Comparison:
            with store.session() as session:
                return compare(session, a_id, b_id, ref, store.user)

        self.context.runner.submit(read, self._on_loaded, self._on_load_failed)

    def _on_load_failed(self, exc: Exception) -> None:
        self.loading_label.hide()
        self._show_error(self._error_text(exc, self.tr("Impossible de lire les deux fiches")))
        self.loaded.emit()

    def _on_loaded(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.loading_label.hide()
        people = {"a": comparison.a, "b": comparison.b}
        grid = self.grid
        row = 0
        for column in range(1, len(SIDES) + 1):
            header = QLabel(self.tr("Fiche %1").replace("%1", str(column)))
            header.setStyleSheet(HEADER_STYLE)
            grid.addWidget(header, row, column)
        row += 1
        keep_group = QButtonGroup(self)
        self._label(row, self.tr("Fiche à conserver"), bold=True)
        for column, side in enumerate(SIDES, start=1):
            radio = QRadioButton(people[side].name)
            radio.setStyleSheet("font-weight: 600;")
            keep_group.addButton(radio)
            self.keep_radios[side] = radio
            grid.addWidget(radio, row, column)
        self.keep_radios["a"].setChecked(True)
        keep_group.buttonToggled.connect(lambda *_: self._on_keep_changed())
        row += 1
        for label, text in (
            (self.tr("Enregistrée par"), lambda p: p.registered),
            (self.tr("Visites"), self._visits_text),
            (self.tr("Suivis"), lambda p: str(p.follow_ups)),
            (self.tr("Liens familiaux"), lambda p: str(p.links)),
        ):
            self._label(row, label)
            for column, side in enumerate(SIDES, start=1):
                cell = QLabel(text(people[side]))
                cell.setWordWrap(True)
                cell.setToolTip(self.tr("Poste : %1").replace("%1", people[side].device))
                grid.addWidget(cell, row, column)
            row += 1
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        grid.addWidget(line, row, 0, 1, 3)
        row += 1
        for compared in comparison.rows:
            self._label(row, compared.label, bold=compared.differ)
            values = {"a": compared.value_a, "b": compared.value_b}
            if not compared.differ:
                for column, side in enumerate(SIDES, start=1):
                    grid.addWidget(QLabel(values[side]), row, column)
            else:
                group = QButtonGroup(self)
                radios = {}
                for column, side in enumerate(SIDES, start=1):
                    radio = QRadioButton(values[side])
                    radio.setStyleSheet(DIFFER_STYLE)
                    group.addButton(radio)
                    radios[side] = radio
                    grid.addWidget(radio, row, column)
                radios["a"].setChecked(True)
                field = compared.field
                radios["a"].clicked.connect(lambda *_, f=field: self._touched.add(f))
                radios["b"].clicked.connect(lambda *_, f=field: self._touched.add(f))
                self.value_radios[field] = radios
            row += 1
        grid.setRowStretch(row, 1)
        self.merge_button.setEnabled(True)
        self.merge_button.setDefault(True)
        self.distinct_button.setEnabled(True)
        self.loaded.emit()

    def _label(self, row: int, text: str, *, bold: bool = False) -> None:
        label = QLabel(text)
        if bold:
            label.setStyleSheet("font-weight: 600;")
        self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignVCenter)

    def _visits_text(self, person: PersonSummary) -> str:
        if person.visits == 0:
            return self.tr("Aucune visite")
        if person.visits == 1:
            return self.tr("1 visite")
        return self.tr("%1 visites").replace("%1", str(person.visits))

    # -- choices -------------------------------------------------------------------------------

    def keep_side(self) -> str:
        return "b" if self.keep_radios.get("b") and self.keep_radios["b"].isChecked() else "a"

    def _on_keep_changed(self) -> None:
        """Values not chosen by hand follow the record kept."""
        side = self.keep_side()
        for field, radios in self.value_radios.items():
            if field not in self._touched:
                radios[side].setChecked(True)
        self._hide_confirmation()

    def choose(self, field: str, side: str) -> None:
        """Pick the value of ``side`` ("a" or "b") for ``field``, as a click would."""
        self.value_radios[field][side].click()

    def choices(self) -> dict[str, str]:
        """Per differing field, "keep" or "other", relative to the record kept."""
        keep = self.keep_side()
        return {
            field: KEEP if radios[keep].isChecked() else OTHER
            for field, radios in self.value_radios.items()
        }

    # -- merging -------------------------------------------------------------------------------

    def _show_confirmation(self) -> None:
        if self.comparison is None:
            return
        keep = self.keep_side()
        people = {"a": self.comparison.a, "b": self.comparison.b}
        kept, other = people[keep], people["b" if keep == "a" else "a"]
        # The person as she will be written once merged, not by a name about to be replaced.
        kept_name = escape(merged_name(kept, other, self.choices()))
        other_name = escape(other.name)
        total = kept.visits + other.visits
        visits = (
            self.tr("Aucune visite n'est enregistrée sur ces fiches.")
            if total == 0
            else self.tr(
                "Toutes les visites sont conservées (%1 en tout) et apparaîtront dans le "
                "dossier %2 ; aucune consultation n'est modifiée."
            )
            .replace("%1", str(total))
            .replace("%2", de_name(kept_name))
        )
        self.confirm_label.setText(
            "<b>"
            + self.tr("Fusionner la fiche %1 dans celle %2 ?")
            .replace("%1", de_name(other_name))
            .replace("%2", de_name(kept_name))
            + "</b><br>"
            + visits
            + "<br>"
            + self.tr(
                "Les liens familiaux sont reportés sur la fiche conservée. La fiche %1 ne "
                "sera plus proposée dans la recherche ; l'ouvrir mènera au dossier %2. Le "
                "changement est envoyé à tous les postes à la prochaine synchronisation."
            )
            .replace("%1", de_name(other_name))
            .replace("%2", de_name(kept_name))
        )
        self.error_label.hide()
        self.confirm_box.show()
        self.merge_button.setEnabled(False)
        self.confirm_button.setFocus()

    def _hide_confirmation(self) -> None:
        self.confirm_box.hide()
        self.merge_button.setEnabled(self.comparison is not None)

    def _on_confirm(self) -> None:
        keep = self.keep_side()
        keep_id, merged_id = self.ids[keep], self.ids["b" if keep == "a" else "a"]
        choices = self.choices()
        store = self.context.store
        self.confirm_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.context.runner.submit(
            lambda: merge_people(store, keep_id, merged_id, choices),
            self._on_merged,
            self._on_merge_failed,
        )

    def _on_merged(self, result: MergeResult) -> None:
        self.result = result
        self.merged.emit(result.kept_id)
        self.accept()

    def _on_merge_failed(self, exc: Exception) -> None:
        self.confirm_button.setEnabled(True)
        self.back_button.setEnabled(True)
        self._hide_confirmation()
        self._show_error(self._error_text(exc, self.tr("La fusion n'a pas été faite")))

    # -- two people after all -------------------------------------------------------------------

    def _on_distinct(self) -> None:
        if self.comparison is None:
            return
        if not confirm_distinct(self, self.comparison.a.label, self.comparison.b.label):
            return
        self._hide_confirmation()
        self.distinct_button.setEnabled(False)
        self.merge_button.setEnabled(False)
        dismiss_in_background(
            self.context, self.ids["a"], self.ids["b"], self._on_dismissed, self._on_dismiss_failed
        )

    def _on_dismissed(self) -> None:
        self.distinct.emit(self.ids["a"], self.ids["b"])
        self.accept()

    def _on_dismiss_failed(self, exc: Exception) -> None:
        self.distinct_button.setEnabled(True)
        self.merge_button.setEnabled(self.comparison is not None)
        self._show_error(self._error_text(exc, self.tr("Les fiches n'ont pas été séparées")))

    def _error_text(self, exc: Exception, prefix: str) -> str:
        if isinstance(exc, ValueError | PermissionError | LookupError):
            return f"{prefix} : {exc}"
        return f"{prefix} ({failure_reason(exc)})."

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
