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
from voicedrill.drill import run_drill
from voicedrill.headless import virtual_delivery
from voicedrill.live import LiveListener, LiveSpeaker
from voicedrill.scenario import load_scenario
from voicedrill.scoring import load_script
from voicedrill.store import Store
from voicedrill.vad import ListenSettings

pytestmark = pytest.mark.live
TOLERANCE = 0.15  # seconds


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
    writer = Store(tmp_path).start_session(
        scenario_id=scenario.id, scenario_text=scenario.path.read_text(), script_text=script.text,
        script_hash=script.hash, trainee="rig", language="en", mode="live",
    )
    try:
        result = run_drill(
            scenario, script=script, speaker=LiveSpeaker(SPEAKER_DEVICE), listener=trainee,
            transcriber=asr.Transcriber(model, "en"), render_line=render_line, writer=writer, max_turns=3,
        )
    finally:
        listener.close()
        heard_from_speaker = recording.stop()

    assert len(result.turns) == 3
    for record, truth in zip(result.turns, trainee.truths):
        assert truth is not None and not record.reply.silent and not record.reply.interrupted
        assert abs(record.reply.latency - truth) < TOLERANCE, (record.reply.latency, truth)
        scripted = scenario.trainee_reply("good", record.node_id)
        assert wer(scripted, record.transcript.text) <= 0.35, (scripted, record.transcript.text)

    # the perpetrator's lines came out of the virtual speaker: judged by what Whisper hears
    said = " ".join(r.line.text for r in result.turns)
    heard = asr.transcribe(model, heard_from_speaker[: 120 * 16000], language="en").text
    assert wer(said, heard) <= 0.5, heard
    session = Store(tmp_path).load_session(result.session_id)
    assert len(session.turns) == 3 and np.all(np.isfinite(session.turns[0].reply_audio()))
