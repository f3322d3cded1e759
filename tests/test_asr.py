"""The Whisper adapter on real audio with the real tiny.en weights, and its guard."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.fixtures_asr import (
    JFK_SECONDS,
    JFK_TEXT,
    REPO,
    espeak,
    jfk,
    jfk_audio,  # noqa: F401  (fixture)
    jfk_transcript,
    random_checkpoint,  # noqa: F401  (fixture)
    tiny_en,  # noqa: F401  (fixture)
    tiny_en_model,
    tone,
    wer,
    white_noise,
)
from voicedrill import asr
from voicedrill.audio import SAMPLE_RATE
from voicedrill.errors import AsrError, AudioError, ScenarioError
from voicedrill.types import Transcript, Word

# --- real speech -----------------------------------------------------------------------


def test_jfk_with_tiny_en_has_low_word_error_rate():
    transcript = jfk_transcript()
    assert isinstance(transcript, Transcript) and transcript.language == "en"
    assert wer(JFK_TEXT, transcript.text) <= 0.10, transcript.text
    assert transcript.guarded == "" and transcript.no_speech_prob < 0.5


def test_jfk_word_times_increase_and_stay_inside_the_clip():
    words = jfk_transcript().words
    assert len(words) >= 18
    assert wer(JFK_TEXT, " ".join(w.text for w in words)) <= 0.10
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    for w in words:
        assert 0.0 <= w.start <= w.end <= JFK_SECONDS, w
        assert 0.0 <= w.probability <= 1.0
        assert w.text == w.text.strip() and w.text
    fellow = next(w for w in words if "fellow" in w.text.lower())
    assert 0.8 <= fellow.start <= 2.5  # "fellow" is spoken about 1.2-1.6 s in


def test_jfk_words_are_the_reference_words():
    assert asr.normalize(jfk_transcript().text) == asr.normalize(JFK_TEXT)


def test_one_window_runs_the_encoder_once_on_its_length_and_decodes_once(tiny_en, jfk_audio, monkeypatch):
    """The real model's passes, counted: jfk.flac (clear speech) is one encoder pass on the
    audio's length, one decode (the prompted pass, whose first step gives the no-speech
    probability: no separate probe), and one decoder run for the word-time alignment."""
    import whisper.decoding

    monkeypatch.setattr(asr, "ENCODER_ON_LENGTH", True)
    model = tiny_en.model
    counts = {"encoder": [], "decodes": 0, "model": 0}
    conv1 = model.encoder.conv1.forward

    def encoder_pass(x):
        counts["encoder"].append(int(x.shape[-1]))
        return conv1(x)

    run = whisper.decoding.DecodingTask.run

    def decode(self, mel):
        counts["decodes"] += 1
        return run(self, mel)

    forward = type(model).forward

    def whole_model(self, mel, tokens):  # find_alignment's one pass over the text
        counts["model"] += 1
        return forward(self, mel, tokens)

    monkeypatch.setattr(model.encoder.conv1, "forward", encoder_pass)
    monkeypatch.setattr(whisper.decoding.DecodingTask, "run", decode)
    monkeypatch.setattr(type(model), "forward", whole_model)
    audio = (jfk_audio + np.random.default_rng(7).standard_normal(jfk_audio.size) * 1e-5).astype(np.float32)
    t = asr.transcribe(tiny_en, audio)  # a new dither: nothing cached from other tests
    assert asr.normalize(t.text) == asr.normalize(JFK_TEXT), t.text
    assert counts["encoder"] == [1200]  # 11 s + 1 s margin, not Whisper's 3000 frames
    assert counts["decodes"] == 1 and counts["model"] == 1


def test_warming_keeps_the_torch_thread_count():
    """numba compiling the word-time alignment (warm, or the first reply) sets torch's
    threads to the core count; warm() and every decode put the chosen count back."""
    code = ("import torch; from voicedrill import asr; m = asr.load_model('tiny.en', threads=1); "
            "asr.warm(m); print(torch.get_num_threads())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env=dict(os.environ), timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "1"


def test_decoded_tokens_are_cut_into_segments_like_whisper_transcribe(tiny_en):
    """Timestamp pairs end segments; text after the last pair runs to the audio's end."""
    from whisper.decoding import DecodingResult
    from whisper.tokenizer import get_tokenizer

    from voicedrill.decode import _segments

    tok = get_tokenizer(False, language="en")
    ts = lambda sec: tok.timestamp_begin + round(sec / 0.02)  # noqa: E731
    hello, there = tok.encode(" Hello."), tok.encode(" Are you there")
    tokens = [ts(0.0), *hello, ts(1.0), ts(1.5), *there]
    result = DecodingResult(audio_features=None, language="en", tokens=tokens, text="",
                            avg_logprob=-0.2, no_speech_prob=0.01, temperature=0.0, compression_ratio=1.1)
    segs = _segments(result, tok, frames=300)
    assert [(s["text"], s["start"], s["end"]) for s in segs] == [(" Hello.", 0.0, 1.0), (" Are you there", 1.5, 3.0)]
    closed = _segments(dataclasses.replace(result, tokens=[*tokens, ts(2.5)]), tok, frames=300)
    assert closed[-1]["end"] == 2.5 and closed[-1]["no_speech_prob"] == 0.01
    plain = _segments(dataclasses.replace(result, tokens=hello), tok, frames=300)
    assert [(s["text"], s["start"], s["end"]) for s in plain] == [(" Hello.", 0.0, 3.0)]


