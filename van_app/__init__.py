"""Drôme Proximité van app: the offline-first desktop client of the mobile medico-social van."""

__version__ = "0.1.0"
