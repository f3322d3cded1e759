"""Benchmark of the debrief: the HTML report of a 20-turn drill, and the history of a
trainee with 500 drills, each against a naive baseline measured in the same run.

    .venv/bin/python scripts/bench.py report
    .venv/bin/python scripts/bench_report.py          (alone)

Report baseline: decode every stored clip and encode it again for the page, building
the HTML by string concatenation (what a first version does). voicedrill embeds the
stored 16 kHz FLAC bytes as they are. History baseline: read every session folder of
the trainee (``Store.load_session``) and compute the per-drill figures in Python,
instead of one query on the SQLite index; both then render the same page.
"""

from __future__ import annotations

import base64
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.benchlib import best_of, scratch_root  # noqa: E402

TURNS = 20
HISTORY_DRILLS = 500
HISTORY_TURNS = 4  # turns per drill of the 500

LINES = (
    "Stay back! I swear I'll do it if anyone comes through that door!",
    "Nobody listens to me. Nobody ever did.",
    "Because they took my kids away from me!",
    "I just want to see them again.",
)
REPLIES = (
    ("It sounds like you're really scared right now.", ("emotional_label", 0, 7)),
    ("Nobody listens. Why did you lock the door?", ("why_question", 2, 7)),
    ("So they took your kids, and you feel nobody is on your side. What happened?", ("paraphrase", 0, 12)),
    ("You want to see your kids again. Tell me about them.", ("open_question", 7, 10)),
)


def _speak(text: str, rate: int = 120) -> np.ndarray:
    from voicedrill.audio import load_audio

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-s", str(rate), "-w", str(wav), text], check=True, capture_output=True)
        return load_audio(wav)


