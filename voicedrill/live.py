"""Live drills: the speaker and the listener the drill loop gets at a real microphone.

``LiveSpeaker`` plays the perpetrator's line (``playback.OutputDevice``) and returns when
its last sample reached the speaker. ``LiveListener`` starts capturing before the line
is played (``prepare``), so a trainee who talks over the perpetrator is heard
(``heard_speech``, asked during playback: the speaker then stops, the recording goes
on and the reply is marked interrupted), then waits for the reply's end (``reply``):
``end_of_turn_silence`` of silence, ``max_reply_seconds``, Enter on a terminal, or
``no_reply_timeout`` without speech (a silent reply; the drill goes on).

With an end-of-turn model (``endturn.TurnModel``) a short pause (``pause_seconds``) is
judged: Smart Turn hears whether the thought is finished, and the words so far must not
stop on a hanging word ("and", "um", "that"); then the reply ends once the pause lasts
``complete_pause_seconds`` ("complete"). When Smart Turn hears an unfinished voice, a
finished sentence in the words (a sentence mark, a sure last word:
``endturn.ends_finished``) still ends it after ``sentence_pause_seconds``, or
``unsure_pause_seconds`` when Whisper is less sure of the last word; else the long silence
is waited out (``_judge``). Transcribed ahead, the words are read first: a sure sentence
end ends the turn at the sentence pause (by default the complete pause) and a hanging
word waits out the long silence without asking Smart Turn. With a transcriber attached (``attach``, done by
the drill loop) the reply is transcribed while the trainee speaks, on a worker thread
(``stretches.Worker``): as soon as speech stops (``AHEAD``) the reply so far goes to the
worker, in parallel with the end-of-turn wait and Smart Turn; when the turn ends with no
speech since, that transcript is the final one (no second decode); when he speaks on, it
becomes a stretch (``stretches.ReplyStream``), so at the end only the last stretch is new.
``last_transcript`` holds the reply's transcript. PortAudio's callback keeps queueing the
microphone's audio and the drill's thread keeps taking it off while Whisper runs (torch
releases the GIL): nothing is lost, and the endpointer hears speech resume while the
worker transcribes.

Latency = onset - line end, both on ``time.monotonic()``: the onset through the ADC
times of the input stream, the line end through the DAC times of the output stream,
so the stream latencies PortAudio reports are taken out.
"""

from __future__ import annotations

import bisect
import os
import sys
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Protocol

import numpy as np

from .audio import SAMPLE_RATE
from .capture import Microphone
from .errors import DeviceError
from .playback import OutputDevice, Playback
from .stretches import WHOLE_SECONDS
from .types import PerpetratorLine, Reply, Transcript
from .vad import SILERO_FRAME, Endpointer, ListenSettings, refine_onset

if TYPE_CHECKING:
    from .asr import Transcriber
    from .stretches import ReplyStream, Worker

PREROLL = 0.2  # seconds kept before an onset that came during the line
TAIL = 0.3  # seconds kept after the end of speech
# seconds of pause after which the reply so far is transcribed (in the worker): one Silero
# frame (its speech end already lags the voice by about 0.1 s). 0.1 s cost the decision 0.06 s
# at the median of 30 replies heard in real time, with the same words (a tail started at a
# dip inside a word is dropped when speech resumes)
AHEAD = 0.03
INTERRUPT_TOLERANCE = 0.1  # starting this little before the line's end is not talking over it


class LiveSpeaker:
    """The drill loop's speaker on a sound device (``--output``: index or name part)."""

    def __init__(self, device: int | str | None = None, *, latency="high"):
        self.output = OutputDevice(device, latency=latency)
        self.last: Playback | None = None  # the latest playback, for the UI and benchmarks

    def play(self, audio: np.ndarray, *, stop: Callable[[], bool] | None = None) -> float:
        self.last = self.output.play(audio, stop=stop)
        return self.last.ended


