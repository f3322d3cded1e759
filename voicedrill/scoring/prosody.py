"""Pacing and vocal calm of a reply, from its audio and word times.

Pacing: words per minute over the speech span (onset -> end of speech), articulation
rate over voiced time (pauses removed), latency (from the listener's VAD, not from
Whisper), pauses found from audio energy inside the speech span, fillers per minute.

Vocal calm: pitch (median, spread in semitones) and loudness (level, spread in dB) of
the voiced frames, compared with the trainee's own ``VoiceBaseline`` and combined into
``Calm.score`` (0 agitated .. 1 calm) by the scoring script's thresholds.

Pitch tracker: a vectorised YIN in NumPy (de Cheveigné & Kawahara 2002) on the audio
decimated to 8 kHz, 70-400 Hz, 40 ms frames every 10 ms, only on frames loud enough to
be voiced; voicing from YIN's aperiodicity (the minimum of the cumulative-mean-
normalised difference) and the frame level. Why not ``librosa.pyin``: pyin runs a
Viterbi over hundreds of pitch states and took about 1 s for a 5 s reply here (plus
seconds of import and JIT on first use), where the whole turn score must stay under
50 ms; the scorer needs robust summary statistics (median, interquartile spread), not
a smooth contour, so YIN's occasional slip on a frame is absorbed. Measured against
pyin (``scripts/bench_scoring.py``): median frame error 7 cents on espeak-ng speech and
9 cents on jfk.flac, median pitch within 0.2-0.4 semitone, 40-65x faster.

Silence: ``measure_calm`` never raises for silent or unvoiced audio; it returns a
``Calm`` flagged ``no_voiced_frames`` (its score is then 0 and the rubric ignores it).
``measure_baseline`` raises ``AudioError`` instead, because a baseline cannot be made
from silence. Clipped audio is flagged ``clipped`` (and costs calm points: clipping
usually means shouting into the microphone); ``too_quiet`` marks speech below the
script's quiet level, where pitch and loudness are unreliable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .. import vad
from ..audio import SAMPLE_RATE, validate_audio
from ..errors import AudioError
from ..types import Reply, Transcript, VoiceBaseline
from .result import Calm, Pacing

if TYPE_CHECKING:  # pragma: no cover
    from .script import ScoringScript

# Pitch tracker settings. Pitch is tracked at 8 kHz (speech F0 <= 400 Hz needs no
# more), which halves the work; frame levels are measured on the 16 kHz audio.
FMIN_HZ = 70.0
FMAX_HZ = 400.0
HOP_SECONDS = 0.010
ANALYSIS_RATE = 8000
_DECIMATE = SAMPLE_RATE // ANALYSIS_RATE
_HOP = int(round(HOP_SECONDS * ANALYSIS_RATE))  # 80 samples
_TAU_MIN = int(ANALYSIS_RATE // FMAX_HZ)  # 20 samples
_TAU_MAX = int(np.ceil(ANALYSIS_RATE / FMIN_HZ))  # 115 samples
_FRAME = 320  # 40 ms: integration window + the longest lag
_WINDOW = _FRAME - _TAU_MAX - 1  # 204 samples, ~26 ms (YIN's W)
YIN_THRESHOLD = 0.15  # first dip of the normalised difference below this is the period
VOICING_THRESHOLD = 0.40  # aperiodicity above this: unvoiced
CLIP_LEVEL = 0.99  # |sample| at or above this counts as clipped
CLIP_FRACTION = 0.001  # more than 0.1 % clipped samples flags the reply

DEFAULT_MIN_PAUSE = 0.3  # seconds, when no script is given


def _halfband() -> np.ndarray:
    """31-tap windowed-sinc low-pass at 3.6 kHz for 16 -> 8 kHz decimation."""
    n = np.arange(31) - 15
    h = 0.9 * np.sinc(0.9 * n / 2) * np.hamming(31)
    return (h / h.sum()).astype(np.float32)


_LOWPASS = _halfband()


def _decimate(x16: np.ndarray) -> np.ndarray:
    """Low-pass and keep every other sample: 16 kHz -> 8 kHz, shape=(ceil(n/2),).
    Only the kept outputs are computed (one matrix-vector product)."""
    half = _LOWPASS.size // 2
    padded = np.pad(x16, (half, half))
    taps = np.lib.stride_tricks.sliding_window_view(padded, _LOWPASS.size)[::_DECIMATE]
    return taps @ _LOWPASS[::-1]


@dataclass(frozen=True)
class PitchTrack:
    """Frame-wise pitch: ``f0_hz`` (NaN where unvoiced), ``level_db`` (frame RMS dBFS),
    ``voiced`` (bool); all shape=(n_frames,), one frame every ``HOP_SECONDS``."""

    f0_hz: np.ndarray
    level_db: np.ndarray
    voiced: np.ndarray
    aperiodicity: np.ndarray

    @property
    def times(self) -> np.ndarray:
        """Frame centres in seconds, shape=(n_frames,)."""
        return np.arange(self.f0_hz.size) * HOP_SECONDS + _FRAME / (2 * ANALYSIS_RATE)


def track_pitch(audio: np.ndarray, *, min_level_db: float | None = None) -> PitchTrack:
    """Vectorised YIN pitch track of ``audio`` (shape=(n,), 16 kHz float32), 70-400 Hz,
    one 40 ms frame every 10 ms.

    A frame is voiced when its aperiodicity is below ``VOICING_THRESHOLD`` and its level
    is above ``min_level_db`` (default: 12 dB over the 10th-percentile frame level, at
    least -55 dBFS, at most 35 dB under the loudest frame). Only frames loud enough to be
    voiced are analysed, so silence costs nothing.
    """
    x16 = np.asarray(audio, dtype=np.float32)
    x16 = x16 - np.float32(x16.mean()) if x16.size else x16
    x8 = _decimate(x16)
    if x8.size < _FRAME:
        x8 = np.pad(x8, (0, _FRAME - x8.size))
        x16 = np.pad(x16, (0, _FRAME * _DECIMATE - x16.size))
    n = (x8.size - _FRAME) // _HOP + 1
    starts = np.arange(n) * _HOP
    # Frame level (dBFS) over the integration window, on the full-band 16 kHz audio.
    cs16 = np.concatenate([[0.0], np.cumsum(np.square(x16, dtype=np.float64))])
    w16 = _WINDOW * _DECIMATE
    power = (cs16[starts * _DECIMATE + w16] - cs16[starts * _DECIMATE]) / w16
    level = 10.0 * np.log10(np.maximum(power, 1e-12))
    if min_level_db is None:
        floor = float(np.percentile(level, 10))
        min_level_db = max(min(max(floor + 12.0, -55.0), float(level.max()) - 35.0), -70.0)
    f0 = np.full(n, np.nan)
    aper = np.ones(n, dtype=np.float32)
    active = np.flatnonzero(level > min_level_db)
    if active.size:
        f0_a, aper_a = _yin(x8, starts[active])
        f0[active] = f0_a
        aper[active] = aper_a
    voiced = (aper < VOICING_THRESHOLD) & (level > min_level_db) & (f0 >= FMIN_HZ) & (f0 <= FMAX_HZ)
    f0 = np.where(voiced, f0, np.nan)
    return PitchTrack(f0_hz=f0, level_db=level, voiced=voiced, aperiodicity=aper)


def _yin(x8: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """YIN on the 8 kHz signal ``x8`` for frames starting at ``starts`` (samples):
    (f0 Hz, aperiodicity), each shape=(len(starts),)."""
    from scipy import fft  # float32 FFTs (numpy's pocketfft works in float64)

    m = starts.size
    frames = x8[starts[:, None] + np.arange(_FRAME)]
    window = frames.copy()
    window[:, _WINDOW:] = 0.0
    # Difference function d(tau) = E(x[0:W]) + E(x[tau:tau+W]) - 2 r(tau), r via FFT
    # (no circular wrap: W - 1 + tau_max < frame length).
    corr = fft.irfft(np.conj(fft.rfft(window)) * fft.rfft(frames), n=_FRAME)[:, : _TAU_MAX + 1]
    cs = np.concatenate([[0.0], np.cumsum(np.square(x8, dtype=np.float64))])
    taus = np.arange(_TAU_MAX + 1)
    lag = starts[:, None] + taus
    energy_lag = (cs[lag + _WINDOW] - cs[lag]).astype(np.float32)
    diff = np.maximum(energy_lag[:, :1] + energy_lag - 2.0 * corr, 0.0)
    # Cumulative mean normalised difference d'(tau), searched over 70-400 Hz.
    cum = np.cumsum(diff[:, 1:], axis=1)
    cmnd = diff[:, 1:] * taus[1:].astype(np.float32) / np.maximum(cum, 1e-12)
    search = cmnd[:, _TAU_MIN - 1 : _TAU_MAX]
    # Period: the first local minimum below the threshold, else the global minimum.
    local_min = np.zeros(search.shape, dtype=bool)
    local_min[:, 1:-1] = (search[:, 1:-1] <= search[:, :-2]) & (search[:, 1:-1] <= search[:, 2:])
    candidates = local_min & (search < YIN_THRESHOLD)
    idx = np.where(candidates.any(axis=1), np.argmax(candidates, axis=1), np.argmin(search, axis=1))
    rows = np.arange(m)
    aper = search[rows, idx]
    # Parabolic interpolation around the chosen lag.
    left = search[rows, np.maximum(idx - 1, 0)]
    right = search[rows, np.minimum(idx + 1, search.shape[1] - 1)]
    denom = left - 2.0 * aper + right
    safe = np.where(np.abs(denom) > 1e-12, denom, 1.0)
    shift = np.clip(np.where(np.abs(denom) > 1e-12, 0.5 * (left - right) / safe, 0.0), -0.5, 0.5)
    return ANALYSIS_RATE / (idx + _TAU_MIN + shift.astype(np.float64)), aper


def _robust_spread(values: np.ndarray) -> float:
    """Robust standard deviation: interquartile range / 1.349."""
    if values.size < 2:
        return 0.0
    q1, q3 = np.percentile(values, [25, 75])
    return float((q3 - q1) / 1.349)


@dataclass(frozen=True)
class VoiceFigures:
    """Summary of the voiced frames of one recording (None when there were none)."""

    pitch_median_hz: float | None
    pitch_spread_st: float | None
    loudness_db: float | None
    loudness_spread_db: float | None
    voiced_seconds: float
    noise_floor_db: float
    clipped_fraction: float


def voice_figures(audio: np.ndarray, *, span: tuple[float, float] | None = None) -> VoiceFigures:
    """Pitch and loudness statistics of ``audio`` (shape=(n,)), optionally only inside
    ``span`` = (start, end) seconds."""
    track = track_pitch(audio)
    voiced = track.voiced
    if span is not None:
        t = track.times
        voiced = voiced & (t >= span[0]) & (t <= span[1])
    clipped = float(np.count_nonzero(np.abs(audio) >= CLIP_LEVEL)) / max(audio.size, 1)
    floor = float(np.percentile(track.level_db, 10)) if track.level_db.size else -120.0
    if np.count_nonzero(voiced) < 5:  # under 50 ms of voice: no reliable figures
        return VoiceFigures(
            None, None, None, None, float(np.count_nonzero(voiced)) * HOP_SECONDS, floor, clipped
        )
    f0 = track.f0_hz[voiced]
    median = float(np.median(f0))
    semis = 12.0 * np.log2(f0 / median)
    levels = track.level_db[voiced]
    return VoiceFigures(
        pitch_median_hz=median,
        pitch_spread_st=_robust_spread(semis),
        loudness_db=float(np.median(levels)),
        loudness_spread_db=_robust_spread(levels),
        voiced_seconds=float(voiced.sum()) * HOP_SECONDS,
        noise_floor_db=floor,
        clipped_fraction=clipped,
    )


def measure_baseline(
    audio: np.ndarray, transcript: Transcript | None = None, *, source: str = "calibration"
) -> VoiceBaseline:
    """The trainee's calm voice from a calibration recording (shape=(n,), 16 kHz).

    Raises ``AudioError`` when the recording holds under 1 s of voiced speech (silence,
    noise, a tone) or is clipped: a baseline must be the trainee's normal voice.
    """
    audio = validate_audio(audio, name="calibration recording")
    fig = voice_figures(audio)
    if (
        fig.pitch_median_hz is None  # no voiced frames (the four figures are None together)
        or fig.pitch_spread_st is None
        or fig.loudness_db is None
        or fig.loudness_spread_db is None
        or fig.voiced_seconds < 1.0
    ):
        raise AudioError(
            f"calibration recording: only {fig.voiced_seconds:.1f} s of voiced speech found "
            "(silence or noise?); record at least 3 s of your normal, calm voice."
        )
    if fig.pitch_spread_st < 0.05 and fig.loudness_spread_db < 0.2:
        raise AudioError(
            "calibration recording: a steady tone, not a voice (pitch and loudness never change); "
            "record at least 3 s of your normal, calm voice."
        )
    if fig.clipped_fraction > CLIP_FRACTION:
        raise AudioError(
            f"calibration recording: {fig.clipped_fraction:.1%} of samples are clipped; "
            "lower the microphone gain or move back, and record again."
        )
    wpm = None
    if transcript is not None and not transcript.is_empty:
        spans = vad.speech_spans(audio)
        if spans:
            span = spans[-1].end - spans[0].start
            if span > 0:
                wpm = _word_count(transcript) / span * 60.0
    return VoiceBaseline(
        pitch_median_hz=fig.pitch_median_hz,
        pitch_spread_st=fig.pitch_spread_st,
        loudness_db=fig.loudness_db,
        loudness_spread_db=fig.loudness_spread_db,
        words_per_minute=wpm,
        noise_floor_db=fig.noise_floor_db,
        source=source,
    )


def _ramp(value: float, ok: float, worst: float) -> float:
    """0 up to ``ok``, rising linearly to 1 at ``worst`` and beyond."""
    if worst <= ok:
        return 1.0 if value > ok else 0.0
    return float(min(max((value - ok) / (worst - ok), 0.0), 1.0))


def measure_calm(
    audio: np.ndarray,
    script: "ScoringScript",
    baseline: VoiceBaseline | None = None,
    *,
    span: tuple[float, float] | None = None,
) -> Calm:
    """Vocal calm of a reply against ``baseline`` with the script's thresholds.

    Penalties (each 0..1, weighted by the script) for pitch raised above the baseline
    median (semitones), a wider pitch spread (ratio), louder speech (dB) and a wider
    loudness spread (dB); minus a fixed amount when clipped. Without a baseline only
    the spreads are judged, against the script's typical calm spreads (flag
    ``no_baseline``).
    """
    rules = script.calm
    fig = voice_figures(audio, span=span)
    flags: list[str] = []
    clipped = fig.clipped_fraction > CLIP_FRACTION
    if clipped:
        flags.append("clipped")
    if baseline is None:
        flags.append("no_baseline")
    if (
        fig.pitch_median_hz is None  # the four figures are None together
        or fig.pitch_spread_st is None
        or fig.loudness_db is None
        or fig.loudness_spread_db is None
    ):
        flags.append("no_voiced_frames")
        return Calm(0.0, None, None, None, None, None, None, tuple(flags))
    if fig.loudness_db is not None and fig.loudness_db < rules.too_quiet_db:
        flags.append("too_quiet")
    pitch_shift: float | None
    loud_shift: float | None
    if baseline is not None:
        base_spread = max(baseline.pitch_spread_st, 0.3)
        base_lspread = baseline.loudness_spread_db
        pitch_shift = 12.0 * float(np.log2(fig.pitch_median_hz / baseline.pitch_median_hz))
        loud_shift = fig.loudness_db - baseline.loudness_db
    else:
        base_spread = rules.typical_pitch_spread_st
        base_lspread = rules.typical_loudness_spread_db
        pitch_shift = loud_shift = None
    parts: list[tuple[float, float]] = []  # (weight, penalty)
    if pitch_shift is not None:
        parts.append(
            (
                rules.pitch_shift.weight,
                _ramp(pitch_shift, rules.pitch_shift.ok, rules.pitch_shift.worst),
            )
        )
    ratio = fig.pitch_spread_st / base_spread
    parts.append(
        (rules.pitch_spread.weight, _ramp(ratio, rules.pitch_spread.ok, rules.pitch_spread.worst))
    )
    if loud_shift is not None:
        parts.append(
            (
                rules.loudness_shift.weight,
                _ramp(loud_shift, rules.loudness_shift.ok, rules.loudness_shift.worst),
            )
        )
    excess = fig.loudness_spread_db - base_lspread
    parts.append(
        (
            rules.loudness_spread.weight,
            _ramp(excess, rules.loudness_spread.ok, rules.loudness_spread.worst),
        )
    )
    total = sum(w for w, _ in parts)
    penalty = sum(w * p for w, p in parts) / total if total > 0 else 0.0
    score = 1.0 - penalty - (rules.clipped_penalty if clipped else 0.0)
    return Calm(
        score=round(float(min(max(score, 0.0), 1.0)), 4),
        pitch_median_hz=round(fig.pitch_median_hz, 2),
        pitch_shift_st=None if pitch_shift is None else round(pitch_shift, 3),
        pitch_spread_st=round(fig.pitch_spread_st, 3),
        loudness_db=round(fig.loudness_db, 2),
        loudness_shift_db=None if loud_shift is None else round(loud_shift, 2),
        loudness_spread_db=round(fig.loudness_spread_db, 2),
        flags=tuple(flags),
    )


# ---------------------------------------------------------------- pacing

_WORD_RE = re.compile(r"[\w']+", re.UNICODE)


def _normal_words(text: str) -> list[str]:
    return [w.lower().replace("ё", "е") for w in _WORD_RE.findall(text)]


def _word_count(transcript: Transcript) -> int:
    if transcript.words:
        return sum(1 for w in transcript.words if _WORD_RE.search(w.text))
    return len(_normal_words(transcript.text))


def count_fillers(transcript: Transcript, fillers: Sequence[str]) -> int:
    """How many fillers ("um", "uh", "you know"; ``fillers`` from the language data)
    the transcript holds. Multi-word fillers are matched as word sequences."""
    words = _normal_words(transcript.text)
    count = 0
    patterns = sorted(
        {tuple(_normal_words(f)) for f in fillers if _normal_words(f)}, key=len, reverse=True
    )
    i = 0
    while i < len(words):
        for pat in patterns:
            if tuple(words[i : i + len(pat)]) == pat:
                count += 1
                i += len(pat)
                break
        else:
            i += 1
    return count


@dataclass(frozen=True)
class SpeechTiming:
    """Where the reply's speech is: span (onset, end) and the pauses inside it, seconds."""

    onset: float | None
    end: float | None
    pauses: tuple[tuple[float, float], ...]  # (start, end) of each pause >= min pause

    @property
    def speech_seconds(self) -> float:
        if self.onset is None or self.end is None:  # (None together: no speech)
            return 0.0
        return max(self.end - self.onset, 0.0)

    @property
    def voiced_seconds(self) -> float:
        return max(self.speech_seconds - sum(e - s for s, e in self.pauses), 0.0)


