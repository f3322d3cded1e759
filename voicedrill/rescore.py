"""Re-scoring stored drills with another scoring script, without re-recording.

Every turn is scored again from its stored reply audio and transcript (no ASR), with the
context the drill had (the lines so far, the earlier replies) and the trainee's stored
baseline. The new scores are stored beside the old ones (``Store.save_rescoring``), and the
result says what changed per turn and per cue: how instructors tune a scoring script
against real drills.

The reply audio comes back from 16-bit FLAC, so measures from audio (loudness, pitch) can
differ from the live ones in the last decimals; a turn counts as changed when its cues
differ or its score moves by more than ``SCORE_TOLERANCE`` points.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .errors import VoicedrillError
from .scoring.result import TurnScore
from .store import Rescoring, Session, Store
from .types import TurnContext

if TYPE_CHECKING:
    from .scenario import Scenario
    from .scoring.script import ScoringScript

SCORE_TOLERANCE = 0.05  # points on the 0..100 turn score


@dataclass(frozen=True)
class TurnChange:
    """One turn's score before (as stored) and after re-scoring."""

    index: int
    node_id: str
    score_before: float
    score_after: float
    cues_before: tuple[str, ...]
    cues_after: tuple[str, ...]

    @property
    def delta(self) -> float:
        return self.score_after - self.score_before

    @property
    def gained(self) -> tuple[str, ...]:
        return tuple(c for c in self.cues_after if c not in self.cues_before)

    @property
    def lost(self) -> tuple[str, ...]:
        return tuple(c for c in self.cues_before if c not in self.cues_after)

    @property
    def changed(self) -> bool:
        return bool(self.gained or self.lost) or abs(self.delta) > SCORE_TOLERANCE

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "node_id": self.node_id,
            "score_before": self.score_before,
            "score_after": self.score_after,
            "delta": self.delta,
            "cues_before": list(self.cues_before),
            "cues_after": list(self.cues_after),
            "gained": list(self.gained),
            "lost": list(self.lost),
            "changed": self.changed,
        }


@dataclass(frozen=True)
class CueChange:
    """How one cue fared: in how many turns it was found before and after, and how the
    scores of the turns that showed it moved."""

    name: str
    turns_before: int
    turns_after: int
    gained_in: tuple[int, ...]  # turn indices where it is newly found
    lost_in: tuple[int, ...]  # turn indices where it is no longer found
    changed_turns: tuple[int, ...]  # turns showing it (before or after) whose score changed
    mean_delta: float | None  # mean score change over the turns that showed it (points)

    @property
    def changed(self) -> bool:
        return bool(self.gained_in or self.lost_in or self.changed_turns)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "turns_before": self.turns_before,
            "turns_after": self.turns_after,
            "gained_in": list(self.gained_in),
            "lost_in": list(self.lost_in),
            "changed_turns": list(self.changed_turns),
            "mean_delta": self.mean_delta,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class RescoreResult:
    """One session re-scored: per-turn and per-cue changes, and the stored rescoring record."""

    session_id: str
    trainee: str
    scenario: str
    script_hash: str
    script_path: str
    turns: tuple[TurnChange, ...]
    cues: tuple[CueChange, ...]  # every cue seen before or after, by name
    drill_score_before: float | None
    drill_score_after: float | None
    rescoring: Rescoring
    scores: tuple[TurnScore, ...]  # the new scores, in turn order

    @property
    def changed_turns(self) -> tuple[TurnChange, ...]:
        return tuple(t for t in self.turns if t.changed)

    def to_dict(self) -> dict:
        return {
            "session_id": self.session_id,
            "trainee": self.trainee,
            "scenario": self.scenario,
            "script_hash": self.script_hash,
            "script_path": self.script_path,
            "drill_score_before": self.drill_score_before,
            "drill_score_after": self.drill_score_after,
            "turns": [t.to_dict() for t in self.turns],
            "cues": [c.to_dict() for c in self.cues],
            "changed_turns": [t.index for t in self.changed_turns],
        }


