"""The reply's transcript as HTML, each cue's evidence highlighted and named.

A cue is placed on the words its time span covers (``Cue.start``/``end`` against the
word times); without times, by finding its evidence text among the words. A cue
that spans no word (an effective pause) becomes a pause chip at its place. A cue
that cannot be placed is listed after the transcript with its evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Sequence

from ..scoring.result import Cue
from ..types import Transcript
from .labels import Labels

_EPS = 0.02  # seconds of slack when matching cue spans to word times
_RANK = {"harmful": 3, "helpful": 2, "neutral": 1}
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class _Token:
    text: str
    start: float | None
    end: float | None


def _tokens(transcript: Transcript) -> list[_Token]:
    if transcript.words:
        return [_Token(w.text.strip(), w.start, w.end) for w in transcript.words if w.text.strip()]
    return [_Token(t, None, None) for t in transcript.text.split()]


def _norm(text: str) -> tuple[str, ...]:
    return tuple(m.group(0).lower().replace("ё", "е") for m in _WORD.finditer(text))


def place_cue(cue: Cue, tokens: Sequence[_Token]) -> tuple[str, int, int] | None:
    """Where ``cue`` sits: ("span", first, last) over tokens, ("gap", index, index) for a
    pause before token ``index``, or None when it cannot be placed."""
    timed = (
        cue.start is not None
        and cue.end is not None
        and bool(tokens)
        and tokens[0].start is not None
    )
    if _is_pause(cue):
        if timed and cue.end is not None:  # (timed says so; this tells the type checker)
            at = next(
                (
                    i
                    for i, t in enumerate(tokens)
                    if t.start is not None and t.start >= cue.end - _EPS
                ),
                len(tokens),
            )
            return ("gap", at, at)
        return ("gap", 0, 0) if not cue.start else None
    if timed:
        hits = [i for i, t in enumerate(tokens) if _covers(cue, t)]
        if hits:
            return ("span", hits[0], hits[-1])
    want = _norm(cue.evidence)
    if not want:
        return None
    normed = [_norm(t.text) for t in tokens]
    flat: list[tuple[str, int]] = [(w, i) for i, ws in enumerate(normed) for w in ws]
    words = [w for w, _ in flat]
    for k in range(len(words) - len(want) + 1):
        if tuple(words[k : k + len(want)]) == want:
            return ("span", flat[k][1], flat[k + len(want) - 1][1])
    return None


def _covers(cue: Cue, t: _Token) -> bool:
    """Does the cue's time span cover at least half of the word (or its instant)?"""
    if t.start is None or t.end is None or cue.start is None or cue.end is None:
        return False
    overlap = min(t.end, cue.end) - max(t.start, cue.start)
    return overlap >= 0.5 * max(t.end - t.start, 0.0) - _EPS and overlap > -_EPS


def _is_pause(cue: Cue) -> bool:
    return cue.name == "effective_pause" or cue.evidence.startswith("<")


def _pause_text(cue: Cue, labels: Labels) -> str:
    if cue.start is not None and cue.end is not None and cue.end > cue.start:
        return labels.text("turn.pause_chip", seconds=labels.num(cue.end - cue.start, 1))
    return cue.evidence.strip("<>")


def highlight(transcript: Transcript, cues: Sequence[Cue], labels: Labels) -> str:
    """``<p class="transcript">`` with ``<mark>`` per cue evidence and a named tag after it."""
    tokens = _tokens(transcript)
    covering: list[list[int]] = [[] for _ in tokens]
    ends: dict[int, list[int]] = {}
    gaps: dict[int, list[int]] = {}
    unplaced: list[int] = []
    for ci, cue in enumerate(cues):
        where = place_cue(cue, tokens)
        if where is None:
            unplaced.append(ci)
        elif where[0] == "gap":
            gaps.setdefault(where[1], []).append(ci)
        else:
            _, first, last = where
            for i in range(first, last + 1):
                covering[i].append(ci)
            ends.setdefault(last, []).append(ci)

    def tag(ci: int) -> str:
        cue = cues[ci]
        kind = cue.kind if cue.kind in _RANK else "neutral"
        name = escape(labels.cue_name(cue.name))
        return f'<span class="cue-tag k-{kind}" title="{escape(labels.kind(kind))}">{name}</span>'

    def gap(i: int) -> str:
        parts = []
        for ci in gaps.get(i, ()):
            cue = cues[ci]
            kind = cue.kind if cue.kind in _RANK else "helpful"
            parts.append(
                f'<span class="pause k-{kind}">{escape(_pause_text(cue, labels))}</span>{tag(ci)}'
            )
        return " ".join(parts)

    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i in gaps:
            out.append(gap(i))
        cover = tuple(sorted(covering[i]))
        j = i
        while (
            j + 1 < len(tokens)
            and tuple(sorted(covering[j + 1])) == cover
            and (j + 1) not in gaps
            and j not in ends
        ):
            j += 1
        text = " ".join(escape(t.text) for t in tokens[i : j + 1])
        if cover:
            kind = max((cues[c].kind for c in cover), key=lambda k: _RANK.get(k, 0))
            kind = kind if kind in _RANK else "neutral"
            names = ", ".join(labels.cue_name(cues[c].name) for c in cover)
            out.append(f'<mark class="cue k-{kind}" title="{escape(names)}">{text}</mark>')
        else:
            out.append(text)
        for ci in ends.get(j, ()):
            out.append(tag(ci))
        i = j + 1
    if len(tokens) in gaps:
        out.append(gap(len(tokens)))
    html = f'<p class="transcript">{" ".join(out)}</p>'
    if unplaced:
        items = "".join(f"<li>{tag(ci)} “{escape(cues[ci].evidence)}”</li>" for ci in unplaced)
        html += f'<ul class="unplaced">{items}</ul>'
    return html
