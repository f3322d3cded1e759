"""The session records: what a session was run with (``SessionMeta``), a session read back
(``Session`` of ``turn.Turn``), its re-scorings, and the rows of ``sessions list`` and
``history``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..scoring.result import TurnScore
from ..turn import Turn, jsonable
from ..types import TurnContext, VoiceBaseline
from .layout import SCHEMA


@dataclass(frozen=True)
class SessionMeta:
    """What a session was run with (``session.json`` plus the copied YAML texts)."""

    id: str
    scenario_id: str
    scenario_path: str  # where the scenario was loaded from, as given
    scenario_hash: str  # sha256 hex of scenario_text
    script_hash: str  # the scoring script's hash as the scorer reports it (ScoringScript.hash)
    trainee: str
    language: str
    seed: int | None
    mode: str  # "headless" | "live" | "replies" | ...
    started: str  # ISO 8601, local time with offset
    started_ts: float  # seconds since the epoch (for sorting)
    profile: VoiceBaseline | None = None
    script_path: str = ""
    voicedrill_version: str = ""
    scenario_text: str = ""  # the scenario YAML as used (from scenario.yaml)
    script_text: str = ""  # the scoring script YAML as used (from scoring-script.yaml)
    course: str = ""  # the course the drill was run for ("" = none); see course.py
    group: str = ""  # the trainee's group in that course when the drill ran

    def to_dict(self, *, texts: bool = True) -> dict:
        data = asdict(self)
        data["profile"] = None if self.profile is None else self.profile.to_dict()
        if not texts:
            data.pop("scenario_text")
            data.pop("script_text")
        return data

    @classmethod
    def from_dict(
        cls, data: Mapping, *, scenario_text: str = "", script_text: str = ""
    ) -> "SessionMeta":
        return cls(
            id=str(data["id"]),
            scenario_id=str(data["scenario_id"]),
            scenario_path=str(data.get("scenario_path", "")),
            scenario_hash=str(data.get("scenario_hash", "")),
            script_hash=str(data.get("script_hash", "")),
            trainee=str(data.get("trainee", "")),
            language=str(data.get("language", "en")),
            seed=None if data.get("seed") is None else int(data["seed"]),
            mode=str(data.get("mode", "")),
            started=str(data["started"]),
            started_ts=float(data.get("started_ts") or 0.0),
            profile=_baseline_from_dict(data.get("profile")),
            script_path=str(data.get("script_path", "")),
            voicedrill_version=str(data.get("voicedrill_version", "")),
            scenario_text=data.get("scenario_text", scenario_text) or scenario_text,
            script_text=data.get("script_text", script_text) or script_text,
            course=str(data.get("course") or ""),
            group=str(data.get("group") or ""),
        )


@dataclass(frozen=True)
class Rescoring:
    """A whole session re-scored with another scoring script (``rescore-<hash>.json``)."""

    script_hash: str
    script_path: str  # where the script was loaded from
    script_file: str  # its copy in the session folder, e.g. "rescore-<hash>.yaml"
    created: str
    drill_score: float | None  # under the new script
    original_drill_score: float | None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> "Rescoring":
        return cls(
            script_hash=str(data["script_hash"]),
            script_path=str(data.get("script_path", "")),
            script_file=str(data.get("script_file", "")),
            created=str(data.get("created", "")),
            drill_score=_opt_float(data.get("drill_score")),
            original_drill_score=_opt_float(data.get("original_drill_score")),
        )


@dataclass(frozen=True)
class Session:
    """A drill read back from its folder. ``complete`` is False for a drill that was cut off."""

    id: str
    path: Path
    meta: SessionMeta
    turns: tuple[Turn, ...]
    complete: bool  # finish() was called (final.json exists)
    outcome: str | None  # the scenario's outcome id, e.g. "surrender"; None when none was reached
    outcome_text: str
    drill_score: float | None
    finished: str | None  # ISO 8601, None while incomplete
    rescorings: tuple[Rescoring, ...] = ()
    problems: tuple[str, ...] = ()  # unreadable files, each "path: what is wrong (fix)"

    @property
    def trainee(self) -> str:
        return self.meta.trainee

    @property
    def scenario_id(self) -> str:
        return self.meta.scenario_id

    @property
    def language(self) -> str:
        return self.meta.language

    @property
    def scores(self) -> tuple[TurnScore, ...]:
        return tuple(t.score for t in self.turns)

    def context_for(self, position: int) -> TurnContext:
        """The ``TurnContext`` the scorer saw for ``self.turns[position]`` (0-based position)."""
        done = self.turns[: position + 1]
        return TurnContext(
            language=self.meta.language,
            perpetrator_lines=tuple(t.line.text for t in done),
            previous_replies=tuple(t.transcript.text for t in done[:-1]),
            turn_index=self.turns[position].index,
        )

    def rescoring(self, script_hash: str) -> Rescoring | None:
        for r in self.rescorings:
            if r.script_hash == script_hash:
                return r
        return None

    def summary(self) -> "SessionSummary":
        return SessionSummary(
            id=self.id,
            scenario=self.meta.scenario_id,
            trainee=self.meta.trainee,
            started=self.meta.started,
            turns=len(self.turns),
            complete=self.complete,
            language=self.meta.language,
            mode=self.meta.mode,
            outcome=self.outcome,
            drill_score=self.drill_score,
            path=self.path,
        )

    def to_dict(self) -> dict:
        """Everything as JSON-ready data (the export format); audio as file names."""
        return jsonable(
            {
                "schema": SCHEMA,
                "id": self.id,
                "scenario": self.meta.scenario_id,
                "trainee": self.meta.trainee,
                "started": self.meta.started,
                "complete": self.complete,
                "outcome": self.outcome,
                "outcome_text": self.outcome_text,
                "drill_score": self.drill_score,
                "finished": self.finished,
                "meta": self.meta.to_dict(),
                "turns": [t.to_dict() for t in self.turns],
                "rescorings": [r.to_dict() for r in self.rescorings],
                "problems": list(self.problems),
                "path": str(self.path),
            }
        )


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``sessions list`` (from the index)."""

    id: str
    scenario: str
    trainee: str
    started: str
    turns: int
    complete: bool
    language: str = "en"
    mode: str = ""
    outcome: str | None = None
    drill_score: float | None = None
    path: Path | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["path"] = None if self.path is None else str(self.path)
        return data


@dataclass(frozen=True)
class HistoryPoint:
    """One drill of a trainee, for progress over time. Means are over the drill's turns."""

    session_id: str
    started: str
    scenario: str
    language: str
    complete: bool
    turns: int
    drill_score: float | None
    mean_score: float | None  # mean turn score 0..100
    cue_rates: Mapping[str, float]  # cue name -> fraction of turns (0..1) that showed it
    mean_wpm: float | None  # words per minute
    mean_latency: float | None  # seconds
    mean_calm: float | None  # 0 (agitated) .. 1 (calm)
    outcome: str | None = (
        ""  # the outcome reached; None when stopped early (--max-turns, Ctrl-C); "" unknown
    )

    def to_dict(self) -> dict:
        data = asdict(self)
        data["cue_rates"] = dict(self.cue_rates)
        return data


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


def _baseline_from_dict(data: Mapping | None) -> VoiceBaseline | None:
    if not data:
        return None
    names = {f.name for f in fields(VoiceBaseline)}
    return VoiceBaseline(**{k: v for k, v in data.items() if k in names})
