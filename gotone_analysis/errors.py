"""Errors the suite reports to its users as messages (exit code 2), never as tracebacks."""

from __future__ import annotations


class GotoneError(Exception):
    """Base class: a problem in the user's input or parameters, with a readable message."""


class UsageError(GotoneError):
    """Bad command-line or notebook parameters."""


class DataError(GotoneError):
    """An input file breaks the data contract.

    ``problems`` holds every violation found (not only the first), each a mapping with
    ``file``, ``column``, ``rule``, ``count`` and ``rows`` (first offending row numbers,
    1-based as a spreadsheet shows them, header = row 1).
    """

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])
