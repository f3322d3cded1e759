"""One shape for a turn, whether the drill loop holds it or the store read it back.

The drill loop has ``store.TurnRecord`` (audio as arrays); a stored session has
``store.StoredTurn`` (audio as files, re-scorings attached). The report works on
``TurnView`` so every page and table is built the same way from either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..scoring.result import TurnScore
from ..types import PerpetratorLine, Transcript

AudioSource = np.ndarray | Path | None  # an array (16 kHz float32) or a stored file


@dataclass(frozen=True, eq=False)
class TurnView:
    """What the report shows of one turn."""

    number: int  # 1-based position in the drill (what the trainee sees)
    index: int  # the turn index as stored
    node_id: str
    line: PerpetratorLine
    transcript: Transcript
    score: TurnScore
    agitation_before: float  # 0..1
    agitation_after: float  # 0..1
    latency: float | None  # seconds from line end to reply onset (negative: barged in)
    interrupted: bool
    silent: bool
    line_audio: AudioSource
    reply_audio: AudioSource
    rescores: tuple = ()  # store.TurnRescore, oldest first

    @property
    def wpm(self) -> float | None:
        return self.score.pacing.words_per_minute

    @property
    def calm(self) -> float | None:
        return None if self.score.calm is None else self.score.calm.score

    def rescore(self, script_hash: str) -> TurnScore | None:
        for r in self.rescores:
            if r.script_hash == script_hash:
                return r.score
        return None


def turn_views(turns: Iterable) -> tuple[TurnView, ...]:
    """``TurnView``s from ``store.TurnRecord``s or ``store.StoredTurn``s (or TurnViews), in order."""
    out = []
    for number, t in enumerate(turns, start=1):
        if isinstance(t, TurnView):
            out.append(t)
        elif hasattr(t, "reply_audio_path"):  # store.StoredTurn
            out.append(
                TurnView(
                    number=number,
                    index=t.index,
                    node_id=t.node_id,
                    line=t.line,
                    transcript=t.transcript,
                    score=t.score,
                    agitation_before=t.agitation_before,
                    agitation_after=t.agitation_after,
                    latency=_latency(t.latency, t.score),
                    interrupted=t.interrupted,
                    silent=t.silent,
                    line_audio=t.line_audio_path,
                    reply_audio=t.reply_audio_path,
                    rescores=tuple(t.rescores),
                )
            )
        elif hasattr(t, "reply") and hasattr(t, "score"):  # store.TurnRecord
            reply = t.reply
            out.append(
                TurnView(
                    number=number,
                    index=t.index,
                    node_id=t.node_id,
                    line=t.line,
                    transcript=t.transcript,
                    score=t.score,
                    agitation_before=t.agitation_before,
                    agitation_after=t.agitation_after,
                    latency=_latency(reply.latency, t.score),
                    interrupted=bool(reply.interrupted),
                    silent=reply.silent,
                    line_audio=_array(t.line_audio),
                    reply_audio=_array(reply.audio),
                )
            )
        else:
            raise TypeError(
                f"cannot show {type(t).__name__} as a turn; pass store.TurnRecord or store.StoredTurn"
            )
    return tuple(out)


def views_of(session_or_turns) -> tuple[tuple[TurnView, ...], object | None]:
    """(turn views, the stored Session or None) from a Session, a DrillResult or a list of turns."""
    if hasattr(session_or_turns, "meta") and hasattr(session_or_turns, "turns"):  # store.Session
        return turn_views(session_or_turns.turns), session_or_turns
    if hasattr(session_or_turns, "turns") and hasattr(
        session_or_turns, "session_dir"
    ):  # drill.DrillResult
        return turn_views(session_or_turns.turns), None
    if isinstance(session_or_turns, (str, os.PathLike)):
        raise TypeError(
            "pass a loaded store.Session, not a path; use Store(data_dir).load_session(id)"
        )
    return turn_views(list(session_or_turns)), None


def _latency(latency: float | None, score: TurnScore) -> float | None:
    return latency if latency is not None else score.pacing.latency


def _array(audio) -> np.ndarray | None:
    if audio is None:
        return None
    a = np.asarray(audio)
    return a if a.size else None


def language_of(turns: Sequence[TurnView], session=None, default: str = "en") -> str:
    """The drill's language: the session's, else the transcripts', else ``default``."""
    from ..lang import LANGUAGES

    if session is not None and session.language in LANGUAGES:
        return session.language
    for t in turns:
        if t.transcript.language in LANGUAGES:
            return t.transcript.language
    return default
