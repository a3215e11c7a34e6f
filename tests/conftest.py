"""Shared test helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require_system(path_or_command: str, reason: str) -> None:
    """Skip unless a system file/directory or command exists.

    With AKILI_REQUIRE_SYSTEM_DEPS=1 (set by .ci/run) a missing dependency fails
    the test instead, so CI never silently skips the system-level tests.
    """
    present = Path(path_or_command).exists() if os.sep in path_or_command else shutil.which(path_or_command)
    if present:
        return
    message = f"{reason}: {path_or_command} not found"
    if os.environ.get("AKILI_REQUIRE_SYSTEM_DEPS") == "1":
        pytest.fail(message + " (required because AKILI_REQUIRE_SYSTEM_DEPS=1)")
    pytest.skip(message)
