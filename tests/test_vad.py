"""voicedrill.vad: the energy detector, Silero VAD in NumPy, and the streaming endpointer.

Real audio throughout: jfk.flac (real speech) and espeak-ng replies, with noise added.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.rig import speak
from voicedrill import vad
from voicedrill.audio import SAMPLE_RATE, load_audio
from voicedrill.errors import ParameterError, VoicedrillError
from voicedrill.vad import Endpointer, ListenSettings, SileroVad, speech_probabilities, speech_spans

SR = SAMPLE_RATE


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def noisy(audio: np.ndarray, snr_db: float, kind: str = "white", seed: int = 0) -> np.ndarray:
    """``audio`` with noise at ``snr_db`` relative to the speech's own power."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(len(audio)).astype(np.float32)
    if kind == "pink":
        f = np.fft.rfft(noise)
        f /= np.sqrt(np.arange(len(f)) + 1.0)
        noise = np.fft.irfft(f, len(audio)).astype(np.float32)
    spans = speech_spans(audio, threshold_db=-45)
    speech = np.concatenate([audio[int(s.start * SR): int(s.end * SR)] for s in spans])
    noise *= np.sqrt(np.mean(speech**2) / np.mean(noise**2) / 10 ** (snr_db / 10))
    return np.clip(audio + noise, -1, 1).astype(np.float32)


@pytest.fixture(scope="module")
def reply_parts():
    """Two spoken halves of a reply (espeak-ng), trimmed to their speech."""
    parts = []
    for text in ("I can hear that you are angry.", "Tell me what happened tonight."):
        audio = speak(text)
        span = speech_spans(audio, threshold_db=-45)
        parts.append(audio[int(span[0].start * SR): int(span[-1].end * SR)])
    return parts


def run(endpointer: Endpointer, audio: np.ndarray, chunk: int = 320) -> Endpointer:
    for i in range(0, len(audio), chunk):
        endpointer.push(audio[i: i + chunk])
        if endpointer.ended:
            break
    return endpointer


# --- offline detectors ------------------------------------------------------------


def test_energy_spans_on_real_speech(jfk_path):
    audio = load_audio(jfk_path)
    spans = speech_spans(audio)
    assert 0.1 < spans[0].start < 0.6 and 9.8 < spans[-1].end < 10.8
    assert all(b.start - a.end >= 0.3 for a, b in zip(spans, spans[1:]))


def test_silero_finds_the_same_speech_as_energy_on_clean_audio(jfk_path):
    audio = load_audio(jfk_path)
    spans = speech_spans(audio, method="silero")
    assert abs(spans[0].start - 0.34) < 0.1 and abs(spans[-1].end - 10.3) < 0.4
    probs = speech_probabilities(audio)
    assert probs.shape == (int(np.ceil(len(audio) / 512)),) and probs.dtype == np.float32
    assert np.all((probs >= 0) & (probs <= 1))
    assert probs[int(1.0 * SR / 512): int(2.0 * SR / 512)].mean() > 0.9  # "And so, my fellow Americans"


def test_streaming_equals_batch(jfk_path):
    audio = load_audio(jfk_path)[: 512 * 60]
    batch = speech_probabilities(audio)
    stream = SileroVad()
    one_by_one = np.array([stream.push(f) for f in audio.reshape(-1, 512)])
    assert np.max(np.abs(batch - one_by_one)) < 1e-5
    stream.reset()
    assert abs(stream.push(audio[:512]) - batch[0]) < 1e-6


@pytest.mark.parametrize("kind", ["white", "pink"])
def test_silero_keeps_the_onset_in_noise_where_energy_fails(reply_parts, kind):
    clean = np.concatenate([silence(1.5), reply_parts[0], silence(1.0)])
    audio = noisy(clean, snr_db=0, kind=kind)
    spans = speech_spans(audio, method="silero")
    assert spans and abs(spans[0].start - 1.5) < 0.1, spans
    energy = speech_spans(audio)
    assert not energy or abs(energy[0].start - 1.5) > 0.1 or energy[0].end - energy[0].start > 4.0


