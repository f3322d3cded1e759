"""Benchmark of the scorer: scoring a 5 s reply (text cues + pacing + vocal calm) from a
ready transcript, against ``librosa.pyin`` on the same audio as the naive baseline
(same run), plus the pitch tracker's agreement with pyin.

    .venv/bin/python scripts/bench.py scoring
    .venv/bin/python scripts/bench_scoring.py         (alone)

Target (issue 4): scoring a 5 s reply <= 50 ms on this machine.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPLY_TEXT = ("It sounds like you feel nobody has listened to you all day. "
              "Tell me what happened this morning, and I will listen.")
CALIBRATION_TEXT = "My name is Alex and I am here to listen. Take your time, we can talk about anything."
JFK = ROOT / "tests" / "data" / "jfk.flac"
RUNS = 30


def _espeak(text: str, folder: Path, **kw) -> np.ndarray:
    from voicedrill.audio import load_audio

    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed")
    path = folder / f"{abs(hash((text, tuple(kw.items()))))}.wav"
    args = [exe, "-s", str(kw.get("rate", 150)), "-w", str(path), text]
    subprocess.run(args, check=True, capture_output=True)
    return load_audio(path)


def _five_seconds(audio: np.ndarray) -> np.ndarray:
    n = 5 * 16000
    return audio[:n] if audio.size >= n else np.pad(audio, (0, n - audio.size))


def _timed(fn, runs: int) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def pitch_agreement(audio: np.ndarray) -> dict:
    """Our YIN track against librosa.pyin on ``audio``: median |error| in cents on frames
    both call voiced, share of frames off by more than 50 cents, difference of the
    median pitch in semitones, and the share of frames with the same voicing decision."""
    import librosa

    from voicedrill.scoring import prosody

    ref, _, _ = librosa.pyin(audio, fmin=70, fmax=400, sr=16000, frame_length=1024, hop_length=160)
    ours = prosody.track_pitch(audio).f0_hz
    offset = 2  # our 640-sample frames start at i*hop; pyin's are centred at i*hop
    ours = ours[: len(ref) - offset]
    ref = ref[offset : offset + len(ours)]
    both = ~np.isnan(ours) & ~np.isnan(ref)
    cents = 1200 * np.abs(np.log2(ours[both] / ref[both]))
    return {
        "median_cents": float(np.median(cents)),
        "gross": float(np.mean(cents > 50)),
        "median_st": float(12 * np.log2(np.nanmedian(ours) / np.nanmedian(ref))),
        "voicing_agree": float(np.mean(np.isnan(ours) == np.isnan(ref))),
    }


def bench_scoring(report) -> None:
    from voicedrill import vad
    from voicedrill.audio import load_audio
    from voicedrill.scoring import load_script, measure_baseline, prosody, score_turn
    from voicedrill.scoring.cues import detect_cues
    from voicedrill.types import Reply, TurnContext

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        audio = _five_seconds(_espeak(REPLY_TEXT, folder))
        baseline = measure_baseline(_espeak(CALIBRATION_TEXT, folder))
    spans = vad.speech_spans(audio)
    reply = Reply(audio, spans[0].start, spans[-1].end, 0.9, source="bench")
    transcript = prosody.words_from_text(REPLY_TEXT, audio, "en")
    context = TurnContext("en", ("Nobody has listened to me all day!",))
    script = load_script()

    score_turn(reply, transcript, context, script, baseline)  # warm: lexicons, caches
    total = _timed(lambda: score_turn(reply, transcript, context, script, baseline), RUNS)
    report("score_turn, 5 s reply (cues+pacing+calm)", total, "ms", "target <= 50 ms")
    report("  of which pitch+loudness (voice_figures)", _timed(lambda: prosody.voice_figures(audio), RUNS), "ms")
    report("  of which pacing (VAD, pauses, fillers)",
           _timed(lambda: prosody.measure_pacing(reply, transcript, fillers=("um",)), RUNS), "ms")
    report("  of which text cues (detect_cues)", _timed(lambda: detect_cues(transcript, context), RUNS), "ms")

    import librosa

    t0 = time.perf_counter()
    librosa.pyin(audio[:16000], fmin=70, fmax=400, sr=16000, frame_length=1024, hop_length=160)
    report("librosa.pyin first call (import+JIT, 1 s)", (time.perf_counter() - t0) * 1000.0, "ms", "one-off")
    pyin = _timed(lambda: librosa.pyin(audio, fmin=70, fmax=400, sr=16000, frame_length=1024, hop_length=160), 3)
    report("naive: librosa.pyin on the same 5 s", pyin, "ms", "pitch alone")
    report("ratio pyin / whole score_turn", pyin / total, "x", "higher is better")

    for name, clip in (("espeak reply 5 s", audio), ("jfk.flac 11 s", load_audio(JFK) if JFK.is_file() else None)):
        if clip is None:
            report(f"pitch vs pyin, {name}", float("nan"), "", f"missing {JFK}")
            continue
        a = pitch_agreement(clip)
        report(f"pitch vs pyin, {name}: median error", a["median_cents"], "cents", "frames both voiced")
        report(f"pitch vs pyin, {name}: frames off > 50 cents", 100 * a["gross"], "%")
        report(f"pitch vs pyin, {name}: median pitch diff", a["median_st"], "st")
        report(f"pitch vs pyin, {name}: voicing agreement", 100 * a["voicing_agree"], "%")


if __name__ == "__main__":
    bench_scoring(lambda name, value, unit, note="": print(f"{name:<52} {value:>10.3f} {unit:<6} {note}"))