def test_text_does_not_end_on_a_timestamp_pair_before_the_sound_ends():
    """Whisper ending on a pair (segment end + next start) means "more in the next window";
    with the window being the whole reply, the end of text is refused there until the
    sound ends, and allowed after a single closing timestamp or text."""
    import torch
    from whisper.tokenizer import get_tokenizer

    from voicedrill.decode import _NoEarlyEnd

    tok = get_tokenizer(False, language="en")
    ts = lambda sec: tok.timestamp_begin + round(sec / 0.02)  # noqa: E731
    begin = len(tok.sot_sequence_including_notimestamps)
    rule = _NoEarlyEnd(tok, begin, until=10.0)
    head = list(tok.sot_sequence_including_notimestamps)
    text = tok.encode(" Hello")

    def eot_allowed(sampled: list[int]) -> bool:
        logits = torch.zeros(1, tok.timestamp_begin + 1501)
        rule.apply(logits, torch.tensor([head + sampled]))
        return bool(torch.isfinite(logits[0, tok.eot]))

    assert not eot_allowed([ts(0.0), *text, ts(4.0), ts(4.0)])  # a pair at 4 s of 10
    assert eot_allowed([ts(0.0), *text, ts(10.5), ts(10.5)])  # a pair after the sound
    assert eot_allowed([ts(0.0), *text, ts(4.0)])  # a single closing timestamp
    assert eot_allowed([ts(0.0), *text])


def test_converted_checkpoint_works_with_plain_openai_whisper():
    import whisper

    from voicedrill import models

    model = whisper.load_model(str(models.checkpoint_path("tiny.en")), device="cpu")
    assert not model.is_multilingual
    result = model.transcribe(jfk(), language="en", fp16=False, temperature=0.0)
    assert wer(JFK_TEXT, result["text"]) <= 0.10, result["text"]


def test_fillers_are_kept_when_spoken(monkeypatch):
    passes = []
    run = asr._run
    monkeypatch.setattr(asr, "_run", lambda *a, **k: passes.append(a[3]) or run(*a, **k))
    transcript = asr.transcribe(tiny_en_model(), espeak("Um, I hear you. Uh, that sounds really hard."))
    words = [w.strip(".,!?").lower() for w in transcript.text.split()]
    assert {"um", "uh"} & set(words), transcript.text
    assert "hear" in words and "hard" in words
    assert passes == [asr.language_data("en").initial_prompt]  # clear speech: one prompted pass


# --- non-speech must be empty ----------------------------------------------------------


def _beeps() -> np.ndarray:
    """A 800 Hz beep, 0.2 s on / 0.3 s off: not steady, so Whisper itself is asked."""
    t = np.arange(4 * SAMPLE_RATE) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * 800 * t) * ((t % 0.5) < 0.2)).astype(np.float32)


def _noise_bursts() -> np.ndarray:
    noise = white_noise(4.0, 0.2, seed=3)
    t = np.arange(noise.size) / SAMPLE_RATE
    return (noise * ((t % 1.0) < 0.4)).astype(np.float32)


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.zeros(3 * SAMPLE_RATE, dtype=np.float32),
        lambda: white_noise(3.0, 0.1),
        lambda: tone(1000.0, 3.0),
        _beeps,
        _noise_bursts,
    ],
    ids=["silence", "white-noise", "tone-1kHz", "beeps", "noise-bursts"],
)
def test_non_speech_gives_an_empty_transcript(make):
    transcript = asr.transcribe(tiny_en_model(), make())
    assert transcript.text == "" and transcript.words == () and transcript.is_empty
    assert transcript.guarded  # says why


