"""Errors that are the user's to fix: printed as one line, exit code 2, never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the input or the configuration; the message says what and what to do."""

    exit_code = 2
