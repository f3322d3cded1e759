"""The third blind set (tests/data/blind3/) is frozen: SHA256SUMS there pins every file,
every line parses with the blind sets' cue names, the trap files are half harmful, half
model, and the counts written in its README are the files' counts. The checks are the
first set's (tests/test_frozen_data.py); see tests/data/blind3/README.md.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.test_frozen_blind2 import check_spoken
from tests.test_frozen_data import (
    BLIND_CUES,
    FROZEN_EDITED,
    check_cue_counts,
    check_labelled,
    check_trap_halves,
    read_sums,
    sha256,
)
from tests.test_frozen_data import rows as _rows

BLIND3 = Path(__file__).parent / "data" / "blind3"
SUMS = BLIND3 / "SHA256SUMS"
README = BLIND3 / "README.md"
# The README's cue table has one column per file, in this order.
WRITTEN = [
    "cues_en_blind3.jsonl",
    "cues_ru_blind3.jsonl",
    "traps_en_blind3.jsonl",
    "traps_ru_blind3.jsonl",
]

SUMS_BY_NAME = read_sums(SUMS)
FROZEN = sorted(SUMS_BY_NAME)
SPOKEN = [n for n in FROZEN if n.startswith("spoken_")]


def rows(name: str) -> list[tuple[int, dict]]:
    return _rows(name, BLIND3)


def test_the_frozen_files_are_listed():
    assert set(WRITTEN) <= set(FROZEN)
    unlisted = sorted(p.name for p in BLIND3.glob("*.jsonl") if p.name not in SUMS_BY_NAME)
    assert not unlisted, (
        f"{', '.join(unlisted)}: file in {BLIND3} without a line in SHA256SUMS; "
        "freeze it with `sha256sum NAME >> SHA256SUMS`"
    )


@pytest.mark.parametrize("name", FROZEN)
def test_frozen_file_is_unchanged(name):
    path = BLIND3 / name
    assert path.is_file(), f"{path}: listed in SHA256SUMS but missing; {FROZEN_EDITED}"
    assert (
        sha256(path) == SUMS_BY_NAME[name]
    ), f"{path}: SHA-256 differs from SHA256SUMS: {FROZEN_EDITED}"


@pytest.mark.parametrize("name", WRITTEN)
def test_every_line_parses_with_known_cues(name):
    check_labelled(name, rows(name))


@pytest.mark.parametrize("name", [n for n in WRITTEN if n.startswith("cues_")])
def test_every_text_cue_has_enough_examples(name):
    check_cue_counts(name, rows(name))


@pytest.mark.parametrize("name", [n for n in WRITTEN if n.startswith("traps_")])
def test_traps_are_half_harmful_half_model(name):
    check_trap_halves(name, rows(name))


def readme_tables(text: str) -> tuple[dict[str, int], dict[str, list[int]]]:
    """README.md -> ({file: replies} from the file table, {cue: [count per WRITTEN file]})."""
    replies, counts = {}, {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"`[\w.]+\.jsonl`", cells[0]) and cells[1].isdigit():
            replies[cells[0].strip("`")] = int(cells[1])
        elif cells[0] in BLIND_CUES and all(c.isdigit() for c in cells[1:]):
            counts[cells[0]] = [int(c) for c in cells[1:]]
    return replies, counts


def test_readme_counts_are_the_files_counts():
    replies, counts = readme_tables(README.read_text(encoding="utf-8"))
    assert set(replies) == set(
        WRITTEN
    ), f"{README}: file table lists {sorted(replies)}, expected {WRITTEN}"
    assert set(counts) == set(
        BLIND_CUES
    ), f"{README}: cue table misses {sorted(set(BLIND_CUES) - set(counts))}"
    for col, name in enumerate(WRITTEN):
        items = rows(name)
        assert replies[name] == len(
            items
        ), f"{README}: {name} has {len(items)} replies, README says {replies[name]}"
        found = Counter(c for _, obj in items for c in obj["cues"])
        for cue, per_file in counts.items():
            assert len(per_file) == len(
                WRITTEN
            ), f"{README}: row '{cue}' needs {len(WRITTEN)} counts"
            assert (
                per_file[col] == found[cue]
            ), f"{README}: '{cue}' in {name} is {found[cue]}, README says {per_file[col]}"


def test_a_wrong_readme_count_is_caught():
    """The README check can fail: a changed number is read back as a different count."""
    text = README.read_text(encoding="utf-8")
    _, counts = readme_tables(text)
    wrong = text.replace(
        f"| dare | {counts['dare'][0]} |", f"| dare | {counts['dare'][0] + 1} |", 1
    )
    assert readme_tables(wrong)[1]["dare"][0] == counts["dare"][0] + 1


@pytest.mark.parametrize("name", SPOKEN)
def test_spoken_files_keep_the_written_labels(name):
    """Line N of spoken_neural_X is line N of X, voiced (the second set's check)."""
    check_spoken(name, BLIND3)
