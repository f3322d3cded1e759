"""The instructor's corrections of the scorer, kept apart from the scores.

One file per drill, ``sessions/<id>/annotations.json``, next to (never inside) the turn
files the scorer wrote: per turn, a verdict on each detected cue (agree / disagree),
the cues the scorer missed, and a comment for the trainee's debrief. Nothing here
touches ``turn.json`` or a re-scoring.

Corrections become an eval-cues file (``to_labelled``/``export_jsonl``: the format of
``scoring/evaluate.py``), so ``voicedrill eval-cues corrections.jsonl --script S``
measures a scoring script against the instructor's own judgement; ``agreement`` gives
the scorer's per-cue precision and recall against those corrections.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .errors import ParameterError, StoreError
from .scoring.names import CUE_NAMES

FILE = "annotations.json"
SCHEMA = 1
MAX_COMMENT = 4000  # characters
VERDICTS = ("agree", "disagree")


@dataclass(frozen=True)
class TurnAnnotation:
    """The instructor's view of one turn (index as stored)."""

    index: int
    verdicts: tuple[tuple[str, str], ...] = ()  # (detected cue, "agree"|"disagree"), by cue
    added: tuple[str, ...] = ()  # cues the scorer missed
    comment: str = ""  # shown in the trainee's debrief
    updated: str = ""  # ISO 8601

    def verdict(self, cue: str) -> str | None:
        return dict(self.verdicts).get(cue)

    def to_dict(self) -> dict:
        return {
            "verdicts": dict(self.verdicts),
            "added": list(self.added),
            "comment": self.comment,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, index: int, data: Mapping) -> "TurnAnnotation":
        verdicts = data.get("verdicts") or {}
        return cls(
            index=int(index),
            verdicts=tuple(
                sorted(
                    (str(k), str(v))
                    for k, v in verdicts.items()
                    if v in VERDICTS and k in CUE_NAMES
                )
            ),
            added=tuple(sorted({str(c) for c in data.get("added") or () if c in CUE_NAMES})),
            comment=str(data.get("comment") or "")[:MAX_COMMENT],
            updated=str(data.get("updated") or ""),
        )


def load(session_path: str | Path) -> dict[int, TurnAnnotation]:
    """The annotations of the drill in ``session_path`` by turn index ({} when none)."""
    path = Path(session_path) / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise StoreError(
            f"{path}: the instructor's annotations cannot be read ({e}). Restore or delete the file."
        ) from e
    turns = data.get("turns") if isinstance(data, dict) else None
    if not isinstance(turns, dict):
        raise StoreError(
            f"{path}: no 'turns' object in the annotations file. Restore or delete the file."
        )
    return {
        int(k): TurnAnnotation.from_dict(int(k), v) for k, v in turns.items() if isinstance(v, dict)
    }