def _records(n: int):
    """``n`` turns with real espeak-ng audio (four lines and replies, reused), real pacing."""
    from voicedrill.audio import SAMPLE_RATE
    from voicedrill.scoring import prosody
    from voicedrill.scoring.names import cue_kind
    from voicedrill.scoring.result import Cue, TurnScore
    from voicedrill.turn import Turn
    from voicedrill.types import PerpetratorLine, Reply, Transcript, Word
    from voicedrill.vad import speech_spans

    lines = [_speak(t, 170) for t in LINES]
    replies = []
    for text, (cue, first, last) in REPLIES:
        audio = np.concatenate([np.zeros(SAMPLE_RATE, np.float32), _speak(text), np.zeros(SAMPLE_RATE // 2, np.float32)])
        spans = speech_spans(audio)
        tokens = text.split()
        edges = np.linspace(spans[0].start, spans[-1].end, len(tokens) + 1)
        words = tuple(Word(t, float(edges[i]), float(edges[i + 1]), 0.9) for i, t in enumerate(tokens))
        reply = Reply(audio, spans[0].start, spans[-1].end, spans[0].start)
        transcript = Transcript(text, "en", words)
        cues = (Cue(cue, " ".join(tokens[first:last + 1]), words[first].start, words[last].end, cue_kind(cue)),)
        score = TurnScore(70.0, cues, prosody.measure_pacing(reply, transcript), None, ("Keep labelling feelings.",), "bench")
        replies.append((reply, transcript, score))
    out = []
    for i in range(n):
        reply, transcript, score = replies[i % 4]
        out.append(Turn.scored(i, f"n{i}", PerpetratorLine(f"n{i}", LINES[i % 4], 0.5), lines[i % 4], reply,
                              transcript, replace(score, score=float(30 + (i * 7) % 70)), 0.5, 0.45))
    return out


def _store_drill(store, records, trainee="ann", drill_score=60.0):
    w = store.start_session(scenario_id="barricade", scenario_text="id: barricade\ntitle: Barricade\n",
                            script_text="", script_hash="bench", trainee=trainee, language="en", mode="test")
    for r in records:
        w.save_turn(r)
    w.finish(outcome="surrender", outcome_text="He came out.", drill_score=drill_score)
    return w.path.name


def naive_report(session) -> str:
    """The baseline: decode each stored clip, encode it again, concatenate strings."""
    import io
    from html import escape

    import soundfile as sf

    from voicedrill.report.debrief import render_report

    html = ""
    for t in session.turns:
        for audio in (t.line_audio(), t.reply_audio()):
            buf = io.BytesIO()
            sf.write(buf, audio, 16000, format="FLAC", subtype="PCM_16")
            html += f'<audio controls src="data:audio/flac;base64,{base64.b64encode(buf.getvalue()).decode()}"></audio>'
        html += f"<p>{escape(t.transcript.text)}</p>"
    return html + render_report(session, audio="none")


def naive_history(store, trainee: str):
    """The baseline: every session folder of the trainee read and averaged in Python."""
    from voicedrill.store import HistoryPoint

    out = []
    for summary in store.list_sessions(trainee=trainee):
        s = store.load_session(summary.id)
        n = len(s.turns)
        rates: dict[str, float] = {}
        for t in s.turns:
            for c in t.score.cue_names():
                rates[c] = rates.get(c, 0.0) + 1.0 / n

        def mean(values):
            values = [v for v in values if v is not None]
            return statistics.mean(values) if values else None

        out.append(HistoryPoint(
            s.id, s.meta.started, s.meta.scenario_id, s.meta.language, s.complete, n, s.drill_score,
            mean(t.score.score for t in s.turns), rates, mean(t.score.pacing.words_per_minute for t in s.turns),
            mean(t.latency for t in s.turns), mean(t.score.calm.score if t.score.calm else None for t in s.turns),
        ))
    return out



def bench_report(report) -> None:
    from voicedrill.report import history_text, render_history_html, render_report, terminal_summary
    from voicedrill.store import Store

    where = scratch_root()
    tmp = tempfile.mkdtemp(prefix="vd-bench-report-", dir=where)
    try:
        store = Store(Path(tmp) / "data", durable=False)
        records = _records(TURNS)
        session = store.load_session(_store_drill(store, records))

        t_fast, html = best_of(lambda: render_report(session))
        t_naive, naive = best_of(lambda: naive_report(session))
        report(f"report of a {TURNS}-turn drill (stored FLAC embedded)", t_fast, "s", f"{len(html) / 1e6:.1f} MB page")
        report(f"report of a {TURNS}-turn drill (naive re-encode)", t_naive, "s", f"{len(naive) / 1e6:.1f} MB page")
        report("report speed-up", t_naive / t_fast, "x")
        t_ogg, ogg = best_of(lambda: render_report(session, audio="ogg"))
        report("report with Ogg Vorbis audio", t_ogg, "s", f"{len(ogg) / 1e6:.1f} MB page")
        t_none, _ = best_of(lambda: render_report(session, audio="none"))
        report("report without audio (page and plots only)", t_none, "s")
        t_term, _ = best_of(lambda: terminal_summary(records, color=True))
        report(f"terminal summary of {TURNS} turns", t_term * 1000, "ms")

        # a trainee with 500 drills, written through the store API (short tone replies)
        from voicedrill.audio import SAMPLE_RATE

        t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
        tone = (0.1 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
        short = [replace(r, line_audio=None, reply=replace(r.reply, audio=tone, onset=0.0, end=0.5, latency=0.8))
                 for r in records[:HISTORY_TURNS]]
        t0 = time.perf_counter()
        for k in range(HISTORY_DRILLS):
            _store_drill(store, short, drill_score=float(30 + (k * 13) % 60))
        report(f"write {HISTORY_DRILLS} drills (setup)", time.perf_counter() - t0, "s")

        def fast():
            entries = store.history("ann")
            return entries, render_history_html(entries, trainee="ann"), history_text(entries, trainee="ann")

        def slow():
            entries = naive_history(store, "ann")
            return entries, render_history_html(entries, trainee="ann"), history_text(entries, trainee="ann")

        t_fast, (entries, page, _) = best_of(fast)
        t_naive, (naive_entries, _, _) = best_of(slow, repeat=1)
        assert len(entries) == len(naive_entries) == HISTORY_DRILLS + 1
        t_render, _ = best_of(lambda: render_history_html(entries, trainee="ann"))
        report(f"history of {HISTORY_DRILLS} drills: index + page + text", t_fast, "s", f"{len(page) / 1e3:.0f} kB page")
        report(f"history of {HISTORY_DRILLS} drills: naive folder reads", t_naive, "s")
        report("history speed-up", t_naive / t_fast, "x")
        report(f"history page alone ({HISTORY_DRILLS} drills)", t_render * 1000, "ms")
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    bench_report(lambda name, value, unit, note="": print(f"{name:<52} {value:>10.3f} {unit:<6} {note}"))
