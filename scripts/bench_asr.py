"""ASR benchmark: a 5 s reply (cut from jfk.flac) transcribed with tiny.en on this CPU.

Measured: model load time, transcription time and real-time factor of voicedrill's
adapter (the model loaded once and passed in; no-speech probe, filler-prompt pass,
word times, guard), its single plain pass (what ``Transcriber.partial`` runs), and a
5 s silent reply. Baselines in the same run, the naive way: ``whisper.load_model(path)``
on every call and ``model.transcribe(audio)`` with openai-whisper's defaults, and the
same with ``word_timestamps=True`` (the output the adapter gives).

    .venv/bin/python scripts/bench_asr.py
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


if __name__ == "__main__":
    bench_asr(lambda name, value, unit, note="": print(f"{name:<48} {value:>10.3f} {unit:<6} {note}"))
