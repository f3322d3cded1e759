"""ReplyStream ahead of the turn's end (voicedrill/stretches.py): the tail transcribed in the
worker when speech stops is the final transcript when no speech follows (no second decode),
becomes a stretch when speech resumes (or is dropped when too short), and every decode runs
on the worker's thread, one at a time.

The transcriber here is a counting stand-in (the point is which windows get decoded, and
where); test_endturn.py runs the same path with the real tiny.en and Smart Turn.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from voicedrill.audio import SAMPLE_RATE
from voicedrill.stretches import ReplyStream, Worker
from voicedrill.types import Transcript, Word

SR = SAMPLE_RATE


class Counting:
    """transcribe(audio): "<n> samples" with one word; records each call's length and thread.
    ``gate`` (an Event) holds a decode until it is set (to catch the worker busy)."""

    def __init__(self, gate: threading.Event | None = None):
        self.calls: list[int] = []
        self.threads: set[str] = set()
        self.gate = gate
        self.running = 0
        self.overlap = False

    def __call__(self, audio: np.ndarray) -> Transcript:
        self.running += 1
        self.overlap = self.overlap or self.running > 1
        if self.gate is not None:
            assert self.gate.wait(10)
        self.calls.append(len(audio))
        self.threads.add(threading.current_thread().name)
        self.running -= 1
        return Transcript(f"{len(audio)} samples", "en", (Word("w", 0.0, 0.1, 0.9),))


@pytest.fixture()
def worker():
    w = Worker()
    yield w
    w.close()


def audio_of(a: int, b: int) -> np.ndarray:
    return np.zeros(b - a, dtype=np.float32)


def counted(worker: Worker | None, whole_seconds: float = 0.0, gate: threading.Event | None = None):
    """A ReplyStream on a Counting transcriber: (the transcriber, the stream)."""
    count = Counting(gate)
    return count, ReplyStream(count, audio_of, "en", whole_seconds=whole_seconds, worker=worker)


def spoke_on_after_a_tail(stream: ReplyStream, pause_at: int, spoke_to: int) -> None:
    """Speech stops at ``pause_at``, its tail goes ahead 0.1 s into the pause and is decoded,
    then speech goes on to ``spoke_to``."""
    stream.speech_end = pause_at
    stream.ahead(pause_at + SR // 10)
    stream.wait()
    stream.speech_end = spoke_to


def test_the_tail_started_at_the_speech_end_is_the_final_transcript(worker):
    count, stream = counted(worker)
    stream.speech_end = 3 * SR
    assert stream.ahead(3 * SR + SR // 10)  # 0.1 s into the pause
    assert not stream.ahead(3 * SR + SR // 5)  # the same speech: nothing new to hear
    stream.wait()
    final = stream.final(3 * SR + int(0.3 * SR), quiet_from=3 * SR)  # the turn ends, no speech since
    assert final.text == f"{3 * SR + SR // 10} samples"
    assert count.calls == [3 * SR + SR // 10] and stream.decodes == 1  # no second decode
    assert count.threads == {t for t in count.threads if t.startswith("voicedrill-asr")}


def test_speech_after_the_tail_makes_it_a_stretch_and_only_the_new_tail_is_decoded(worker):
    _, stream = counted(worker)
    spoke_on_after_a_tail(stream, 2 * SR, 5 * SR)
    stream.settle()
    assert stream.parts == [(0, 2 * SR + SR // 10, stream.parts[0][2])] and stream.reused == 1
    final = stream.final(5 * SR + int(0.3 * SR), quiet_from=5 * SR)
    assert final.text == f"{2 * SR + SR // 10} samples {5 * SR + int(0.3 * SR) - (2 * SR + SR // 10)} samples"
    assert stream.decodes == 2  # the stretch ahead and the last tail, nothing whole


def test_a_tail_too_short_for_a_stretch_is_dropped_when_speech_resumes(worker):
    _, stream = counted(worker)
    spoke_on_after_a_tail(stream, SR // 2, 4 * SR)  # "Um", then the reply
    stream.settle()
    assert stream.parts == [] and stream.dropped == 1
    assert stream.final(4 * SR, quiet_from=4 * SR).text == f"{4 * SR} samples"  # one stretch


def test_a_busy_worker_is_not_given_a_second_tail_and_decodes_never_overlap(worker):
    gate = threading.Event()
    count, stream = counted(worker, gate=gate)
    stream.speech_end = 2 * SR
    assert stream.ahead(2 * SR + SR // 10)
    stream.speech_end = 4 * SR
    assert stream.busy and not stream.ahead(4 * SR + SR // 10)  # still on the first tail
    gate.set()
    # the turn ends: the first tail becomes a stretch, the rest is transcribed now
    final = stream.final(4 * SR + int(0.3 * SR), quiet_from=4 * SR)
    assert len(final.text.split()) == 4 and stream.reused == 1
    assert not count.overlap and count.calls == [2 * SR + SR // 10, 4 * SR + int(0.3 * SR) - (2 * SR + SR // 10)]


def test_speech_up_to_the_end_is_transcribed_to_the_end(worker):
    """Enter while he speaks: no tail reaches the end of speech, the rest is decoded now."""
    _, stream = counted(worker)
    stream.speech_end = 2 * SR
    stream.ahead(2 * SR + SR // 10)
    stream.speech_end = 3 * SR
    final = stream.final(3 * SR, quiet_from=3 * SR)
    assert final.text == f"{2 * SR + SR // 10} samples {3 * SR - (2 * SR + SR // 10)} samples"


def test_without_a_worker_the_stream_decodes_on_the_callers_thread():
    count, stream = counted(None)
    stream.speech_end = 2 * SR
    assert not stream.ahead(2 * SR + SR // 10)  # nothing ahead without a worker
    stream.cut(2 * SR + SR // 10)
    assert stream.final(3 * SR, quiet_from=3 * SR).text.count("samples") == 2
    assert count.threads == {threading.current_thread().name}


def test_a_failed_decode_in_the_worker_fails_on_the_callers_thread(worker):
    def broken(audio):
        raise RuntimeError("decoder broke")

    stream = ReplyStream(broken, audio_of, "en", whole_seconds=0.0, worker=worker)
    stream.speech_end = SR
    stream.ahead(SR + SR // 10)
    with pytest.raises(RuntimeError, match="decoder broke"):
        stream.wait()


def test_a_tail_longer_than_a_window_is_not_sent_ahead(worker):
    _, stream = counted(worker)
    stream.speech_end = 29 * SR
    assert not stream.ahead(29 * SR + SR // 10) and stream.decodes == 0


def test_a_reply_within_whole_seconds_is_heard_whole_from_its_start(worker):
    """Tails of a short reply are not kept as stretches: each pause sends the whole reply so
    far, and the last one is the final transcript (no decode after the turn ends)."""
    _, stream = counted(worker, whole_seconds=15.0)
    spoke_on_after_a_tail(stream, 2 * SR, 5 * SR)
    assert stream.ahead(5 * SR + SR // 10) and stream.parts == [] and stream.dropped == 1
    stream.wait()
    final = stream.final(5 * SR + int(0.3 * SR), quiet_from=5 * SR)
    assert final.text == f"{5 * SR + SR // 10} samples" and stream.decodes == 2