@pytest.mark.parametrize("make", [lambda: white_noise(3.0, 0.1), lambda: tone(1000.0, 3.0)], ids=["white-noise", "tone"])
def test_whisper_guard_alone_keeps_noise_and_tone_empty(monkeypatch, make):
    """Without the energy pre-check, Whisper runs on them; the guard still empties them."""
    monkeypatch.setattr(asr, "_precheck", lambda audio: "")
    transcript = asr.transcribe(tiny_en_model(), make())
    assert transcript.text == "" and transcript.words == ()
    assert transcript.guarded not in ("", "no sound", "steady sound, no speech")


def test_silence_does_not_run_the_model(random_checkpoint):
    class Exploding:
        def __getattr__(self, name):
            raise AssertionError("the model was used on silence")

    model = dataclasses.replace(asr.load_model(random_checkpoint), model=Exploding())
    quiet = (np.random.default_rng(0).standard_normal(SAMPLE_RATE) * 1e-4).astype(np.float32)
    assert asr.transcribe(model, quiet).guarded == "no sound"
    assert asr.transcribe(model, tone(440.0, 2.0)).guarded == "steady sound, no speech"


# --- the guard on Whisper's segments (no model) ----------------------------------------


def _seg(text, nsp=0.05, lp=-0.3, cr=1.2, words=None):
    return {"text": text, "no_speech_prob": nsp, "avg_logprob": lp, "compression_ratio": cr,
            "words": words or []}


@pytest.mark.parametrize(
    "segment, kept",
    [
        (_seg(" Thank you."), True),  # said clearly: kept
        (_seg(" Thank you.", nsp=0.5), False),
        (_seg(" Thanks for watching!", nsp=0.01, lp=-0.1), False),  # never a reply
        (_seg(" Subtitles by the Amara.org community"), False),
        (_seg(" uh, uh, uh, uh, uh, uh, uh, uh, uh, uh, uh, uh", cr=6.8), False),
        (_seg(" Uh, uh, uh.", nsp=0.8, lp=-0.8), False),
        (_seg(" We will be back.", nsp=0.51, lp=-1.6), False),
        (_seg(" [BLANK_AUDIO]"), False),
        (_seg(" ."), False),
        (_seg(" I hear you, that sounds hard.", nsp=0.45, lp=-0.6), True),
    ],
)
def test_guard_drops_hallucinated_segments(segment, kept):
    got, reason, _ = asr._guard([segment], asr.language_data("en"), asr.GuardOptions())
    assert bool(got) == kept, reason
    assert (reason == "") == kept


def test_guard_knows_russian_hallucinations():
    data = asr.language_data("ru")
    got, reason, _ = asr._guard([_seg(" Субтитры сделал DimaTorzok")], data, asr.GuardOptions())
    assert got == [] and reason == "known hallucination"
    got, _, _ = asr._guard([_seg(" Продолжение следует...", nsp=0.3)], data, asr.GuardOptions())
    assert got == []
    got, _, _ = asr._guard([_seg(" Я вас слышу.")], data, asr.GuardOptions())
    assert len(got) == 1


def test_words_skip_annotations_rejoin_split_words_and_stay_in_order():
    words = [
        {"word": " (s", "start": 0.0, "end": 0.2, "probability": 0.9},
        {"word": "ighs)", "start": 0.2, "end": 0.4, "probability": 0.9},
        {"word": " Э", "start": 0.5, "end": 0.6, "probability": 0.8},
        {"word": "-э,", "start": 0.6, "end": 0.7, "probability": 0.6},
        {"word": " да", "start": 0.4, "end": 0.9, "probability": 1.2},
        {"word": " конечно", "start": 1.0, "end": 9.0, "probability": 0.7},
    ]
    t = asr._build([_seg(" (sighs) Э-э, да конечно", words=words)], "ru", 0.1, duration=2.0)
    assert t.text == "Э-э, да конечно"
    assert [w.text for w in t.words] == ["Э-э,", "да", "конечно"]
    assert t.words[0].end == 0.7 and t.words[0].probability == 0.6
    assert t.words[1].start == 0.5 and t.words[1].probability == 1.0  # kept in order, clipped to 0..1
    assert t.words[2].end == 2.0  # inside the audio


