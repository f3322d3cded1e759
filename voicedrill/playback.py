"""The speaker: play a rendered line on an output device through PortAudio.

Robust on PulseAudio and PipeWire (reached through ALSA's pulse plugin), where small
buffers underrun into garbage and the last buffer of a stream can be dropped on stop:
the stream asks for PortAudio's high latency with a large block (about 90 ms), audio is
resampled to the device's own rate, and silence is appended so the end of the line is
never in the buffer that gets dropped. When playback ended is computed from the DAC
times PortAudio reports for each block, not from when the call returned.

sounddevice is imported lazily.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .audio import SAMPLE_RATE, validate_audio
from .capture import (
    DeviceInfo,
    _is_rate_or_channel_error,
    candidate_rates,
    find_device,
    open_error,
    sounddevice,
)

POLL_SECONDS = 0.02  # how often stop() is asked


@dataclass(frozen=True)
class Playback:
    """What happened when a line was played. Times are ``time.monotonic()`` seconds."""

    started: float  # the first sample reached the speaker
    ended: float  # the last sample of the line reached the speaker (or playback was cut)
    stopped: bool  # cut short because stop() said so (barge-in)
    underflows: int  # blocks the device ran out of audio (heard as gaps)
    device: str


class OutputDevice:
    """One output device. ``play`` blocks until the line has been heard."""

    def __init__(
        self, device: int | str | None = None, *, latency="high", block_seconds: float = 0.09
    ):
        self.device: DeviceInfo = find_device(device, "output")
        self.rate = int(round(self.device.default_samplerate)) or 48000
        self.block_seconds = block_seconds
        # a power of two near block_seconds: 4096 frames at 44.1/48 kHz
        self.blocksize = 1 << max(8, round(np.log2(self.rate * block_seconds)))
        self.latency = latency

    def play(self, audio: np.ndarray, *, stop: Callable[[], bool] | None = None) -> Playback:
        """Play ``audio`` (16 kHz float32, shape=(n,)); stop early when ``stop()`` is True."""
        audio = validate_audio(audio, name="perpetrator line")
        from .audio import resample

        sd = sounddevice()
        state: dict[str, Any] = {"pos": 0, "first_dac": None, "end_dac": None, "underflows": 0}
        done = threading.Event()
        buffer = {"data": np.zeros(0, dtype=np.float32)}
        n_line = 0  # set once the stream's rate is known

        def callback(outdata, frames, time_info, status):
            now = time.monotonic()
            if status.output_underflow:
                state["underflows"] += 1
            lead = time_info.outputBufferDacTime - time_info.currentTime
            if (
                not (time_info.outputBufferDacTime and time_info.currentTime)
                or not 0.0 <= lead < 2.0
            ):
                lead = 0.0
            dac = now + lead  # when this block's first sample reaches the speaker
            pos = state["pos"]
            data = buffer["data"]
            if state["first_dac"] is None:
                state["first_dac"] = dac
            if pos <= n_line <= pos + frames and state["end_dac"] is None:
                state["end_dac"] = dac + (n_line - pos) / self.rate
            n = max(0, min(frames, len(data) - pos))
            outdata[:n, 0] = data[pos : pos + n]
            outdata[n:, 0] = 0.0
            state["pos"] = pos + frames
            if n < frames:
                raise sd.CallbackStop

        stream, last_error = None, None
        for rate in candidate_rates(self.device):
            self.rate = rate
            self.blocksize = 1 << max(8, round(np.log2(rate * self.block_seconds)))
            try:
                stream = sd.OutputStream(
                    device=self.device.index,
                    samplerate=rate,
                    channels=1,
                    dtype="float32",
                    blocksize=self.blocksize,
                    latency=self.latency,
                    callback=callback,
                    finished_callback=done.set,
                )
                break
            except sd.PortAudioError as e:
                last_error = e
                if not _is_rate_or_channel_error(e):
                    break
        if stream is None:
            raise open_error(
                last_error or RuntimeError("no stream"), self.device, "output", self.rate
            ) from last_error
        native = np.clip(resample(audio, SAMPLE_RATE, self.rate), -1.0, 1.0).astype(np.float32)
        n_line = len(native)
        # Silence after the line, longer than what a stop may drop from the buffers.
        pad = int(
            self.rate * max(0.3, 2.0 * float(stream.latency) + 2.0 * self.blocksize / self.rate)
        )
        buffer["data"] = np.concatenate([native, np.zeros(pad, dtype=np.float32)])
        stopped = False
        t_start = time.monotonic()
        try:
            try:
                stream.start()
            except sd.PortAudioError as e:
                raise open_error(e, self.device, "output", self.rate) from e
            expected_end = t_start + n_line / self.rate
            while not done.wait(POLL_SECONDS):
                end = state["end_dac"]
                if stop is not None and (end is None or time.monotonic() < end) and stop():
                    stopped = True
                    stream.abort()
                    break
                if time.monotonic() > expected_end + 10.0 + len(buffer["data"]) / self.rate:
                    break  # the device stopped asking for audio; do not hang the drill
        finally:
            t_stop = time.monotonic()
            try:
                stream.abort()
            finally:
                stream.close()
        first = state["first_dac"] if state["first_dac"] is not None else t_start
        if stopped:
            ended = t_stop
        elif state["end_dac"] is not None:
            ended = state["end_dac"]
            wait = ended - time.monotonic()
            if wait > 0:  # return only once the line has been heard
                time.sleep(wait)
        else:
            ended = max(first + n_line / self.rate, t_stop)
        return Playback(
            started=first,
            ended=ended,
            stopped=stopped,
            underflows=state["underflows"],
            device=self.device.name,
        )


def play(audio: np.ndarray, device: int | str | None = None) -> float:
    """Play ``audio`` (16 kHz float32) on ``device``; return when it ended (monotonic)."""
    return OutputDevice(device).play(audio).ended
