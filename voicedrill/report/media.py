"""Audio for the debrief page, embedded as ``data:`` URIs so the file plays offline.

A stored FLAC that is already mono and at most 16 kHz is embedded byte for byte;
anything else (an in-memory array, a WAV, a 22 kHz file) is encoded once as 16 kHz
mono FLAC (lossless) or Ogg Vorbis (about a tenth of the size).
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import numpy as np

from ..audio import SAMPLE_RATE
from ..errors import AudioError, ParameterError

FORMATS = {"flac": ("FLAC", "PCM_16", "audio/flac"), "ogg": ("OGG", "VORBIS", "audio/ogg")}
MAX_EMBED_SECONDS = 120.0  # a longer clip is cut to this (a reply is far shorter)


def audio_bytes(source: np.ndarray | str | os.PathLike, *, fmt: str = "flac") -> tuple[bytes, str]:
    """Encoded audio and its MIME type, from an array (16 kHz float32, shape=(n,)) or a file."""
    if fmt not in FORMATS:
        raise ParameterError(
            f"audio format '{fmt}' is not supported; choose one of: {', '.join(FORMATS)}"
        )
    container, subtype, mime = FORMATS[fmt]
    if isinstance(source, np.ndarray):
        audio = source
    else:
        path = Path(source)
        reuse = _reusable(path, container)
        if reuse is not None:
            return reuse, mime
        from ..audio import load_audio

        audio = load_audio(path)
    return _encode(audio, container, subtype), mime


def data_uri(source: np.ndarray | str | os.PathLike | None, *, fmt: str = "flac") -> str | None:
    """``data:audio/...;base64,...`` for ``source``; None when there is no usable audio."""
    if source is None:
        return None
    if isinstance(source, np.ndarray) and source.size == 0:
        return None
    try:
        data, mime = audio_bytes(source, fmt=fmt)
    except AudioError:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _reusable(path: Path, container: str) -> bytes | None:
    """The file's bytes when it can be embedded as is (same container, mono, <= 16 kHz, short)."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except Exception:
        return None
    if (
        info.format != container
        or info.channels != 1
        or info.samplerate > SAMPLE_RATE
        or info.duration > MAX_EMBED_SECONDS
    ):
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _encode(audio: np.ndarray, container: str, subtype: str) -> bytes:
    import soundfile as sf

    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    audio = audio[: int(MAX_EMBED_SECONDS * SAMPLE_RATE)]
    if audio.size == 0 or not np.all(np.isfinite(audio)):
        raise AudioError("audio to embed is empty or holds NaN/inf samples.")
    buf = io.BytesIO()
    try:
        sf.write(buf, np.clip(audio, -1.0, 1.0), SAMPLE_RATE, format=container, subtype=subtype)
    except Exception as e:  # libsndfile without Vorbis, etc.
        raise AudioError(f"cannot encode audio as {container}/{subtype} ({e}).") from e
    return buf.getvalue()