def speech_timing(reply: Reply, *, min_pause: float = DEFAULT_MIN_PAUSE) -> SpeechTiming:
    """Speech span and pauses of ``reply``. The span is the listener's (``reply.onset``/
    ``reply.end``) when given, else found by ``vad.speech_spans``; pauses are silences of
    at least ``min_pause`` seconds between energy-detected speech inside the span."""
    spans = vad.speech_spans(reply.audio, merge_gap=min_pause, min_speech=0.04)
    onset, end = reply.onset, reply.end
    if onset is None:
        return SpeechTiming(None, None, ())
    if end is None or end <= onset:
        end = spans[-1].end if spans else reply.duration
    inside = [
        (max(s.start, onset), min(s.end, end)) for s in spans if s.end > onset and s.start < end
    ]
    pauses = []
    for (_, e1), (s2, _) in zip(inside, inside[1:], strict=False):
        if s2 - e1 >= min_pause - 1e-9:
            pauses.append((round(e1, 3), round(s2, 3)))
    return SpeechTiming(onset, end, tuple(pauses))


def measure_pacing(
    reply: Reply,
    transcript: Transcript,
    *,
    min_pause: float = DEFAULT_MIN_PAUSE,
    fillers: Sequence[str] = (),
    timing: SpeechTiming | None = None,
) -> Pacing:
    """Pacing of a reply. Rates are ``None`` when the reply is silent or under 0.3 s."""
    timing = timing or speech_timing(reply, min_pause=min_pause)
    words = _word_count(transcript)
    speech = timing.speech_seconds
    pauses = [e - s for s, e in timing.pauses]
    wpm = art = fpm = None
    if words and speech >= 0.3:
        wpm = round(words / speech * 60.0, 2)
        voiced = timing.voiced_seconds
        art = round(words / voiced * 60.0, 2) if voiced > 0 else None
        fpm = round(count_fillers(transcript, fillers) / speech * 60.0, 2)
    return Pacing(
        words=words,
        words_per_minute=wpm,
        articulation_rate=art,
        latency=None if reply.latency is None else round(float(reply.latency), 3),
        speech_seconds=round(speech, 3),
        pause_count=len(pauses),
        longest_pause=round(max(pauses), 3) if pauses else 0.0,
        mean_pause=round(float(np.mean(pauses)), 3) if pauses else 0.0,
        fillers_per_minute=fpm,
    )


