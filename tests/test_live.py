"""The live path on the virtual audio rig: LiveSpeaker plays the perpetrator's line out of
the virtual speaker, replies are played into the virtual microphone after a known delay,
LiveListener hears them. Checked: the words that came out and went in (Whisper tiny.en),
onsets and latencies against the truth (within 150 ms), barge-in, a silent trainee,
the end-of-turn setting, Enter, and the level meter.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.fixtures_asr import tiny_en_model
from tests.rig import MIC_DEVICE, SPEAKER_DEVICE, TraineeAtMic, audio_rig, speak  # noqa: F401
from voicedrill.audio import SAMPLE_RATE, rms_dbfs
from voicedrill.live import PREROLL, LiveListener, LiveSpeaker
from voicedrill.types import PerpetratorLine
from voicedrill.vad import ListenSettings, speech_spans

pytestmark = pytest.mark.live

SR = SAMPLE_RATE
TOLERANCE = 0.15  # seconds: latency and onset against the truth

LINE = PerpetratorLine(node_id="door", text="Stay back. I do not want to talk to anybody right now.", agitation=0.6)
LONG_LINE = PerpetratorLine(
    node_id="rant",
    text="You people never listen to me. Every single time I call, somebody puts me on hold, "
         "and then they tell me to wait until tomorrow.",
    agitation=0.8,
)


def perpetrator(line: PerpetratorLine) -> np.ndarray:
    return speak(line.text, voice="en-us", rate=165)


def onset_of(audio: np.ndarray) -> float:
    return speech_spans(audio, threshold_db=-45)[0].start


def words(text: str) -> set[str]:
    return {w.strip(".,!?'\"").lower() for w in text.split()}


def came_through(transcribe, heard: np.ndarray, original: np.ndarray) -> set[str]:
    """The words Whisper hears in what came through the live path, checked against what it
    hears in the original audio (espeak-ng trips tiny.en on a word now and then)."""
    got, want = words(transcribe(heard)), words(transcribe(original))
    assert len(got & want) >= 0.7 * len(want), (got, want)
    return got


@pytest.fixture(scope="module")
def transcribe():
    """Whisper tiny.en: (audio) -> text. Missing weights are a failure, not a skip."""
    from voicedrill import asr

    model = tiny_en_model()
    return lambda audio: asr.transcribe(model, audio, language="en").text


@pytest.fixture()
def speaker(audio_rig):
    return LiveSpeaker(SPEAKER_DEVICE)


def listener_with(**settings) -> LiveListener:
    base = dict(end_of_turn_silence=1.5, no_reply_timeout=8.0, max_reply_seconds=20.0)
    base.update(settings)
    return LiveListener(MIC_DEVICE, settings=ListenSettings(**base), key_pressed=lambda: False)


def test_a_live_turn_end_to_end(audio_rig, speaker, transcribe):
    line_audio = perpetrator(LINE)
    reply_audio = speak("I hear you. You sound really tired of all this.", voice="en-us", rate=150)
    levels: list[float] = []
    listener = listener_with()
    listener.on_level = levels.append
    trainee = TraineeAtMic(listener, audio_rig, lambda line, turn: reply_audio, think=1.0)
    recording = audio_rig.record_speaker()
    with listener:
        trainee.prepare(LINE, 0)
        line_end = speaker.play(line_audio, stop=trainee.heard_speech)
        reply = trainee.reply(line_end)
    out = recording.stop()

    # the perpetrator's line came out of the speaker, whole, and ended when play() said
    assert not speaker.last.stopped and speaker.last.underflows == 0
    said = words(transcribe(out))
    assert {"stay", "back", "talk", "right", "now"} <= said, said
    heard = speech_spans(out, method="silero")
    line_speech_end = speech_spans(line_audio, method="silero")[-1].end  # same detector as `heard`
    out_end = recording.time_at(heard[-1].end * SR)
    assert abs(out_end - (speaker.last.started + line_speech_end)) < 0.1
    assert abs(speaker.last.ended - speaker.last.started - len(line_audio) / SR) < 0.05

    # the reply: onset and latency within 150 ms of the truth, its words, how it ended
    truth = trainee.truths[0]
    assert 0.95 < truth < 1.3
    assert not reply.silent and not reply.interrupted
    assert abs(reply.latency - truth) < TOLERANCE, (reply.latency, truth)
    assert abs(reply.onset - reply.latency) < 0.02  # the reply audio starts at the line's end
    assert abs((reply.end - reply.onset) - (speech_spans(reply_audio, threshold_db=-45)[-1].end
                                            - onset_of(reply_audio))) < 0.2
    assert reply.source == f"microphone {MIC_DEVICE}" and reply.audio.dtype == np.float32
    assert "tired" in came_through(transcribe, reply.audio, reply_audio)
    last = listener.last
    assert last.reason == "silence" and last.decided - last.speech_end >= 1.5
    # the level meter followed the reply
    assert max(levels) > -35 and min(levels) < -60


def test_barge_in_stops_the_perpetrator(audio_rig, speaker, transcribe):
    line_audio = perpetrator(LONG_LINE)
    reply_audio = speak("Wait, wait. I am listening to you right now.", voice="en-us", rate=150)
    listener = listener_with()
    recording = audio_rig.record_speaker()
    with listener:
        listener.prepare(LONG_LINE, 0)
        played = audio_rig.play_into_mic(reply_audio, delay=1.5)
        line_end = speaker.play(line_audio, stop=listener.heard_speech)
        reply = listener.reply(line_end)
        played.wait()
    out = recording.stop()

    playback = speaker.last
    assert playback.stopped
    stop_after = playback.ended - playback.started
    assert 1.5 < stop_after < 2.5, stop_after  # onset + the detector's confirmation
    assert len(line_audio) / SR > stop_after + 3
    truth = played.launched + onset_of(reply_audio) - line_end
    assert reply.interrupted and reply.latency < -0.1
    assert abs(reply.latency - truth) < TOLERANCE, (reply.latency, truth)
    assert abs(reply.onset - PREROLL) < 0.01  # the reply audio keeps 0.2 s before the onset
    assert "listening" in came_through(transcribe, reply.audio, reply_audio)
    # the speaker fell silent soon after the stop
    spans = speech_spans(out, method="silero")
    assert spans and recording.time_at(spans[-1].end * SR) < playback.ended + 0.4


def test_silent_trainee_times_out_and_the_drill_goes_on(audio_rig, speaker):
    line_audio = perpetrator(LINE)
    listener = listener_with(no_reply_timeout=2.0)
    with listener:
        listener.prepare(LINE, 0)
        line_end = speaker.play(line_audio, stop=listener.heard_speech)
        reply = listener.reply(line_end)
        assert reply.silent and reply.latency is None and reply.end is None and not reply.interrupted
        assert listener.last.reason == "timeout"
        assert listener.last.decided - line_end >= 2.0
        assert 1.9 < reply.duration < 2.5 and np.all(np.isfinite(reply.audio))

        # next turn on the same listener: a reply is heard again
        reply_audio = speak("Okay. I am still here.")
        listener.prepare(LINE, 1)
        line_end = speaker.play(line_audio, stop=listener.heard_speech)
        played = audio_rig.play_into_mic(reply_audio, at=line_end + 0.7)
        second = listener.reply(line_end)
        played.wait()
    truth = played.launched + onset_of(reply_audio) - line_end
    assert not second.silent and abs(second.latency - truth) < TOLERANCE


def paused_reply(first: str, second: str) -> np.ndarray:
    """Two parts of a reply about a second apart: 0.8 s of silence between them and
    espeak-ng's own (about 0.2 s), so the pause stays clear of the 1.5 s long silence even
    when a loaded machine makes the rig's player stall for a moment."""
    parts = [speak(text, voice="en-us", rate=150) for text in (first, second)]
    return np.concatenate([parts[0], np.zeros(int(0.8 * SR), dtype=np.float32), parts[1]])


