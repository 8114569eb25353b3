"""The data shipped with both the van app and the sync server.

Reference lists, the wire schema, the WHO growth tables, fonts, icons and licence texts. A
package of its own so that a wheel and the frozen laptop bundle carry it, and both programs
read it through ``importlib.resources`` while neither imports the other.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def root() -> Path:
    """The folder of the shipped data on disk: the checkout, an installed wheel or the bundle."""
    folder = resources.files(__name__)
    if not isinstance(folder, Path):  # a zipped import: never how either program is shipped
        raise RuntimeError(f"Les ressources de {__name__} ne sont pas sur le disque : {folder}")
    return folder
