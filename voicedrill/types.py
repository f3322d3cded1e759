"""The frozen records that flow between the stages of a drill turn.

speak -> listen (``Reply``) -> transcribe (``Transcript`` of ``Word``) -> score.
Audio inside the program is always mono float32 at ``audio.SAMPLE_RATE`` (16 kHz).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in the reply audio."""

    text: str  # as Whisper wrote it, stripped of surrounding spaces
    start: float  # seconds from the start of the reply audio
    end: float  # seconds, >= start
    probability: float  # Whisper's word probability, 0..1


@dataclass(frozen=True)
class Transcript:
    """What the trainee said, with word times. Empty text means nothing was said."""

    text: str
    language: str  # ISO 639-1 code, "en" or "ru"
    words: tuple[Word, ...] = ()
    no_speech_prob: float = 0.0  # Whisper's probability that the audio holds no speech
    guarded: str = ""  # why the guard emptied a hallucinated result ("" when it did not)

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "language": self.language,
            "words": [asdict(w) for w in self.words],
            "no_speech_prob": self.no_speech_prob,
            "guarded": self.guarded,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Transcript":
        return cls(
            text=data["text"],
            language=data["language"],
            words=tuple(Word(**w) for w in data.get("words", ())),
            no_speech_prob=float(data.get("no_speech_prob", 0.0)),
            guarded=data.get("guarded", ""),
        )


@dataclass(frozen=True, eq=False)
class Reply:
    """The trainee's reply to one perpetrator line, as heard by a listener.

    Times are seconds. ``onset``/``end`` are positions in ``audio``; ``latency`` is
    from the end of the perpetrator line's playback to the reply's onset (negative
    when the trainee barged in). A silent reply has ``onset is None``.
    """

    audio: np.ndarray  # shape=(n,), float32, 16 kHz mono
    onset: float | None  # seconds into ``audio`` where speech starts
    end: float | None  # seconds into ``audio`` where speech ends
    latency: float | None  # seconds from line end to onset
    interrupted: bool = False  # the trainee started while the perpetrator was speaking
    source: str = ""  # where it came from: a file path, "microphone", "virtual trainee"

    @property
    def silent(self) -> bool:
        return self.onset is None

    @property
    def duration(self) -> float:
        from .audio import SAMPLE_RATE

        return len(self.audio) / SAMPLE_RATE


@dataclass(frozen=True)
class PerpetratorLine:
    """A line the perpetrator speaks in one turn, and how it is delivered."""

    node_id: str
    text: str
    agitation: float  # 0 (calm) .. 1 (explosive) when spoken
    voice: str = ""  # TTS voice id or language code; "" = the language default
    spoken_by: str = (
        ""  # what spoke it: "neural en_US-joe-medium", "espeak-ng gmw/en-us", "recorded take ..."
    )


@dataclass(frozen=True)
class TurnContext:
    """What the scorer needs to know besides the reply: the conversation so far."""

    language: str  # "en" | "ru"
    perpetrator_lines: tuple[str, ...]  # every line spoken so far, the current one last
    previous_replies: tuple[str, ...] = ()  # the trainee's earlier transcripts, oldest first
    turn_index: int = 0
    perpetrator: str = ""  # his (or her) name, for feedback; "" unknown
    gender: str = ""  # "male" | "female" | "" (unknown): pronouns in feedback
    moments: tuple[str, ...] = ()  # the scenario node's moment tags, e.g. ("suicide",)

    @property
    def line(self) -> str:
        return self.perpetrator_lines[-1] if self.perpetrator_lines else ""


@dataclass(frozen=True)
class VoiceBaseline:
    """The trainee's own calm voice, from calibration or the drill's first replies."""

    pitch_median_hz: float
    pitch_spread_st: float  # semitones
    loudness_db: float  # dBFS of voiced frames
    loudness_spread_db: float
    words_per_minute: float | None = None
    noise_floor_db: float | None = None
    source: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


__all__ = [
    "Word",
    "Transcript",
    "Reply",
    "PerpetratorLine",
    "TurnContext",
    "VoiceBaseline",
]
