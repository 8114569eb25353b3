"""Exports and reports built from the local database: no Qt here."""
