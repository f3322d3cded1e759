"""A live drill on the shipped scenario through the virtual audio rig: the perpetrator
speaks out of the virtual speaker, the test plays the virtual trainee's replies into the
virtual microphone after a known delay, and the real listener, Whisper and scorer do
the rest."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures_asr import tiny_en_model, wer
from tests.rig import MIC_DEVICE, SPEAKER_DEVICE, TraineeAtMic, audio_rig  # noqa: F401
from voicedrill import asr, tts
from voicedrill.headless import virtual_delivery
from voicedrill.live import LiveListener, LiveSpeaker
from voicedrill.scenario import load_scenario
from voicedrill.scoring import load_script
from voicedrill.session import Drill, run
from voicedrill.store import Store
from voicedrill.vad import ListenSettings

pytestmark = pytest.mark.live
TOLERANCE = 0.15  # seconds


def check_latency(measured: float, truth: float, lateness: float, clip, onset: float) -> None:
    """The measured latency against the truth, judged so that a loaded machine cannot fail it.

    The truth is when pacat was launched plus the onset inside the reply; pacat can only
    start playing later than that, never earlier, and on a busy machine its start-up
    takes longer (``lateness``: how late the rig's thread launched it). So the latency may
    not be early by more than the tolerance, may be late by the tolerance plus a margin
    that follows the measured load, and the onset the listener put in the stored clip
    must agree with an offline voice detector on that same clip (no clock involved)."""
    from voicedrill.vad import speech_spans

    assert measured > truth - TOLERANCE, (measured, truth)
    assert measured < truth + TOLERANCE + 4 * lateness, (measured, truth, lateness)
    spans = speech_spans(clip, threshold_db=-45)
    assert spans and abs(spans[0].start - onset) < TOLERANCE, (spans[:1], onset)


def test_live_drill_on_the_virtual_rig(audio_rig, tmp_path):
    scenario = load_scenario("barricaded_subject")
    script = load_script()
    model = tiny_en_model()

    def render_line(line):
        return tts.render(line.text, language="en", delivery=tts.delivery_for(line.agitation, base=scenario.delivery))

    def reply_for(line, turn_index):
        text = scenario.trainee_reply("good", line.node_id)
        return tts.render(text, voice=tts.trainee_voice("en"), delivery=virtual_delivery("good"))

    settings = ListenSettings.from_script(script.listening, no_reply_timeout=8.0)
    listener = LiveListener(MIC_DEVICE, settings=settings).open()
    trainee = TraineeAtMic(listener, audio_rig, reply_for, think=0.9)
    recording = audio_rig.record_speaker()
    drill = Drill(scenario=scenario, script=script, speaker=LiveSpeaker(SPEAKER_DEVICE), listener=trainee,
                  transcriber=asr.Transcriber(model, "en"), render_line=render_line, mode="live", trainee="rig",
                  max_turns=3)
    try:
        result = run(drill, Store(tmp_path))
    finally:
        listener.close()
        heard_from_speaker = recording.stop()

    assert len(result.turns) == 3
    for record, truth, late in zip(result.turns, trainee.truths, trainee.lateness):
        assert truth is not None and not record.reply.silent and not record.reply.interrupted
        check_latency(record.reply.latency, truth, late, record.reply.audio, record.reply.onset)
        scripted = scenario.trainee_reply("good", record.node_id)
        assert wer(scripted, record.transcript.text) <= 0.35, (scripted, record.transcript.text)

    # the perpetrator's lines came out of the virtual speaker: judged by what Whisper hears
    said = " ".join(r.line.text for r in result.turns)
    heard = asr.transcribe(model, heard_from_speaker[: 120 * 16000], language="en").text
    assert wer(said, heard) <= 0.5, heard
    session = Store(tmp_path).load_session(result.session_id)
    assert len(session.turns) == 3 and np.all(np.isfinite(session.turns[0].reply_audio()))
