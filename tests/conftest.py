"""Shared fixtures. Tests never touch the user's data folder: VOICEDRILL_DATA is a
temporary folder for the whole run (scripts/test sets one; plain pytest gets one here)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

if not os.environ.get("VOICEDRILL_DATA"):
    os.environ["VOICEDRILL_DATA"] = tempfile.mkdtemp(prefix="voicedrill-test-")

REPO = Path(__file__).resolve().parent.parent
JFK = REPO.parent / "shared" / "data" / "jfk.flac"
JFK_TEXT = "And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country."

pytest_plugins = ["tests.rig"]


@pytest.fixture(scope="session")
def jfk_path() -> Path:
    """The real speech clip (11 s). Missing is a failure, not a skip."""
    assert JFK.is_file(), f"{JFK} is missing: the tests need ../shared/data/jfk.flac beside the checkout"
    return JFK
