"""Helpers for the report and history tests: real drills stored through the real store.

Audio is real: espeak-ng speaks every perpetrator line and reply (``espeak-ng -w``).
Pacing is measured by ``scoring.prosody`` on that audio; calm compares the reply's
measured pitch and loudness with a baseline measured from a calm espeak-ng recording.
Word times are spread over the speech that voice activity finds (no ASR model needed),
and cues are placed on chosen words, as the scorer would with its evidence.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from voicedrill.audio import SAMPLE_RATE, load_audio
from voicedrill.scoring import prosody
from voicedrill.scoring.names import cue_kind
from voicedrill.scoring.result import Calm, Cue, TurnScore
from voicedrill.store import Store, TurnTimings
from voicedrill.turn import Turn
from voicedrill.types import PerpetratorLine, Reply, Transcript, VoiceBaseline, Word
from voicedrill.vad import speech_spans


def speak(text: str, *, language: str = "en", rate: int = 160, pitch: int = 50, amplitude: int = 100,
          voice: str | None = None) -> np.ndarray:
    """``text`` spoken by espeak-ng, as 16 kHz float32 (shape=(n,))."""
    exe = shutil.which("espeak-ng")
    assert exe, "espeak-ng is not installed: apt-get install espeak-ng (the report tests need real speech)"
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "say.wav"
        subprocess.run(
            [exe, "-v", voice or language, "-s", str(rate), "-p", str(pitch), "-a", str(amplitude), "-w", str(wav), text],
            check=True, capture_output=True, timeout=60,
        )
        return load_audio(wav)


@dataclass(frozen=True)
class TurnSpec:
    """One scripted turn: the line, the reply and the cues on reply words (inclusive word indices)."""

    line: str
    reply: str  # "" = the trainee stays silent
    # (cue name, first word, last word); (name, -1, -1) is the pause before the reply;
    # "~name" gives the cue no times (placed by its evidence text, as without word times)
    cues: tuple[tuple[str, int, int], ...] = ()
    latency: float = 1.0  # seconds of silence before the reply
    rate: int = 115  # espeak-ng speed setting of the reply (it speaks faster than this in words/min)
    pitch: int = 40  # espeak-ng pitch 0..99 of the reply
    interrupted: bool = False
    agitation: float = 0.5  # agitation before the turn
    feedback: tuple[str, ...] = ()


EN_TURNS = (
    TurnSpec("Stay back! I swear I'll do it if anyone comes through that door!",
             "It sounds like you're really scared right now.", (("emotional_label", 0, 7),),
             latency=1.2, agitation=0.7, feedback=("Good emotional label: keep naming the feeling.",)),
    TurnSpec("Nobody listens to me. Nobody ever did.",
             "Nobody listens. Why did you lock the door?", (("mirror", 0, 1), ("why_question", 2, 7)),
             latency=0.9, agitation=0.6, feedback=("Avoid why questions; ask what happened instead.",)),
    TurnSpec("Because they took my kids away from me!",
             "Calm down, I promise everything will be fine, you have to calm down.",
             (("calm_down", 0, 1), ("promise", 2, 7), ("~commanding", 8, 12)),
             latency=0.4, rate=240, pitch=85, agitation=0.75,
             feedback=("Do not tell the person to calm down.", "Avoid why questions; ask what happened instead.")),
    TurnSpec("You don't get it. Nobody gets it.",
             "So they took your kids, and you feel that nobody is on your side. What happened?",
             (("effective_pause", -1, -1), ("paraphrase", 0, 13), ("open_question", 14, 15)),
             latency=2.2, rate=110, pitch=40, agitation=0.85),
    TurnSpec("I just want to see them again.",
             "You want to see your kids again. Tell me about them.",
             (("paraphrase", 0, 6), ("open_question", 7, 10)), latency=1.0, rate=105, pitch=38, agitation=0.6),
)

RU_TURNS = (
    TurnSpec("Не подходите! Я не шучу!", "Похоже, вы очень напуганы.", (("emotional_label", 0, 3),),
             latency=1.1, agitation=0.7),
    TurnSpec("Меня никто не слушает.", "Почему вы закрыли дверь?", (("why_question", 0, 3),),
             latency=0.8, agitation=0.6, feedback=("Не спрашивайте «почему»: спросите, что случилось.",)),
    TurnSpec("Они забрали моих детей!", "Вы хотите снова увидеть детей. Расскажите о них.",
             (("paraphrase", 0, 4), ("open_question", 5, 7)), latency=1.5, agitation=0.8),
)


def words_for(text: str, audio: np.ndarray) -> tuple[Word, ...]:
    """Word times spread over the speech voice activity finds, by word length."""
    tokens = text.split()
    spans = speech_spans(audio)
    if not tokens or not spans:
        return ()
    start, end = spans[0].start, spans[-1].end
    weights = np.array([len(t) + 1 for t in tokens], dtype=float)
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
    return tuple(
        Word(tok, round(float(edges[i]), 3), round(float(edges[i + 1]) - 0.02, 3), 0.9) for i, tok in enumerate(tokens)
    )


def calm_of(audio: np.ndarray, baseline: VoiceBaseline) -> Calm:
    """Calm from the measured pitch and loudness shift against ``baseline``."""
    fig = prosody.voice_figures(audio)
    if fig.pitch_median_hz is None:
        return Calm(0.0, None, None, None, None, None, None, ("no_voiced_frames",))
    shift = 12.0 * math.log2(fig.pitch_median_hz / baseline.pitch_median_hz)
    loud = fig.loudness_db - baseline.loudness_db
    score = 1.0 - min(max(shift - 1.0, 0.0) / 6.0, 1.0) * 0.7 - min(max(loud - 3.0, 0.0) / 12.0, 1.0) * 0.3
    return Calm(round(max(score, 0.0), 3), fig.pitch_median_hz, round(shift, 2), fig.pitch_spread_st,
                fig.loudness_db, round(loud, 2), fig.loudness_spread_db)


def record_for(spec: TurnSpec, index: int, *, language: str, baseline: VoiceBaseline, next_agitation: float) -> Turn:
    """A Turn with real audio, measured pacing/calm and cues on the chosen words."""
    line_audio = speak(spec.line, language=language, rate=175, pitch=60)
    if spec.reply:
        speech = speak(spec.reply, language=language, rate=spec.rate, pitch=spec.pitch)
        lead = np.zeros(int(spec.latency * SAMPLE_RATE), dtype=np.float32)
        audio = np.concatenate([lead, speech, np.zeros(SAMPLE_RATE // 2, dtype=np.float32)])
        spans = speech_spans(audio)
        onset, end = spans[0].start, spans[-1].end
        reply = Reply(audio, onset, end, -0.3 if spec.interrupted else onset, spec.interrupted, "espeak-ng")
        words = words_for(spec.reply, audio)
        transcript = Transcript(spec.reply, language, words)
    else:
        audio = np.zeros(SAMPLE_RATE * 3, dtype=np.float32)
        reply = Reply(audio, None, None, None, False, "espeak-ng")
        words = ()
        transcript = Transcript("", language)
    cues = []
    for name, first, last in spec.cues:
        if first == -1:  # the pause before the reply
            cues.append(Cue(name, f"<pause {spec.latency:.1f} s>", 0.0, reply.onset, cue_kind(name)))
        elif name.startswith("~"):
            text = " ".join(w.text for w in words[first : last + 1]).strip(".,!?")
            cues.append(Cue(name[1:], text, None, None, cue_kind(name[1:])))
        else:
            ws = words[first : last + 1]
            cues.append(Cue(name, " ".join(w.text for w in ws), ws[0].start, ws[-1].end, cue_kind(name)))
    pacing = prosody.measure_pacing(reply, transcript)
    calm = calm_of(audio, baseline) if spec.reply else None
    helpful = sum(c.kind == "helpful" for c in cues)
    harmful = sum(c.kind == "harmful" for c in cues)
    score = 0.0 if not spec.reply else max(0.0, min(100.0, 55 + 15 * helpful - 25 * harmful + 10 * ((calm.score if calm else 0.5) - 0.5)))
    turn_score = TurnScore(round(score, 1), tuple(cues), pacing, calm, spec.feedback, "testhash")
    line = PerpetratorLine(f"node{index}", spec.line, spec.agitation)
    return Turn.scored(index=index, node_id=f"node{index}", line=line, line_audio=line_audio, reply=reply,
                      transcript=transcript, score=turn_score, agitation_before=spec.agitation,
                      agitation_after=next_agitation, timings=TurnTimings(tts_seconds=0.1))


def baseline_for(language: str) -> VoiceBaseline:
    calm_text = "I am here to listen. Take your time, tell me what is going on." if language == "en" else \
        "Я здесь, чтобы выслушать. Не торопитесь, расскажите, что происходит."
    return prosody.measure_baseline(speak(calm_text, language=language, rate=140, pitch=40), source="test")


SCENARIO_YAML = """\
id: barricade-test
title: "Barricaded father <test & check>"
language: {language}
outcomes:
  surrender:
    result: good
    title: "Dan comes out & surrenders"
    debrief: He put the weapon down.