def annotate(
    session,
    index: int,
    *,
    verdicts: Mapping[str, str] | None = None,
    added: Iterable[str] = (),
    comment: str = "",
    durable: bool = True,
) -> TurnAnnotation:
    """Store the instructor's verdicts, missed cues and comment for turn ``index`` of a
    stored ``store.Session`` (replacing that turn's earlier annotation). Returns it."""
    from .store import _now_iso, _write_json_atomic

    turn = next((t for t in session.turns if t.index == int(index)), None)
    if turn is None:
        raise ParameterError(
            f"session {session.id} has no turn {index}; its turns are {[t.index for t in session.turns]}."
        )
    detected = set(turn.score.cue_names())
    verdicts = dict(verdicts or {})
    for cue, v in verdicts.items():
        if cue not in detected:
            raise ParameterError(
                f"turn {index}: '{cue}' was not detected; add it as a missed cue instead."
            )
        if v not in VERDICTS:
            raise ParameterError(
                f"turn {index}: verdict '{v}' for '{cue}' must be one of: {', '.join(VERDICTS)}."
            )
    added = tuple(sorted(set(added)))
    for cue in added:
        if cue not in CUE_NAMES:
            raise ParameterError(
                f"turn {index}: unknown cue '{cue}'; choose from: {', '.join(CUE_NAMES)}."
            )
        if cue in detected:
            raise ParameterError(
                f"turn {index}: '{cue}' was detected already; agree with it instead of adding it."
            )
    comment = str(comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ParameterError(
            f"turn {index}: the comment is {len(comment)} characters; keep it under {MAX_COMMENT}."
        )
    note = TurnAnnotation(int(index), tuple(sorted(verdicts.items())), added, comment, _now_iso())
    current = load(session.path)
    current[note.index] = note
    data = {
        "schema": SCHEMA,
        "session_id": session.id,
        "turns": {str(k): v.to_dict() for k, v in sorted(current.items())},
    }
    path = Path(session.path) / FILE
    try:
        _write_json_atomic(path, data, durable)
    except OSError as e:
        raise StoreError(
            f"{path}: cannot save the annotation ({e}). Check that the data folder is writable."
        ) from e
    return note


def comments(session) -> list[tuple[int, str]]:
    """(turn index, comment) of every commented turn, in turn order (for the debrief)."""
    return [(i, a.comment) for i, a in sorted(load(session.path).items()) if a.comment]


def corrected_cues(turn, note: TurnAnnotation) -> tuple[str, ...]:
    """The cues the instructor says the reply carries: detected ones not disagreed with
    (a detected cue without a verdict counts as agreed), plus the missed ones."""
    kept = [c for c in turn.score.cue_names() if note.verdict(c) != "disagree"]
    return tuple(sorted(set(kept) | set(note.added)))


def to_labelled(session, notes: Mapping[int, TurnAnnotation] | None = None) -> list[dict]:
    """eval-cues lines ({"ctx", "reply", "cues", "history", "language"}) for the annotated,
    non-silent turns of ``session``."""
    notes = load(session.path) if notes is None else notes
    out = []
    for position, turn in enumerate(session.turns):
        note = notes.get(turn.index)
        reply = turn.transcript.text.strip()
        if note is None or not reply:
            continue
        out.append(
            {
                "ctx": turn.line.text,
                "reply": reply,
                "cues": list(corrected_cues(turn, note)),
                "history": [t.line.text for t in session.turns[:position]],
                "language": session.meta.language,
            }
        )
    return out


def annotated_ids(store) -> list[str]:
    """Ids of the stored drills that have annotations, oldest first."""
    from .store import _valid_id

    return sorted(
        n
        for n in _listdir(store.sessions_dir)
        if _valid_id(n) and (store.sessions_dir / n / FILE).is_file()
    )


def export_jsonl(
    store, path: str | Path | None = None, *, ids: Iterable[str] | None = None
) -> tuple[str, int]:
    """Every correction as eval-cues JSONL text (written to ``path`` when given).
    Returns (text, number of lines)."""
    lines = []
    for sid in annotated_ids(store) if ids is None else ids:
        lines += [json.dumps(x, ensure_ascii=False) for x in to_labelled(store.load_session(sid))]
    text = "".join(line + "\n" for line in lines)
    if path is not None:
        from .store import _write_text_atomic

        try:
            _write_text_atomic(Path(path), text, True)
        except OSError as e:
            raise StoreError(
                f"{path}: cannot write the corrections ({e}). Choose a writable path."
            ) from e
    return text, len(lines)


@dataclass(frozen=True)
class CueAgreement:
    """How the scorer agrees with the instructor on one cue over the annotated turns."""

    name: str
    agreed: int  # detected, instructor agrees (true positives)
    disagreed: int  # detected, instructor disagrees (false positives)
    missed: int  # not detected, instructor added it (false negatives)

    @property
    def precision(self) -> float | None:
        n = self.agreed + self.disagreed
        return self.agreed / n if n else None

    @property
    def recall(self) -> float | None:
        n = self.agreed + self.missed
        return self.agreed / n if n else None


def agreement(
    store, ids: Iterable[str] | None = None, *, script=None
) -> tuple[tuple[CueAgreement, ...], int]:
    """Per-cue agreement of the scorer with the instructor, and the number of annotated turns.
    ``script`` (a loaded ScoringScript, e.g. the course's): measure the cues that script
    detects (stored, a stored re-scoring, or re-scored now, nothing written) against the
    instructor's corrected cues; None: the cues the drill was scored with."""
    counts = {c: [0, 0, 0] for c in CUE_NAMES}
    turns = 0
    for sid in annotated_ids(store) if ids is None else ids:
        session = store.load_session(sid)
        notes = load(session.path)
        detected = _detected(session, script) if notes else {}
        for turn in session.turns:
            note = notes.get(turn.index)
            if note is None:
                continue
            turns += 1
            truth = set(corrected_cues(turn, note))
            found = detected.get(turn.index, turn.score.cue_names())
            for c in found:
                counts.setdefault(c, [0, 0, 0])[0 if c in truth else 1] += 1
            for c in truth - set(found):
                counts.setdefault(c, [0, 0, 0])[2] += 1
    rows = tuple(CueAgreement(c, *n) for c, n in counts.items() if any(n))
    return rows, turns


_DETECTED: dict[
    tuple, dict[int, tuple[str, ...]]
] = {}  # (drill, turns, script hash) -> cues: page reloads
_DETECTED_MAX = 2000


def _detected(session, script) -> dict[int, tuple[str, ...]]:
    """Turn index -> the cues ``script`` detects in it ({} = the stored ones)."""
    if script is None or session.meta.script_hash == script.hash:
        return {}
    stored = {t.index: t.rescore(script.hash) for t in session.turns}
    if all(v is not None for v in stored.values()):
        return {i: v.cue_names() for i, v in stored.items()}
    key = (str(session.path), len(session.turns), script.hash)  # stored turns never change
    if key not in _DETECTED:
        from .rescore import rescore_turns

        if len(_DETECTED) >= _DETECTED_MAX:
            _DETECTED.clear()
        _DETECTED[key] = {
            t.index: s.cue_names()
            for t, s in zip(session.turns, rescore_turns(session, script), strict=False)
        }
    return _DETECTED[key]


def _listdir(path: Path) -> list[str]:
    import os

    try:
        return os.listdir(path)
    except OSError:
        return []
