"""Pacing and vocal calm on real synthesized speech (espeak-ng) and real human speech (jfk.flac)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures_scoring import (  # noqa: F401  (calibration_audio is a fixture)
    CALIBRATION_TEXT, RATE_TEXT, calibration_audio, espeak, insert_silence, reply_for,
)
from voicedrill.audio import SAMPLE_RATE, load_audio
from voicedrill.errors import AudioError
from voicedrill.scoring import load_script, measure_baseline, prosody, score_turn
from voicedrill.types import Reply, Transcript, TurnContext

SCRIPT = load_script()
REPLY_TEXT = "I can hear how angry you are. Tell me what happened this morning, and I will listen."
CONTEXT = TurnContext("en", ("They locked me out of my own house this morning!",))


def _transcript(text: str, audio: np.ndarray) -> Transcript:
    return prosody.words_from_text(text, audio, "en")


# ---------------------------------------------------------------- pitch tracker


def _harmonic(f0: np.ndarray, seconds: float = 1.0) -> np.ndarray:
    """A voice-like harmonic tone whose pitch follows ``f0`` (Hz per sample)."""
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    sig = sum(np.sin(k * phase) / k for k in range(1, 8))
    return (0.2 * sig / np.max(np.abs(sig))).astype(np.float32)


@pytest.mark.parametrize("hz", [85.0, 120.0, 210.0, 330.0])
def test_pitch_of_a_steady_harmonic_tone_is_exact(hz):
    n = SAMPLE_RATE
    track = prosody.track_pitch(_harmonic(np.full(n, hz)))
    f0 = track.f0_hz[~np.isnan(track.f0_hz)]
    assert track.voiced.mean() > 0.9
    assert np.all(np.abs(12 * np.log2(f0 / hz)) < 0.1)  # within 10 cents on every frame


def test_pitch_follows_a_glide_and_spread_is_measured():
    n = 2 * SAMPLE_RATE
    glide = np.geomspace(100, 200, n)  # one octave up over two seconds
    fig = prosody.voice_figures(_harmonic(glide))
    assert fig.pitch_median_hz == pytest.approx(np.sqrt(100 * 200), rel=0.03)
    # uniform over 12 semitones: robust spread = IQR / 1.349 = 6 / 1.349
    assert fig.pitch_spread_st == pytest.approx(6 / 1.349, rel=0.1)


def test_noise_and_silence_have_no_voiced_frames():
    rng = np.random.default_rng(1)
    noise = (0.1 * rng.standard_normal(2 * SAMPLE_RATE)).astype(np.float32)
    assert prosody.voice_figures(noise).pitch_median_hz is None
    assert prosody.voice_figures(np.zeros(SAMPLE_RATE, np.float32)).pitch_median_hz is None


def test_pitch_agrees_with_librosa_pyin_on_real_speech(jfk_path):
    """Against pyin (the slow, accurate reference) on 4 s of JFK: frames both call
    voiced agree to within a few cents, and the median pitch to a third of a semitone."""
    import librosa

    audio = load_audio(jfk_path)[: 4 * SAMPLE_RATE]
    ref, _, _ = librosa.pyin(audio, fmin=70, fmax=400, sr=SAMPLE_RATE, frame_length=1024, hop_length=160)
    track = prosody.track_pitch(audio)
    offset = 2  # our frames are 640 samples starting at i*hop; pyin's are centred at i*hop
    ours = track.f0_hz[: len(ref) - offset]
    ref = ref[offset : offset + len(ours)]
    both = ~np.isnan(ours) & ~np.isnan(ref)
    assert both.sum() > 100
    cents = 1200 * np.abs(np.log2(ours[both] / ref[both]))
    assert np.median(cents) < 20
    assert np.mean(cents > 100) < 0.1  # octave or semitone slips are rare
    assert abs(12 * np.log2(np.nanmedian(ours) / np.nanmedian(ref))) < 0.35
    # voicing decisions agree on most frames
    assert np.mean(np.isnan(ours) == np.isnan(ref)) > 0.75


# ---------------------------------------------------------------- pacing


def test_speaking_rate_follows_espeak_rate():
    """espeak-ng at 120 and 220 words per minute: ordered, each within 20 % of the set rate."""
    rates = {}
    for wpm in (120, 220):
        audio = espeak(RATE_TEXT, rate=wpm)
        reply = reply_for(audio)
        pacing = prosody.measure_pacing(reply, _transcript(RATE_TEXT, audio), fillers=("um",))
        assert pacing.words == len(RATE_TEXT.split())
        rates[wpm] = pacing.words_per_minute
        assert abs(pacing.words_per_minute - wpm) / wpm < 0.20, (wpm, pacing)
        # articulation rate leaves the pauses out, so it is never below the speaking rate
        assert pacing.articulation_rate >= pacing.words_per_minute
    assert rates[120] < rates[220]


def test_pauses_inside_the_reply_are_counted():
    audio = espeak(REPLY_TEXT)
    base = prosody.measure_pacing(reply_for(audio), _transcript(REPLY_TEXT, audio), min_pause=0.3)
    longer = insert_silence(audio, 0.8)
    paused = prosody.measure_pacing(reply_for(longer), _transcript(REPLY_TEXT, longer), min_pause=0.3)
    assert paused.pause_count >= 1
    assert paused.longest_pause == pytest.approx(0.8 + base.longest_pause, abs=0.35)
    assert paused.longest_pause > base.longest_pause + 0.5
    assert paused.speech_seconds == pytest.approx(base.speech_seconds + 0.8, abs=0.05)
    assert paused.words_per_minute < base.words_per_minute


def test_latency_comes_from_the_listener_not_from_the_words():
    audio = espeak(REPLY_TEXT)
    reply = reply_for(audio, latency=1.7)
    assert prosody.measure_pacing(reply, _transcript(REPLY_TEXT, audio)).latency == 1.7


def test_fillers_per_minute():
    t = Transcript("Um, I, uh, you know, I hear you. Um.", "en")
    assert prosody.count_fillers(t, ("um", "uh", "you know")) == 4
    ru = Transcript("Ну, э-э, я как бы понимаю вас.", "ru")
    assert prosody.count_fillers(ru, ("ну", "э-э", "как бы")) == 3
    audio = espeak("Um, I hear you. Uh, tell me more, um, about it.")
    pacing = prosody.measure_pacing(reply_for(audio), _transcript("Um, I hear you. Uh, tell me more, um, about it.", audio),
                                    fillers=("um", "uh"))
    assert pacing.fillers_per_minute == pytest.approx(3 / pacing.speech_seconds * 60, rel=1e-3)


def test_a_silent_reply_has_no_rates():
    silent = Reply(np.zeros(2 * SAMPLE_RATE, np.float32), None, None, None)
    pacing = prosody.measure_pacing(silent, Transcript("", "en"))
    assert pacing.words == 0 and pacing.words_per_minute is None and pacing.speech_seconds == 0


def test_word_times_from_text_are_ordered_and_inside_the_speech():
    audio = espeak(REPLY_TEXT)
    t = _transcript(REPLY_TEXT, audio)
    assert [w.text for w in t.words] == REPLY_TEXT.split()
    starts = [w.start for w in t.words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in t.words)
    assert t.words[-1].end <= len(audio) / SAMPLE_RATE + 1e-6


# ---------------------------------------------------------------- effective pause


def test_an_inserted_two_second_silence_is_an_effective_pause():
    audio = espeak(REPLY_TEXT, rate=115)  # a pace inside the target band
    paused = insert_silence(audio, 2.0)
    plain = score_turn(reply_for(audio), _transcript(REPLY_TEXT, audio), CONTEXT, SCRIPT)
    with_pause = score_turn(reply_for(paused), _transcript(REPLY_TEXT, paused), CONTEXT, SCRIPT)
    assert "effective_pause" not in plain.cue_names()
    assert "effective_pause" in with_pause.cue_names()
    cue = next(c for c in with_pause.cues if c.name == "effective_pause")
    # the inserted 2 s plus the natural gap between the two phrases it went into
    assert 2.0 <= cue.end - cue.start <= 2.0 + plain.pacing.longest_pause + 0.05 and cue.kind == "helpful"
    assert cue.evidence.startswith("<pause ")
    assert with_pause.parts.cues >= plain.parts.cues
    # a deliberate pause is not judged as slow speech
    assert with_pause.pacing.words_per_minute < plain.pacing.words_per_minute
    assert with_pause.parts.pacing == pytest.approx(plain.parts.pacing, abs=0.05)


def test_a_deliberate_silence_before_the_reply_counts_and_a_too_long_one_does_not():
    audio = espeak(REPLY_TEXT)
    t = _transcript(REPLY_TEXT, audio)
    assert "effective_pause" in score_turn(reply_for(audio, latency=2.5), t, CONTEXT, SCRIPT).cue_names()
    # an ordinary answer a second after the line is not a deliberate pause
    assert "effective_pause" not in score_turn(reply_for(audio, latency=1.1), t, CONTEXT, SCRIPT).cue_names()
    assert "effective_pause" not in score_turn(reply_for(audio, latency=9.0), t, CONTEXT, SCRIPT).cue_names()
    # an inside pause longer than the band is not deliberate either
    long = insert_silence(audio, 6.0)
    assert "effective_pause" not in score_turn(reply_for(long), _transcript(REPLY_TEXT, long), CONTEXT,
                                               SCRIPT).cue_names()


# ---------------------------------------------------------------- vocal calm


def test_shouting_lowers_the_calm_figure_against_the_baseline(calibration_audio):
    baseline = measure_baseline(calibration_audio)
    normal = espeak(REPLY_TEXT)
    shout = espeak(REPLY_TEXT, pitch=85, amplitude=190)
    calm_normal = prosody.measure_calm(normal, SCRIPT, baseline)
    calm_shout = prosody.measure_calm(shout, SCRIPT, baseline)
    assert calm_normal.score >= 0.8, calm_normal
    assert calm_shout.score <= calm_normal.score - 0.3, (calm_normal, calm_shout)
    assert calm_shout.pitch_shift_st > 3.0 and calm_shout.loudness_shift_db > 4.0
    assert abs(calm_normal.pitch_shift_st) < 1.5 and abs(calm_normal.loudness_shift_db) < 3.0
    assert calm_normal.flags == () and calm_shout.flags == ()
    # and the turn score follows
    s_normal = score_turn(reply_for(normal), _transcript(REPLY_TEXT, normal), CONTEXT, SCRIPT, baseline)
    s_shout = score_turn(reply_for(shout), _transcript(REPLY_TEXT, shout), CONTEXT, SCRIPT, baseline)
    assert s_shout.score < s_normal.score
    assert any("higher than your normal voice" in f or "louder" in f for f in s_shout.feedback)


def test_baseline_from_calibration(calibration_audio):
    base = measure_baseline(calibration_audio, _transcript(CALIBRATION_TEXT, calibration_audio))
    assert 70 < base.pitch_median_hz < 200  # espeak-ng's default male voice
    assert 0.3 < base.pitch_spread_st < 6
    assert -40 < base.loudness_db < -3
    assert 100 < base.words_per_minute < 220
    assert base.source == "calibration"


def test_baseline_from_silence_noise_or_clipping_is_refused():
    with pytest.raises(AudioError, match="voiced speech"):
        measure_baseline(np.zeros(3 * SAMPLE_RATE, np.float32))
    rng = np.random.default_rng(0)
    with pytest.raises(AudioError, match="voiced speech"):
        measure_baseline((0.05 * rng.standard_normal(3 * SAMPLE_RATE)).astype(np.float32))
    loud = np.clip(espeak(CALIBRATION_TEXT) * 20, -1, 1)
    with pytest.raises(AudioError, match="clipped"):
        measure_baseline(loud)
    with pytest.raises(AudioError, match="NaN"):
        measure_baseline(np.full(SAMPLE_RATE, np.nan, np.float32))
    t = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    with pytest.raises(AudioError, match="steady tone"):
        measure_baseline((0.3 * np.sin(2 * np.pi * 150 * t)).astype(np.float32))


def test_silence_only_reply_is_flagged_not_an_error():
    silence = np.zeros(2 * SAMPLE_RATE, np.float32)
    calm = prosody.measure_calm(silence, SCRIPT, None)
    assert "no_voiced_frames" in calm.flags and "no_baseline" in calm.flags
    assert calm.pitch_median_hz is None
    score = score_turn(Reply(silence, None, None, None), Transcript("", "en"), CONTEXT, SCRIPT)
    assert score.calm is None and score.cues == ()
    assert score.score == SCRIPT.turn.silent_reply_score


def test_clipped_reply_is_flagged_and_costs_calm(calibration_audio):
    baseline = measure_baseline(calibration_audio)
    normal = espeak(REPLY_TEXT)
    clipped = np.clip(normal * 12, -1, 1).astype(np.float32)
    calm = prosody.measure_calm(clipped, SCRIPT, baseline)
    assert "clipped" in calm.flags
    assert calm.score < prosody.measure_calm(normal, SCRIPT, baseline).score - SCRIPT.calm.clipped_penalty + 1e-6
    turn = score_turn(reply_for(clipped), _transcript(REPLY_TEXT, clipped), CONTEXT, SCRIPT, baseline)
    assert any("overloaded the microphone" in f for f in turn.feedback)


def test_quiet_reply_is_flagged_too_quiet():
    quiet = (espeak(REPLY_TEXT) * 10 ** (-40 / 20)).astype(np.float32)
    calm = prosody.measure_calm(quiet, SCRIPT, None)
    assert "too_quiet" in calm.flags


def test_calm_without_baseline_judges_spreads_only():
    calm = prosody.measure_calm(espeak(REPLY_TEXT), SCRIPT, None)
    assert "no_baseline" in calm.flags
    assert calm.pitch_shift_st is None and calm.loudness_shift_db is None
    assert 0.0 <= calm.score <= 1.0 and calm.pitch_spread_st is not None


def test_russian_speech_pacing_and_calm():
    text = "Я слышу, как вам тяжело. Расскажите, что случилось сегодня утром."
    audio = espeak(text, voice="ru", rate=130)
    reply = reply_for(audio)
    pacing = prosody.measure_pacing(reply, prosody.words_from_text(text, audio, "ru"))
    assert pacing.words == 10 and 70 < pacing.words_per_minute < 200
    shout = espeak(text, voice="ru", rate=130, pitch=85, amplitude=190)
    base = measure_baseline(espeak("Меня зовут Алексей, я здесь, чтобы выслушать вас. Не торопитесь.", voice="ru"))
    assert prosody.measure_calm(shout, SCRIPT, base).score < prosody.measure_calm(audio, SCRIPT, base).score - 0.3
