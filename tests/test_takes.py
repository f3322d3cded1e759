"""Recorded takes: processing, refusal, use in drills, the recording walk (injected and on
the PulseAudio rig), ``scenarios show`` and the voice stored with each turn."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.fixtures_asr import espeak, tiny_en_model, wer
from tests.rig import MIC_DEVICE, audio_rig  # noqa: F401
from voicedrill import speak, takes
from voicedrill.audio import SAMPLE_RATE, load_audio, rms_dbfs
from voicedrill.branching import line_for
from voicedrill.errors import AudioError
from voicedrill.recording import KEEP, PLAY, QUIT, RETAKE, SKIP, record_scenario
from voicedrill.scenario import load_scenario
from voicedrill.types import PerpetratorLine, Reply

SCENARIO = "barricaded_subject"


def user_copy(tmp_path, sid=SCENARIO):
    """A user's copy of a shipped scenario (its takes go beside it)."""
    src = load_scenario(sid).path
    dst = tmp_path / "course" / src.name
    dst.parent.mkdir(parents=True)
    shutil.copy(src, dst)
    return load_scenario(dst)


def speech(text="Nobody comes through that door until I get my car.", gain=0.3, pad=1.0):
    audio = espeak(text)
    audio = gain * audio / float(np.max(np.abs(audio)))
    silence = np.zeros(int(pad * SAMPLE_RATE), dtype=np.float32)
    return np.concatenate([silence, audio, silence]).astype(np.float32)


# --- processing a take ----------------------------------------------------------------------


def test_prepare_take_trims_silence_and_normalises_loudness():
    raw = speech(gain=0.05, pad=1.5)
    take = takes.prepare_take(raw)
    assert len(take) < len(raw) - 2.4 * SAMPLE_RATE  # most of the 3 s of silence is gone
    assert len(take) > len(raw) - 3.0 * SAMPLE_RATE - 0.1 * SAMPLE_RATE  # the speech is all there
    assert float(np.max(np.abs(take))) <= takes.MAX_PEAK + 1e-6
    assert rms_dbfs(take) > rms_dbfs(raw[int(1.5 * SAMPLE_RATE):-int(1.5 * SAMPLE_RATE)]) + 6  # louder


@pytest.mark.parametrize("raw, match", [
    (np.clip(speech(gain=1.0) * 8, -1, 1), "clipped"),
    (np.zeros(3 * SAMPLE_RATE, dtype=np.float32), "silent"),
    (np.random.default_rng(0).normal(0, 0.001, 3 * SAMPLE_RATE).astype(np.float32), "silent"),
    (np.zeros(0, dtype=np.float32), "nothing was recorded"),
])
def test_a_clipped_or_silent_take_is_refused_with_what_to_do(raw, match):
    with pytest.raises(AudioError, match=match) as e:
        takes.prepare_take(raw, what="the take of [x] calm")
    assert "record it again" in str(e.value) and "[x] calm" in str(e.value)


# --- a drill uses the take where there is one, TTS for the rest -------------------------------


def test_drill_uses_the_take_for_that_mood_and_tts_for_the_rest(tmp_path):
    s = user_copy(tmp_path)
    node = next(n for n in s.nodes if n.lines.calm and n.lines.explosive)
    folder = takes.folder_for(s)
    assert folder == s.path.parent / f"{s.id}.takes"
    calm_audio, explosive_audio = takes.prepare_take(speech(gain=0.2)), takes.prepare_take(speech("Get out!", gain=0.6))
    takes.save_take(folder, node.id, "calm", node.lines.calm[0], calm_audio)
    takes.save_take(folder, node.id, "explosive", node.lines.explosive[0], explosive_audio)
    voice = speak.LineVoice(s, cache_dir=tmp_path / "cache", notice=pytest.fail)

    calm = PerpetratorLine(node.id, node.lines.calm[0], 0.1)
    explosive = PerpetratorLine(node.id, node.lines.explosive[0], 0.95)
    np.testing.assert_allclose(voice(calm), calm_audio, atol=1e-4)  # FLAC 16-bit round trip
    np.testing.assert_allclose(voice(explosive), explosive_audio, atol=1e-4)
    assert voice.spoken_by(calm).startswith(f"recorded take {node.id}/calm-")
    assert voice.spoken_by(explosive).startswith(f"recorded take {node.id}/explosive-")

    other = PerpetratorLine(node.id, node.lines.tense[0] if node.lines.tense else "Another line.", 0.5)
    audio = voice(other)
    assert audio.size and voice.spoken_by(other) == "neural en_US-joe-medium"
    edited = PerpetratorLine(node.id, node.lines.calm[0] + " Edited.", 0.1)  # text changed: the take no longer fits
    voice(edited)
    assert voice.spoken_by(edited) == "neural en_US-joe-medium"


