"""TTS benchmark: a 10-word perpetrator line rendered cold (engine run) against cached.

Baselines in the same run: espeak-ng's own command line writing a WAV that is then
loaded (what rendering costs without pyttsx3 and the child process), and the cache
hit that a drill gets for every line it has spoken before.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    bench_tts(lambda name, value, unit, note="": print(f"{name:<48} {value:>10.3f} {unit:<6} {note}"))
