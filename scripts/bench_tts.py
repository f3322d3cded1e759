"""TTS benchmark: a 10-word perpetrator line rendered cold (engine run) against cached.

Baselines in the same run: espeak-ng's own command line writing a WAV that is then
loaded (what rendering costs without pyttsx3 and the child process), and the cache
hit that a drill gets for every line it has spoken before.

Per engine (espeak-ng, the neural voice): render time and real-time factor over every
shipped English perpetrator line, and intelligibility as the Whisper tiny.en round-trip
word error rate on the same lines (the neural voice should not be worse than espeak-ng);
the female perpetrators' espeak-ng voice on their own lines; and the first-sample latency
of a cached against an uncached line (the drill has nothing to play until render returns).
``VOICEDRILL_BENCH_TTS_EVERY=N`` takes every N-th line only (a quicker look).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LINE = "Nobody comes through that door until I get my car."  # 10 words


def bench_tts(report) -> None:
    from voicedrill import tts
    from voicedrill.audio import load_audio

    with tempfile.TemporaryDirectory(prefix="voicedrill-bench-tts-") as tmp:
        tmp = Path(tmp)
        tts.render("Warm up the engine and the imports.", cache_dir=tmp / "warm")

        cold = []
        for i in range(5):  # each in a fresh cache folder: the engine runs every time
            t0 = time.perf_counter()
            audio = tts.render(LINE, cache_dir=tmp / f"cold{i}")
            cold.append(time.perf_counter() - t0)
        cached = []
        for _ in range(50):
            t0 = time.perf_counter()
            tts.render(LINE, cache_dir=tmp / "cold0")
            cached.append(time.perf_counter() - t0)
        t_cold, t_cached = statistics.median(cold), statistics.median(cached)
        seconds = audio.size / 16000
        report("tts cold render, 10-word line", t_cold * 1000, "ms", f"median of 5; {seconds:.1f} s of speech")
        report("tts cached render, same line", t_cached * 1000, "ms", "median of 50")
        report("tts cache speed-up (cold / cached)", t_cold / t_cached, "x")
        report("tts cold real-time factor", t_cold / seconds, "x", "render seconds per second of speech")

        espeak = shutil.which("espeak-ng")
        if espeak:
            cli = []
            for i in range(5):
                wav = tmp / f"cli{i}.wav"
                t0 = time.perf_counter()
                subprocess.run([espeak, "-v", "en-us", "-s", "165", "-w", str(wav), LINE], check=True)
                load_audio(wav)
                cli.append(time.perf_counter() - t0)
            t_cli = statistics.median(cli)
            report("baseline: espeak-ng CLI -w + load", t_cli * 1000, "ms", "no delivery checks, no cache")
            report("tts cold / espeak-ng CLI", t_cold / t_cli, "x", "cost of pyttsx3 in a checked child process")

    bench_engines(report)


def english_lines():
    """(scenario, node id, band, text) for every line of every shipped English scenario."""
    from voicedrill.scenario import list_scenarios, load_scenario

    rows = []
    for info in list_scenarios():
        if info.language != "en" or info.problems or info.source == "user":
            continue
        s = load_scenario(info.path)
        for node in s.nodes:
            for band in ("calm", "tense", "explosive"):
                rows.extend((s, node.id, band, text) for text in getattr(node.lines, band))
    every = max(1, int(os.environ.get("VOICEDRILL_BENCH_TTS_EVERY", "1")))
    return rows[::every]




def bench_engines(report) -> None:
    from voicedrill import asr, neural, speak, tts
    from voicedrill.recording import BAND_AGITATION
    from voicedrill.wer import word_errors

    if not neural.is_installed():
        raise RuntimeError(f"the neural voice is not installed; {neural.install_hint()}")
    rows = english_lines()
    transcribe = asr.Transcriber(asr.load_model("tiny.en"), "en")
    engines = {"espeak-ng": lambda s: tts.perpetrator_voice("en"), "neural": lambda s: speak.NEURAL_DEFAULTS["en"],
               "female espeak-ng (Claire, Rosa)": lambda s: s.voice if s.voice and not tts.is_neural(s.voice) else None}
    with tempfile.TemporaryDirectory(prefix="voicedrill-bench-engines-") as tmp:
        tts.render("Warm up the neural voice.", voice=speak.NEURAL_DEFAULTS["en"], cache_dir=Path(tmp) / "warm")
        results = {}
        for engine, voice_of in engines.items():
            render_s = speech_s = 0.0
            errors = words = lines = 0
            for s, _node, band, text in rows:
                voice = voice_of(s)
                if voice is None:
                    continue
                delivery = tts.delivery_for(BAND_AGITATION[band], base=s.delivery)
                t0 = time.perf_counter()
                audio = tts.render(text, voice=voice, delivery=delivery, cache_dir=Path(tmp) / engine)
                render_s += time.perf_counter() - t0
                speech_s += audio.size / 16000
                e, n = word_errors(text, transcribe(audio).text)
                errors, words, lines = errors + e, words + n, lines + 1
            if not lines:
                continue
            results[engine] = errors / words
            report(f"{engine}: render, {lines} English lines", render_s / lines * 1000, "ms/line",
                   f"{speech_s:.0f} s of speech in {render_s:.0f} s")
            report(f"{engine}: real-time factor", render_s / speech_s, "x", "render seconds per second of speech")
            report(f"{engine}: Whisper tiny.en round-trip WER", 100 * errors / words, "%", f"{errors}/{words} words")
        if "neural" in results and "espeak-ng" in results:
            report("WER neural / espeak-ng", results["neural"] / max(results["espeak-ng"], 1e-9), "x",
                   "below 1: the neural voice is understood better")
    bench_first_sample(report)


def bench_first_sample(report) -> None:
    """Time to the first playable sample: render() must return before playback starts."""
    from voicedrill import speak, tts

    line = "I lost the house, I lost the job, and now you want me to come out with my hands up?"
    voice = speak.NEURAL_DEFAULTS["en"]
    with tempfile.TemporaryDirectory(prefix="voicedrill-bench-first-") as tmp:
        cold, cached = [], []
        for i in range(5):
            delivery = tts.Delivery(150 + i, 0.85, 50)  # a new delivery: a new render every time
            t0 = time.perf_counter()
            tts.render(line, voice=voice, delivery=delivery, cache_dir=tmp)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            tts.render(line, voice=voice, delivery=delivery, cache_dir=tmp)
            cached.append(time.perf_counter() - t0)
        t_cold, t_cached = statistics.median(cold), statistics.median(cached)
        report("neural first sample, uncached line", t_cold * 1000, "ms", "median of 5, voice already loaded")
        report("neural first sample, cached line", t_cached * 1000, "ms", "median of 5")
        report("first-sample speed-up (uncached / cached)", t_cold / t_cached, "x")


if __name__ == "__main__":
    bench_tts(lambda name, value, unit, note="": print(f"{name:<48} {value:>10.3f} {unit:<6} {note}"))