def test_a_damaged_take_is_told_once_and_tts_speaks_the_line(tmp_path):
    s = user_copy(tmp_path)
    node = s.node(s.start_node)
    text = node.lines.for_band("tense")[0]
    path = takes.folder_for(s) / takes.take_name(node.id, "tense", text)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a flac file")
    notices = []
    voice = speak.LineVoice(s, cache_dir=tmp_path / "cache", notice=notices.append)
    line = PerpetratorLine(node.id, text, 0.5)
    assert voice(line).size and voice.spoken_by(line) == "neural en_US-joe-medium"
    assert len(notices) == 1 and str(path) in notices[0] and "--redo" in notices[0]


def test_a_band_without_its_own_lines_uses_the_neighbours_take(tmp_path):
    s = user_copy(tmp_path)
    lib = takes.TakeLibrary((tmp_path / "t",))
    takes.save_take(tmp_path / "t", "n1", "tense", "Back off.", takes.prepare_take(speech()))
    assert lib.find("n1", "calm", "Back off.").band == "tense"  # calm borrows tense's lines, so its take
    assert lib.find("n1", "tense", "Something else.") is None
    assert s.path.parent.name == "course"


def test_shipped_scenarios_record_into_the_data_folder(tmp_path):
    s = load_scenario(SCENARIO)
    folder = takes.folder_for(s, tmp_path)
    assert folder == tmp_path / "scenarios" / f"{SCENARIO}.takes"
    assert folder in takes.folders_for(s, tmp_path)


# --- the recording walk ---------------------------------------------------------------------------


class FileListener:
    """Hands out prepared takes in order, as a microphone would."""

    def __init__(self, audios):
        self.audios = list(audios)
        self.prepared = []

    def prepare(self, line, turn_index):
        self.prepared.append(line)

    def reply(self, line_end):
        audio = self.audios.pop(0)
        return Reply(audio=audio, onset=0.0, end=len(audio) / SAMPLE_RATE, latency=0.0, source="test")


class CountingSpeaker:
    def __init__(self):
        self.played = []

    def play(self, audio, *, stop=None):
        self.played.append(len(audio))
        return time.monotonic()


def test_walk_records_refuses_retakes_plays_skips_and_quits(tmp_path):
    s = user_copy(tmp_path)
    clipped, good, better = np.clip(speech(gain=1.0) * 8, -1, 1), speech(gain=0.2), speech(gain=0.3)
    answers = iter(["",  # line 1: record -> clipped, refused; asked again
                    "",  # record again -> good, played back
                    RETAKE, "",  # re-take -> better
                    PLAY, "x", KEEP,  # play again, a wrong key, keep
                    SKIP,  # line 2: skip
                    "", QUIT])  # line 3: record, then quit
    listener, speaker, said = FileListener([clipped, good, better, good]), CountingSpeaker(), []
    result = record_scenario(s, tmp_path / "takes", listener=listener, speaker=speaker,
                             ask=lambda prompt: next(answers), say=said.append)
    assert result.quit and result.refused == 1 and result.skipped == 1 and len(result.recorded) == 1
    assert any("clipped" in line for line in said)
    assert len(speaker.played) == 4  # good, better, better again, line 3's take
    first = takes.recorded_lines(s, takes.TakeLibrary((tmp_path / "takes",)))[0]
    assert first[3] is not None and first[3].path == result.recorded[0]
    assert listener.prepared[0].node_id == first[0] and listener.prepared[0].text == first[2]
    np.testing.assert_allclose(load_audio(result.recorded[0]), takes.prepare_take(better), atol=1e-4)

    again = record_scenario(s, tmp_path / "takes", listener=FileListener([]), speaker=speaker,
                            ask=lambda prompt: (_ for _ in ()).throw(EOFError), say=said.append)
    assert again.already == 1 and again.quit  # the recorded line is not offered again; EOF quits