class Source(Protocol):
    """What the listener reads audio from: ``capture.Microphone``, or a stand-in with the
    same calls (``headless.VirtualMicrophone``, the tests' recordings)."""

    device: Any
    overflows: int
    level_db: float

    def open(self) -> Any: ...
    def close(self) -> None: ...
    def arm(self) -> None: ...
    def disarm(self) -> None: ...
    def read(self, timeout: float = 0.05) -> np.ndarray: ...
    def time_at(self, index: float) -> float: ...
    def index_at(self, t: float) -> int: ...


@dataclass(frozen=True)
class Heard:
    """How the latest turn was heard (for the UI and benchmarks). Monotonic seconds."""

    reason: str  # "silence" | "complete" | "max_length" | "key" | "timeout"
    line_end: float
    onset: float | None  # when speech started
    speech_end: float | None  # when speech stopped
    decided: float  # when the listener decided the turn was over
    overflows: int
    transcribed: float | None = None  # when the reply's transcript was ready (if attached)
    judging: float = 0.0  # seconds spent judging the last pause (Smart Turn + transcription)
    judge_asr: float = 0.0  # of which waiting for the transcript (when it ended the turn)
    decodes: int = 0  # Whisper windows transcribed for this reply
    late: int = 0  # of which started after the turn was judged over (0: the final transcript
    # is the one the worker started when speech stopped)
    by_words: bool = False  # the words ended the turn (Smart Turn not asked, or unfinished)
    pause: float = 0.0  # the short pause after a sure sentence end this turn (``Rhythm``)
    went_on: float | None = None  # the trainee went on this long after the last reply was
    # taken at a short pause (he was cut: ``Rhythm`` learns it; the reply has no latency)


