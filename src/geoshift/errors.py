"""Domain errors. Everything a user can cause is a ``ValueError`` subclass with a message that names the
offending field or file, the value, and the fix; the CLI prints it on one line and exits with status 2."""

from __future__ import annotations


class GeoshiftError(Exception):
    """Base class of all geoshift errors."""


class DataError(GeoshiftError, ValueError):
    """A data source is missing, unreadable, malformed or inconsistent."""


class DataPackError(DataError):
    """A data pack (a pinned PyPI wheel carrying data) is missing and cannot be fetched."""


class ChecksumError(DataPackError):
    """A data pack's sha256 differs from the pinned value."""


class ConsistencyError(DataError):
    """A World fails an accounting identity in strict mode."""


class UnknownCountryError(GeoshiftError, ValueError):
    """A country code or name that the data does not know."""


class UnknownValueError(GeoshiftError, ValueError):
    """An option value outside the allowed set (year, group, sector, ...)."""


class InputError(GeoshiftError, ValueError):
    """An engine argument of the wrong shape, sign or value; the message names the argument."""


class ConvergenceError(GeoshiftError, RuntimeError):
    """A solver stopped before meeting its tolerance; ``result`` holds the raw result and its diagnostics."""

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class ScenarioError(GeoshiftError, ValueError):
    """A scenario file that cannot be read, validated or applied; the message names the file and field."""
