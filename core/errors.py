"""One small hierarchy of user-facing errors.

Every message says what was received, what was expected and what to do, so that a
user reading a traceback from a long job knows how to fix the input without reading
our code. Catch :class:`StrifeError` to handle all of them.
"""

from __future__ import annotations


class StrifeError(Exception):
    """Base class of every error strife raises on purpose."""


class ConfigError(StrifeError):
    """A YAML config, a command-line override or a head spec is invalid."""


class DataError(StrifeError):
    """A dataset file is missing, empty or malformed."""


class LabelError(DataError):
    """A label in the data is not in the label set of the head it feeds."""


class CheckpointError(StrifeError):
    """A checkpoint directory is missing files or holds an invalid config."""


class DependencyError(StrifeError):
    """An optional package that the requested feature needs is not installed."""


def at(path: object, line: int | None = None) -> str:
    """Format a location as ``file:line`` for error messages."""
    return f"{path}:{line}" if line is not None else str(path)
