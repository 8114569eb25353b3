"""The anonymised statistics export for the Département: a period, a format, a file.

Everything is computed and written on the task runner; the dialog only collects the choices
and says, in French, where the file went and how many cells the statistical secret hid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from van_app.core.confidentiality import readable_classes
from van_app.core.reports.anonymised import (
    AnonymisedMeta,
    anonymised_tables,
    omitted_note,
    write_anonymised_csv,
    write_anonymised_xlsx,
)
from van_app.core.reports.statistical_secret import (
    PRIMARY_MARK,
    THRESHOLD,
    check_export_period,
    finished_periods,
    period_kind,
    period_label,
)
from van_app.ui.context import AppContext
from van_app.ui.dialogs.file_export import FileExportDialog, ask_save_path
from van_app.ui.widgets.social_parts import error_label
from van_app.ui.widgets.style import SUBTITLE_STYLE

FORMATS = {"xlsx": write_anonymised_xlsx, "zip": write_anonymised_csv}
YEARS_OFFERED = 6  # the periods listed go back to January, six years ago


def previous_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full calendar quarter before ``today``."""
    first_month = 3 * ((today.month - 1) // 3) + 1  # this quarter's first month
    this_quarter = dt.date(today.year, first_month, 1)
    end = this_quarter - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


@dataclass(frozen=True)
class ExportDone:
    path: Path
    suppressed: int
    tables: int
    empty: bool  # no consultation at all in the period


class AnonymisedExportDialog(FileExportDialog):
    """Choose a period and a format, then "Exporter…"; ``exported`` holds the last result."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        period: tuple[dt.date, dt.date] | None = None,
    ) -> None:
        """``period``: the dashboard's, offered first when it is a whole finished month,
        quarter or year (else the last finished one of its kind, or the last full quarter).
        Only such periods are offered: any other cut would let a hidden count be recovered
        by difference (docs/statistics.md)."""
        super().__init__(context, parent)
        self.exported: ExportDone | None = None
        self.setWindowTitle(self.tr("Statistiques anonymisées pour le Département"))

        title = QLabel(self.tr("Statistiques anonymisées pour le Département"))
        title.setStyleSheet(SUBTITLE_STYLE)
        explanation = QLabel(
            self.tr(
                "Des comptes par mois, commune et service, sans aucun nom, date de naissance, "
                "identifiant ni texte libre. Toute case de 1 à %1 personnes ou consultations est "
                "remplacée par « %2 », et une case voisine est masquée (« s ») quand un total "
                "permettrait de la retrouver. Seuls des mois, trimestres ou années entiers et "
                "terminés sont proposés : une autre découpe la ferait retrouver par différence. "
                "La feuille « Méthode » l'explique au lecteur."
            )
            .replace("%1", str(THRESHOLD - 1))
            .replace("%2", PRIMARY_MARK)
        )
        explanation.setWordWrap(True)

        wanted = period or previous_quarter(context.today())
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("Mois"), "month")
        self.kind_combo.addItem(self.tr("Trimestre"), "quarter")
        self.kind_combo.addItem(self.tr("Année"), "year")
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(period_kind(*wanted) or "quarter"))
        self.period_combo = QComboBox()
        self._fill_periods(wanted)
        self.kind_combo.currentIndexChanged.connect(lambda _index: self._fill_periods(None))
        self.period_combo.currentIndexChanged.connect(self._on_period_changed)
        period = QHBoxLayout()
        period.addWidget(self.kind_combo)
        period.addWidget(self.period_combo, 1)
        self.period_error = error_label()

        self.format_combo = QComboBox()
        self.format_combo.addItem(self.tr("Classeur Excel (.xlsx)"), "xlsx")
        self.format_combo.addItem(self.tr("Fichiers CSV dans une archive (.zip)"), "zip")

        form = QFormLayout()
        form.addRow(self.tr("Période :"), period)
        form.addRow("", self.period_error)
        form.addRow(self.tr("Format :"), self.format_combo)

        not_included = omitted_note(readable_classes(context.store.user.roles))
        self.role_label = QLabel(not_included)
        self.role_label.setWordWrap(True)
        self.role_label.setStyleSheet("color: #5a6472;")
        self.role_label.setVisible(bool(not_included))

        self.export_button = QPushButton(self.tr("Exporter…"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_file)
        self._on_period_changed()

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.role_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(self._buttons(self.export_button))
        self.resize(640, self.sizeHint().height())

    # -- choices ---------------------------------------------------------------------------

    def _fill_periods(self, wanted: tuple[dt.date, dt.date] | None) -> None:
        """The finished periods of the chosen kind, newest first; ``wanted`` selected if
        offered, else the newest."""
        today = self.context.today()
        first = dt.date(today.year - YEARS_OFFERED, 1, 1)
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for start, end in finished_periods(self.kind_combo.currentData(), first, today):
            label = period_label(start, end)
            self.period_combo.addItem(label[:1].upper() + label[1:], (start, end))
        offered = [self.period_combo.itemData(i) for i in range(self.period_combo.count())]
        index = offered.index(wanted) if wanted in offered else 0
        self.period_combo.setCurrentIndex(index if offered else -1)
        self.period_combo.blockSignals(False)
        self._on_period_changed()

    def period(self) -> tuple[dt.date, dt.date]:
        chosen = self.period_combo.currentData()
        return chosen if chosen else previous_quarter(self.context.today())

    def _period_error(self) -> str:
        if self.period_combo.currentData() is None:
            return self.tr("Aucune période terminée à exporter.")
        return ""

    def _on_period_changed(self) -> None:
        if not hasattr(self, "export_button"):
            return  # still building the dialog
        error = self._period_error()
        self.period_error.setText(error)
        self.period_error.setVisible(bool(error))
        self.export_button.setEnabled(not error and not self._busy)

    def default_name(self) -> str:
        start, end = self.period()
        extension = self.format_combo.currentData()
        return f"statistiques_anonymisees_{start:%Y-%m}_{end:%Y-%m}.{extension}"

    # -- exporting -------------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ask where to save (the machine's own dialog), then export there in the background."""
        if self._busy or self._period_error():
            return
        extension = self.format_combo.currentData()
        filters = {
            "xlsx": self.tr("Classeur Excel (*.xlsx)"),
            "zip": self.tr("Archive de fichiers CSV (*.zip)"),
        }
        path = ask_save_path(
            self,
            self.tr("Enregistrer les statistiques"),
            self.default_name(),
            filters[extension],
            extension,
        )
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        store, ref, today = self.context.store, self.context.reference, self.context.today()
        start, end = self.period()
        write = FORMATS[self.format_combo.currentData()]
        classes = readable_classes(store.user.roles)

        def work() -> ExportDone:
            check_export_period(start, end, today)  # whole and finished, or a French error
            with store.session() as session:
                tables = anonymised_tables(session, start, end, ref, classes)
            meta = AnonymisedMeta(start, end, today, store.user.cms_code, classes)
            write(path, tables, meta)
            empty = not any(t.rows for t in tables if t.key == "frequentation")
            return ExportDone(path, sum(t.suppressed for t in tables), len(tables), empty)

        self._export_in_background(work)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.export_button.setEnabled(not busy and not self._period_error())
        self.export_button.setText(self.tr("Export en cours…") if busy else self.tr("Exporter…"))

    def _record_export(self, done: ExportDone) -> str:
        self.exported = done
        cells = (
            self.tr("aucune consultation sur la période")
            if done.empty
            else self.tr("aucune case masquée")
            if done.suppressed == 0
            else self.tr("1 case masquée par le secret statistique")
            if done.suppressed == 1
            else self.tr("%1 cases masquées par le secret statistique").replace(
                "%1", str(done.suppressed)
            )
        )
        return (
            self.tr("Statistiques enregistrées dans %1 (%2 tableaux, %3).")
            .replace("%1", str(done.path))
            .replace("%2", str(done.tables))
            .replace("%3", cells)
        )
