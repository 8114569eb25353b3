"""Keyboard first: the tab order, tables that Tab leaves, and the session's shortcuts.

A consultation is typed between two visitors: every detour of the focus costs a keystroke
and a glance. The screens call these helpers so that the focus starts on the first field,
Tab follows what the eye reads (rows added later included) and never wanders into a table's
cells, and the frequent actions have one shortcut each, listed by F1 (``SHORTCUTS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QWidget


def chain_tab_order(widgets: Iterable[QWidget | None]) -> None:
    """Tab goes from each widget to the next, in the order given (None skipped)."""
    chain = [w for w in widgets if w is not None]
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)


def tab_leaves(*views: QAbstractItemView) -> None:
    """Tab and Shift+Tab leave the table or list; the arrows move inside it."""
    for view in views:
        view.setTabKeyNavigation(False)


def focus_first(widget: QWidget | None) -> None:
    """Put the focus on the first field of a screen or dialog, as Tab would."""
    if widget is not None:
        widget.setFocus(Qt.FocusReason.TabFocusReason)


# -- the session's shortcuts -----------------------------------------------------------------


@dataclass(frozen=True)
class ShortcutEntry:
    """One line of the F1 list: the keys as a French keyboard names them, and what they do."""

    keys: str
    action: str


def _t(text: str) -> str:
    return QCoreApplication.translate("Shortcuts", text)


# Sync is F5 (QKeySequence.Refresh, "Actualiser") rather than Ctrl+Y, which is Redo in the
# text fields on Windows: in a field, Ctrl+Y would redo instead of synchronising.
# Key sequences are built when a shortcut is made: a standard key needs the application.
SAVE = QKeySequence.StandardKey.Save  # Ctrl+S
SIGN = "Ctrl+Return"
SIGN_KEYPAD = "Ctrl+Enter"
FIND = QKeySequence.StandardKey.Find  # Ctrl+F
NEW = QKeySequence.StandardKey.New  # Ctrl+N
SYNC = "F5"  # QKeySequence.Refresh on Windows and Linux alike
LOCK = "Ctrl+L"
HELP = "F1"  # QKeySequence.HelpContents
Keys = QKeySequence | QKeySequence.StandardKey | str


def shortcut_entries() -> list[ShortcutEntry]:
    """What F1 lists, in French, in the order they are used during a visit."""
    return [
        ShortcutEntry("Ctrl+F", _t("Rechercher une personne")),
        ShortcutEntry(
            "Ctrl+N",
            _t("Nouvelle personne (écran Personnes) ou nouvelle consultation (dossier)"),
        ),
        ShortcutEntry("Ctrl+S", _t("Enregistrer le brouillon")),
        ShortcutEntry(
            "Ctrl+Entrée", _t("Signer la consultation, ajouter le complément, clôturer le suivi")
        ),
        ShortcutEntry("Ctrl+1 … Ctrl+9", _t("Aller à l'écran de ce rang dans la navigation")),
        ShortcutEntry("F5", _t("Synchroniser avec le CMS")),
        ShortcutEntry("Ctrl+L", _t("Verrouiller le poste")),
        ShortcutEntry("Tab / Maj+Tab", _t("Champ suivant / précédent (Tab sort des tableaux)")),
        ShortcutEntry("Flèches", _t("Se déplacer dans une liste ou un tableau")),
        ShortcutEntry(
            _t("Lettres puis Entrée"),
            _t("Dans une liste à filtrer : cocher la première ligne affichée"),
        ),
        ShortcutEntry(_t("Espace"), _t("Cocher ou décocher la ligne affichée et choisie")),
        ShortcutEntry(_t("Entrée"), _t("Ouvrir la ligne choisie, l'écran choisi à gauche")),
        ShortcutEntry("F1", _t("Afficher ou fermer cette aide")),
        ShortcutEntry(_t("Échap"), _t("Fermer cette aide ou une fenêtre")),
    ]


def add_shortcut(
    owner: QWidget,
    keys: Keys | Sequence[Keys],
    action: Callable[[], object],
    context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
) -> list[QShortcut]:
    """Shortcuts owned by ``owner`` (active while it is visible in the active window)."""
    many = isinstance(keys, Sequence) and not isinstance(keys, str)
    sequences = list(keys) if many else [keys]  # type: ignore[arg-type]
    made = []
    for sequence in sequences:
        shortcut = QShortcut(QKeySequence(sequence), owner)
        shortcut.setContext(context)
        shortcut.activated.connect(action)
        made.append(shortcut)
    return made
