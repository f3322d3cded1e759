"""Frozen score records: what the scorer returns for one turn and for a whole drill."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Cue:
    """One detected active-listening (or harmful) cue and the evidence for it."""

    name: str  # one of cues.CUE_NAMES, e.g. "emotional_label", "why_question"
    evidence: str  # the words of the reply (or "<pause 2.1 s>") that show the cue
    start: float | None  # seconds into the reply audio (None when no word times)
    end: float | None
    kind: str = "helpful"  # "helpful" | "neutral" | "harmful"


@dataclass(frozen=True)
class Pacing:
    """Speaking pace and timing of the reply. Times in seconds, rates per minute."""

    words: int
    words_per_minute: float | None  # words over the reply's speech span
    articulation_rate: float | None  # words per minute of voiced time (pauses removed)
    latency: float | None  # line end -> reply onset (from the listener's VAD)
    speech_seconds: float  # onset -> end of speech
    pause_count: int  # silences inside the reply longer than the script's min pause
    longest_pause: float
    mean_pause: float
    fillers_per_minute: float | None = None


@dataclass(frozen=True)
class Calm:
    """Vocal calm against the trainee's baseline. ``score`` is 0 (agitated) .. 1 (calm)."""

    score: float
    pitch_median_hz: float | None
    pitch_shift_st: float | None  # semitones above (+) / below (-) the baseline median
    pitch_spread_st: float | None
    loudness_db: float | None
    loudness_shift_db: float | None
    loudness_spread_db: float | None
    flags: tuple[str, ...] = ()  # e.g. "clipped", "no_voiced_frames", "no_baseline"


@dataclass(frozen=True)
class ScoreParts:
    """How a turn score was built: each part 0..1 (None: not measurable in this reply),
    the points lost to harmful cues, and whether a forbidden cue capped the score."""

    cues: float | None
    pacing: float | None
    latency: float | None
    calm: float | None
    harmful_penalty: float = 0.0  # turn points (0..100 scale) taken off
    forbidden: tuple[str, ...] = ()  # forbidden cues heard (the score is capped)
    length_penalty: float = 0.0  # turn points taken off for a reply longer than the script allows
    moments: tuple[str, ...] = ()  # what his line was about ("suicide", "weapon", "demand")
    cap: float | None = (
        None  # the highest score this reply could get (no helpful cue, harmful in a moment)
    )


@dataclass(frozen=True)
class TurnScore:
    """The scorer's verdict on one reply. Pure function of its inputs and the script."""

    score: float  # 0..100
    cues: tuple[Cue, ...]
    pacing: Pacing
    calm: Calm | None
    feedback: tuple[str, ...]  # two or three sentences in the drill's language
    script_hash: str = ""  # sha256 of the scoring script used (first 16 hex)
    parts: ScoreParts | None = None  # the breakdown behind ``score``

    def cue_names(self) -> tuple[str, ...]:
        return tuple(sorted({c.name for c in self.cues}))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TurnScore":
        calm = data.get("calm")
        return cls(
            score=float(data["score"]),
            cues=tuple(Cue(**c) for c in data.get("cues", ())),
            pacing=Pacing(**{f.name: data["pacing"].get(f.name) for f in fields(Pacing)}),
            calm=None if calm is None else Calm(**{**calm, "flags": tuple(calm.get("flags", ()))}),
            feedback=tuple(data.get("feedback", ())),
            script_hash=data.get("script_hash", ""),
            parts=_parts_from_dict(data.get("parts")),
        )


def _parts_from_dict(data: dict | None) -> ScoreParts | None:
    if not data:
        return None
    return ScoreParts(
        **{
            **data,
            "forbidden": tuple(data.get("forbidden", ())),
            "moments": tuple(data.get("moments", ())),
        }
    )