def rescore_turns(session: Session, script: ScoringScript) -> tuple[TurnScore, ...]:
    """Score every stored turn of ``session`` again with ``script`` (pure: nothing is written).

    Each turn is scored with the context stored with it (what the scorer saw in the drill).
    Turns saved before the context was stored get it rebuilt: the lines and replies so far
    from the session, the name, gender and node moments from the library scenario.
    """
    from .audio import SAMPLE_RATE
    from .scoring import score_turn

    baseline = session.meta.profile
    scenario = None
    if any(t.context is None for t in session.turns):
        scenario = _scenario_of(session)  # loaded once, not once a turn
    scores = []
    for position, turn in enumerate(session.turns):
        reply = turn.reply
        if reply.audio.size == 0:  # no audio was stored (a silent reply): silence of its length
            n = max(1, int(round(turn.reply_seconds * SAMPLE_RATE)))
            reply = replace(reply, audio=np.zeros(n, dtype=np.float32))
        context = turn.context or rebuilt_context(session, position, scenario)
        scores.append(score_turn(reply, turn.transcript, context, script, baseline))
    return tuple(scores)


def rebuilt_context(session: Session, position: int, scenario: Scenario | None) -> TurnContext:
    """The context of ``session.turns[position]`` for a turn stored without one: the
    session's lines and replies so far, with the scenario's name, gender and node moments
    (without them when the scenario or its node can no longer be found)."""
    from .branching import context_fields

    context = session.context_for(position)
    if scenario is None:
        return context
    try:
        return replace(context, **context_fields(scenario, session.turns[position].line.node_id))
    except VoicedrillError:
        return context


def _scenario_of(session: Session) -> Scenario | None:
    """The session's scenario from the library, or None when it can no longer be loaded."""
    from .scenario import load_scenario

    try:
        return load_scenario(session.meta.scenario_id)
    except VoicedrillError:
        return None


def rescore_session(store: Store, session_id: str, script: ScoringScript) -> RescoreResult:
    """Re-score one stored session with ``script`` (a loaded ``ScoringScript``), store the new
    scores beside the old ones, and return what changed.

    Raises StoreError for an unknown session id (the message says how to list ids).
    """
    from .scoring import drill_score

    session = store.load_session(session_id)
    new = rescore_turns(session, script)
    after = drill_score(list(new), script) if new else None
    script_path = str(getattr(script, "path", "") or "")
    script_text = getattr(script, "text", None)
    if script_text is None:
        script_text = _read(script_path)
    rescoring = store.save_rescoring(
        session.id,
        script_hash=str(script.hash),
        script_path=script_path,
        script_text=script_text,
        turn_scores={t.index: s for t, s in zip(session.turns, new, strict=False)},
        drill_score=after,
        original_drill_score=session.drill_score,
    )
    turns = tuple(
        TurnChange(
            index=t.index,
            node_id=t.node_id,
            score_before=float(t.score.score),
            score_after=float(s.score),
            cues_before=t.score.cue_names(),
            cues_after=s.cue_names(),
        )
        for t, s in zip(session.turns, new, strict=False)
    )
    return RescoreResult(
        session_id=session.id,
        trainee=session.meta.trainee,
        scenario=session.meta.scenario_id,
        script_hash=str(script.hash),
        script_path=script_path,
        turns=turns,
        cues=cue_changes(turns),
        drill_score_before=session.drill_score,
        drill_score_after=after,
        rescoring=rescoring,
        scores=new,
    )


def cue_changes(turns: tuple[TurnChange, ...]) -> tuple[CueChange, ...]:
    """Per cue: where it was gained or lost, and how its turns' scores moved."""
    names = sorted({c for t in turns for c in (*t.cues_before, *t.cues_after)})
    out = []
    for name in names:
        showing = [t for t in turns if name in t.cues_before or name in t.cues_after]
        out.append(
            CueChange(
                name=name,
                turns_before=sum(1 for t in turns if name in t.cues_before),
                turns_after=sum(1 for t in turns if name in t.cues_after),
                gained_in=tuple(t.index for t in turns if name in t.gained),
                lost_in=tuple(t.index for t in turns if name in t.lost),
                changed_turns=tuple(t.index for t in showing if t.changed),
                mean_delta=(sum(t.delta for t in showing) / len(showing)) if showing else None,
            )
        )
    return tuple(out)


def _read(path: str) -> str:
    from pathlib import Path

    try:
        return Path(path).read_text(encoding="utf-8") if path else ""
    except OSError:
        return ""