def reply_to_the_line(listener: LiveListener, speaker, rig, reply_audio: np.ndarray):
    """One turn on the rig: LINE plays, then ``reply_audio`` goes into the microphone 0.8 s
    after its end. Returns the reply and the reply audio's speech spans (the truth)."""
    with listener:
        listener.prepare(LINE, 0)
        line_end = speaker.play(perpetrator(LINE), stop=listener.heard_speech)
        played = rig.play_into_mic(reply_audio, at=line_end + 0.8)
        reply = listener.reply(line_end)
        played.wait()
    return reply, speech_spans(reply_audio, threshold_db=-45)


def test_a_one_second_pause_does_not_end_the_reply(audio_rig, speaker, transcribe):
    reply_audio = paused_reply("I understand that you are angry.", "Tell me what happened to your car.")
    listener = listener_with(end_of_turn_silence=1.5)
    reply, spans = reply_to_the_line(listener, speaker, audio_rig, reply_audio)
    assert spans[-1].start - spans[0].end > 0.9  # there really is a pause of about 1 s (and more)
    assert listener.last.reason == "silence"
    assert abs((reply.end - reply.onset) - (spans[-1].end - spans[0].start)) < 0.25
    assert "car" in came_through(transcribe, reply.audio, reply_audio)  # the part after the pause


