"""Voice activity: where speech starts and ends in a reply, offline and while listening.

Onset and latency come from here, not from Whisper's word times (which drift around
silences). Two detectors:

- ``"energy"``: a frame is speech when louder than the noise floor by 15 dB. Fast and
  exact on clean audio; ``speech_spans`` uses it by default (the scorer's pause
  measures are built on it).
- ``"silero"``: the Silero VAD network (MIT), run here in NumPy from the weights file
  that the ``silero-vad`` package ships (``silero_vad_16k.safetensors``): no torch,
  torchaudio or onnxruntime is imported. It keeps its onsets within ~30 ms at 0 dB SNR
  in white, pink, brown, mains-hum and click noise, where the energy detector misses
  replies or fires on noise (``scripts/bench_live.py`` measures both). The live
  endpointer uses it by default.

``Endpointer`` is the streaming part: fed audio as it arrives, it finds the reply's
onset, then its end after ``end_of_turn_silence`` seconds of silence (negotiators pause
on purpose, so this is a setting), cuts a reply at ``max_reply_seconds``, and reports a
silent turn when no speech starts before a deadline.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .audio import SAMPLE_RATE
from .errors import ParameterError, VoicedrillError

FRAME_SECONDS = 0.02  # 20 ms analysis frames of the energy detector
SILERO_FRAME = 512  # samples (32 ms at 16 kHz) per Silero decision
SILERO_CONTEXT = 64  # samples of the previous frame the network also sees
SILERO_WEIGHTS = "silero_vad_16k.safetensors"
DETECTORS = ("silero", "energy")
# Where the voice stopped, read from the level: Silero's probability falls 0.0-0.19 s after
# the voice (0.09 s at the median, 32 espeak-ng replies), so a pause counted from its fall
# starts late by that much, and every turn waits it out. The end of speech is moved back to
# the last VOICE_STEP of the level within VOICE_DROP_DB of the reply's loud voice (and above
# the noise), by at most VOICE_BACK seconds (a breath or room noise loud enough moves it less).
VOICE_STEP = 128  # samples (8 ms)
STEPS_PER_FRAME = SILERO_FRAME // VOICE_STEP
VOICE_DROP_DB = 30.0
VOICE_BACK = 0.2


@dataclass(frozen=True)
class SpeechSpan:
    """A stretch of speech, seconds from the start of the audio."""

    start: float
    end: float


# --------------------------------------------------------------------------- energy


def frame_levels_db(audio: np.ndarray, frame_seconds: float = FRAME_SECONDS) -> np.ndarray:
    """RMS level in dBFS of consecutive frames, shape=(n_frames,)."""
    n = int(round(frame_seconds * SAMPLE_RATE))
    count = len(audio) // n
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    frames = audio[: count * n].reshape(count, n).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return (20.0 * np.log10(np.maximum(rms, 1e-6))).astype(np.float32)


def energy_threshold_db(noise_floor_db: float) -> float:
    """The level (dBFS) above which the energy detector calls a frame speech."""
    return max(float(noise_floor_db) + 15.0, -50.0)


def speech_spans(
    audio: np.ndarray,
    *,
    threshold_db: float | None = None,
    min_speech: float = 0.12,
    merge_gap: float = 0.3,
    method: str = "energy",
) -> tuple[SpeechSpan, ...]:
    """Find speech in ``audio`` (shape=(n,), 16 kHz).

    ``method="energy"`` (default): a 20 ms frame is speech when louder than
    ``threshold_db`` (default: 15 dB over the noise floor, the 10th percentile of the
    frame levels, at least -50 dBFS). ``method="silero"``: a 32 ms frame is speech when
    the Silero network says so (probability >= 0.5); better in a noisy room.
    Gaps shorter than ``merge_gap`` seconds are bridged; spans shorter than
    ``min_speech`` seconds are dropped.
    """
    if method == "silero":
        probs = speech_probabilities(audio)
        spans = _spans(probs >= 0.5, SILERO_FRAME / SAMPLE_RATE, min_speech, merge_gap)
        return tuple(SpeechSpan(min(refine_onset(audio, s.start), s.end), s.end) for s in spans)
    if method != "energy":
        raise ParameterError(f"VAD method must be one of {', '.join(DETECTORS)}, got {method!r}.")
    levels = frame_levels_db(audio)
    if levels.size == 0:
        return ()
    if threshold_db is None:
        threshold_db = energy_threshold_db(float(np.percentile(levels, 10)))
    return _spans(levels > threshold_db, FRAME_SECONDS, min_speech, merge_gap)


def _spans(
    voiced: np.ndarray, frame: float, min_speech: float, merge_gap: float
) -> tuple[SpeechSpan, ...]:
    spans: list[list[float]] = []
    start = None
    for i, v in enumerate(np.append(voiced, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            s, e = start * frame, i * frame
            if spans and s - spans[-1][1] < merge_gap:
                spans[-1][1] = e
            else:
                spans.append([s, e])
            start = None
    return tuple(SpeechSpan(s, e) for s, e in spans if e - s >= min_speech)


def refine_onset(
    audio: np.ndarray, onset: float, *, lookback: float = 0.25, ahead: float = 0.1
) -> float:
    """Sharpen an onset found on 32 ms frames to 5 ms where the audio allows it.

    The noise level is the median of the ``lookback + 0.3`` s before the onset; when the speech
    after the onset stands at least 20 dB above it, the onset moves to the first 5 ms
    frame of the run of frames 6 dB above the noise that contains it (at most
    ``lookback`` s earlier, ``ahead`` s later). In a noisy room the onset stays as given.
    Seconds in, seconds out.
    """
    f = 80  # 5 ms
    n = len(audio) // f
    i0 = int(onset * SAMPLE_RATE) // f
    lo = max(0, i0 - int((lookback + 0.3) * SAMPLE_RATE) // f)
    hi = min(n, i0 + int(0.3 * SAMPLE_RATE) // f)
    if hi - lo < 4 or i0 >= n:
        return onset
    frames = audio[lo * f : hi * f].reshape(-1, f).astype(np.float64)
    level = 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    k0 = i0 - lo
    kb = max(0, k0 - int(lookback * SAMPLE_RATE) // f)
    noise = float(np.median(level[: max(1, k0 - 2)]))
    if float(np.percentile(level[k0:], 90)) - noise < 20.0:
        return onset
    threshold = noise + 6.0
    k = k0
    if level[k] > threshold:
        while k - 1 >= kb and level[k - 1] > threshold:
            k -= 1
    else:
        last = min(len(level) - 1, k0 + int(ahead * SAMPLE_RATE) // f)
        while k < last and level[k] <= threshold:
            k += 1
    return (lo + k) * f / SAMPLE_RATE


# --------------------------------------------------------------------------- silero


def silero_weights_path() -> Path:
    """Where the ``silero-vad`` package keeps its 16 kHz weights (without importing it:
    its ``__init__`` imports torch)."""
    import importlib.util

    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        raise VoicedrillError(
            "the silero-vad package is not installed, and the live listener's voice detector "
            "needs its model file. Install it with: .venv/bin/pip install --no-deps "
            "'silero-vad>=6,<7' (or run scripts/setup), or choose the energy detector (vad='energy')."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / SILERO_WEIGHTS
    if not path.is_file():
        raise VoicedrillError(
            f"{path}: the Silero VAD model file is missing from the silero-vad package. "
            "Reinstall it: .venv/bin/pip install --no-deps --force-reinstall 'silero-vad>=6,<7'."
        )
    return path


@lru_cache(maxsize=1)
def _silero_weights() -> dict[str, np.ndarray]:
    """The network's tensors, read from the safetensors file (8-byte header length,
    JSON header, raw little-endian data)."""
    path = silero_weights_path()
    try:
        data = path.read_bytes()
        (size,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8 : 8 + size])
        body = memoryview(data)[8 + size :]
        weights = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            if info["dtype"] != "F32":
                raise ValueError(f"{name} has dtype {info['dtype']}, expected F32")
            start, end = info["data_offsets"]
            weights[name] = (
                np.frombuffer(body[start:end], dtype="<f4").reshape(info["shape"]).copy()
            )
        needed = {"stft_conv.weight", "lstm_cell.weight_ih", "final_conv.weight"}
        if not needed <= weights.keys():
            raise ValueError(f"missing tensors {sorted(needed - weights.keys())}")
    except (OSError, ValueError, KeyError, struct.error) as e:
        raise VoicedrillError(
            f"{path}: cannot read the Silero VAD model ({e}). Reinstall: "
            ".venv/bin/pip install --no-deps --force-reinstall 'silero-vad>=6,<7'."
        ) from e
    weights["stft"] = weights["stft_conv.weight"][:, 0, :].T.copy()  # (256, 258)
    return weights


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int) -> np.ndarray:
    """Batched 1-D convolution, kernel 3, padding 1: x (N, C, T) -> (N, O, T')."""
    n, c, t = x.shape
    x = np.pad(x, ((0, 0), (0, 0), (1, 1)))
    t_out = (t - 1) // stride + 1
    cols = np.stack(
        [x[:, :, i * stride : i * stride + 3] for i in range(t_out)], axis=1
    )  # N,T',C,3
    y = cols.reshape(n * t_out, c * 3) @ w.reshape(w.shape[0], c * 3).T + b  # N*T',O
    return y.reshape(n, t_out, -1).transpose(0, 2, 1)


def _silero_features(frames: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    """The network up to the LSTM: frames (N, 576) -> (N, 128)."""
    x = np.concatenate([frames, frames[:, -2:-66:-1]], axis=1)  # reflect-pad 64 on the right
    windows = np.lib.stride_tricks.sliding_window_view(x, 256, axis=1)[:, ::128]  # N,4,256
    spec = windows @ w["stft"]  # N,4,258
    mag = np.sqrt(spec[..., :129] ** 2 + spec[..., 129:] ** 2).transpose(0, 2, 1)  # N,129,4
    z = np.maximum(_conv1d(mag, w["conv1.weight"], w["conv1.bias"], 1), 0)
    z = np.maximum(_conv1d(z, w["conv2.weight"], w["conv2.bias"], 2), 0)
    z = np.maximum(_conv1d(z, w["conv3.weight"], w["conv3.bias"], 2), 0)
    z = np.maximum(_conv1d(z, w["conv4.weight"], w["conv4.bias"], 1), 0)
    return z[:, :, 0]


class SileroVad:
    """Silero VAD in NumPy, streaming: ``push(frame)`` takes 512 samples (16 kHz) and
    returns the probability (0..1) that they hold speech. State: the LSTM and the
    last 64 samples. ``reset()`` starts a new stream."""

    def __init__(self):
        self._w = _silero_weights()
        self.reset()

    def reset(self) -> None:
        self._context = np.zeros(SILERO_CONTEXT, dtype=np.float32)
        self._h = np.zeros(128, dtype=np.float32)
        self._c = np.zeros(128, dtype=np.float32)

    def push(self, frame: np.ndarray) -> float:
        return float(
            self.push_many(np.asarray(frame, dtype=np.float32).reshape(1, SILERO_FRAME))[0]
        )

    def push_many(self, frames: np.ndarray) -> np.ndarray:
        """Probabilities for consecutive frames, shape=(N, 512) -> (N,)."""
        frames = np.asarray(frames, dtype=np.float32)
        if frames.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        w = self._w
        prev = np.concatenate([self._context[None, :], frames[:-1, -SILERO_CONTEXT:]], axis=0)
        feats = _silero_features(np.concatenate([prev, frames], axis=1), w)
        gates_in = (
            feats @ w["lstm_cell.weight_ih"].T + w["lstm_cell.bias_ih"] + w["lstm_cell.bias_hh"]
        )
        w_hh = w["lstm_cell.weight_hh"]
        out_w, out_b = w["final_conv.weight"][0, :, 0], float(w["final_conv.bias"][0])
        h, c = self._h, self._c
        probs = np.empty(len(frames), dtype=np.float32)
        for i in range(len(frames)):
            g = gates_in[i] + w_hh @ h
            gi, gf, gg, go = g[:128], g[128:256], g[256:384], g[384:]
            c = _sigmoid(gf) * c + _sigmoid(gi) * np.tanh(gg)
            h = _sigmoid(go) * np.tanh(c)
            probs[i] = _sigmoid(out_w @ np.maximum(h, 0) + out_b)
        self._h, self._c = h.astype(np.float32), c.astype(np.float32)
        self._context = frames[-1, -SILERO_CONTEXT:].copy()
        return probs


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """Silero speech probability of each 32 ms frame of ``audio`` (shape=(n,), 16 kHz);
    the last partial frame is zero-padded. Returns shape=(ceil(n / 512),)."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.size == 0:
        return np.zeros(0, dtype=np.float32)
    count = math.ceil(len(audio) / SILERO_FRAME)
    padded = np.zeros(count * SILERO_FRAME, dtype=np.float32)
    padded[: len(audio)] = audio
    return SileroVad().push_many(padded.reshape(count, SILERO_FRAME))


# --------------------------------------------------------------------------- endpointer


@dataclass(frozen=True)
class ListenSettings:
    """When a live reply starts and ends. Seconds throughout."""

    end_of_turn_silence: float = 1.5  # silence after speech that ends the reply
    max_reply_seconds: float = 30.0  # a reply is cut after this long (from its onset)
    no_reply_timeout: float = 10.0  # no speech this long after the line: a silent turn
    min_speech: float = 0.15  # speech needed to confirm an onset (coughs, clicks are shorter)
    vad: str = "silero"  # "silero" | "energy"
    onset_threshold: float = 0.5  # Silero probability that starts speech
    offset_threshold: float = 0.35  # ... and keeps it going once started (hysteresis)
    # Pauses are counted from where the voice stopped (``Endpointer.speech_end``: Silero's
    # fall, about 0.1 s after the voice, moved back by the level). A pause this long asks the
    # end-of-turn judge (when there is one); its verdict ends the reply only after a pause as
    # long as the one it names:
    pause_seconds: float = 0.2
    # ... the voice and the words say finished (longer than the 0.3-0.35 s between two
    # sentences of one reply, so a second sentence cancels the end)
    complete_pause_seconds: float = 0.4
    # ... the words finish a sentence, surely, though the voice sounded unfinished. As
    # long as the complete pause: Smart Turn hears a finished sentence inside a reply as
    # finished as often as the reply's last one (the 30 bench replies, the two espeak-ng
    # voices: 5 of 12 sentence ends inside replies, 15 of 30 at their ends), so its
    # "unfinished" there gives no reason to wait longer; only the pause tells the two apart
    sentence_pause_seconds: float = 0.4
    # ... the words finish a sentence but the last word is unsure, the voice unfinished
    unsure_pause_seconds: float = 0.8

    def __post_init__(self):
        for name in (
            "end_of_turn_silence",
            "max_reply_seconds",
            "no_reply_timeout",
            "min_speech",
            "pause_seconds",
            "complete_pause_seconds",
            "sentence_pause_seconds",
            "unsure_pause_seconds",
        ):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ParameterError(
                    f"listening setting {name} must be a positive number of seconds, got {value!r}."
                )
        if self.vad not in DETECTORS:
            raise ParameterError(
                f"listening setting vad must be one of {', '.join(DETECTORS)}, got {self.vad!r}."
            )
        if not 0 < self.offset_threshold <= self.onset_threshold < 1:
            raise ParameterError(
                "listening thresholds must satisfy 0 < offset_threshold <= onset_threshold < 1."
            )

    @classmethod
    def from_script(cls, listening, **overrides) -> "ListenSettings":
        """From a scoring script's ``listening`` section (``script.listening``)."""
        values: dict[str, Any] = {
            "end_of_turn_silence": float(listening.end_of_turn_silence),
            "max_reply_seconds": float(listening.max_reply_seconds),
            "no_reply_timeout": float(listening.no_reply_timeout),
        }
        values.update(overrides)
        return cls(**values)


class Endpointer:
    """Finds a reply's onset and end in audio fed as it arrives (16 kHz, any chunk size).

    Positions are seconds of stream time: 0 is the first sample pushed. Before an onset
    is confirmed a frame needs ``onset_threshold`` to count as speech; a run of speech
    becomes the onset once it holds ``min_speech`` seconds (gaps under 0.3 s allowed);
    the onset is the run's first speech frame. After the onset the reply ends after
    ``end_of_turn_silence`` seconds without speech (``reason="silence"``), or at
    ``max_reply_seconds`` (``"max_length"``); with no onset by ``deadline`` it ends
    silent (``"timeout"``); ``finish()`` ends it at once (``"key"``).

    ``judge(onset, speech_end) -> bool | float`` (optional, stream seconds): asked once
    per pause of ``pause_seconds`` after speech; True (the trainee has finished:
    ``endturn``) ends the reply at the pause (``reason="complete"``), False waits for the
    long silence, a number of seconds ends it (``"complete"``) once the pause lasts that
    long with no speech in between (a finished sentence in a voice that sounded unfinished).
    """

    def __init__(
        self,
        settings: ListenSettings | None = None,
        *,
        noise_floor_db: float | None = None,
        judge: Callable[[float, float], bool | float] | None = None,
    ):
        self.settings = settings or ListenSettings()
        self.judge = judge
        self._judged: int | None = None  # the last speech frame a pause after it was judged for
        self._end_after: float | None = None  # the judge's "ends if the pause lasts this long"
        self.frame_seconds = SILERO_FRAME / SAMPLE_RATE
        self._silero = SileroVad() if self.settings.vad == "silero" else None
        self._threshold_db = (
            energy_threshold_db(noise_floor_db) if noise_floor_db is not None else None
        )
        self._levels: list[float] = []
        self._pending = np.zeros(0, dtype=np.float32)
        self.frames = 0  # frames decided so far
        self.deadline: float | None = None  # stream seconds; no onset by then -> silent
        self.onset: float | None = None
        self.end: float | None = None
        self.reason = ""
        self.last_probability = 0.0
        self._candidate: int | None = None  # first frame of the speech run being confirmed
        self._run_frames = 0
        self._last_speech: int | None = None  # last frame judged speech (index)
        self._steps: list[float] = []  # the level (dBFS) of every VOICE_STEP pushed
        self._loud: list[float] = []  # the level of each speech frame of the reply
        self._voice_end: tuple[int, float] | None = None  # (last speech frame, the voice's end)
        self._level = -120.0  # the loudest step of the frame being decided (dBFS)
        self._noise_floor_db = noise_floor_db
        # the pauses of at least ``pause_seconds`` after which speech went on, inside the
        # reply: (speech end, speech again), stream seconds
        self.resumed: list[tuple[float, float]] = []

    @property
    def ended(self) -> bool:
        return bool(self.reason)

    @property
    def position(self) -> float:
        """Stream seconds decided so far (the end of the last full frame)."""
        return self.frames * self.frame_seconds

    @property
    def speech_end(self) -> float | None:
        """End of the last speech heard (stream seconds), None before an onset: once Silero
        has heard a frame without speech, where the voice's level fell (``VOICE_BACK``)."""
        if self.onset is None or self._last_speech is None:
            return None
        if self._voice_end is not None and self._voice_end[0] == self._last_speech:
            return self._voice_end[1]
        return self.heard_end

    @property
    def heard_end(self) -> float | None:
        """Where Silero stopped hearing speech (stream seconds; at or after ``speech_end``):
        the audio up to here goes to the transcriber, whose last word's fading sound the
        level may already count as quiet."""
        if self.onset is None or self._last_speech is None:
            return None
        return (self._last_speech + 1) * self.frame_seconds

    def _find_voice_end(self) -> None:
        """At the first frame without speech after speech: move its end back to the last
        step of the level that still carries the voice."""
        last = self._last_speech
        if last is None or self.onset is None:
            return
        end = (last + 1) * STEPS_PER_FRAME
        first = max(
            int(self.onset / self.frame_seconds) * STEPS_PER_FRAME,
            end - int(VOICE_BACK * SAMPLE_RATE) // VOICE_STEP,
        )
        steps = np.asarray(self._steps[first:end])
        loud = float(np.percentile(self._loud[-300:], 90)) if self._loud else 0.0
        quiet = self._noise_floor_db
        if quiet is None:  # no calibrated noise floor: the quiet end of what was heard
            quiet = float(np.percentile(self._steps[-3000:], 10))
        voiced = np.flatnonzero(steps >= max(loud - VOICE_DROP_DB, quiet + 6.0))
        step = first + (int(voiced[-1]) + 1 if voiced.size else 0)
        self._voice_end = (last, step * VOICE_STEP / SAMPLE_RATE)

    def skip(self, seconds: float) -> None:
        """Declare the first ``seconds`` of the stream not to be listened to (pushed as
        silence frames without analysis). Only before anything was pushed."""
        if self.frames or self._pending.size:
            raise ParameterError("Endpointer.skip() must come before any audio is pushed.")
        self.frames = int(max(0.0, seconds) // self.frame_seconds)
        self._steps = [-120.0] * (self.frames * STEPS_PER_FRAME)

    def push(self, audio: np.ndarray) -> None:
        """Feed the next samples (shape=(n,), 16 kHz)."""
        if self.ended:
            return
        data = np.concatenate([self._pending, np.asarray(audio, dtype=np.float32)])
        count = len(data) // SILERO_FRAME
        self._pending = data[count * SILERO_FRAME :]
        if count == 0:
            self._check_deadline()
            return
        frames = data[: count * SILERO_FRAME].reshape(count, SILERO_FRAME)
        probs = self._probabilities(frames)
        steps = frames.reshape(-1, VOICE_STEP).astype(np.float64)
        levels = 10.0 * np.log10(np.maximum(np.mean(steps**2, axis=1), 1e-12))
        self._steps.extend(levels.tolist())
        per = STEPS_PER_FRAME
        for k, p in enumerate(probs):
            self._level = float(np.max(levels[k * per : (k + 1) * per]))
            self._decide(float(p))
            if self.ended:
                return
        self._check_deadline()

    def _probabilities(self, frames: np.ndarray) -> np.ndarray:
        if self._silero is not None:
            return self._silero.push_many(frames)
        rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
        levels = 20.0 * np.log10(np.maximum(rms, 1e-6))
        out = np.empty(len(levels), dtype=np.float32)
        for i, level in enumerate(levels):
            self._levels.append(float(level))
            threshold = self._threshold_db
            if threshold is None:  # no calibrated noise floor: the quiet end of what was heard
                threshold = energy_threshold_db(float(np.percentile(self._levels[-300:], 10)))
            out[i] = 1.0 if level > threshold else 0.0
        return out

    def _decide(self, prob: float) -> None:
        s = self.settings
        i = self.frames
        self.frames += 1
        self.last_probability = prob
        fs = self.frame_seconds
        if self.onset is None:
            if prob >= s.onset_threshold:
                if self._candidate is None:
                    self._candidate, self._run_frames = i, 0
                self._run_frames += 1
                self._last_speech = i
                self._loud.append(self._level)
                if self._run_frames * fs >= s.min_speech:
                    self.onset = self._candidate * fs
            elif (
                self._candidate is not None
                and self._last_speech is not None
                and (i - self._last_speech) * fs > 0.3
            ):
                self._candidate, self._last_speech = None, None
                self._loud.clear()
        else:
            if prob >= s.offset_threshold:
                end = self.speech_end
                if end is not None and i * fs - end >= s.pause_seconds:
                    self.resumed.append((end, i * fs))
                self._last_speech = i
                self._loud.append(self._level)
            elif self._last_speech == i - 1:
                self._find_voice_end()
            now = self.frames * fs
            speech_end = self.speech_end if self.speech_end is not None else now
            if (
                self.judge is not None
                and self._judged != self._last_speech
                and s.pause_seconds <= now - speech_end < s.end_of_turn_silence
            ):
                self._judged = self._last_speech
                verdict = self.judge(self.onset, speech_end)  # True: this pause is enough
                self._end_after = (
                    None
                    if verdict is False
                    else 0.0
                    if verdict is True
                    else min(float(verdict), s.end_of_turn_silence)
                )
            if (
                self._end_after is not None
                and self._judged == self._last_speech  # no speech since the verdict
                and now - speech_end >= self._end_after
            ):
                self.end, self.reason = speech_end, "complete"
                return
            if now - speech_end >= s.end_of_turn_silence:
                self.end, self.reason = speech_end, "silence"
            elif now - self.onset >= s.max_reply_seconds:
                self.end, self.reason = now, "max_length"

    def _check_deadline(self) -> None:
        if (
            self.onset is None
            and self._candidate is None
            and self.deadline is not None
            and self.position >= self.deadline
        ):
            self.reason = "timeout"

    def finish(self, reason: str = "key") -> None:
        """End the turn now (the trainee pressed Enter)."""
        if self.ended:
            return
        if self.onset is not None:
            speaking = self.last_probability >= self.settings.offset_threshold
            self.end = self.position if speaking else self.speech_end
        self.reason = reason