def test_language_data_is_checked(monkeypatch):
    en = asr.language_data("en")
    assert "um" in en.fillers and "thank you" in en.whole_segment and en.initial_prompt
    ru = asr.language_data("ru")
    assert "э-э" in ru.fillers and ru.initial_prompt
    from voicedrill import lang

    real = lang.load

    def with_extra(code, name):
        return {**real(code, name), "initial_prompts": "typo"}

    monkeypatch.setattr(lang, "load", with_extra)
    with pytest.raises(ScenarioError, match="unknown key.*initial_prompts"):
        asr.language_data("en")


def test_normalize():
    assert asr.normalize("  Thank you!! ") == "thank you"
    assert asr.normalize("Ещё, э-э... ПОКА.") == "еще э-э пока"


# --- loading and bad input -------------------------------------------------------------


def test_random_weights_checkpoint_loads(random_checkpoint):
    model = asr.load_model(random_checkpoint)
    assert model.name == "random.en" and not model.multilingual and model.path == random_checkpoint
    assert model.model.alignment_heads.is_sparse and not model.model.training
    assert next(model.model.parameters()).dtype.is_floating_point


def test_official_alignment_heads_are_set(tiny_en):
    import whisper

    reference = whisper.model.Whisper(tiny_en.model.dims)
    reference.set_alignment_heads(whisper._ALIGNMENT_HEADS["tiny.en"])
    assert tiny_en.name == "tiny.en"
    assert (tiny_en.model.alignment_heads.to_dense() == reference.alignment_heads.to_dense()).all()


def test_missing_model_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path))
    with pytest.raises(AsrError, match="run: voicedrill models install tiny.en"):
        asr.load_model("tiny.en")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not-whisper", "nan-weights"])
def test_corrupt_checkpoint_names_the_file_and_the_fix(tmp_path, random_checkpoint, damage):
    import torch

    path = tmp_path / "tiny.en.pt"
    if damage == "garbage":
        path.write_bytes(b"this is not a checkpoint" * 100)
    elif damage == "truncated":
        data = random_checkpoint.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif damage == "not-whisper":
        torch.save({"weights": torch.zeros(3)}, path)
    else:
        checkpoint = torch.load(random_checkpoint, weights_only=True)
        checkpoint["model_state_dict"]["decoder.ln.weight"][3] = float("nan")
        torch.save(checkpoint, path)
    with pytest.raises(AsrError) as err:
        asr.load_model(path)
    assert str(path) in str(err.value) and "voicedrill models install tiny.en" in str(err.value)


def test_english_only_model_refuses_russian_with_the_fix(random_checkpoint):
    model = asr.load_model(random_checkpoint)
    with pytest.raises(AsrError, match="voicedrill models install base"):
        asr.transcribe(model, tone(), language="ru")
    with pytest.raises(AsrError, match="English only"):
        asr.Transcriber(model, "ru")


@pytest.mark.parametrize(
    "audio, message",
    [
        (np.full(SAMPLE_RATE, np.nan, dtype=np.float32), "NaN"),
        (np.zeros(0, dtype=np.float32), "no audio samples"),
        (np.zeros((2, 100), dtype=np.float32), "mono"),
        ([0.0, 0.1], "NumPy array"),
    ],
    ids=["nan", "empty", "stereo", "list"],
)
def test_bad_audio_is_an_audio_error(random_checkpoint, audio, message):
    with pytest.raises(AudioError, match=message):
        asr.transcribe(asr.load_model(random_checkpoint), audio)


# --- the stateful transcriber ----------------------------------------------------------


