"""What every ``akili`` command shares: the exit statuses and the error type for
mistakes in the command line or its files."""

from __future__ import annotations

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C


class UserError(Exception):
    """A mistake in the command line or its files: reported as one line, no traceback."""