def words_from_text(text: str, audio: np.ndarray, language: str) -> Transcript:
    """A ``Transcript`` for known ``text`` with word times estimated from the audio:
    words are spread over the speech spans (``vad.speech_spans``) in proportion to
    their length in letters. For typed transcripts (``analyze --transcript``), tests,
    and instructors checking text; Whisper's word times are better when available."""
    from ..types import Word

    tokens = text.split()
    spans = vad.speech_spans(audio, merge_gap=DEFAULT_MIN_PAUSE)
    if not tokens:
        return Transcript(text="", language=language)
    if not spans:
        return Transcript(text=" ".join(tokens), language=language)
    total = sum(s.end - s.start for s in spans)
    weights = np.array([max(len("".join(_WORD_RE.findall(t))), 1) for t in tokens], dtype=float)
    bounds = np.concatenate([[0.0], np.cumsum(weights) / weights.sum() * total])

    def at(pos: float) -> float:  # position along the voiced time -> seconds in the audio
        for s in spans:
            length = s.end - s.start
            if pos <= length + 1e-9:
                return s.start + pos
            pos -= length
        return spans[-1].end

    words = tuple(
        Word(
            text=tok,
            start=round(float(at(bounds[i] + 1e-6)), 3),
            end=round(float(at(bounds[i + 1])), 3),
            probability=1.0,
        )
        for i, tok in enumerate(tokens)
    )
    return Transcript(text=" ".join(tokens), language=language, words=words)


def effective_pause(timing: SpeechTiming, latency: float | None, script: "ScoringScript"):
    """The deliberate silence in a reply, as ``(start, end)`` seconds (``start`` None when
    it is the silence before the reply), or None. A pause inside the reply counts when its
    length is within the script's ``effective_pause`` band; with ``before_reply`` the
    silence between the perpetrator's line and the reply's onset counts too, from
    ``before_reply_min_seconds`` up to ``max_seconds``."""
    rule = script.effective_pause
    best = None
    for s, e in timing.pauses:
        if rule.min_seconds <= e - s <= rule.max_seconds and (
            best is None or e - s > best[1] - best[0]
        ):
            best = (s, e)
    if best is None and rule.before_reply and latency is not None and timing.onset is not None:
        if rule.counts_before_reply(latency):
            best = (max(timing.onset - latency, 0.0), timing.onset)
    return best


__all__ = [
    "PitchTrack",
    "VoiceFigures",
    "SpeechTiming",
    "track_pitch",
    "voice_figures",
    "measure_baseline",
    "measure_calm",
    "speech_timing",
    "measure_pacing",
    "count_fillers",
    "effective_pause",
    "words_from_text",
]