class _StdinEnter:
    """Enter pressed on a terminal (``sys.stdin`` a TTY), read without blocking."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdin

    def usable(self) -> bool:
        try:
            return self.stream is not None and self.stream.isatty()
        except (AttributeError, ValueError):
            return False

    def __call__(self) -> bool:
        import select

        try:
            fd = self.stream.fileno()
            pressed = False
            while select.select([fd], [], [], 0)[0]:
                data = os.read(fd, 1024)
                if not data:
                    break
                pressed = pressed or b"\n" in data or b"\r" in data
            return pressed
        except (OSError, ValueError):
            return False


class LiveListener:
    """The drill loop's listener on a microphone (``--input``: index or name part).

    ``settings``: end of turn, maximum length, no-reply timeout, detector
    (``ListenSettings.from_script(script.listening)``). ``noise_floor_db``: from the
    trainee's calibration (used by the energy detector). ``on_level(dbfs)`` is called with
    the input level while listening (the terminal meter; also ``level_db`` any time).
    ``key_pressed()`` ends a turn at once when True; by default Enter on a terminal.
    ``barge_in=False`` (speakers without headphones, where the microphone hears the
    perpetrator): speech during the line is ignored and nothing is interrupted.
    """

    def __init__(
        self,
        device: int | str | None = None,
        *,
        settings: ListenSettings | None = None,
        noise_floor_db: float | None = None,
        on_level: Callable[[float], None] | None = None,
        key_pressed: Callable[[], bool] | None = None,
        barge_in: bool = True,
        microphone: Source | None = None,
        turn_model=None,
    ):
        self.settings = settings or ListenSettings()
        from .endturn import Rhythm

        # the trainee's pauses between sentences, learned within the drill
        self.rhythm = Rhythm(
            self.settings.complete_pause_seconds, self.settings.unsure_pause_seconds
        )
        self._turn = self.settings  # this turn's, the short pauses at least the rhythm's
        self._short: list[float] = []  # this turn's pauses judged to end it (speech ends)
        self.turn_model = turn_model  # endturn.TurnModel, or None: the long silence only
        self.transcriber: Transcriber | None = (
            None  # asr.Transcriber (``attach``): transcribe while the trainee speaks
        )
        self.last_transcript: Transcript | None = (
            None  # the latest reply's, when a transcriber is attached
        )
        self.judged: list[
            tuple[float, bool]
        ] = []  # this turn's pauses: (speech end, judged finished)
        self._on_words: Callable[[Transcript], None] | None = None  # ``share_words``
        self._line_end_index = 0
        self._stream: ReplyStream | None = None
        self._worker: Worker | None = None  # the transcriber's thread (``attach``)
        # a reply up to this long is transcribed whole, from its start, each time speech stops
        # (the tails are not kept as stretches): bench_live's 30 replies scored WER 22.0%
        # stitched from stretches against 16.6% whole. Longer replies go stretch by stretch.
        self.whole_seconds = WHOLE_SECONDS
        self.noise_floor_db = noise_floor_db
        self.on_level = on_level
        self.barge_in = barge_in
        self.mic: Source = microphone or Microphone(device)
        if key_pressed is None:
            enter = _StdinEnter()
            key_pressed = enter if enter.usable() else None
        self.key_pressed = key_pressed
        self.last: Heard | None = None
        self._endpointer: Endpointer | None = None
        self._parts: list[np.ndarray] = []  # this turn's audio, 16 kHz
        self._starts: list[int] = []  # sample index where each part starts
        self._have = 0  # samples captured in this turn
        self._fed = 0  # samples given to (or skipped by) the endpointer
        self._feeding = False
        self._listening = False

    # -- lifetime
    def open(self) -> "LiveListener":
        self.mic.open()
        return self

    def close(self) -> None:
        self.mic.close()
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __enter__(self) -> "LiveListener":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def reply_stream(self) -> ReplyStream | None:
        """The latest reply's stretches and decode counts (with a transcriber attached)."""
        return self._stream

    @property
    def level_db(self) -> float:
        """The input level now, dBFS."""
        return self.mic.level_db

    def attach(self, transcriber) -> None:
        """Transcribe replies while they are spoken with ``transcriber`` (``asr.Transcriber``),
        on a worker thread of the listener's own."""
        from .stretches import Worker

        self.transcriber = transcriber
        if self._worker is None:
            self._worker = Worker()

    def share_words(self, callback: Callable[[Transcript], None] | None) -> None:
        """Call ``callback(transcript)`` (on the listener's thread: keep it short) with the
        transcript the reply will have, once a pause is judged to end the turn and before
        the pause runs out (the drill reads its cues meanwhile)."""
        self._on_words = callback

    def warm(self) -> None:
        """Run the end-of-turn model once, and the transcriber on the worker's thread (where
        the replies are transcribed), so the first reply is heard at full speed."""
        if self.turn_model is not None:
            self.turn_model.probability(np.zeros(SAMPLE_RATE, dtype=np.float32))
        warm = getattr(self.transcriber, "warm", None)
        if self._worker is not None and callable(warm):
            self._worker.submit(warm).result()

    # -- the drill loop's protocol
    def prepare(self, line: PerpetratorLine | None = None, turn_index: int = 0) -> None:
        self.mic.arm()
        judge = (
            self._judge if (self.turn_model is not None or self.transcriber is not None) else None
        )
        s, learned = self.settings, self.rhythm.pause
        self._turn = replace(
            s,
            complete_pause_seconds=max(s.complete_pause_seconds, learned),
            sentence_pause_seconds=max(s.sentence_pause_seconds, learned),
            unsure_pause_seconds=max(s.unsure_pause_seconds, learned),
        )
        self._short = []
        self._endpointer = Endpointer(self._turn, noise_floor_db=self.noise_floor_db, judge=judge)
        self._stream, self.last_transcript, self.judged = None, None, []
        self._judging = (0.0, 0.0)  # the last pause: (seconds judging, of which transcribing)
        self._late = 0  # decodes the final transcript needed after the decision
        self._by_words = False  # the last pause: the words, not the voice, ended the turn
        self._parts, self._starts, self._have, self._fed = [], [], 0, 0
        self._feeding = self.barge_in  # without barge-in, listening starts at the line's end
        self._listening = True
        if isinstance(self.key_pressed, _StdinEnter):
            self.key_pressed()  # forget Enter pressed before this turn

    def heard_speech(self) -> bool:
        if not self._listening or not self.barge_in:
            return False
        self._pump(timeout=0)
        return self._ep.onset is not None

    def reply(self, line_end: float) -> Reply:
        if not self._listening:
            self.prepare()
        ep = self._ep
        try:
            self._pump(timeout=0)
            line_end_index = self._line_end_index = self.mic.index_at(line_end)
            if not self._feeding:
                ep.skip(line_end_index / SAMPLE_RATE)
                self._fed = ep.frames * SILERO_FRAME
                self._feeding = True
            ep.deadline = line_end_index / SAMPLE_RATE + self.settings.no_reply_timeout
            while not ep.ended:
                self._pump(timeout=0.02)
                if self.key_pressed is not None and not ep.ended and self.key_pressed():
                    ep.finish("key")
            decided = time.monotonic()
            audio = np.concatenate(self._parts) if self._parts else np.zeros(0, dtype=np.float32)
        finally:
            self.mic.disarm()
            self._listening = False
        return self._make_reply(audio, ep, line_end, line_end_index, decided)

    # -- inside
    def _pump(self, timeout: float) -> None:
        """Take new audio off the microphone; feed the endpointer; update the meter."""
        self._take(timeout)
        if self.on_level is not None:
            self.on_level(self.mic.level_db)
        if self._feeding and self._have > self._fed:
            new, self._fed = self._since(self._fed), self._have  # (a judge may take more meanwhile)
            self._ep.push(new)
            self._transcribe_ahead()

    def _take(self, timeout: float = 0.0) -> None:
        """Take new audio off the microphone (not yet fed to the endpointer)."""
        chunk = self.mic.read(timeout=timeout)
        if chunk.size:
            self._starts.append(self._have)
            self._parts.append(chunk)
            self._have += len(chunk)

    def _transcribe_ahead(self) -> None:
        """Speech has stopped (``AHEAD``): the reply so far goes to the worker while the end
        of turn is judged; a tail done earlier becomes a stretch once speech resumes."""
        ep = self._ep
        se = ep.heard_end  # the audio to Silero's end (the level's voice end may be earlier)
        if self.transcriber is None or ep.onset is None or se is None or ep.ended:
            return
        stream = self._reply_stream(self.transcriber, ep.onset)
        end = int(round(se * SAMPLE_RATE))
        stream.speech_end = end
        stream.settle()
        now = ep.frames * SILERO_FRAME
        if now - end >= AHEAD * SAMPLE_RATE:  # the rest of TAIL as silence (it is a pause)
            cut = min(now, end + int(TAIL * SAMPLE_RATE))
            stream.ahead(cut)  # padded with silence to TAIL after the speech end

    def _slice(self, a: int, b: int) -> np.ndarray:
        """Captured samples [a, b)."""
        return self._since(a)[: max(0, b - a)]

    @property
    def _ep(self) -> Endpointer:
        if self._endpointer is None:
            raise DeviceError("the listener was not prepared for a turn (call prepare() first).")
        return self._endpointer

    def _reply_stream(self, transcriber: Transcriber, onset: float) -> ReplyStream:
        if self._stream is None:
            from .endturn import PRE_SPEECH
            from .stretches import ReplyStream

            origin = max(0, int((onset - PRE_SPEECH) * SAMPLE_RATE))
            self._stream = ReplyStream(
                transcriber.window,
                self._slice,
                transcriber.language,
                origin,
                whole_seconds=self.whole_seconds,
                worker=self._worker,
                tail=int(TAIL * SAMPLE_RATE),
            )
        return self._stream

    def _judge(self, onset: float, speech_end: float) -> bool | float:
        """At a pause: has the trainee finished? False: no, the long silence decides. Else
        the pause (seconds) after which the reply ends unless speech resumes, at least the
        audio captured while judging:

        ===================================  ==========================  ================
        the words (``endturn``)              the voice finished          unfinished
        ===================================  ==========================  ================
        open: a hanging word, "...", no      long silence                long silence
        words
        end a sentence, p < 0.5 (unsure)     ``unsure_...`` when P(fin-  long silence
                                             ished) >= 0.7, else long
        end a sentence, p >= 0.9             ``complete_pause_seconds``  ``sentence_...``
        end a sentence, 0.75 <= p < 0.9      ``complete_pause_seconds``  ``unsure_...``
        end a sentence, 0.5 <= p < 0.75      ``unsure_pause_seconds``    ``unsure_...``
        no sentence mark, p >= 0.75          ``complete_pause_seconds``  long silence
        no sentence mark, 0.5 <= p < 0.75    ``unsure_pause_seconds``    long silence
        no sentence mark, p < 0.5            long silence                long silence
        ===================================  ==========================  ================

        tiny.en is often unsure of a finished reply's last word in a synthetic voice: the
        sentence mark and, below p 0.5, a fairly sure voice end such a reply at the unsure
        pause (``endturn.FAIR_VOICE``) where the long silence did (13 of 80 espeak-ng replies
        replayed offline, ``BENCH_LIVE=judge``, waited it, 2 now; no hesitation more was cut).

        The voice alone ends a turn at the complete pause only when Whisper is fairly sure
        of the last word: on the bench rig "I think that [0.8 s] we can..." was heard as
        "I think met." (p just above 0.5) in a voice Smart Turn heard as finished, and cut.

        Asked once per pause, at ``pause_seconds``. With the reply transcribed ahead (a
        worker), the words are read first and Smart Turn only where they leave the verdict
        to the voice (the last two rows): in the first two its verdict changes nothing
        while ``sentence_pause_seconds`` is the complete pause (the default), and leaving
        it out leaves the other core to the transcription the turn waits for."""
        now = self._ep.frames * SILERO_FRAME
        # the audio for the words: to Silero's end of speech (``vad.Endpointer.heard_end``),
        # where the pause is counted from the voice's end (``speech_end``, before it)
        heard = self._ep.heard_end or speech_end  # never before speech_end
        end = int(round(heard * SAMPLE_RATE))
        cut = min(now, end + int(TAIL * SAMPLE_RATE))
        t0, asr_s = time.monotonic(), 0.0
        self._by_words = False
        s = self._turn
        voice: float | None = None  # Smart Turn's P(finished) (None: not asked)

        def heard_finished() -> float:  # Smart Turn, on the reply up to this pause, asked once
            nonlocal voice
            if voice is None:
                from .endturn import PRE_SPEECH

                start = max(0, int((onset - PRE_SPEECH) * SAMPLE_RATE))
                model = self.turn_model
                voice = 0.0 if model is None else model.probability(self._slice(start, now))
            return voice

        def finished() -> bool:  # Smart Turn's own verdict (``endturn.TurnModel.complete``)
            return self.turn_model is not None and heard_finished() > self.turn_model.threshold

        stream = None
        if self.transcriber is not None:  # the tail goes on in the worker meanwhile
            stream = self._reply_stream(self.transcriber, onset)
            stream.speech_end = max(stream.speech_end or 0, end)
            stream.ahead(cut)  # started at the speech end already, unless the worker was busy
        words_first = (
            stream is not None and self.turn_model is not None and self._worker is not None
        )
        wait: float | None = None  # the pause that ends the reply (None: the long silence)
        final: Transcript | None = None
        if stream is not None and self.transcriber is not None and (words_first or finished()):
            from .endturn import FAIR_LAST_WORD, FAIR_VOICE, ends_finished, ends_open, ends_sentence

            # the reply's final transcript when the turn ends here (``_make_reply`` reuses
            # it): the tail transcribed since the speech stopped
            t_asr, before = time.monotonic(), stream.decodes
            final = stream.final(cut, quiet_from=end)
            asr_s, self._late = time.monotonic() - t_asr, stream.decodes - before
            language = self.transcriber.language
            sure = ends_finished(final, language)
            sentence = ends_sentence(final, language)
            if ends_open(final, language):  # "I think that...": whatever the voice says,
                # unless a sentence mark ends words Whisper is unsure of and the voice
                # fairly surely finished
                if sentence and self.turn_model is not None and heard_finished() >= FAIR_VOICE:
                    wait = s.unsure_pause_seconds
            elif sure and voice is None and s.sentence_pause_seconds <= s.complete_pause_seconds:
                wait, self._by_words = s.sentence_pause_seconds, True  # the voice not asked
            elif finished():  # the voice ends it, when Whisper is fairly sure of the last word
                last = final.words[-1].probability
                wait = (
                    s.complete_pause_seconds if last >= FAIR_LAST_WORD else s.unsure_pause_seconds
                )
            elif sure:  # a flat voice, a finished sentence
                wait, self._by_words = s.sentence_pause_seconds, True
            elif sentence:  # ... less sure of its last word
                wait, self._by_words = s.unsure_pause_seconds, True
        elif stream is not None and self._worker is None:
            stream.cut(cut)  # no worker: the stretch so far, while the trainee thinks
        elif finished():  # no transcriber: the voice alone
            wait = s.complete_pause_seconds
        self.judged.append((speech_end, wait is not None))
        self._judging = (time.monotonic() - t0, asr_s)
        if wait is None:
            return False
        if self._by_words and wait <= max(s.complete_pause_seconds, s.sentence_pause_seconds):
            self._short.append(speech_end)  # after a sentence: ``_learn`` sees if speech went on
        if stream is not None:
            self._words_ready(stream, onset, heard)
        # The verdict holds for the pause heard so far: the audio that came in while judging
        # (transcription, Smart Turn) is fed next, and speech in it cancels the end.
        self._take()
        return max(self._have / SAMPLE_RATE - speech_end, wait)

    def _since(self, start: int) -> np.ndarray:
        """Captured audio from sample ``start`` on."""
        k = max(0, bisect.bisect_right(self._starts, start) - 1)
        audio = np.concatenate(self._parts[k:]) if len(self._parts) - k > 1 else self._parts[k]
        return audio[start - self._starts[k] :]

    def _learn(self, ep: Endpointer, onset_time: float) -> float | None:
        """Teach ``rhythm`` this reply's pauses between sentences: those judged to end the
        turn that speech went on from, and the gap since the last reply when it was taken
        at a short pause and the trainee went on within the unsure pause (returned: he was
        cut, and this reply goes on with his thought; it does not answer the line)."""
        for end, again in ep.resumed:
            if end in self._short:
                self.rhythm.heard(again - end)
        last = self.last  # taken after a sure sentence end (a cut hesitation teaches nothing)
        if last is None or not last.by_words or last.speech_end is None:
            return None
        gap = onset_time - last.speech_end
        if not 0 < gap <= self.settings.unsure_pause_seconds:
            return None
        self.rhythm.heard(gap)
        return gap

    def _clip_start(self, audio: np.ndarray, onset: float, line_end_index: int) -> tuple[int, int]:
        """(onset, first sample of the reply's clip) in captured samples."""
        onset_index = int(round(refine_onset(audio, onset) * SAMPLE_RATE))
        start = (
            line_end_index
            if onset_index >= line_end_index
            else max(0, onset_index - int(PREROLL * SAMPLE_RATE))
        )
        return onset_index, min(start, onset_index)

    def _in_clip(self, streamed: Transcript, start: int, stop: int) -> Transcript:
        """The reply stream's transcript with its word times in the clip [start, stop)."""
        from .stretches import join

        assert self._stream is not None and self.transcriber is not None
        return join(
            [((self._stream.origin - start) / SAMPLE_RATE, streamed)],
            self.transcriber.language,
            (stop - start) / SAMPLE_RATE,
        )

    def _words_ready(self, stream: ReplyStream, onset: float, speech_end: float) -> None:
        """Hand ``share_words``'s callback the transcript the reply will have if the turn
        ends at this pause (as ``_make_reply`` will make it: to ``TAIL`` after the speech
        end), while the pause runs out; nothing when that would need a decode now."""
        if self._on_words is None:
            return
        end = int(round(speech_end * SAMPLE_RATE))
        stop = end + int(TAIL * SAMPLE_RATE)
        final = stream.settled_final(stop, quiet_from=end)
        if final is None:
            return
        _, start = self._clip_start(self._since(0), onset, self._line_end_index)
        self._on_words(self._in_clip(final, start, stop))

    def _make_reply(
        self,
        audio: np.ndarray,
        ep: Endpointer,
        line_end: float,
        line_end_index: int,
        decided: float,
    ) -> Reply:
        mic = self.mic
        source = f"microphone {mic.device.name}"
        n = len(audio)
        if ep.onset is None:
            start = min(line_end_index, n)
            clip = audio[start:]
            if clip.size == 0:
                clip = np.zeros(int(0.1 * SAMPLE_RATE), dtype=np.float32)
            self.last = Heard(ep.reason, line_end, None, None, decided, mic.overflows)
            return Reply(
                audio=clip, onset=None, end=None, latency=None, interrupted=False, source=source
            )
        onset_index, start = self._clip_start(audio, ep.onset, line_end_index)
        end_index = int(round((ep.end if ep.end is not None else ep.position) * SAMPLE_RATE))
        # the audio kept and transcribed: to TAIL after Silero's end of speech
        audio_end = max(end_index, int(round((ep.heard_end or 0.0) * SAMPLE_RATE)))
        onset_time = mic.time_at(onset_index)
        latency: float | None = onset_time - line_end
        stop = min(n, audio_end + int(TAIL * SAMPLE_RATE))
        clip = audio[start:stop]
        went_on = self._learn(ep, onset_time)
        if went_on is not None:  # not an interruption, no response latency: our cut
            latency = None
        if self.transcriber is not None:  # the stretches heard so far, and the last one
            stream = self._reply_stream(self.transcriber, ep.onset)
            stream.speech_end = max(stream.speech_end or 0, audio_end)
            before = stream.decodes
            streamed = stream.final(stop, quiet_from=audio_end)
            if ep.reason != "complete":  # else the judge's final (reused here) counted
                self._late = stream.decodes - before
            self.last_transcript = self._in_clip(streamed, start, stop)
        self.last = Heard(
            ep.reason,
            line_end,
            onset_time,
            mic.time_at(end_index),
            decided,
            mic.overflows,
            time.monotonic() if self.transcriber is not None else None,
            *self._judging,
            decodes=self._stream.decodes if self._stream is not None else 0,
            late=self._late,
            by_words=self._by_words and ep.reason == "complete",
            pause=self._turn.complete_pause_seconds,
            went_on=went_on,
        )
        return Reply(
            audio=clip.astype(np.float32, copy=False),
            onset=(onset_index - start) / SAMPLE_RATE,
            end=(min(end_index, stop) - start) / SAMPLE_RATE,
            latency=latency,
            interrupted=latency is not None and latency < -INTERRUPT_TOLERANCE,
            source=source,
        )