def test_a_reply_is_transcribed_while_spoken_and_capture_keeps_every_sample(audio_rig, speaker):
    """Smart Turn and the transcriber's worker thread on the rig: the hesitation mid-sentence
    is waited out, the reply is kept whole (no overflow, its length is the truth's) and its
    transcript holds the words after the pause."""
    from voicedrill import asr, endturn

    reply_audio = paused_reply("I hear you, and", "I want to help you get out of there safely.")
    listener = LiveListener(MIC_DEVICE, settings=ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=8.0),
                            key_pressed=lambda: False, turn_model=endturn.load_turn_model())
    listener.attach(asr.Transcriber(tiny_en_model(), "en"))
    listener.warm()  # as a drill does at its start (a cold first alignment compiles for seconds)
    reply, spans = reply_to_the_line(listener, speaker, audio_rig, reply_audio)
    assert listener.last.overflows == 0
    assert abs((reply.end - reply.onset) - (spans[-1].end - spans[0].start)) < 0.25  # not cut at "and"
    assert listener.judged and listener.judged[0][1] is False
    text = asr.normalize(listener.last_transcript.text)
    assert "help" in text and listener.last.decodes >= 1, text


def test_enter_ends_the_turn_at_once(audio_rig, speaker):
    reply_audio = speak("Let me think about that for a moment, because I want to get this right for you.")
    pressed_at: list[float] = []

    def key_pressed() -> bool:
        if reply_audio_started and time.monotonic() > reply_audio_started[0] + 1.5:
            pressed_at.append(time.monotonic())
            return True
        return False

    reply_audio_started: list[float] = []
    listener = LiveListener(MIC_DEVICE, settings=ListenSettings(no_reply_timeout=8.0), key_pressed=key_pressed)
    with listener:
        listener.prepare(LINE, 0)
        line_end = speaker.play(perpetrator(LINE), stop=listener.heard_speech)
        reply_audio_started.append(line_end + 0.5)
        played = audio_rig.play_into_mic(reply_audio, at=line_end + 0.5)
        reply = listener.reply(line_end)
        played.wait()
    assert listener.last.reason == "key" and pressed_at
    assert listener.last.decided - pressed_at[0] < 0.1
    spoken = speech_spans(reply_audio, threshold_db=-45)[-1].end
    assert reply.end - reply.onset < spoken - 1.0  # cut well before the sentence's end


def test_without_barge_in_speech_during_the_line_is_not_an_interruption(audio_rig, speaker):
    line_audio = perpetrator(LINE)
    reply_audio = speak("Yes, yes, I know. Go on, please, I am listening.")
    listener = LiveListener(MIC_DEVICE, settings=ListenSettings(no_reply_timeout=6.0), barge_in=False,
                            key_pressed=lambda: False)
    with listener:
        listener.prepare(LINE, 0)
        t0 = time.monotonic()
        played = audio_rig.play_into_mic(reply_audio, at=t0 + len(line_audio) / SR - 1.0)
        line_end = speaker.play(line_audio, stop=listener.heard_speech)
        reply = listener.reply(line_end)
        played.wait()
    assert not speaker.last.stopped
    assert not reply.interrupted and reply.latency is not None and reply.latency >= -0.05


# --- calibration -------------------------------------------------------------------

from voicedrill import calibrate  # noqa: E402
from voicedrill.errors import AudioError, ParameterError, StoreError  # noqa: E402


@pytest.fixture(scope="module")
def sentence_audio():
    return speak(calibrate.CALIBRATION_SENTENCES["en"], voice="en-us", rate=150)


