"""A commune of the Drôme picked by name or postal code, with its town hall's contact.

Planning a stop means calling or writing to the town hall, so once a commune is chosen its
address, phone, e-mail and opening hours show right under the field.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from van_app.core.french import de_place
from van_app.core.reference import ReferenceData
from van_app.core.registration import commune_choice_text, resolve_commune
from van_app.ui.widgets.person_fields import CommuneEdit

TOWN_HALL_STYLE = (
    "QLabel#TownHall { background: #eef4fb; border: 1px solid #c6d8ee; border-radius: 4px; "
    "padding: 6px; color: #1f3a5f; }"
)


class CommunePickerWidget(QWidget):
    """The commune field and, once a commune is recognised, its town hall's details."""

    commune_changed = Signal(str)  # INSEE code, "" when nothing recognisable is typed

    def __init__(
        self, ref: ReferenceData, parent: QWidget | None = None, *, show_town_hall: bool = True
    ) -> None:
        super().__init__(parent)
        self.ref = ref
        self._insee = ""
        self._plain = ""
        self.edit = CommuneEdit(ref)
        self.town_hall_label = QLabel()
        self.town_hall_label.setObjectName("TownHall")
        self.town_hall_label.setStyleSheet(TOWN_HALL_STYLE)
        self.town_hall_label.setWordWrap(True)
        self.town_hall_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.town_hall_label.setFrameShape(QFrame.Shape.NoFrame)
        self.town_hall_label.hide()
        self._show_town_hall = show_town_hall
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.town_hall_label)
        self.edit.textChanged.connect(self._on_text_changed)

    # -- values --------------------------------------------------------------------------------

    def commune_insee(self) -> str:
        """The INSEE code of the commune typed; what was typed when it is not one commune,
        so the core can say why it refuses it.
        """
        return self._insee or self.edit.text().strip()

    def recognised(self) -> str:
        """The INSEE code of the commune typed, "" when none."""
        return self._insee

    def set_commune(self, insee: str | None) -> None:
        commune = self.ref.communes.get(insee or "")
        self.edit.setText(commune_choice_text(commune) if commune else "")

    def clear(self) -> None:
        self.edit.clear()

    def town_hall_text(self) -> str:
        """What the town hall box shows, as plain text (tests, accessibility)."""
        return self._plain if not self.town_hall_label.isHidden() else ""

    # -- reacting ------------------------------------------------------------------------------

    def _on_text_changed(self, text: str) -> None:
        insee = resolve_commune(self.ref, text) or ""
        if insee == self._insee:
            return
        self._insee = insee
        self._show(insee)
        self.commune_changed.emit(insee)

    def _show(self, insee: str) -> None:
        commune = self.ref.communes.get(insee)
        if commune is None or not self._show_town_hall:
            self.town_hall_label.hide()
            return
        lines = [self.tr("Mairie %1").replace("%1", de_place(commune.name))]
        if commune.town_hall_address:
            lines.append(commune.town_hall_address)
        contact = []
        if commune.town_hall_phone:
            contact.append(self.tr("Tél. %1").replace("%1", commune.town_hall_phone))
        if commune.town_hall_email:
            contact.append(self.tr("Courriel : %1").replace("%1", commune.town_hall_email))
        if contact:
            lines.append("  ·  ".join(contact))
        lines.append(self.tr("Horaires : %1").replace("%1", commune.opening_hours_text))
        self._plain = "\n".join(lines)
        rich = [f"<b>{html.escape(lines[0])}</b>", *(html.escape(line) for line in lines[1:])]
        self.town_hall_label.setText("<br>".join(rich).replace("\n", "<br>"))
        self.town_hall_label.show()
