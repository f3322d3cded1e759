"""The one internal audio format, and conversion at the edges.

Inside voicedrill audio is always mono float32 NumPy at ``SAMPLE_RATE`` Hz,
shape=(n,), values in [-1, 1]. Files and devices are converted here and only here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from math import gcd
from pathlib import Path

import numpy as np

from .errors import AudioError

SAMPLE_RATE = 16000  # Hz, what Whisper wants
MAX_SECONDS = 15 * 60.0  # longest audio voicedrill accepts (a reply is far shorter)
SILENCE_DBFS = -60.0  # RMS below this counts as silence
MIN_RATE, MAX_RATE = 4000, 384000  # sample rates a file may have (Hz)
CANCEL_RATIO = 0.1  # a mono mix 20 dB below the loudest channel: the channels cancel
LOUD_PEAK = 1.5  # a float file peaking above this was written on the wrong scale (notice)
MAX_PEAK = 2.0  # internal audio peaking above this is refused (it must lie in -1..1)
_FFMPEG_ONLY = {".mp4", ".m4a", ".aac", ".webm", ".opus", ".wma"}


def load_audio(path: str | os.PathLike, *, max_seconds: float = MAX_SECONDS) -> np.ndarray:
    """Read a sound file (wav, flac, ogg, mp3, and what ffmpeg reads) as mono float32 16 kHz.

    Raises ``AudioError`` naming the file for missing, empty, corrupt, non-finite or
    over-long audio.
    """
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file. Check the path.")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not a sound file.")
    if not path.is_file():
        raise AudioError(f"{path}: is not a regular file (a device or a pipe); give a sound file.")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes). Record or copy it again.")
    data, rate = _read_soundfile(path, max_seconds)
    if data is None:
        data, rate = _read_ffmpeg(path, max_seconds)
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(
            f"{path}: a sample rate of {rate} Hz cannot hold speech as voicedrill reads it "
            f"(use {MIN_RATE}..{MAX_RATE} Hz; 16000 or 48000 are usual). Re-record or convert the file."
        )
    if data.size and not np.all(np.isfinite(data)):
        bad = int(np.count_nonzero(~np.isfinite(data)))
        raise AudioError(f"{path}: {bad} samples are NaN or infinite. The recording is corrupt.")
    data = _downmix(data, str(path)) if data.ndim == 2 else data
    data = _rescale(data, str(path))
    audio = resample(data.astype(np.float32, copy=False), rate, SAMPLE_RATE)
    return validate_audio(audio, name=str(path), max_seconds=max_seconds)


def _notice(message: str) -> None:
    import warnings

    from .errors import VoicedrillNotice

    warnings.warn(message, VoicedrillNotice, stacklevel=3)


def _downmix(data: np.ndarray, name: str) -> np.ndarray:
    """Average the channels, shape=(n, c) -> (n,); when that cancels the sound (a channel
    recorded with inverted polarity), use the loudest channel instead, with a notice."""
    mono = data.mean(axis=1)
    if data.shape[1] < 2 or mono.size == 0:
        return mono
    channel_rms = np.sqrt(np.mean(np.square(data, dtype=np.float64), axis=0))
    loudest = int(np.argmax(channel_rms))
    mix_rms = float(np.sqrt(np.mean(np.square(mono, dtype=np.float64))))
    if (
        channel_rms[loudest] > 10 ** (SILENCE_DBFS / 20)
        and mix_rms < CANCEL_RATIO * channel_rms[loudest]
    ):
        _notice(
            f"{name}: the channels cancel each other when mixed to mono (one is recorded with "
            f"inverted polarity); using channel {loudest + 1} alone. Check the microphone wiring."
        )
        return data[:, loudest]
    return mono


def _rescale(data: np.ndarray, name: str) -> np.ndarray:
    """Bring float samples written on the wrong scale (e.g. +-1000 instead of +-1) back to
    -1..1, with a notice; a slight overshoot (a peak up to ``LOUD_PEAK``) is scaled quietly."""
    if data.size == 0:
        return data
    peak = float(np.max(np.abs(data)))
    if peak <= 1.0:
        return data
    if peak > LOUD_PEAK:
        _notice(
            f"{name}: samples reach {peak:.3g} where a sound file holds -1..1 (the file was "
            f"written on the wrong scale); scaled it down by {peak:.3g}. Export it as 16-bit PCM to avoid this."
        )
    return (data / peak).astype(np.float32)


def _read_soundfile(path: Path, max_seconds: float):
    import soundfile as sf

    if path.suffix.lower() in _FFMPEG_ONLY:
        return None, 0
    try:
        info = sf.info(str(path))
    except Exception:  # not a format libsndfile knows: let ffmpeg try
        return None, 0
    if info.frames == 0 and info.duration == 0:
        raise AudioError(f"{path}: holds no audio samples. Record or copy it again.")
    if info.duration > max_seconds:
        raise AudioError(
            f"{path}: {info.duration:.0f} s of audio is longer than the {max_seconds:.0f} s "
            "voicedrill accepts. Cut the file to the reply."
        )
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except Exception as e:
        raise AudioError(f"{path}: cannot decode the audio ({e}). The file may be corrupt.") from e
    return data, rate


def _read_ffmpeg(path: Path, max_seconds: float):
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AudioError(
            f"{path}: not a format soundfile reads, and ffmpeg is not installed to try. "
            "Install ffmpeg (apt-get install ffmpeg) or convert the file to WAV or FLAC."
        )
    cmd = [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-t",
        str(max_seconds + 1),
        "-i",
        str(path),
        "-f",
        "f32le",
        "-ac",
        "2",
        "-ar",
        str(SAMPLE_RATE),
        "-",
    ]  # two channels: see _downmix
    try:
        out = subprocess.run(cmd, capture_output=True, check=True, timeout=300)
    except subprocess.CalledProcessError as e:
        reason = e.stderr.decode(errors="replace").strip().splitlines()
        raise AudioError(
            f"{path}: cannot decode the audio ({reason[-1] if reason else 'ffmpeg failed'}). "
            "The file may be corrupt or not a sound file."
        ) from e
    data = (
        np.frombuffer(out.stdout[: len(out.stdout) // 8 * 8], dtype=np.float32)
        .reshape(-1, 2)
        .copy()
    )
    if data.size == 0:
        raise AudioError(f"{path}: holds no audio samples. Record or copy it again.")
    if len(data) > max_seconds * SAMPLE_RATE:
        raise AudioError(
            f"{path}: longer than the {max_seconds:.0f} s voicedrill accepts. Cut the file to the reply."
        )
    return data, SAMPLE_RATE


def resample(audio: np.ndarray, orig_rate: int, target_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Polyphase resampling of a mono signal, shape=(n,) -> shape=(n*target/orig,)."""
    if orig_rate <= 0 or target_rate <= 0:
        raise AudioError(f"sample rate must be positive, got {orig_rate} -> {target_rate} Hz")
    audio = np.asarray(audio, dtype=np.float32)
    if orig_rate == target_rate or audio.size == 0:
        return audio
    from scipy.signal import resample_poly

    g = gcd(int(orig_rate), int(target_rate))
    return resample_poly(audio, target_rate // g, orig_rate // g).astype(np.float32)


def validate_audio(
    audio: np.ndarray,
    *,
    name: str = "audio",
    max_seconds: float = MAX_SECONDS,
    allow_silence: bool = True,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Check that ``audio`` is usable internal audio and return it as float32, shape=(n,).

    Rejects non-arrays, wrong shapes, empty, non-finite (NaN/inf), too long, and,
    with ``allow_silence=False``, audio with no sound above ``SILENCE_DBFS``.
    """
    if not isinstance(audio, np.ndarray):
        raise AudioError(f"{name}: expected a NumPy array of samples, got {type(audio).__name__}.")
    if audio.ndim != 1:
        raise AudioError(f"{name}: expected mono audio shape=(n,), got shape={audio.shape}.")
    if audio.size == 0:
        raise AudioError(f"{name}: holds no audio samples. Record or copy it again.")
    if not np.issubdtype(audio.dtype, np.floating):
        raise AudioError(f"{name}: expected float samples, got {audio.dtype}.")
    if not np.all(np.isfinite(audio)):
        bad = int(np.count_nonzero(~np.isfinite(audio)))
        raise AudioError(f"{name}: {bad} samples are NaN or infinite. The recording is corrupt.")
    peak = float(np.max(np.abs(audio)))
    if peak > MAX_PEAK:
        raise AudioError(
            f"{name}: samples reach {peak:.3g}, but audio must lie in -1..1 (about +-1000 means it is on "
            "the wrong scale). Divide the samples by their peak, or export the file as 16-bit PCM."
        )
    seconds = audio.size / sample_rate
    if seconds > max_seconds:
        raise AudioError(
            f"{name}: {seconds:.0f} s of audio is longer than the {max_seconds:.0f} s voicedrill "
            "accepts. Cut it to the reply."
        )
    if not allow_silence and rms_dbfs(audio) < SILENCE_DBFS:
        raise AudioError(
            f"{name}: is silent (below {SILENCE_DBFS:.0f} dBFS). Check the microphone."
        )
    return audio.astype(np.float32, copy=False)


def rms_dbfs(audio: np.ndarray) -> float:
    """Root-mean-square level in dB relative to full scale (-inf for digital silence -> -120)."""
    if audio.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return 20.0 * np.log10(max(rms, 1e-6))


def save_audio(
    path: str | os.PathLike,
    audio: np.ndarray,
    *,
    sample_rate: int = SAMPLE_RATE,
    durable: bool = False,
) -> Path:
    """Write ``audio`` atomically (temporary file + rename, fsync'ed with ``durable``);
    format from the suffix (.wav, .flac, .ogg)."""
    import soundfile as sf

    from .fsutil import atomic_path

    path = Path(path)
    audio = validate_audio(audio, name=str(path), sample_rate=sample_rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}.get(path.suffix.lower())
    if fmt is None:
        raise AudioError(f"{path}: cannot save as '{path.suffix}'. Use .wav, .flac or .ogg.")
    try:
        with atomic_path(path, durable=durable) as tmp:
            subtype = "PCM_16" if fmt != "OGG" else None
            sf.write(str(tmp), np.clip(audio, -1.0, 1.0), sample_rate, format=fmt, subtype=subtype)
    except Exception as e:
        raise AudioError(f"{path}: cannot write the audio ({e}).") from e
    return path
