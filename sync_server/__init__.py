"""Drôme Proximité sync server: accounts, devices, sync, review and reports for a CMS."""

__version__ = "0.1.0"
PROTOCOL_VERSION = 2