def test_silero_ignores_tone_noise_and_clicks():
    t = np.arange(3 * SR) / SR
    tone = (0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    white = (0.05 * np.random.default_rng(1).standard_normal(3 * SR)).astype(np.float32)
    clicks = silence(3.0)
    for k in range(5):
        clicks[k * SR // 2: k * SR // 2 + 80] = 0.8
    for audio in (tone, white, clicks, silence(2.0)):
        assert speech_spans(audio, method="silero") == ()
    assert speech_spans(np.concatenate([silence(1.0), tone])) != ()  # energy takes a tone for speech


def test_empty_and_bad_method():
    assert speech_spans(np.zeros(0, dtype=np.float32), method="silero") == ()
    assert speech_probabilities(np.zeros(0, dtype=np.float32)).shape == (0,)
    with pytest.raises(ParameterError, match="silero, energy"):
        speech_spans(silence(1.0), method="neural")


def test_missing_silero_package_is_a_clear_error(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "silero_vad" else real(name, *a))
    vad._silero_weights.cache_clear()
    try:
        with pytest.raises(VoicedrillError, match="pip install --no-deps"):
            SileroVad()
    finally:
        monkeypatch.undo()
        vad._silero_weights.cache_clear()


def test_no_torch_needed(jfk_path):
    import subprocess
    import sys

    code = (
        "import sys; from voicedrill.vad import speech_probabilities; import numpy as np; "
        "speech_probabilities(np.zeros(16000, dtype=np.float32)); "
        "print('torch' in sys.modules, 'onnxruntime' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- the endpointer ----------------------------------------------------------------


def test_settings_checked_and_read_from_the_scoring_script():
    from voicedrill.scoring import load_script

    script = load_script()
    settings = ListenSettings.from_script(script.listening)
    assert settings.end_of_turn_silence == script.listening.end_of_turn_silence
    assert settings.no_reply_timeout == script.listening.no_reply_timeout
    assert ListenSettings.from_script(script.listening, end_of_turn_silence=0.8).end_of_turn_silence == 0.8
    for bad in ({"end_of_turn_silence": 0}, {"max_reply_seconds": float("nan")}, {"vad": "x"},
                {"onset_threshold": 0.3, "offset_threshold": 0.5}):
        with pytest.raises(ParameterError):
            ListenSettings(**bad)


@pytest.mark.parametrize("method", ["silero", "energy"])
def test_a_one_second_pause_does_not_end_the_turn(reply_parts, method):
    first, second = reply_parts
    audio = np.concatenate([silence(0.8), first, silence(1.0), second, silence(2.5)])
    end_of_second = 0.8 + (len(first) + len(second)) / SR + 1.0
    ep = run(Endpointer(ListenSettings(end_of_turn_silence=1.5, vad=method)), audio)
    assert ep.reason == "silence"
    assert abs(ep.onset - 0.8) < 0.1
    assert abs(ep.end - end_of_second) < 0.25
    assert ep.position >= ep.end + 1.5  # decided only after the end-of-turn silence

    short = run(Endpointer(ListenSettings(end_of_turn_silence=0.6, vad=method)), audio)
    assert short.reason == "silence" and abs(short.end - (0.8 + len(first) / SR)) < 0.25


def test_a_judge_that_names_a_pause_ends_the_turn_only_after_that_pause(reply_parts):
    """The judge's number of seconds (the words finished a sentence the voice left open):
    the reply ends once the pause lasts that long, not at the short pause; speech that
    resumes before then cancels it."""
    first, second = reply_parts
    asked: list[float] = []

    def judge(onset: float, speech_end: float) -> float:
        asked.append(speech_end)
        return 0.7

    audio = np.concatenate([silence(0.8), first, silence(0.5), second, silence(2.5)])
    ep = run(Endpointer(ListenSettings(end_of_turn_silence=1.5), judge=judge), audio)
    end_of_second = 0.8 + (len(first) + len(second)) / SR + 0.5
    assert len(asked) == 2  # at the 0.5 s pause (speech resumed: no end) and after the reply
    assert ep.reason == "complete" and abs(ep.end - end_of_second) < 0.25
    assert 0.7 <= ep.position - ep.end < 0.8  # decided at the named pause, not the long silence


@pytest.mark.parametrize("snr_db", [None, 20])
def test_the_pause_counts_from_where_the_voice_stopped_not_where_silero_fell(reply_parts, snr_db):
    """Silero's probability stays up for a few frames after the voice; the end of speech is
    read back from the level, so a pause (and the turn gap) starts when the voice stops.
    In noise the level cannot fall below the noise: the end moves back less, never later."""
    first = reply_parts[0]
    audio = np.concatenate([silence(0.8), first, silence(2.0)])
    if snr_db is not None:
        audio = noisy(audio, snr_db=snr_db)
    voice_end = 0.8 + len(first) / SR
    ep = run(Endpointer(ListenSettings(end_of_turn_silence=1.0)), audio)
    # Silero's own fall: the frame after the last one it judged speech
    assert ep._last_speech is not None
    silero_end = (ep._last_speech + 1) * ep.frame_seconds
    assert ep.reason == "silence"
    assert ep.end <= silero_end
    assert silero_end - voice_end > 0.03  # the lag this removes is real on this reply
    assert abs(ep.end - voice_end) < (0.03 if snr_db is None else silero_end - voice_end)
    assert ep.position - ep.end >= 1.0  # the long silence, counted from the voice's end


def test_onset_in_noise_and_chunk_size_does_not_matter(reply_parts):
    audio = noisy(np.concatenate([silence(2.0), reply_parts[0], silence(2.0)]), snr_db=5)
    results = []
    for chunk in (100, 512, 4000, len(audio)):
        ep = run(Endpointer(ListenSettings(end_of_turn_silence=1.0)), audio, chunk=chunk)
        results.append((ep.onset, ep.end, ep.reason))
    assert len(set(results)) == 1, results
    assert abs(results[0][0] - 2.0) < 0.1


def test_silence_times_out_at_the_deadline():
    ep = Endpointer(ListenSettings(no_reply_timeout=2.0))
    ep.deadline = 2.0
    run(ep, noisy(np.concatenate([silence(3.0), speak("hello")]), snr_db=10)[: 3 * SR])
    assert ep.reason == "timeout" and ep.onset is None and ep.end is None
    assert 2.0 <= ep.position < 2.2


def test_short_click_is_no_onset(reply_parts):
    audio = np.concatenate([silence(1.0), reply_parts[0][:int(0.06 * SR)], silence(2.0)])
    ep = run(Endpointer(ListenSettings(vad="energy")), audio)
    assert ep.onset is None


def test_max_reply_length_cuts(jfk_path):
    ep = run(Endpointer(ListenSettings(max_reply_seconds=3.0)), load_audio(jfk_path))
    assert ep.reason == "max_length"
    assert abs(ep.end - ep.onset - 3.0) < 0.05


def test_finish_ends_at_once(reply_parts):
    audio = np.concatenate([silence(0.5), reply_parts[0]])
    ep = run(Endpointer(), audio[: int(1.2 * SR)])
    assert ep.onset is not None and not ep.ended
    ep.finish()
    assert ep.reason == "key" and ep.end is not None and ep.end <= ep.position
    ep.push(audio)  # ignored once ended
    assert ep.reason == "key"

    quiet = Endpointer()
    quiet.finish()
    assert quiet.reason == "key" and quiet.onset is None


def test_energy_detector_uses_a_calibrated_noise_floor(reply_parts):
    audio = noisy(np.concatenate([silence(1.0), reply_parts[0], silence(2.0)]), snr_db=25)
    ep = run(Endpointer(ListenSettings(vad="energy"), noise_floor_db=-50.0), audio)
    assert abs(ep.onset - 1.0) < 0.1 and ep.reason == "silence"
    deaf = run(Endpointer(ListenSettings(vad="energy"), noise_floor_db=0.0), audio)
    assert deaf.onset is None


def test_skip_ignores_the_start():
    ep = Endpointer()
    ep.skip(1.0)
    assert ep.position == pytest.approx(1.0, abs=0.033)
    ep.push(silence(0.1))
    with pytest.raises(ParameterError):
        ep.skip(2.0)


def test_refine_onset_sharpens_clean_onsets_only(reply_parts):
    clean = np.concatenate([silence(1.0), reply_parts[0], silence(1.0)])
    assert abs(vad.refine_onset(clean, 1.03) - 1.0) < 0.01  # a late frame moves back
    assert abs(vad.refine_onset(clean, 0.97) - 1.0) < 0.01  # an early one moves on
    noisy_audio = noisy(clean, snr_db=5)
    assert vad.refine_onset(noisy_audio, 1.03) == 1.03  # too noisy to trust 5 ms frames
    assert vad.refine_onset(clean[:100], 0.0) == 0.0
