"""Calibration: the room's noise floor and the trainee's calm voice, saved as a profile.

``voicedrill calibrate`` records a few seconds of room silence (the noise floor), then
the trainee reading a short sentence aloud (the ``VoiceBaseline``: pitch, loudness,
rate, from ``scoring.prosody.measure_baseline``), warns when the input is too quiet,
clipping or too noisy to score, and saves the result as
``<data folder>/profiles/<trainee>.json``. ``analyse`` is the pure part (two arrays in,
a ``Calibration`` out); ``record_calibration`` is the microphone part.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from .audio import SAMPLE_RATE, rms_dbfs, validate_audio
from .errors import AudioError, ParameterError, StoreError
from .fsutil import write_atomic
from .types import Transcript, VoiceBaseline

# What the trainee reads aloud: calm, everyday, about 8 s, voiced sounds throughout.
CALIBRATION_SENTENCES = {
    "en": "My name is on the list by the door. I will wait here calmly, and we can talk "
    "about what happens next when you are ready.",
    "ru": "Меня зовут так, как написано в списке у двери. Я спокойно подожду здесь, и мы "
    "поговорим о том, что будет дальше, когда вы будете готовы.",
}
TOO_QUIET_DB = -40.0  # speech RMS (dBFS) below this: raise the gain or move closer
TOO_NOISY_FLOOR_DB = -45.0  # room noise (dBFS) above this is a noisy room
MIN_SNR_DB = 15.0  # speech over noise below this: pauses and calm are hard to measure
CLIP_LEVEL = 0.99  # |sample| at or above this counts as clipped
PROFILE_VERSION = 1


@dataclass(frozen=True)
class Calibration:
    """One calibration of one trainee at one microphone. Levels in dBFS."""

    trainee: str
    language: str
    device: str
    noise_floor_db: float  # median level of the room silence (20 ms frames)
    speech_level_db: float  # RMS of the sentence's speech
    snr_db: float  # speech over noise
    clipped_fraction: float  # share of the sentence's samples at full scale
    baseline: VoiceBaseline
    warnings: tuple[str, ...]
    sentence: str
    created: str  # ISO 8601, UTC
    group: str = ""  # the trainee's default group for drills (calibrate --group; course.py)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["warnings"] = list(self.warnings)
        data["version"] = PROFILE_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Calibration":
        data = dict(data)
        data.pop("version", None)
        data["baseline"] = VoiceBaseline(**data["baseline"])
        data["warnings"] = tuple(data.get("warnings", ()))
        return cls(**data)


def check_trainee_name(name: str) -> str:
    """A trainee name usable as a file name (letters in any script, digits, space . _ -)."""
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("trainee name is empty. Give one with --trainee NAME.")
    name = name.strip()
    if len(name) > 64 or name.startswith(".") or not all(c.isalnum() or c in " ._-" for c in name):
        raise ParameterError(
            f"trainee name {name!r} cannot name a profile file: use up to 64 letters, digits, "
            "spaces, '.', '_' or '-', not starting with '.'."
        )
    return name


def profile_path(trainee: str, data_dir: str | os.PathLike | None = None) -> Path:
    from .paths import data_dir as _data_dir

    return _data_dir(data_dir) / "profiles" / f"{check_trainee_name(trainee)}.json"


def analyse(
    silence: np.ndarray,
    sentence: np.ndarray,
    *,
    trainee: str,
    language: str = "en",
    device: str = "",
    transcript: Transcript | None = None,
) -> Calibration:
    """Noise floor from ``silence``, baseline and levels from ``sentence`` (both 16 kHz
    float32, shape=(n,)). Raises ``AudioError`` when the sentence holds too little voice
    or is badly clipped (``measure_baseline``'s rules); returns warnings for a quiet
    input, a few clipped samples, or a noisy room."""
    from .scoring.prosody import CLIP_FRACTION, measure_baseline
    from .vad import frame_levels_db, speech_spans

    trainee = check_trainee_name(trainee)
    silence = validate_audio(silence, name="room silence recording")
    sentence = validate_audio(sentence, name="calibration sentence recording")
    levels = frame_levels_db(silence)
    noise_floor = round(float(np.median(levels)) if levels.size else rms_dbfs(silence), 2)
    spans = speech_spans(sentence, method="silero")
    if not spans:
        raise AudioError(
            "calibration sentence recording: no speech heard. Check that the microphone is not "
            "muted and that --input names it (voicedrill devices), then read the sentence aloud."
        )
    speech = np.concatenate(
        [sentence[int(s.start * SAMPLE_RATE) : int(s.end * SAMPLE_RATE)] for s in spans]
    )
    speech_level = round(float(rms_dbfs(speech)), 2)
    clipped = float(np.count_nonzero(np.abs(sentence) >= CLIP_LEVEL)) / sentence.size
    if clipped > CLIP_FRACTION:
        raise AudioError(
            f"calibration sentence recording: {clipped:.1%} of the samples are clipped (too loud "
            "for the microphone). Lower the input gain in the system sound settings or move back "
            "from the microphone, and calibrate again."
        )
    baseline = measure_baseline(sentence, transcript, source=f"calibration {trainee}")
    baseline = dataclasses.replace(baseline, noise_floor_db=noise_floor)
    snr = round(speech_level - noise_floor, 2)
    warnings = []
    if speech_level < TOO_QUIET_DB:
        warnings.append(
            f"the input is quiet: your speech came in at {speech_level:.0f} dBFS (want above "
            f"{TOO_QUIET_DB:.0f}). Raise the microphone gain or move closer."
        )
    if clipped > 0:
        warnings.append(
            f"{clipped:.2%} of the samples hit full scale (clipping). Lower the gain a little."
        )
    if snr < MIN_SNR_DB or noise_floor > TOO_NOISY_FLOOR_DB:
        warnings.append(
            f"the room is noisy: noise at {noise_floor:.0f} dBFS, speech {snr:.0f} dB above it "
            f"(want {MIN_SNR_DB:.0f} dB or more). Pauses and vocal calm may be scored poorly; "
            "find a quieter room or use a headset microphone."
        )
    return Calibration(
        trainee=trainee,
        language=language,
        device=device,
        noise_floor_db=noise_floor,
        speech_level_db=speech_level,
        snr_db=snr,
        clipped_fraction=clipped,
        baseline=baseline,
        warnings=tuple(warnings),
        sentence=CALIBRATION_SENTENCES.get(language, ""),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def save_profile(calibration: Calibration, data_dir: str | os.PathLike | None = None) -> Path:
    """Write the trainee's profile JSON atomically; returns its path."""
    path = profile_path(calibration.trainee, data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(calibration.to_dict(), ensure_ascii=False, indent=2))
    except OSError as e:
        raise StoreError(f"{path}: cannot write the trainee profile ({e}).") from e
    return path


def load_profile(trainee: str, data_dir: str | os.PathLike | None = None) -> Calibration:
    """The trainee's saved calibration; ``StoreError`` naming the file when missing or bad."""
    path = profile_path(trainee, data_dir)
    if not path.is_file():
        raise StoreError(
            f"{path}: no profile for trainee {trainee!r}. Run: voicedrill calibrate --trainee {trainee!r}"
        )
    try:
        return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise StoreError(f"{path}: the trainee profile is damaged ({e}). Calibrate again.") from e


def record_calibration(
    mic,
    *,
    silence_seconds: float = 3.0,
    wait_seconds: float = 15.0,
    max_sentence_seconds: float = 25.0,
    on_level: Callable[[float], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Record the room's silence, then one read sentence (ended by 1.5 s of silence).
    ``mic`` is a ``capture.Microphone``. Returns (silence, sentence), 16 kHz float32."""
    from .vad import Endpointer, ListenSettings

    step = on_step or (lambda name: None)
    mic.open()
    step("silence")
    mic.arm()
    parts, have = [], 0
    need = int(silence_seconds * SAMPLE_RATE)
    while have < need:
        chunk = mic.read(timeout=0.05)
        parts.append(chunk)
        have += len(chunk)
        if on_level:
            on_level(mic.level_db)
    silence = np.concatenate(parts)[:need]

    step("sentence")
    mic.arm()
    settings = ListenSettings(
        end_of_turn_silence=1.5,
        max_reply_seconds=max_sentence_seconds,
        no_reply_timeout=wait_seconds,
    )
    ep = Endpointer(settings)
    ep.deadline = wait_seconds
    parts = []
    while not ep.ended:
        chunk = mic.read(timeout=0.05)
        parts.append(chunk)
        ep.push(chunk)
        if on_level:
            on_level(mic.level_db)
    mic.disarm()
    audio = np.concatenate(parts)
    if ep.onset is None or ep.end is None:  # (an onset always gets an end)
        raise AudioError(
            f"no speech heard in {wait_seconds:.0f} s. Check that the microphone is not muted and that "
            "--input names it (voicedrill devices), then calibrate again and read the sentence aloud."
        )
    start = max(0, int((ep.onset - 0.3) * SAMPLE_RATE))
    stop = min(len(audio), int((ep.end + 0.3) * SAMPLE_RATE))
    return silence, audio[start:stop]


def calibrate(
    *,
    trainee: str,
    device: int | str | None = None,
    language: str = "en",
    data_dir: str | os.PathLike | None = None,
    transcriber: Callable[[np.ndarray], Transcript] | None = None,
    silence_seconds: float = 3.0,
    wait_seconds: float = 15.0,
    on_level: Callable[[float], None] | None = None,
    on_step: Callable[[str], None] | None = None,
    group: str = "",
) -> tuple[Calibration, Path]:
    """Record, analyse and save a calibration; returns it and the profile's path.
    ``transcriber`` (optional) gives the baseline's words per minute."""
    from .capture import Microphone

    trainee = check_trainee_name(trainee)
    if group:
        from .course import check_name

        group = check_name(group, "group")
    if language not in CALIBRATION_SENTENCES:
        raise ParameterError(
            f"no calibration sentence for language {language!r}; use one of {', '.join(CALIBRATION_SENTENCES)}."
        )
    with Microphone(device) as mic:
        silence, sentence = record_calibration(
            mic,
            silence_seconds=silence_seconds,
            wait_seconds=wait_seconds,
            on_level=on_level,
            on_step=on_step,
        )
        device_name = mic.device.name
    transcript = transcriber(sentence) if transcriber is not None else None
    calibration = analyse(
        silence,
        sentence,
        trainee=trainee,
        language=language,
        device=device_name,
        transcript=transcript,
    )
    calibration = dataclasses.replace(calibration, group=group)
    return calibration, save_profile(calibration, data_dir)


__all__ = [
    "CALIBRATION_SENTENCES",
    "Calibration",
    "analyse",
    "calibrate",
    "check_trainee_name",
    "load_profile",
    "profile_path",
    "record_calibration",
    "save_profile",
]
