"""One drill turn as a record: what the drill loop scored, what the store keeps, what the
report shows and what rescore scores again, with one serializer (``to_dict``/``from_dict``).

A ``Turn`` holds its audio either as arrays (the drill loop, before the turn is saved) or as
the stored FLAC files (a turn read back); ``reply_audio()``/``line_audio()`` give the arrays
either way. It carries the ``TurnContext`` the scorer saw, so a stored turn can be scored
again without the scenario (turns written before schema 2 have none: ``context is None``).

``turn.json`` schema history:
    1  the first layout (no ``context``)
    2  adds ``context`` (the scorer's TurnContext) and ``rescores`` (the export format)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from .errors import AudioError, StoreError
from .scoring.result import TurnScore
from .types import PerpetratorLine, Reply, Transcript, TurnContext

TURN_SCHEMA = 2  # version of turn.json (see the module doc for what each version holds)
REPLY_AUDIO = "reply.flac"
LINE_AUDIO = "line.flac"

AudioSource = np.ndarray | Path | None  # shape=(n,) float32 16 kHz in memory, or a stored file


@dataclass(frozen=True)
class TurnTimings:
    """How long each stage of one turn took, in seconds (0.0 when a stage did not run)."""

    tts_seconds: float = 0.0  # rendering the perpetrator line
    playback_seconds: float = 0.0  # playing it
    listen_seconds: float = 0.0  # from line end until the reply was over
    transcribe_seconds: float = 0.0  # ASR
    score_seconds: float = 0.0  # the scorer
    branch_seconds: float = 0.0  # choosing the next node
    total_seconds: float = 0.0  # the whole turn, wall clock

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping | None) -> TurnTimings:
        data = data or {}
        return cls(**{f.name: float(data.get(f.name) or 0.0) for f in fields(cls)})


@dataclass(frozen=True)
class TurnRescore:
    """A turn's score under another scoring script (stored next to the original)."""

    script_hash: str
    created: str  # ISO 8601
    score: TurnScore

    def to_dict(self) -> dict:
        return {
            "script_hash": self.script_hash,
            "created": self.created,
            "score": self.score.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> TurnRescore:
        return cls(
            str(data["script_hash"]),
            str(data.get("created", "")),
            TurnScore.from_dict(data["score"]),
        )


@dataclass(frozen=True, eq=False)
class Turn:
    """One scored turn. Times are seconds; agitation is 0 (calm) .. 1 (explosive)."""

    index: int  # turn number as the drill loop counts it (0 = first turn); folder turn-NNN
    node_id: str
    line: PerpetratorLine
    transcript: Transcript
    score: TurnScore
    agitation_before: float  # when the line was spoken
    agitation_after: float  # after the reply was scored
    timings: TurnTimings = field(default_factory=TurnTimings)
    reply_onset: float | None = None  # seconds into the reply audio; None = a silent reply
    reply_end: float | None = None
    latency: float | None = None  # from line end to reply onset (negative: barged in)
    interrupted: bool = False  # the trainee started while the perpetrator was speaking
    reply_source: str = ""  # "microphone", "virtual trainee", a file path, ...
    reply_seconds: float = 0.0  # length of the reply audio
    context: TurnContext | None = None  # what the scorer saw; None in turns saved before schema 2
    line_clip: AudioSource = None  # the line as played (None = not kept)
    reply_clip: AudioSource = None  # the reply (None = no audio)
    session_id: str = ""  # "" until saved
    saved: str = ""  # ISO 8601 time the turn was written ("" until saved)
    path: Path | None = None  # the turn folder (None until saved)
    rescores: tuple[TurnRescore, ...] = ()  # committed re-scorings, oldest first

    @classmethod
    def scored(
        cls,
        index: int,
        node_id: str,
        line: PerpetratorLine,
        line_audio: np.ndarray | None,
        reply: Reply,
        transcript: Transcript,
        score: TurnScore,
        agitation_before: float,
        agitation_after: float,
        timings: TurnTimings | None = None,
        context: TurnContext | None = None,
    ) -> Turn:
        """The turn as the drill loop has it: the line and reply audio as arrays."""
        from .audio import SAMPLE_RATE

        audio = _array(reply.audio)
        return cls(
            index=int(index),
            node_id=node_id,
            line=line,
            transcript=transcript,
            score=score,
            agitation_before=agitation_before,
            agitation_after=agitation_after,
            timings=timings or TurnTimings(),
            reply_onset=reply.onset,
            reply_end=reply.end,
            latency=reply.latency,
            interrupted=bool(reply.interrupted),
            reply_source=reply.source,
            reply_seconds=0.0 if reply.audio is None else len(reply.audio) / SAMPLE_RATE,
            context=context,
            line_clip=_array(line_audio),
            reply_clip=audio,
        )

    # -- what the report and the pages read --------------------------------------------

    @property
    def silent(self) -> bool:
        return self.reply_onset is None

    @property
    def wpm(self) -> float | None:
        return self.score.pacing.words_per_minute

    @property
    def calm(self) -> float | None:
        return None if self.score.calm is None else self.score.calm.score

    @property
    def reply_latency(self) -> float | None:
        """The reply's latency, else the scorer's (seconds; None when neither is known)."""
        return self.latency if self.latency is not None else self.score.pacing.latency

    @property
    def reply_audio_path(self) -> Path | None:
        return self.reply_clip if isinstance(self.reply_clip, Path) else None

    @property
    def line_audio_path(self) -> Path | None:
        return self.line_clip if isinstance(self.line_clip, Path) else None

    def reply_audio(self) -> np.ndarray:
        """The reply, shape=(n,) float32 16 kHz (empty when none was kept)."""
        audio = _load(self.reply_clip)
        return np.zeros(0, dtype=np.float32) if audio is None else audio

    def line_audio(self) -> np.ndarray | None:
        """The perpetrator line as played, shape=(n,) float32 16 kHz, or None."""
        return _load(self.line_clip)

    @property
    def reply(self) -> Reply:
        """The reply as the scorer saw it (a stored turn's audio is read from its file)."""
        return Reply(
            audio=self.reply_audio(),
            onset=self.reply_onset,
            end=self.reply_end,
            latency=self.latency,
            interrupted=self.interrupted,
            source=self.reply_source,
        )

    def rescore(self, script_hash: str) -> TurnScore | None:
        """This turn's score under the scoring script with ``script_hash`` (None if not re-scored)."""
        for r in self.rescores:
            if r.script_hash == script_hash:
                return r.score
        return None

    # -- the one serializer ------------------------------------------------------------

    def to_dict(self) -> dict:
        """JSON-ready data (``turn.json`` and the export format); audio as file names."""
        return jsonable(
            {
                "schema": TURN_SCHEMA,
                "session_id": self.session_id,
                "index": self.index,
                "node_id": self.node_id,
                "line": asdict(self.line),
                "line_audio": _name(self.line_clip),
                "reply": {
                    "audio": _name(self.reply_clip),
                    "onset": self.reply_onset,
                    "end": self.reply_end,
                    "latency": self.latency,
                    "interrupted": self.interrupted,
                    "source": self.reply_source,
                    "seconds": self.reply_seconds,
                },
                "transcript": self.transcript.to_dict(),
                "score": self.score.to_dict(),
                "agitation_before": self.agitation_before,
                "agitation_after": self.agitation_after,
                "timings": self.timings.to_dict(),
                "context": None if self.context is None else _context_to_dict(self.context),
                "saved": self.saved,
                "rescores": [r.to_dict() for r in self.rescores],
            }
        )

    @classmethod
    def from_dict(cls, data: Mapping, folder: Path | None = None) -> Turn:
        """A turn from ``to_dict`` data of any schema so far (1 has no context; a newer one
        is read for the fields this code knows). Audio file names resolve against
        ``folder``. Raises KeyError/TypeError/ValueError on bad data."""
        reply = data.get("reply") or {}
        line_name = data.get("line_audio")
        reply_name = reply.get("audio")
        return cls(
            index=int(data["index"]),
            node_id=str(data["node_id"]),
            line=PerpetratorLine(**data["line"]),
            transcript=Transcript.from_dict(data["transcript"]),
            score=TurnScore.from_dict(data["score"]),
            agitation_before=float(data["agitation_before"]),
            agitation_after=float(data["agitation_after"]),
            timings=TurnTimings.from_dict(data.get("timings")),
            reply_onset=_opt_float(reply.get("onset")),
            reply_end=_opt_float(reply.get("end")),
            latency=_opt_float(reply.get("latency")),
            interrupted=bool(reply.get("interrupted", False)),
            reply_source=str(reply.get("source", "")),
            reply_seconds=float(reply.get("seconds") or 0.0),
            context=_context_from_dict(data.get("context")),
            line_clip=_file(folder, line_name),
            reply_clip=_file(folder, reply_name),
            session_id=str(data.get("session_id") or ""),
            saved=str(data.get("saved", "")),
            path=folder,
            rescores=tuple(TurnRescore.from_dict(r) for r in data.get("rescores") or ()),
        )


def _context_to_dict(c: TurnContext) -> dict:
    return {
        "language": c.language,
        "perpetrator_lines": list(c.perpetrator_lines),
        "previous_replies": list(c.previous_replies),
        "turn_index": c.turn_index,
        "perpetrator": c.perpetrator,
        "gender": c.gender,
        "moments": list(c.moments),
    }


def _context_from_dict(data: Any) -> TurnContext | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise TypeError(f"context must be a mapping, not {type(data).__name__}")
    return TurnContext(
        language=str(data["language"]),
        perpetrator_lines=tuple(str(x) for x in data.get("perpetrator_lines") or ()),
        previous_replies=tuple(str(x) for x in data.get("previous_replies") or ()),
        turn_index=int(data.get("turn_index") or 0),
        perpetrator=str(data.get("perpetrator") or ""),
        gender=str(data.get("gender") or ""),
        moments=tuple(str(x) for x in data.get("moments") or ()),
    )


def jsonable(obj: Any) -> Any:
    """JSON-ready: NumPy scalars to Python, tuples to lists, NaN/inf to None, Paths to str."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    return obj


def load_stored_audio(path: Path) -> np.ndarray:
    """A stored FLAC as shape=(n,) float32 16 kHz; StoreError when it cannot be read."""
    from .audio import load_audio

    try:
        return load_audio(path)
    except AudioError as e:
        raise StoreError(f"{path}: the stored audio cannot be read ({e}).") from e


def _load(clip: AudioSource) -> np.ndarray | None:
    if clip is None:
        return None
    if isinstance(clip, Path):
        return load_stored_audio(clip)
    return clip


def _array(audio: np.ndarray | None) -> np.ndarray | None:
    """The audio as an array, or None when there is none (None or empty)."""
    if audio is None:
        return None
    a = np.asarray(audio)
    return a if a.size else None


def _name(clip: AudioSource) -> str | None:
    return clip.name if isinstance(clip, Path) else None


def _file(folder: Path | None, name: Any) -> Path | None:
    return folder / str(name) if folder is not None and name else None


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


__all__ = ["TURN_SCHEMA", "AudioSource", "Turn", "TurnRescore", "TurnTimings", "jsonable"]
