"""voicedrill.capture: devices, their selection and errors, and recording on the virtual rig."""

from __future__ import annotations

import builtins
import time
import types

import numpy as np
import pytest

from tests.rig import MIC_DEVICE, SPEAKER_DEVICE, SPEAKER_MONITOR_DEVICE, audio_rig, speak  # noqa: F401
from voicedrill import capture
from voicedrill.audio import SAMPLE_RATE, resample
from voicedrill.capture import Microphone, find_device, format_devices, list_devices
from voicedrill.errors import DeviceError
from voicedrill.vad import speech_spans

SR = SAMPLE_RATE


# --- without devices ---------------------------------------------------------------


def test_stream_resampler_has_no_seams():
    rate = 44100
    t = np.arange(int(rate * 1.5)) / rate
    chirp = (0.5 * np.sin(2 * np.pi * (200 + 1500 * t) * t)).astype(np.float32)
    stream = capture._StreamResampler(rate)
    out = np.concatenate([stream(chirp[i: i + 882]) for i in range(0, len(chirp), 882)])
    whole = resample(chirp, rate, SR)
    n = len(out)
    assert len(whole) - n < 0.05 * SR  # the stream holds back only its filter's delay
    assert np.corrcoef(out[: n - 100], whole[: n - 100])[0, 1] > 0.999
    block = chirp[:100]
    assert capture._StreamResampler(SR)(block) is block  # 16 kHz devices: no conversion


def test_missing_portaudio_is_a_clear_error(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(DeviceError) as err:
        capture.sounddevice()
    message = str(err.value)
    assert "libportaudio2" in message and "--replies DIR" in message


def test_portaudio_errors_become_one_clear_message():
    import sounddevice as sd

    device = capture.DeviceInfo(3, "USB mic", "ALSA", 1, 0, 48000.0)
    busy = capture.open_error(sd.PortAudioError("Error opening InputStream: Device unavailable", -9985),
                              device, "input", 48000)
    assert "busy" in str(busy) and "USB mic" in str(busy) and "--replies DIR" in str(busy)
    rate = capture.open_error(sd.PortAudioError("Error opening InputStream: Invalid sample rate", -9997),
                              device, "input", 12345)
    assert "12345 Hz" in str(rate) and "--input" in str(rate)
    other = capture.open_error(sd.PortAudioError("Unanticipated host error", -9999), device, "output", 48000)
    assert "voicedrill devices" in str(other) and "--output" in str(other)


def test_no_microphone_is_a_clear_error(monkeypatch):
    hdmi = capture.DeviceInfo(0, "HDMI 0", "ALSA", 0, 2, 48000.0, default_output=True)
    monkeypatch.setattr(capture, "list_devices", lambda: (hdmi,))
    with pytest.raises(DeviceError) as err:
        find_device(None, "input")
    assert "no input device found (no microphone)" in str(err.value) and "HDMI 0" in str(err.value)
    assert "--replies DIR" in str(err.value)
    assert find_device(None, "output") == hdmi
    usb = capture.DeviceInfo(1, "USB mic", "ALSA", 1, 0, 44100.0, default_input=True)
    monkeypatch.setattr(capture, "list_devices", lambda: (hdmi, usb))
    with pytest.raises(DeviceError, match="has no input channels"):
        find_device(0, "input")
    assert find_device(None, "input") == usb


# --- on the virtual rig ------------------------------------------------------------


@pytest.mark.live
def test_devices_listed_with_defaults(audio_rig):
    devices = list_devices()
    names = [d.name for d in devices]
    for name in (MIC_DEVICE, SPEAKER_DEVICE, SPEAKER_MONITOR_DEVICE):
        assert name in names
    assert sum(d.default_input for d in devices) == 1 and sum(d.default_output for d in devices) == 1
    table = format_devices(devices)
    assert "input,output" in table or ("input" in table and "output" in table)
    mic = next(d for d in devices if d.name == MIC_DEVICE)
    assert f"{mic.index:>3}  {MIC_DEVICE}" in table and mic.default_samplerate >= 8000


@pytest.mark.live
def test_device_selection_by_index_name_and_part(audio_rig):
    mic = find_device(MIC_DEVICE, "input")
    assert find_device(mic.index, "input") == mic
    assert find_device(str(mic.index), "input") == mic
    assert find_device("VD_MIC", "input") == mic  # case-insensitive, exact name wins
    assert find_device("speaker_mon", "input").name == SPEAKER_MONITOR_DEVICE  # a unique part
    assert find_device(SPEAKER_DEVICE, "output").name == SPEAKER_DEVICE  # exact beats the longer match
    assert find_device(None, "input").default_input
    with pytest.raises(DeviceError, match="several"):
        find_device("vd_", "input")
    with pytest.raises(DeviceError) as err:
        find_device("no such microphone", "input")
    assert MIC_DEVICE in str(err.value) and "--input" in str(err.value)
    with pytest.raises(DeviceError, match="no device number 999"):
        find_device(999, "input")


@pytest.mark.live
def test_microphone_records_what_the_trainee_says(audio_rig):
    reply = speak("Tell me what happened tonight.")
    onset_in_file = speech_spans(reply, threshold_db=-45)[0].start
    with Microphone(MIC_DEVICE) as mic:
        mic.arm()
        played = audio_rig.play_into_mic(reply, delay=0.5)
        parts = []
        deadline = time.monotonic() + 0.5 + len(reply) / SR + 1.0
        while time.monotonic() < deadline:
            parts.append(mic.read(timeout=0.05))
        played.wait()
        audio = np.concatenate(parts)
        assert mic.rate in (44100, 48000) and mic.overflows == 0
        assert mic.level_db < -60  # quiet again after the reply
        spans = speech_spans(audio, method="silero")
        assert spans
        heard = mic.time_at(spans[0].start * SR)
        truth = played.launched + onset_in_file
        assert abs(heard - truth) < 0.1, (heard - truth)
        assert abs(mic.index_at(mic.time_at(12345)) - 12345) <= 1
    # what came in is what was played (the virtual microphone is a clean wire)
    k = int(np.argmax(np.correlate(audio, reply, "valid")))
    assert abs(k / SR - (spans[0].start - onset_in_file)) < 0.1
    assert np.corrcoef(audio[k: k + len(reply)], reply)[0, 1] > 0.95


@pytest.mark.live
def test_record_convenience(audio_rig):
    audio = capture.record(0.5, MIC_DEVICE)
    assert audio.dtype == np.float32 and audio.shape == (8000,)


@pytest.mark.live
def test_input_overflow_is_reported(audio_rig):
    import sounddevice as sd

    mic = Microphone(MIC_DEVICE)
    mic._armed = True  # as after arm(), without a stream: feed the callback directly
    info = types.SimpleNamespace(currentTime=10.0, inputBufferAdcTime=9.98)
    block = np.zeros((882, 1), dtype=np.float32)
    for _ in range(capture.MAX_OVERFLOWS + 1):
        mic._callback(block, 882, info, sd.CallbackFlags(2))  # paInputOverflow
    with pytest.raises(DeviceError, match="input overflow") as err:
        mic.read(timeout=0)
    assert "--replies DIR" in str(err.value)


@pytest.mark.live
def test_bad_input_device_in_listener(audio_rig):
    from voicedrill.live import LiveListener

    with pytest.raises(DeviceError) as err:
        LiveListener("bogus microphone")
    assert MIC_DEVICE in str(err.value) and "devices seen" not in str(err.value)
