#!/usr/bin/env python
"""Live-path benchmark on the virtual audio rig (tests/rig.py starts its own PulseAudio).

Reports, against naive baselines measured in the same run:
- the end-of-turn wait: from the true end of a reply's speech to the listener's decision
  that the turn is over (setting: 1.5 s of silence), Silero endpointer vs energy endpointer;
- latency error: measured response latency minus the truth (reply played into the
  virtual microphone at a known time), clean and with noise at 5 dB SNR;
- capture overhead: CPU % of this process while listening (time.process_time over
  wall time), bare capture stream vs energy endpointer vs Silero endpointer;
- offline voice detection in noise: share of onsets within 150 ms at 0 dB SNR.

    .venv/bin/python scripts/bench.py live
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SR = 16000
REPLIES = (
    "I hear you. You sound really tired of all this.",
    "Nobody is going to get hurt tonight. What do you need right now?",
    "Take your time. I am not going anywhere.",
)


def _noisy(audio: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    from voicedrill.vad import speech_spans

    rng = np.random.default_rng(seed)
    spans = speech_spans(audio, threshold_db=-45)
    speech = np.concatenate([audio[int(s.start * SR): int(s.end * SR)] for s in spans])
    noise = rng.standard_normal(len(audio)).astype(np.float32)
    noise *= np.sqrt(np.mean(speech**2) / np.mean(noise**2) / 10 ** (snr_db / 10))
    return np.clip(audio + noise, -1, 1).astype(np.float32)


def _turns(rig, vad: str, replies, *, lead: float = 1.0):
    """Listen to each reply played ``lead`` s after a fake line end; returns per turn
    (latency error, end-of-turn wait, cpu share while listening)."""
    from tests.rig import MIC_DEVICE
    from voicedrill.live import LiveListener
    from voicedrill.vad import ListenSettings, speech_spans

    results = []
    settings = ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=6.0, vad=vad)
    with LiveListener(MIC_DEVICE, settings=settings, key_pressed=lambda: False) as listener:
        for clean, played_audio in replies:
            spans = speech_spans(clean, threshold_db=-45)
            listener.prepare(None, 0)
            line_end = time.monotonic() + 0.3
            played = rig.play_into_mic(played_audio, at=line_end + lead)
            wall0, cpu0 = time.monotonic(), time.process_time()
            reply = listener.reply(line_end)
            wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
            played.wait()
            true_onset = played.launched + spans[0].start
            true_end = played.launched + spans[-1].end
            error = None if reply.latency is None else reply.latency - (true_onset - line_end)
            wait = listener.last.decided - true_end
            results.append((error, wait, cpu / wall))
    return results


def _bare_capture_cpu(seconds: float = 4.0) -> float:
    from tests.rig import MIC_DEVICE
    from voicedrill.capture import Microphone

    with Microphone(MIC_DEVICE) as mic:
        mic.arm()
        wall0, cpu0 = time.monotonic(), time.process_time()
        while time.monotonic() - wall0 < seconds:
            mic.read(timeout=0.02)
        return (time.process_time() - cpu0) / (time.monotonic() - wall0)


def _offline_onsets(report) -> None:
    from tests.rig import speak
    from voicedrill.vad import speech_spans

    hits = {"silero": 0, "energy": 0}
    n = 0
    for i, text in enumerate(REPLIES):
        for voice in ("en-us+f3", "en-gb"):
            clean = np.concatenate([np.zeros(int(1.2 * SR), np.float32), speak(text, voice=voice),
                                    np.zeros(SR, np.float32)])
            truth = speech_spans(clean, threshold_db=-45)[0].start
            audio = _noisy(clean, 0.0, seed=i)
            n += 1
            for method in hits:
                spans = speech_spans(audio, method=method)
                hits[method] += bool(spans) and abs(spans[0].start - truth) < 0.15
    report("vad onset within 150 ms, 0 dB white noise: silero", 100 * hits["silero"] / n, "%", f"{n} replies")
    report("vad onset within 150 ms, 0 dB white noise: energy", 100 * hits["energy"] / n, "%", "naive baseline")


def bench_live(report) -> None:
    from tests.rig import VirtualRig, speak

    _offline_onsets(report)
    clean = [speak(t) for t in REPLIES]
    waits = {}
    with VirtualRig() as rig:
        for vad in ("silero", "energy"):
            res = _turns(rig, vad, [(a, a) for a in clean])
            waits[vad] = float(np.mean([w for _, w, _ in res]))
            errors = [abs(e) for e, _, _ in res if e is not None]
            report(f"end-of-turn wait (1.5 s setting), {vad}", float(np.mean([w for _, w, _ in res])), "s",
                   "reply end -> decision" + ("" if vad == "silero" else " (naive baseline)"))
            report(f"latency error, clean, {vad}", 1000 * float(np.mean(errors)) if errors else float("nan"), "ms",
                   f"mean |measured - truth|, {len(errors)}/{len(res)} heard")
            report(f"capture CPU while listening, {vad}", 100 * float(np.mean([c for _, _, c in res])), "%",
                   "of one core")
        for vad in ("silero", "energy"):
            lead_in = [np.concatenate([np.zeros(SR, np.float32), a]) for a in clean]  # noise starts 1 s early
            res = _turns(rig, vad, [(a, _noisy(a, 5.0, seed=7)) for a in lead_in])
            errors = [abs(e) for e, _, _ in res if e is not None]
            within = sum(e < 0.15 for e in errors)
            report(f"latency within 150 ms, 5 dB SNR, {vad}", 100 * within / len(res), "%",
                   f"{len(res)} replies" + ("" if vad == "silero" else " (naive baseline)"))
        report("capture CPU, bare stream (no VAD)", 100 * _bare_capture_cpu(), "%", "of one core")
    _feedback_split(report, clean, waits["silero"])


def _feedback_split(report, replies, wait: float) -> None:
    """Reply end -> feedback shown = end-of-turn wait + transcription + scoring (mean over replies)."""
    from voicedrill import asr
    from voicedrill.headless import reply_from_audio
    from voicedrill.scoring import load_script, score_turn
    from voicedrill.types import TurnContext

    model, script = asr.load_model("tiny.en"), load_script()
    context = TurnContext(language="en", perpetrator_lines=("Nobody in this town ever listens to me.",))
    asr_s, score_s = [], []
    for audio in replies:
        reply = reply_from_audio(np.concatenate([np.zeros(SR // 2, np.float32), audio]), source="bench")
        t0 = time.perf_counter()
        transcript = asr.transcribe(model, reply.audio, language="en")
        t1 = time.perf_counter()
        score_turn(reply, transcript, context, script)
        asr_s.append(t1 - t0)
        score_s.append(time.perf_counter() - t1)
    t_asr, t_score = float(np.mean(asr_s)), float(np.mean(score_s))
    report("reply end -> feedback: end-of-turn wait", wait, "s", "silero, 1.5 s setting")
    report("reply end -> feedback: transcription", t_asr, "s", "tiny.en, word times")
    report("reply end -> feedback: scoring", t_score, "s", "cues + pacing + calm")
    report("reply end -> feedback: total", wait + t_asr + t_score, "s")


if __name__ == "__main__":
    bench_live(lambda name, value, unit, note="": print(f"{name:<52} {value:>9.3f} {unit:<3} {note}"))
