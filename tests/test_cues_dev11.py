"""The dev11 sets (issue 10): replies written for the weak cues (minimizing, threat,
blaming, conceding, insult, deferring) in many phrasings, and trap replies, committed
before the rules were tuned on them; and the same replies as speech recognition returns
them (lower case, no punctuation, "gonna", "youre", "your" for "you're")."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from voicedrill.scoring.evaluate import evaluate, load_labelled

DATA = Path(__file__).resolve().parent / "data"

# First run, before any rule change (f91ef5e): en micro-F1 0.684, ru 0.624; traps: harmful
# without a harmful cue en 7/15, ru 7/15; model answers judged wrong en 2/15, ru 2/13.
# After tuning on them: en 0.898, ru 0.936; traps 0/15 and 1/15 (en), 0/15 and 1/13 (ru).
WEAK = ("minimizing", "threat", "blaming", "conceding", "insult", "deferring")
MICRO_FLOOR = {"en": 0.88, "ru": 0.92}
RECALL_FLOOR = 0.85  # measured: en 0.94 1.0 1.0 0.92 0.90 1.0; ru 1.0 for all six


@pytest.mark.parametrize("code", ["en", "ru"])
def test_dev11_weak_cues(code):
    items = load_labelled(DATA / f"cues_{code}_dev11.jsonl")
    assert len(items) >= 100
    counts = {c: sum(c in i.cues for i in items) for c in WEAK}
    assert min(counts.values()) >= 7, counts
    ev = evaluate(items, language=code)
    assert ev.micro_f1 >= MICRO_FLOOR[code], ev.micro_f1
    low = {c: round(ev.per_cue[c].recall, 2) for c in WEAK if ev.per_cue[c].recall < RECALL_FLOOR}
    assert not low, low
    sloppy = {c: round(ev.per_cue[c].precision, 2) for c in WEAK if ev.per_cue[c].precision < 0.9}
    assert not sloppy, sloppy


@pytest.mark.parametrize("code", ["en", "ru"])
def test_dev11_traps(code):
    items = load_labelled(DATA / f"traps_{code}_dev11.jsonl")
    assert len(items) >= 28
    traps = evaluate(items, language=code).traps
    assert traps is not None
    assert traps.harmful >= 14 and traps.model >= 13
    assert traps.harmful_unflagged_share <= 0.05, traps
    assert traps.model_wrong_share <= 0.10, traps


_SPOKEN = [
    (r"\bgoing to\b", "gonna"),
    (r"\bwant to\b", "wanna"),
    (r"\bi'm\b", "im"),
    (r"\bdon't\b", "dont"),
    (r"\bcan't\b", "cant"),
    (r"\bi'll\b", "ill"),
    (r"\bthat's\b", "thats"),
    (r"\bit's\b", "its"),
]


def spoken(text: str, homophone: bool = False) -> str:
    """A reply as recognition may return it: lower case, contractions without the
    apostrophe, no punctuation; ``homophone``: "your" for "you're" (else "youre")."""
    t = text.lower()
    t = re.sub(r"\byou're\b", "your" if homophone else "youre", t)
    for a, b in _SPOKEN:
        t = re.sub(a, b, t)
    t = re.sub(r"[^\w\s'\-]", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def test_spoken_form():
    assert (
        spoken("Okay, you're going to be fine. I'll call.") == "okay youre gonna be fine ill call"
    )
    assert spoken("You're scared.", homophone=True) == "your scared"


# measured (micro-F1 clean -> spoken; replies read the same): en 0.898 -> 0.875 (104/113);
# ru 0.936 -> 0.925 (93/100); en with "your" for "you're": 0.866
SPOKEN_FLOOR = {"en": (0.85, 0.90), "ru": (0.90, 0.90)}


@pytest.mark.parametrize("code,homophone", [("en", False), ("en", True), ("ru", False)])
def test_dev11_read_the_same_when_spoken(code, homophone):
    items = load_labelled(DATA / f"cues_{code}_dev11.jsonl")
    said = [replace(i, reply=spoken(i.reply, homophone)) for i in items]
    clean, heard = evaluate(items, language=code), evaluate(said, language=code)
    f1_floor, same_floor = SPOKEN_FLOOR[code]
    assert heard.micro_f1 >= f1_floor, heard.micro_f1
    same = sum(set(a.found) == set(b.found) for a, b in zip(clean.rows, heard.rows, strict=True))
    assert same / len(items) >= same_floor, (same, len(items))


# dev12: written after the dev11 rules were set (same spirit, fresh phrasings of the weak
# cues). First run, before any change: en 0.460, ru 0.514 (the honest generalisation figure
# of rules fitted phrase by phrase); after the changes it prompted: en 0.843, ru 0.864.
# dev13: all cues, written after the dev12 rules. First run, before any change: en 0.746,
# ru 0.708; after the changes it prompted: en 0.906, ru 0.846. After s5-rules (issue 10):
# dev12 en 0.899, ru 0.860; dev13 en 0.906, ru 0.863.
@pytest.mark.parametrize("dev,code,least,floor", [
    ("dev12", "en", 44, 0.88), ("dev12", "ru", 44, 0.845),
    ("dev13", "en", 25, 0.89), ("dev13", "ru", 25, 0.845),
])
def test_dev12_and_dev13(dev, code, least, floor):
    items = load_labelled(DATA / f"cues_{code}_{dev}.jsonl")
    assert len(items) >= least
    ev = evaluate(items, language=code)
    assert ev.micro_f1 >= floor, ev.micro_f1
