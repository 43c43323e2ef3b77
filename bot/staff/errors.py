"""The one error staff tools raise: a request staff must correct."""

from __future__ import annotations


class StaffError(ValueError):
    """A request staff must correct; the message says how (the CLI prints it and exits 1, the console shows
    it on the form)."""
