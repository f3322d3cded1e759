"""The internal audio format and the file edge: loading, resampling, saving, bad input."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from voicedrill.audio import SAMPLE_RATE, load_audio, resample, rms_dbfs, save_audio, validate_audio
from voicedrill.errors import AudioError


def test_jfk_loads_as_internal_format(jfk_path):
    audio = load_audio(jfk_path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert 10.5 < len(audio) / SAMPLE_RATE < 11.5
    assert -40 < rms_dbfs(audio) < -5


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_resample_keeps_duration_and_pitch(tmp_path, rate):
    t = np.arange(int(rate * 1.5)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    stereo = np.stack([tone, tone], axis=1)
    path = tmp_path / f"tone{rate}.wav"
    sf.write(path, stereo, rate)
    audio = load_audio(path)
    assert abs(len(audio) / SAMPLE_RATE - 1.5) < 0.01
    spectrum = np.abs(np.fft.rfft(audio))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(audio)
    assert abs(peak_hz - 440) < 3


@pytest.mark.parametrize("suffix", [".flac", ".ogg", ".mp3"])
def test_common_formats_load(tmp_path, jfk_path, suffix):
    src = load_audio(jfk_path)[: 3 * SAMPLE_RATE]
    wav = save_audio(tmp_path / "src.wav", src)
    out = tmp_path / f"clip{suffix}"
    subprocess.run([shutil.which("ffmpeg"), "-v", "error", "-i", str(wav), str(out)], check=True)
    audio = load_audio(out)
    assert abs(len(audio) - len(src)) < 0.1 * SAMPLE_RATE  # mp3 pads a little
    n = min(len(audio), len(src))
    assert abs(rms_dbfs(audio[:n]) - rms_dbfs(src[:n])) < 1.5


def test_save_is_atomic_and_round_trips(tmp_path):
    audio = (0.1 * np.random.default_rng(0).standard_normal(SAMPLE_RATE)).astype(np.float32)
    path = save_audio(tmp_path / "a" / "reply.flac", audio)
    assert [p.name for p in path.parent.iterdir()] == ["reply.flac"]  # no temporary left
    back = load_audio(path)
    assert np.max(np.abs(back - audio)) < 1e-3


def test_resample_rejects_bad_rates():
    with pytest.raises(AudioError):
        resample(np.zeros(10, dtype=np.float32), 0)


# --- bad input: each gives one AudioError naming the file and the problem ---------

def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nope.wav")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty.wav.*empty"):
        load_audio(path)


def test_corrupt_file(tmp_path):
    path = tmp_path / "corrupt.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" + bytes(range(256)) * 4)
    with pytest.raises(AudioError, match="corrupt.wav"):
        load_audio(path)


def test_text_file_named_like_audio(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("this is not a sound file\n" * 10)
    with pytest.raises(AudioError, match="notes.mp3"):
        load_audio(path)


def test_wav_with_no_samples(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="no audio samples"):
        load_audio(path)


def test_nan_audio(tmp_path):
    audio = np.full(SAMPLE_RATE, np.nan, dtype=np.float32)
    with pytest.raises(AudioError, match="NaN"):
        validate_audio(audio, name="reply")
    path = tmp_path / "nan.wav"
    sf.write(path, audio, SAMPLE_RATE, subtype="FLOAT")
    with pytest.raises(AudioError, match=r"nan.wav.*NaN"):
        load_audio(path)


def test_two_hour_audio_is_refused_before_decoding(tmp_path):
    path = tmp_path / "two_hours.flac"
    with sf.SoundFile(path, "w", samplerate=8000, channels=1, format="FLAC", subtype="PCM_16") as f:
        block = np.zeros(8000 * 60, dtype=np.int16)
        for _ in range(120):
            f.write(block)
    with pytest.raises(AudioError, match=r"two_hours.flac: 7200 s .* longer"):
        load_audio(path)


def test_validate_rejects_wrong_shapes_and_types():
    with pytest.raises(AudioError, match="mono"):
        validate_audio(np.zeros((100, 2), dtype=np.float32))
    with pytest.raises(AudioError, match="float"):
        validate_audio(np.zeros(100, dtype=np.int16))
    with pytest.raises(AudioError, match="NumPy"):
        validate_audio([0.0] * 100)
    with pytest.raises(AudioError, match="silent"):
        validate_audio(np.zeros(1000, dtype=np.float32), allow_silence=False)


# --- one atomic writer --------------------------------------------------------------------------


def test_atomic_writer_replaces_whole_or_leaves_the_old_file(tmp_path):
    from voicedrill.fsutil import atomic_path, write_atomic

    target = tmp_path / "f.json"
    write_atomic(target, "old", durable=True)
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("crash while writing")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.json"]
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and oct(target.stat().st_mode & 0o777) != "0o600"
