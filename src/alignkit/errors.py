"""User-facing errors.

Anything raised as :class:`UserError` is printed by the CLI as a one-paragraph message (no traceback) and
the process exits with code 2. Raise it for bad input: unknown config keys, wrong values, missing files or
models, malformed data. Put the fix in the message.
"""


class UserError(Exception):
    """Bad input from the user; the message says what is wrong and how to fix it."""


class ConfigError(UserError):
    """A recipe or override that does not fit the schema."""


class DataError(UserError):
    """A dataset that is missing, empty, or lacks a required column."""


class ModelError(UserError):
    """A model that cannot be found or loaded."""
