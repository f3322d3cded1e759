"""ASR benchmark: a 5 s reply (cut from jfk.flac) transcribed with tiny.en on this CPU.

Measured: model load time, transcription time and real-time factor of voicedrill's
adapter (the model loaded once and passed in; no-speech probe, filler-prompt pass,
word times, guard), its single plain pass (what ``Transcriber.partial`` runs), and a
5 s silent reply. Baselines in the same run, the naive way: ``whisper.load_model(path)``
on every call and ``model.transcribe(audio)`` with openai-whisper's defaults, and the
same with ``word_timestamps=True`` (the output the adapter gives). Then ``bench_decode``:
one window the old way (a probe, then ``whisper.transcribe`` on the padded window) vs
voicedrill.decode, CPU/wall seconds and WER per reply on jfk.flac and espeak-ng replies,
quiet and with a core kept busy.

    .venv/bin/python scripts/bench_asr.py      (BENCH_ASR=decode: the old/new window part only,
                                               DECODE_REPLIES=N espeak replies, default 15)
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_live, benchlib

JFK = Path(__file__).resolve().parent.parent / "tests" / "data" / "jfk.flac"
REPLY_SECONDS = 5.0
REPEATS = 3


def _median_time(fn, repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_asr(report) -> None:
    import numpy as np
    import whisper

    from voicedrill import asr, models
    from voicedrill.audio import SAMPLE_RATE, load_audio

    if os.environ.get("BENCH_ASR") == "decode":  # this part only
        bench_decode(report)
        return
    path = models.checkpoint_path("tiny.en")
    reply = load_audio(JFK)[: int(REPLY_SECONDS * SAMPLE_RATE)]
    silence = np.zeros(int(REPLY_SECONDS * SAMPLE_RATE), dtype=np.float32)

    asr.load_model(path)  # warm: imports, file cache
    t_load, model = _median_time(lambda: asr.load_model(path))
    report("asr model load (tiny.en)", t_load * 1000, "ms", f"median of {REPEATS}, imports warm")

    rng = np.random.default_rng(0)

    def fresh() -> np.ndarray:
        """The reply with an inaudible new dither: no cached encoder output is reused."""
        return (reply + rng.standard_normal(reply.size).astype(np.float32) * 1e-5).astype(np.float32)

    asr.transcribe(model, fresh())  # warm-up (numba JIT of the word-time alignment)
    t_ours, transcript = _median_time(lambda: asr.transcribe(model, fresh()))
    report("asr transcribe 5 s reply", t_ours * 1000, "ms", f"probe + filler pass, word times; '{transcript.text}'")
    report("asr real-time factor", t_ours / REPLY_SECONDS, "x", "seconds per second of reply")
    single = asr.DecodeOptions(temperatures=(0.0,), keep_fillers=False)
    t_single, _ = _median_time(lambda: asr.transcribe(model, fresh(), options=single))
    report("asr single plain pass (partial) 5 s reply", t_single * 1000, "ms",
           f"real-time factor {t_single / REPLY_SECONDS:.3f}")
    t_silent, _ = _median_time(lambda: asr.transcribe(model, silence), repeats=10)
    report("asr silent 5 s reply", t_silent * 1000, "ms", "energy pre-check, no model run")

    def naive(audio):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "FP16 is not supported on CPU"
            return whisper.load_model(str(path), device="cpu").transcribe(audio)

    t_naive, result = _median_time(lambda: naive(reply))
    report("baseline: load + model.transcribe defaults", t_naive * 1000, "ms", f"'{result['text'].strip()}'")
    report("asr speed-up vs baseline (5 s reply)", t_naive / t_ours, "x", "baseline time / adapter time")

    def naive_words(audio):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return whisper.load_model(str(path), device="cpu").transcribe(audio, word_timestamps=True)

    t_words, _ = _median_time(lambda: naive_words(reply))
    report("baseline with word_timestamps=True", t_words * 1000, "ms", "the same kind of output as the adapter")
    report("asr speed-up vs baseline with word times", t_words / t_ours, "x")
    t_naive_silent, result = _median_time(lambda: naive(silence))
    report("baseline on the silent reply", t_naive_silent * 1000, "ms", f"text: {result['text'].strip()!r}")
    report("asr speed-up vs baseline (silence)", t_naive_silent / max(t_silent, 1e-9), "x")
    bench_decode(report)


# --- one window: openai-whisper's transcribe (before) vs voicedrill.decode (now) --------

DECODE_REPLIES = 15  # espeak-ng replies of 3-15 s (bench_live's), plus jfk.flac and the demo's


def _old_window(model, audio, options=None):
    """``asr.transcribe_window`` as it was before voicedrill.decode (the naive baseline):
    a one-step no-speech probe, then ``whisper.transcribe`` (prompted; plain in doubt),
    each on the zero-padded 30 s window; the same guard."""
    import torch
    import whisper
    from whisper.audio import N_FRAMES, N_SAMPLES, log_mel_spectrogram, pad_or_trim

    from voicedrill import asr
    from voicedrill.audio import SAMPLE_RATE
    from voicedrill.types import Transcript

    options = options or asr.DecodeOptions()
    quiet = asr._precheck(audio)
    if quiet:
        return Transcript("", "en", (), no_speech_prob=1.0, guarded=quiet)
    data, g = asr.language_data("en"), options.guard
    duration = len(audio) / SAMPLE_RATE
    sample_len = int(min(224, options.min_tokens + data.max_tokens_per_second * min(duration, 30.0)))

    def run(prompt, temperatures):
        with torch.no_grad():
            return whisper.transcribe(
                model.model, audio, verbose=None, language="en", temperature=temperatures,
                compression_ratio_threshold=g.compression_ratio, logprob_threshold=g.logprob,
                no_speech_threshold=g.no_speech, condition_on_previous_text=False,
                initial_prompt=prompt, word_timestamps=True, fp16=False, sample_len=sample_len,
            )["segments"]

    with torch.no_grad():
        mel = log_mel_spectrogram(audio, model.model.dims.n_mels, padding=N_SAMPLES)
        mel = pad_or_trim(mel[:, : min(N_FRAMES, mel.shape[-1] - N_FRAMES)], N_FRAMES)
        probe = whisper.decode(model.model, mel, whisper.DecodingOptions(
            language="en", prompt=data.initial_prompt, sample_len=1, fp16=False)).no_speech_prob
    prompted = None
    if probe <= g.probe_no_speech:
        segments = run(data.initial_prompt, (0.0,))
        prompted, _, nsp = asr._guard(segments, data, g)
        if prompted and not asr._doubtful(segments, prompted, data, g):
            return asr._build(prompted, "en", nsp, duration)
    plain, reason, nsp = asr._guard(run(None, options.temperatures), data, g)
    if not plain:
        return Transcript("", "en", (), no_speech_prob=nsp, guarded=reason or "no speech")
    if prompted is None:
        prompted, _, _ = asr._guard(run(data.initial_prompt, (0.0,)), data, g)
    chosen = prompted if prompted and asr._consistent(prompted, plain, data) else plain
    return asr._build(chosen, "en", nsp, duration)


def bench_decode(report) -> None:
    """CPU and wall seconds per reply and WER: the old window (whisper.transcribe, padded
    encoder) vs voicedrill.decode (one decode per pass, encoder on the audio's length), on
    a quiet machine and with another process keeping a core busy."""
    import numpy as np
    import torch
    from bench_live import replies
    from benchlib import busy_core

    from tests.fixtures_asr import JFK_TEXT
    from tests.rig import speak
    from voicedrill import asr
    from voicedrill.audio import load_audio
    from voicedrill.wer import word_errors

    n = int(os.environ.get("DECODE_REPLIES", DECODE_REPLIES))
    said = [(r.text, r.audio) for r in replies(n)] + [(JFK_TEXT, load_audio(JFK))]
    # the demo's long replies (10-15 s): the trainee's good lines of barricaded_subject
    scenario = (JFK.parent.parent.parent / "voicedrill" / "scenarios" / "barricaded_subject.yaml").read_text()
    lines = re.findall(r'^\s+good: "(.+)"$', scenario, flags=re.M)[: int(os.environ.get("DEMO_REPLIES", "12"))]
    said += [(line, speak(line, voice="en-us")) for line in lines]
    model = asr.load_model("tiny.en")
    asr.warm(model)
    report("torch threads", torch.get_num_threads(), "", "asr.default_threads(), kept by warm()")
    on_length = asr.ENCODER_ON_LENGTH
    rng = np.random.default_rng(0)
    ways = {
        "old (whisper.transcribe, padded)": (False, lambda a: _old_window(model, a)),
        "new, padded encoder": (False, lambda a: asr.transcribe_window(model, a)),
        "new (decode, encoder on length)": (True, lambda a: asr.transcribe_window(model, a)),
    }

    def measure(label: str) -> None:
        totals = {name: [0.0, 0.0, 0, 0, 0, 0] for name in ways}  # CPU, wall, errors, words, decodes, encodes
        for text, clean in said:  # each reply every way in turn: the machine's load is shared
            for name, (on, fn) in ways.items():
                asr.ENCODER_ON_LENGTH = on
                # a new inaudible dither each time: no way reuses another's encoder output
                audio = (clean + rng.standard_normal(clean.size).astype(np.float32) * 1e-5).astype(np.float32)
                t0, c0 = time.perf_counter(), time.process_time()
                heard = fn(audio).text
                total = totals[name]
                total[0] += time.process_time() - c0
                total[1] += time.perf_counter() - t0
                e, k = word_errors(text, heard)
                total[2], total[3] = total[2] + e, total[3] + k
                total[4], total[5] = total[4] + passes["decode"], total[5] + passes["encode"]
                passes.update(decode=0, encode=0)
                if os.environ.get("BENCH_VERBOSE"):
                    print(f"    {name}: {heard!r}", flush=True)
        asr.ENCODER_ON_LENGTH = on_length
        r = len(said)
        out = {name: (c / r, w / r, 100 * e / max(1, k), d / r, x / r) for name, (c, w, e, k, d, x) in totals.items()}
        for name, (cpu, wall, w_e_r, decodes, encodes) in out.items():
            report(f"{name}, {label}: CPU s/reply", cpu, "s",
                   f"wall {wall:.3f} s/reply, WER {w_e_r:.1f} % on {r} replies; "
                   f"{decodes:.2f} decodes, {encodes:.2f} encoder passes a reply")
        old, new = out["old (whisper.transcribe, padded)"], out["new (decode, encoder on length)"]
        report(f"decode speed-up old/new, {label}: CPU", old[0] / new[0], "x",
               f"wall {old[1] / new[1]:.2f}x; WER {old[2]:.1f} -> {new[2]:.1f} %")

    import whisper.decoding

    passes = {"decode": 0, "encode": 0}  # the real model's passes, counted
    run, conv1 = whisper.decoding.DecodingTask.run, model.model.encoder.conv1.forward

    def counted_run(self, mel):
        passes["decode"] += 1
        return run(self, mel)

    def counted_conv1(x):
        passes["encode"] += 1
        return conv1(x)

    whisper.decoding.DecodingTask.run = counted_run
    model.model.encoder.conv1.forward = counted_conv1
    _old_window(model, said[0][1])  # warm the old path too (its first transcribe)
    passes.update(decode=0, encode=0)
    try:
        measure("quiet")
        with busy_core():
            measure("busy core")
    finally:
        whisper.decoding.DecodingTask.run = run


if __name__ == "__main__":
    bench_asr(lambda name, value, unit, note="": print(f"{name:<48} {value:>10.3f} {unit:<6} {note}"))
