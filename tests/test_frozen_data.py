"""Frozen evaluation data: the blind labelled sets in tests/data/blind/ never change.

They measure how well the cue detector generalises, so they are written once, without
reading the detector's rules, and frozen: tests/data/blind/SHA256SUMS pins every file.
New labelled data goes into a new file with its own line in SHA256SUMS; the rules are
never tuned in the same commit as labels. See tests/data/blind/README.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from voicedrill.scoring import names

BLIND = Path(__file__).parent / "data" / "blind"
SUMS = BLIND / "SHA256SUMS"

# The text cues these files may use, with their kinds, written out here on purpose:
# the inventory in voicedrill/scoring/names.py grows with issue 10 (seven new names),
# and a frozen file must stay checkable against the names it was labelled with.
BLIND_CUES = {
    "emotional_label": "helpful",
    "paraphrase": "helpful",
    "mirror": "helpful",
    "minimal_encourager": "helpful",
    "open_question": "helpful",
    "i_message": "helpful",
    "summary": "helpful",
    "suicide_question": "helpful",
    "deferring": "helpful",
    "closed_question": "neutral",
    "why_question": "harmful",
    "calm_down": "harmful",
    "promise": "harmful",
    "arguing": "harmful",
    "minimizing": "harmful",
    "threat": "harmful",
    "commanding": "harmful",
    "dare": "harmful",
    "conceding": "harmful",
    "hollow_empathy": "harmful",
    "blaming": "harmful",
    "insult": "harmful",
}
LABELLED_KEYS = ("ctx", "reply", "cues")  # required, in this order
TRAP_KEYS = ("ctx", "reply", "kind", "cues")
OPTIONAL_KEYS = ("history",)
CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
FROZEN_EDITED = "frozen evaluation data was edited; add new data in a new file instead"


def read_sums(sums_file: Path = SUMS) -> dict[str, str]:
    """SHA256SUMS (``sha256sum`` format: hash, two spaces, file name) -> {name: hash}."""
    sums = {}
    for n, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"([0-9a-f]{64}) [ *]([^/\s]+)", line)
        assert m, f"{sums_file}:{n}: expected '<sha256>  <file name>', got {line!r}"
        assert m.group(2) not in sums, f"{sums_file}:{n}: {m.group(2)} is listed twice"
        sums[m.group(2)] = m.group(1)
    return sums


SUMS_BY_NAME = read_sums()
FROZEN = sorted(SUMS_BY_NAME)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(name: str, folder: Path = BLIND) -> list[tuple[int, dict]]:
    out = []
    for n, raw in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), start=1):
        assert raw.strip(), f"{name}:{n}: empty line"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            pytest.fail(f"{name}:{n}: not valid JSON ({e.msg})")
        assert isinstance(obj, dict), f"{name}:{n}: expected a JSON object"
        out.append((n, obj))
    return out


def test_the_frozen_files_are_listed():
    assert {"cues_en_blind.jsonl", "cues_ru_blind.jsonl", "traps_en.jsonl", "traps_ru.jsonl"} <= set(FROZEN)
    unlisted = sorted(p.name for p in BLIND.glob("*.jsonl") if p.name not in SUMS_BY_NAME)
    assert not unlisted, f"{', '.join(unlisted)}: labelled file in {BLIND} without a line in SHA256SUMS; freeze it with `sha256sum NAME >> SHA256SUMS`"


@pytest.mark.parametrize("name", FROZEN)
def test_frozen_file_is_unchanged(name):
    path = BLIND / name
    assert path.is_file(), f"{path}: listed in SHA256SUMS but missing; {FROZEN_EDITED}"
    assert sha256(path) == SUMS_BY_NAME[name], f"{path}: SHA-256 differs from SHA256SUMS: {FROZEN_EDITED}"


def test_an_edit_is_caught(tmp_path):
    """The check can fail: one changed character gives another hash."""
    name = FROZEN[0]
    copy = tmp_path / name
    data = (BLIND / name).read_bytes()
    copy.write_bytes(data.replace(b'"cues": [', b'"cues":  [', 1))
    assert sha256(copy) != SUMS_BY_NAME[name]


def test_blind_cue_list_agrees_with_the_inventory():
    # Every text cue the project knows is one these files may use, with the same kind;
    # the new names of issue 10 may not be in names.py yet (added on another branch).
    for cue in names.TEXT_CUES:
        assert cue in BLIND_CUES, f"'{cue}' is a text cue in names.py but unknown to the blind sets"
        assert names.cue_kind(cue) == BLIND_CUES[cue], f"'{cue}': kind differs from names.py"
    assert not set(BLIND_CUES) & set(names.AUDIO_CUES)


@pytest.mark.parametrize("name", FROZEN)
def test_every_line_parses_with_known_cues(name):
    check_labelled(name, rows(name))


def check_labelled(name: str, items: list[tuple[int, dict]]) -> None:
    """Every line of a written blind file: its keys, language, known cues and cue rules."""
    trap = name.startswith("traps_")
    required = TRAP_KEYS if trap else LABELLED_KEYS
    russian = "_ru" in name
    assert len(items) >= 50, f"{name}: only {len(items)} replies"
    for n, obj in items:
        where = f"{name}:{n}"
        keys = [k for k in obj if k not in OPTIONAL_KEYS]
        assert keys == list(required), f"{where}: keys {keys}, expected {list(required)} (+ optional history)"
        assert isinstance(obj["ctx"], str) and obj["ctx"].strip(), f"{where}: 'ctx' must be non-empty text"
        assert isinstance(obj["reply"], str) and obj["reply"].strip(), f"{where}: 'reply' must be non-empty text"
        assert bool(CYRILLIC.search(obj["reply"])) == russian, f"{where}: reply in the wrong language for {name}"
        hist = obj.get("history", [])
        assert isinstance(hist, list) and all(isinstance(h, str) and h.strip() for h in hist), f"{where}: 'history' must be a list of lines"
        cues = obj["cues"]
        assert isinstance(cues, list) and len(set(cues)) == len(cues), f"{where}: 'cues' must be a list without repeats"
        unknown = [c for c in cues if c not in BLIND_CUES]
        assert not unknown, f"{where}: unknown cue {unknown[0]!r}; choose from: {', '.join(BLIND_CUES)}"
        assert "suicide_question" not in cues or "closed_question" not in cues, f"{where}: a direct suicide question is not also a closed question"
        if "summary" in cues:
            assert len(hist) >= 2, f"{where}: a summary needs at least two earlier lines in 'history'"
        if trap:
            kinds = {BLIND_CUES[c] for c in cues}
            if obj["kind"] == "harmful":
                assert "harmful" in kinds, f"{where}: a harmful trap reply needs a harmful cue"
            else:
                assert obj["kind"] == "model", f"{where}: kind must be 'harmful' or 'model'"
                assert "helpful" in kinds and "harmful" not in kinds, f"{where}: a model answer needs a helpful cue and no harmful one"


@pytest.mark.parametrize("name", [n for n in FROZEN if not n.startswith("traps_")])
def test_every_text_cue_has_enough_examples(name):
    check_cue_counts(name, rows(name))


@pytest.mark.parametrize("name", [n for n in FROZEN if n.startswith("traps_")])
def test_traps_are_half_harmful_half_model(name):
    check_trap_halves(name, rows(name))


def check_cue_counts(name: str, items: list[tuple[int, dict]]) -> None:
    """At least 8 positives of every cue, and some replies without any cue."""
    counts = {c: 0 for c in BLIND_CUES}
    for _, obj in items:
        for c in obj["cues"]:
            counts[c] += 1
    thin = {c: k for c, k in counts.items() if k < 8}
    assert not thin, f"{name}: fewer than 8 positives for {thin}"
    assert sum(not obj["cues"] for _, obj in items) >= len(items) // 20, f"{name}: too few replies without any cue"


def check_trap_halves(name: str, items: list[tuple[int, dict]]) -> None:
    kinds = [obj["kind"] for _, obj in items]
    assert kinds.count("harmful") == kinds.count("model"), f"{name}: {kinds.count('harmful')} harmful vs {kinds.count('model')} model"