def test_transcriber_is_callable_and_keeps_explicit_state(tiny_en):
    transcriber = asr.Transcriber(tiny_en, "en")
    assert transcriber.partial().is_empty and transcriber.seconds == 0.0
    transcriber.feed(np.zeros(SAMPLE_RATE // 2, dtype=np.float32))
    assert transcriber.seconds == 0.5
    assert transcriber.partial().guarded == "no sound"  # no model run on silence
    transcriber.reset()
    assert transcriber.seconds == 0.0
    audio = jfk()
    transcriber.feed(audio[: 4 * SAMPLE_RATE])
    partial = transcriber.partial()
    assert "fellow" in partial.text.lower()
    assert transcriber.partial() is partial  # cached until more audio arrives
    for start in range(4 * SAMPLE_RATE, len(audio), SAMPLE_RATE):
        transcriber.feed(audio[start : start + SAMPLE_RATE])
    assert transcriber.seconds == pytest.approx(len(audio) / SAMPLE_RATE)
    final = transcriber.finish()
    assert final.text == jfk_transcript().text  # the same as transcribe() on the whole reply
    assert transcriber.seconds == 0.0 and transcriber.finish().is_empty  # state cleared
    assert callable(transcriber)


def test_transcriber_rejects_bad_chunks(random_checkpoint):
    transcriber = asr.Transcriber(asr.load_model(random_checkpoint), "en")
    with pytest.raises(AudioError, match="NaN"):
        transcriber.feed(np.array([0.0, np.nan], dtype=np.float32))
    transcriber.feed(np.zeros(100, dtype=np.float32))
    transcriber.reset()
    assert transcriber.seconds == 0.0


# --- the command line ------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voicedrill", *args], capture_output=True, text=True,
                          cwd=REPO, env=dict(os.environ), timeout=600)


def test_cli_transcribe_missing_file_is_one_message(tmp_path):
    done = _cli("transcribe", str(tmp_path / "missing.wav"))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing.wav" in lines[0] and lines[0].startswith("voicedrill: error:")


def test_cli_transcribe_json(tmp_path):
    from voicedrill.audio import save_audio

    clip = save_audio(tmp_path / "reply.wav", jfk()[: 5 * SAMPLE_RATE])
    done = _cli("transcribe", str(clip), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"text", "language", "words"} and data["language"] == "en"
    assert "fellow americans" in data["text"].lower()
    assert data["words"] and set(data["words"][0]) == {"text", "start", "end", "probability"}


def test_cli_transcribe_russian_with_english_model_is_one_message(tmp_path):
    from voicedrill.audio import save_audio

    clip = save_audio(tmp_path / "reply.wav", tone(300.0, 1.0))
    done = _cli("transcribe", str(clip), "--language", "ru")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "voicedrill models install base" in done.stderr


def test_a_decoding_loop_is_dropped_but_a_real_repeat_is_kept():
    from voicedrill.asr import _drop_repeat_loops
    from voicedrill.types import Word

    loop = [Word("I'm", 1.3, 1.6, 0.9), Word("fine.", 1.6, 1.8, 0.9), Word("I'm", 1.94, 2.02, 0.5),
            Word("fine.", 2.02, 2.06, 0.5), Word("I'm", 2.16, 2.16, 0.3), Word("fine.", 2.16, 2.16, 0.3)]
    assert [w.text for w in _drop_repeat_loops(loop)] == ["I'm", "fine."]
    said_twice = [Word("No,", 0.5, 0.8, 0.9), Word("no,", 0.9, 1.2, 0.9), Word("no.", 1.3, 1.6, 0.9)]
    assert _drop_repeat_loops(said_twice) == said_twice


def test_word_error_rate_counts_substitutions_deletions_and_insertions():
    from voicedrill.wer import wer, word_errors

    assert word_errors("ask not what your country", "ask not what your country") == (0, 5)
    assert word_errors("ask not what your country", "ask what your county can") == (3, 5)  # del, sub, ins
    assert wer("Hello, World!", "hello world") == 0.0  # punctuation and case are not errors
    assert word_errors("Ты что, совсем?", "ты что совсем", language="ru") == (0, 3)
    assert wer("", "extra words") == 2.0


# --- long replies: stretches of one window, joined (voicedrill/stretches.py) -------------


@pytest.fixture(scope="module")
def jfk_three_times():
    """jfk.flac three times with 1 s gaps: 36 s, longer than one Whisper window."""
    from tests.fixtures_asr import JFK
    from voicedrill.audio import load_audio

    jfk = load_audio(JFK)
    gap = np.zeros(SAMPLE_RATE, dtype=np.float32)
    return np.concatenate([jfk, gap, jfk, gap, jfk, gap])


def test_a_long_reply_is_transcribed_whole_in_order_with_times(jfk_three_times):
    model = tiny_en_model()
    t = asr.transcribe(model, jfk_three_times)
    assert wer(" ".join([JFK_TEXT] * 3), t.text) <= 0.15, t.text
    starts = [w.start for w in t.words]
    assert starts == sorted(starts) and t.words[-1].end <= len(jfk_three_times) / SAMPLE_RATE
    period = (len(jfk_three_times) / 3) / SAMPLE_RATE  # each copy starts one jfk + gap later
    firsts = [w.start for w in t.words if asr.normalize(w.text) == "and"]
    assert len(firsts) == 3 and all(abs(s - k * period - firsts[0]) < 0.6 for k, s in enumerate(firsts)), firsts
    # the drill's Transcriber takes the same path
    assert asr.Transcriber(model, "en")(jfk_three_times).text == t.text


def test_cut_points_fall_in_pauses_and_keep_stretches_within_a_window(jfk_three_times):
    from voicedrill import stretches, vad

    audio = np.concatenate([jfk_three_times] * 3)  # 108 s
    cuts = stretches.cut_points(audio)
    bounds = [0, *cuts, len(audio)]
    assert all(0 < b - a <= stretches.WINDOW_SECONDS * SAMPLE_RATE for a, b in zip(bounds, bounds[1:]))
    probs = vad.speech_probabilities(audio)
    assert all(probs[c // stretches.FRAME] < stretches.PAUSE_PROBABILITY for c in cuts)
    assert stretches.cut_points(audio[: 20 * SAMPLE_RATE]) == []


def test_a_long_espeak_reply_keeps_every_sentence():
    from tests.rig import speak

    sentences = [
        "My name is Sam and I am here to help you.",
        "Nobody is going to get hurt tonight.",
        "I know you have been waiting for a long time and nobody called you back.",
        "Tell me what happened this morning, in your own words.",
        "I am not going anywhere, and I am listening to everything you say.",
        "We can talk about the car, and we can talk about your brother.",
        "It sounds like you feel that nobody has been listening to you for years.",
        "Your sister told me that you love your children very much.",
        "Take your time. There is no rush at all.",
    ]
    audio = np.concatenate([speak(s) for s in sentences])
    assert len(audio) > 30 * SAMPLE_RATE
    t = asr.transcribe(tiny_en_model(), audio)
    assert wer(" ".join(sentences), t.text) <= 0.2, t.text
    heard = asr.normalize(t.text)
    assert heard.startswith("my name is") and heard.endswith("no rush at all"), heard  # first and last kept


def test_transcribe_and_analyze_agree_on_a_long_reply(jfk_three_times, tmp_path):
    from voicedrill.audio import save_audio

    path = tmp_path / "long.wav"
    save_audio(path, jfk_three_times)
    env = dict(os.environ)
    run = [sys.executable, "-m", "voicedrill"]
    a = subprocess.run([*run, "transcribe", str(path), "--json"], capture_output=True, text=True, env=env, timeout=900)
    b = subprocess.run([*run, "analyze", str(path), "--json", "--context", "Stay back."], capture_output=True, text=True, env=env, timeout=900)
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    words_a, words_b = json.loads(a.stdout)["words"], json.loads(b.stdout)["words"]
    assert words_a == words_b and len(words_a) >= 60


# --- the encoder on the audio's length ---------------------------------------------------


def test_encoder_on_the_audio_length_hears_the_same_words_as_the_padded_window(
    tiny_en, jfk_audio, monkeypatch
):
    """Cutting the encoder to the reply's length (whisper.cpp's audio_ctx) keeps the words:
    jfk.flac, and a 4 s cut of it, transcribed both ways."""
    for audio in (jfk_audio, jfk_audio[: 4 * SAMPLE_RATE]):
        monkeypatch.setattr(asr, "ENCODER_ON_LENGTH", False)
        padded = asr.transcribe(tiny_en, audio)
        monkeypatch.setattr(asr, "ENCODER_ON_LENGTH", True)
        short = asr.transcribe(tiny_en, audio)
        assert short.words and wer(padded.text, short.text) <= 0.10, (padded.text, short.text)
        assert abs(short.words[0].start - padded.words[0].start) < 0.3
        assert abs(short.words[-1].end - padded.words[-1].end) < 0.5
    assert wer(JFK_TEXT, asr.transcribe(tiny_en, jfk_audio).text) <= 0.10


def test_low_precision_decoding_steps_hear_the_same_words_and_times_as_float32(tiny_en, jfk_audio, monkeypatch):
    """``asr._half_decoding``: a decoding step reads the decoder's layers in float16 and
    the vocabulary in int8 (its likeliest and its special tokens exact), and the first
    step's logits start at the start token; no word, time or probability changes beyond
    rounding: jfk.flac and two espeak-ng replies, against the same weights loaded without
    it (Whisper's own float32 decoder)."""
    assert "forward" in vars(tiny_en.model.decoder), "the model was loaded without float16 steps"
    monkeypatch.setattr(asr, "HALF_DECODING", False)
    plain = asr.load_model("tiny.en")
    assert "forward" not in vars(plain.model.decoder)
    replies = [jfk_audio, espeak("Nobody is going to get hurt tonight. What do you need right now?"),
               espeak("Take your time. I am not going anywhere, and I am listening to you.")]
    for audio in replies:
        reference, got = asr.transcribe(plain, audio), asr.transcribe(tiny_en, audio)
        assert got.text == reference.text and len(got.words) == len(reference.words) > 5
        for a, b in zip(got.words, reference.words):
            assert a.text == b.text and abs(a.start - b.start) < 0.02 and abs(a.end - b.end) < 0.02
            assert abs(a.probability - b.probability) < 0.01


def test_encoder_frames_follow_the_audio_not_the_padding(tiny_en, jfk_audio):
    """The encoder runs on the audio's frames plus the margin, in whole steps; silence or
    padding alone gets the minimum; more than 30 s is never asked for."""
    from whisper.audio import N_FRAMES, N_SAMPLES, log_mel_spectrogram, pad_or_trim

    def frames(audio: np.ndarray) -> int:
        mel = log_mel_spectrogram(audio, 80, padding=N_SAMPLES)  # as whisper.transcribe cuts it
        content = mel.shape[-1] - N_FRAMES
        return asr._encoder_frames(pad_or_trim(mel[:, : min(N_FRAMES, content)], N_FRAMES)[None])

    per_second, margin, step = 100, asr.ENCODER_MARGIN_SECONDS, asr.ENCODER_STEP_SECONDS
    ten = frames(jfk_audio[: 10 * SAMPLE_RATE])  # longer than the minimum
    assert 10 * per_second < ten <= (10 + margin + step) * per_second
    assert ten % int(step * per_second) == 0
    assert frames(np.zeros(3 * SAMPLE_RATE, np.float32)) == asr.ENCODER_MIN_SECONDS * per_second
    assert frames(jfk_audio[: 2 * SAMPLE_RATE]) == asr.ENCODER_MIN_SECONDS * per_second
    assert frames(np.tile(jfk_audio, 3)) == N_FRAMES
    trailing = np.concatenate([jfk_audio[: 10 * SAMPLE_RATE], np.zeros(SAMPLE_RATE * 5)])
    # digital silence counts as padding (give or take the step the last STFT window crosses)
    assert frames(trailing.astype(np.float32)) <= ten + step * per_second


def test_a_short_live_reply_is_transcribed_whole_at_its_end(jfk_audio):
    """``ReplyStream.final``: a reply within ``whole_seconds`` is transcribed again in one
    piece (no word lost or doubled at a cut); a longer one is joined from its stretches."""
    from voicedrill.stretches import ReplyStream

    calls: list[tuple[int, int]] = []

    def transcribe(audio: np.ndarray) -> Transcript:  # the whole is surer than a stretch
        calls.append((0, len(audio)))
        sure = {6 * SAMPLE_RATE: 0.9, 10 * SAMPLE_RATE: 0.3}.get(len(audio), 0.5)
        return Transcript(f"{len(audio)} samples", "en", (Word("w", 0.0, 0.1, sure),))

    stream = ReplyStream(transcribe, lambda a, b: jfk_audio[a:b], "en", whole_seconds=8.0)
    stream.cut(3 * SAMPLE_RATE)  # a pause after 3 s: the first stretch
    assert stream.final(6 * SAMPLE_RATE).text == f"{6 * SAMPLE_RATE} samples"
    n = len(calls)
    assert stream.final(6 * SAMPLE_RATE).text == f"{6 * SAMPLE_RATE} samples" and len(calls) == n
    long_reply = stream.final(10 * SAMPLE_RATE).text  # over whole_seconds: stretch + tail
    assert long_reply == f"{3 * SAMPLE_RATE} samples {7 * SAMPLE_RATE} samples"
    stream.whole_seconds = 12.0  # the stretches are surer of their words than the whole: kept
    assert stream.final(10 * SAMPLE_RATE).text == long_reply