"""


def records_for(specs: Sequence[TurnSpec], *, language: str = "en") -> list[Turn]:
    baseline = baseline_for(language)
    records = []
    for i, spec in enumerate(specs):
        nxt = specs[i + 1].agitation if i + 1 < len(specs) else max(spec.agitation - 0.3, 0.0)
        records.append(record_for(spec, i, language=language, baseline=baseline, next_agitation=nxt))
    return records


def store_drill(store: Store, records: Sequence[Turn], *, language: str = "en", trainee: str = "alex",
                complete: bool = True, outcome: str | None = "surrender",
                outcome_text: str = "He put the weapon down and came out. <b>Well done</b>.",
                drill_score: float | None = None):
    """Store ``records`` as one drill (finished or cut off) and read it back as a Session."""
    writer = store.start_session(
        scenario_id="barricade-test", scenario_text=SCENARIO_YAML.format(language=language),
        script_text="# test script\n", script_hash="testhash", trainee=trainee, language=language,
        seed=1, mode="test",
    )
    for r in records:
        writer.save_turn(r)
    if complete:
        if drill_score is None:
            drill_score = round(float(np.mean([r.score.score for r in records])), 1) if records else None
        writer.finish(outcome=outcome, outcome_text=outcome_text, drill_score=drill_score)
    return store.load_session(writer.id)


# --------------------------------------------------------------------------- headless Chromium

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)
_AUDIO_PROBE = """<script>
window.addEventListener('load', async () => {
  const audios = [...document.querySelectorAll('audio')];
  await Promise.all(audios.map(a => a.readyState >= 1 ? null : new Promise(r => {
    a.addEventListener('loadedmetadata', r); a.addEventListener('error', r); a.load(); })));
  document.body.setAttribute('data-audio',
    audios.map(a => a.error ? 'error' : a.duration.toFixed(2)).join(','));
});
</script>"""


@dataclass(frozen=True)
class Rendered:
    dom: str  # the DOM after load (--dump-dom)
    console: tuple[str, ...]  # console messages Chromium logged (errors, warnings, logs)
    stderr: str


def chromium(args: Sequence[str], tmp: Path, *, timeout: float = 120) -> subprocess.CompletedProcess:
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium (the report tests need it)"
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp))
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=timeout,
    )


def render_dom(html_path: Path, tmp: Path) -> Rendered:
    """Load ``html_path`` in headless Chromium: the DOM after load and the console messages."""
    proc = chromium(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom",
                     html_path.resolve().as_uri()], tmp)
    assert proc.returncode == 0, f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}"
    console = tuple(line for line in proc.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line)
    return Rendered(proc.stdout, console, proc.stderr)


def audio_durations(html: str, tmp: Path) -> list[str]:
    """Durations (s) Chromium decodes for every <audio> of ``html`` ("error" when it cannot).

    The page itself allows no scripts (its CSP), so a copy without the CSP gets a probe."""
    import re

    probe = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace("</body>", _AUDIO_PROBE + "</body>")
    path = tmp / "audio-probe.html"
    path.write_text(probe, encoding="utf-8")
    proc = chromium(["--virtual-time-budget=10000", "--dump-dom", path.resolve().as_uri()], tmp)
    m = re.search(r'data-audio="([^"]*)"', proc.stdout)
    assert m, f"the audio probe did not run: {proc.stderr[-1500:]}"
    return m.group(1).split(",") if m.group(1) else []


def screenshot(html_path: Path, png: Path, tmp: Path, *, size: str = "1200,3000") -> Path:
    proc = chromium([f"--screenshot={png}", f"--window-size={size}", html_path.resolve().as_uri()], tmp)
    assert proc.returncode == 0 and png.is_file(), f"no screenshot ({proc.returncode}): {proc.stderr[-2000:]}"
    return png


def png_pixels(png: Path) -> np.ndarray:
    """Decode a PNG to RGB pixels, shape=(h, w, 3) uint8 (through ffmpeg; no imaging library)."""
    import json as _json

    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "json", str(png)],
        capture_output=True, text=True, check=True,
    )
    stream = _json.loads(probe.stdout)["streams"][0]
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(png), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(stream["height"], stream["width"], 3)
