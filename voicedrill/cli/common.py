"""Small pieces several commands share (no commands of its own)."""

from __future__ import annotations

import sys


def open_store(data_dir=None):
    """The session store in the data folder (``--data-dir``), its notes printed."""
    from .. import paths
    from ..store import Store

    store = Store(paths.data_dir(data_dir))
    print_notes(store)
    return store


def print_notes(store) -> None:
    """Print and clear what the store has to tell the user (an index rebuilt, a damaged turn)."""
    for note in store.notes:
        print(f"voicedrill: note: {note}", file=sys.stderr)
    store.notes.clear()