def check_microphone(device: int | str | None = None) -> None:
    """Raise ``DeviceError`` unless an input device can be opened (for ``drill`` to pick
    live or headless mode)."""
    with Microphone(device) as mic:
        if not mic.active:
            raise DeviceError(f"the microphone {mic.device.name} did not start.")


def open_live(
    *,
    input_device: int | str | None = None,
    output_device: int | str | None = None,
    end_silence: float = 1.5,
    max_reply_seconds: float = 30.0,
    no_reply_timeout: float = 10.0,
    vad: str = "silero",
    noise_floor_db: float | None = None,
    on_level: Callable[[float], None] | None = None,
    key_pressed: Callable[[], bool] | None = None,
    barge_in: bool = True,
    turn_model="auto",
) -> tuple[LiveSpeaker, LiveListener]:
    """The speaker and the (already open) listener for a live drill. Device problems
    (no PortAudio, no microphone, a busy or unknown device) raise ``DeviceError`` here,
    before the drill starts. Close the listener when the drill ends. ``turn_model``: an
    ``endturn.TurnModel``, "auto" (the installed Smart Turn, if there is one) or None."""
    settings = ListenSettings(
        end_of_turn_silence=end_silence,
        max_reply_seconds=max_reply_seconds,
        no_reply_timeout=no_reply_timeout,
        vad=vad,
    )
    speaker = LiveSpeaker(output_device)
    if turn_model == "auto":
        turn_model = installed_turn_model()
    listener = LiveListener(
        input_device,
        settings=settings,
        noise_floor_db=noise_floor_db,
        on_level=on_level,
        key_pressed=key_pressed,
        barge_in=barge_in,
        turn_model=turn_model,
    )
    listener.open()
    return speaker, listener


def installed_turn_model():
    """Smart Turn when it is installed (``voicedrill models install smart-turn``), else None:
    the drill then ends replies after the long silence only, as before."""
    from . import models
    from .endturn import TURN_MODEL, load_turn_model

    if not models.asset_installed(TURN_MODEL):
        return None
    return load_turn_model()
