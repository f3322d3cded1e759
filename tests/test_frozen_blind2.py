"""The second blind set (tests/data/blind2/) is frozen too: SHA256SUMS there pins every
file, every line parses with the blind sets' cue names, and each spoken file keeps the
labels of the written file it was voiced from, line by line. See tests/data/blind2/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_frozen_data import (
    FROZEN_EDITED,
    check_cue_counts,
    check_labelled,
    check_trap_halves,
    read_sums,
    sha256,
)
from tests.test_frozen_data import rows as _rows

DATA = Path(__file__).parent / "data"
BLIND2 = DATA / "blind2"
SUMS = BLIND2 / "SHA256SUMS"
WRITTEN = [
    "cues_en_blind2.jsonl",
    "cues_ru_blind2.jsonl",
    "traps_en_blind2.jsonl",
    "traps_ru_blind2.jsonl",
]
SPOKEN_KEYS = ("text", "voice")  # after the written file's keys


SUMS_BY_NAME = read_sums(SUMS)
FROZEN = sorted(SUMS_BY_NAME)
SPOKEN = [n for n in FROZEN if n.startswith("spoken_")]


def source_of(spoken: str, folder: Path = BLIND2) -> Path:
    """spoken_X.jsonl (or spoken_neural_X.jsonl, voiced by the neural voice) was voiced from
    X.jsonl in its own folder, else from the first set's blind/X.jsonl."""
    name = spoken.removeprefix("spoken_").removeprefix("neural_")
    return folder / name if (folder / name).is_file() else DATA / "blind" / name


def rows(path: Path) -> list[tuple[int, dict]]:
    return _rows(path.name, path.parent)


def test_the_frozen_files_are_listed():
    assert set(WRITTEN) <= set(FROZEN)
    unlisted = sorted(p.name for p in BLIND2.glob("*.jsonl") if p.name not in SUMS_BY_NAME)
    assert not unlisted, f"{', '.join(unlisted)}: file in {BLIND2} without a line in SHA256SUMS; freeze it with `sha256sum NAME >> SHA256SUMS`"


@pytest.mark.parametrize("name", FROZEN)
def test_frozen_file_is_unchanged(name):
    path = BLIND2 / name
    assert path.is_file(), f"{path}: listed in SHA256SUMS but missing; {FROZEN_EDITED}"
    assert (
        sha256(path) == SUMS_BY_NAME[name]
    ), f"{path}: SHA-256 differs from SHA256SUMS: {FROZEN_EDITED}"


@pytest.mark.parametrize("name", WRITTEN)
def test_every_written_line_parses_with_known_cues(name):
    check_labelled(name, rows(BLIND2 / name))


@pytest.mark.parametrize("name", [n for n in WRITTEN if n.startswith("cues_")])
def test_every_text_cue_has_enough_examples(name):
    check_cue_counts(name, rows(BLIND2 / name))


@pytest.mark.parametrize("name", [n for n in WRITTEN if n.startswith("traps_")])
def test_traps_are_half_harmful_half_model(name):
    check_trap_halves(name, rows(BLIND2 / name))


def test_spoken_files_keep_the_written_labels():
    """Line N of spoken_X is line N of X, voiced: same context, history, kind and cues;
    `text` is the written reply, `reply` what Whisper heard, `voice` who spoke it."""
    for name in SPOKEN:
        check_spoken(name)


def check_spoken(name: str, folder: Path = BLIND2) -> None:
    source = source_of(name, folder)
    assert source.is_file(), f"{name}: its written file {source} is missing"
    spoken, written = rows(folder / name), rows(source)
    assert len(spoken) == len(
        written
    ), f"{name}: {len(spoken)} lines, {source.name} has {len(written)}"
    for (n, s), (_, w) in zip(spoken, written, strict=True):
        where = f"{name}:{n}"
        assert list(s) == [
            *w,
            *SPOKEN_KEYS,
        ], f"{where}: keys {list(s)}, expected {[*w, *SPOKEN_KEYS]}"
        assert s["text"] == w["reply"], f"{where}: 'text' is not line {n} of {source.name}"
        assert {k: v for k, v in s.items() if k not in ("reply", *SPOKEN_KEYS)} == {
            k: v for k, v in w.items() if k != "reply"
        }, f"{where}: labels differ from {source.name}"
        assert isinstance(s["reply"], str), f"{where}: 'reply' (the transcript) must be text"
        neural = name.startswith("spoken_neural_")
        voices = ("piper",) if neural else ("gmw", "zle")  # spoken_neural_*: the neural voice
        assert (
            isinstance(s["voice"], str) and s["voice"].replace(":", "/").split("/")[0] in voices
        ), f"{where}: 'voice' must be one of {voices}"
