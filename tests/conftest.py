"""Shared fixtures. Tests never touch the user's data folder: VOICEDRILL_DATA is a
temporary folder for the whole run (scripts/test sets one; plain pytest gets one here)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

if not os.environ.get("VOICEDRILL_DATA"):
    os.environ["VOICEDRILL_DATA"] = tempfile.mkdtemp(prefix="voicedrill-test-")

from tests.fixtures_asr import JFK, JFK_TEXT  # noqa: F401  (the real speech clip, carried in tests/data)

pytest_plugins = ["tests.rig"]


@pytest.fixture(scope="session")
def jfk_path() -> Path:
    """The real speech clip (11 s). Missing is a failure, not a skip."""
    assert JFK.is_file(), f"{JFK} is missing: it is part of the checkout (git checkout tests/data/jfk.flac)"
    return JFK