def test_calibration_analysis_and_profile(sentence_audio, tmp_path):
    rng = np.random.default_rng(0)
    room = (10 ** (-70 / 20) * rng.standard_normal(3 * SR)).astype(np.float32)
    noise = (10 ** (-70 / 20) * rng.standard_normal(len(sentence_audio))).astype(np.float32)
    cal = calibrate.analyse(room, sentence_audio + noise, trainee="Alex K", device="test mic")
    assert cal.warnings == ()
    assert -73 < cal.noise_floor_db < -67 and cal.snr_db > 30
    assert 60 < cal.baseline.pitch_median_hz < 250 and cal.baseline.noise_floor_db == cal.noise_floor_db
    path = calibrate.save_profile(cal, tmp_path)
    assert path == tmp_path / "profiles" / "Alex K.json"
    again = calibrate.load_profile("Alex K", tmp_path)
    assert again == cal
    with pytest.raises(StoreError, match="voicedrill calibrate --trainee"):
        calibrate.load_profile("Nobody", tmp_path)
    path.write_text("{not json")
    with pytest.raises(StoreError, match="damaged"):
        calibrate.load_profile("Alex K", tmp_path)
    for bad in ("", "../etc/passwd", ".hidden", "a" * 65, "tab\there"):
        with pytest.raises(ParameterError):
            calibrate.check_trainee_name(bad)
    assert calibrate.check_trainee_name(" Алексей_2 ") == "Алексей_2"


def test_calibration_warns_quiet_noisy_and_refuses_clipping(sentence_audio):
    rng = np.random.default_rng(1)
    quiet = sentence_audio * 10 ** (-35 / 20)
    cal = calibrate.analyse(np.zeros(SR, np.float32), quiet, trainee="t")
    assert any("quiet" in w for w in cal.warnings)
    noise = (10 ** (-30 / 20) * rng.standard_normal(len(sentence_audio))).astype(np.float32)
    cal = calibrate.analyse(noise[:SR * 2], sentence_audio + noise, trainee="t")
    assert any("noisy" in w for w in cal.warnings) and cal.snr_db < 15
    with pytest.raises(AudioError, match="clipped"):
        calibrate.analyse(np.zeros(SR, np.float32), np.clip(sentence_audio * 20, -1, 1), trainee="t")
    with pytest.raises(AudioError, match="no speech"):
        calibrate.analyse(np.zeros(SR, np.float32), noise, trainee="t")


def test_calibrate_command_on_the_rig(audio_rig, sentence_audio, tmp_path, capsys):
    from voicedrill.cli import main

    played = audio_rig.play_into_mic(sentence_audio, delay=2.0)  # after the 1 s of room silence
    code = main(["calibrate", "--trainee", "Sam", "--input", MIC_DEVICE, "--silence-seconds", "1",
                 "--no-transcribe", "--data-dir", str(tmp_path)])
    played.wait()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "read this aloud" in out and calibrate.CALIBRATION_SENTENCES["en"] in out
    cal = calibrate.load_profile("Sam", tmp_path)
    assert cal.device == MIC_DEVICE and cal.noise_floor_db < -90 and cal.warnings == ()
    assert abs(cal.speech_level_db - rms_dbfs(sentence_audio[np.abs(sentence_audio) > 0])) < 6


def test_devices_command_and_bad_input(audio_rig, capsys):
    from voicedrill.cli import main

    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert MIC_DEVICE in out and "default" in out
    assert main(["calibrate", "--input", "bogus-mic", "--trainee", "x"]) != 0
    err = capsys.readouterr().err
    assert "no input device matches 'bogus-mic'" in err and MIC_DEVICE in err


def test_open_live_checks_devices_before_the_drill(audio_rig):
    from voicedrill.errors import DeviceError
    from voicedrill.live import open_live

    speaker, listener = open_live(input_device=MIC_DEVICE, output_device=SPEAKER_DEVICE, end_silence=2.0,
                                  max_reply_seconds=12, no_reply_timeout=5, key_pressed=lambda: False)
    try:
        assert listener.mic.active and listener.settings.end_of_turn_silence == 2.0
        assert speaker.output.device.name == SPEAKER_DEVICE
    finally:
        listener.close()
    with pytest.raises(DeviceError, match="no output device matches 'HDMI 7'"):
        open_live(input_device=MIC_DEVICE, output_device="HDMI 7")


def test_enter_on_a_terminal_is_read_without_blocking():
    import os

    from voicedrill.live import _StdinEnter

    master, slave = os.openpty()
    with os.fdopen(slave, "r") as terminal:
        enter = _StdinEnter(terminal)
        assert enter.usable() and enter() is False
        os.write(master, b"\n")
        time.sleep(0.05)
        assert enter() is True and enter() is False  # consumed
    os.close(master)
    with open(os.devnull) as not_a_terminal:
        assert not _StdinEnter(not_a_terminal).usable()