@pytest.mark.live
def test_walk_records_from_the_microphone_on_the_rig(audio_rig, tmp_path):  # noqa: F811
    from voicedrill.live import LiveListener
    from voicedrill.vad import ListenSettings

    s = user_copy(tmp_path)
    first = takes.recorded_lines(s, takes.TakeLibrary(()))[0]
    spoken = speech(first[2], gain=0.4, pad=0.0)
    listener = LiveListener(MIC_DEVICE, settings=ListenSettings(end_of_turn_silence=1.0, no_reply_timeout=8.0),
                            key_pressed=lambda: False, barge_in=False).open()
    answers = iter(["", KEEP, QUIT])

    def ask(prompt):
        answer = next(answers)
        if prompt.startswith("Enter to record") and answer == "":
            audio_rig.play_into_mic(spoken, delay=0.8)  # the instructor speaks once recording started
        return answer

    try:
        result = record_scenario(s, tmp_path / "takes", listener=listener, speaker=CountingSpeaker(), ask=ask,
                                 say=lambda text: None)
    finally:
        listener.close()
    (path,) = result.recorded
    take = load_audio(path)
    assert len(take) < len(spoken) + 1.0 * SAMPLE_RATE  # trimmed: no long silence either side
    from voicedrill import asr

    assert wer(first[2], asr.transcribe(tiny_en_model(), take, language="en").text) < 0.3


# --- the commands and the stored voice -----------------------------------------------------------


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "voicedrill", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def test_scenarios_show_says_which_lines_are_recorded(tmp_path):
    s = user_copy(tmp_path)
    node_id, band, text, _ = takes.recorded_lines(s, takes.TakeLibrary(()))[0]
    takes.save_take(takes.folder_for(s), node_id, band, text, takes.prepare_take(speech()))
    out = _cli("scenarios", "show", str(s.path))
    assert out.returncode == 0, out.stderr
    assert f"{band}: {text}  [recorded]" in out.stdout
    assert "Recorded takes: 1 of" in out.stdout and "voice: neural en_US-joe-medium" in out.stdout


def test_record_command_refuses_an_unknown_node_before_opening_devices(tmp_path):
    out = _cli("scenarios", "record", SCENARIO, "--node", "no_such_node")
    assert out.returncode != 0 and "no node 'no_such_node'" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_each_stored_turn_names_its_voice_and_the_debrief_shows_it(tmp_path):
    s = user_copy(tmp_path)
    first = line_for(s, s.start_node, s.perpetrator.start_agitation, seed=0, turn_index=0)
    band = s.dynamics.band(first.agitation)
    takes.save_take(takes.folder_for(s), first.node_id, band, first.text, takes.prepare_take(speech()))
    out = _cli("drill", str(s.path), "--virtual", "good", "--max-turns", "2", "--quiet", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    turns = sorted((tmp_path / "sessions").glob("*/turn-*/turn.json"))
    spoken = [json.loads(t.read_text())["line"]["spoken_by"] for t in turns]
    assert spoken[0].startswith(f"recorded take {first.node_id}/{band}-")
    assert spoken[1] == "neural en_US-joe-medium"
    sid = turns[0].parent.parent.name
    html = tmp_path / "debrief.html"
    report = _cli("report", sid, "--data-dir", str(tmp_path), "--output", str(html))
    assert report.returncode == 0, report.stderr
    page = html.read_text(encoding="utf-8")
    assert "spoken by recorded take" in page and "spoken by neural en_US-joe-medium" in page
