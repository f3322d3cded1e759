"""The microphone: sound devices, and recording through a PortAudio callback stream.

The python-sounddevice pattern: the audio callback copies each block into a queue
(with the time its first sample reached the converter), and the consumer, on the
drill's own thread, takes blocks off the queue, converts them from the device's native
rate to the internal 16 kHz float32 (``soxr``, streaming) and maps sample positions to
``time.monotonic()`` through the ADC times PortAudio reports. Nothing here decides what
is speech (``vad.py``) or what a reply is (``live.py``).

sounddevice is imported lazily: the rest of voicedrill runs without PortAudio.
"""

from __future__ import annotations

import bisect
import math
import queue
import threading
import time
from dataclasses import dataclass

import numpy as np

from .audio import SAMPLE_RATE
from .errors import DeviceError

HEADLESS_HINT = "Without a working sound device you can still drill headless: voicedrill drill SCENARIO --replies DIR"
MAX_OVERFLOWS = 3  # input overflows in one capture before it counts as a failure


@dataclass(frozen=True)
class DeviceInfo:
    """One sound device as PortAudio sees it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float  # Hz
    default_input: bool = False
    default_output: bool = False

    def has(self, kind: str) -> bool:
        return (self.max_input_channels if kind == "input" else self.max_output_channels) > 0


def sounddevice():
    """The sounddevice module, or ``DeviceError`` when PortAudio is missing."""
    try:
        import sounddevice as sd
    except OSError as e:
        raise DeviceError(
            f"PortAudio is not installed ({e}). Install it: sudo apt-get install libportaudio2 "
            f"(macOS: brew install portaudio). {HEADLESS_HINT}"
        ) from e
    except ImportError as e:
        raise DeviceError(
            f"the sounddevice package is missing ({e}). Run scripts/setup, or "
            f".venv/bin/pip install sounddevice. {HEADLESS_HINT}"
        ) from e
    return sd


def list_devices() -> tuple[DeviceInfo, ...]:
    """Every input and output device, defaults marked."""
    sd = sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as e:
        raise DeviceError(f"cannot list sound devices: {e}. {HEADLESS_HINT}") from e
    try:
        default_in = (
            sd.query_devices(kind="input")["index"]
            if default_in is None or default_in < 0
            else default_in
        )
    except (sd.PortAudioError, ValueError):
        default_in = -1
    try:
        default_out = (
            sd.query_devices(kind="output")["index"]
            if default_out is None or default_out < 0
            else default_out
        )
    except (sd.PortAudioError, ValueError):
        default_out = -1
    return tuple(
        DeviceInfo(
            index=i,
            name=str(d["name"]),
            hostapi=str(hostapis[d["hostapi"]]["name"]),
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            default_input=i == default_in,
            default_output=i == default_out,
        )
        for i, d in enumerate(devices)
    )


def format_devices(devices: tuple[DeviceInfo, ...] | None = None) -> str:
    """A table of devices: index, name, input/output channels, default rate, defaults."""
    devices = list_devices() if devices is None else devices
    if not devices:
        return "  (no sound devices)"
    width = max(len(d.name) for d in devices)
    lines = [f"  {'#':>3}  {'name':<{width}}  {'in':>3}  {'out':>3}  {'rate':>6}  default"]
    for d in devices:
        marks = ",".join(
            m for m, on in (("input", d.default_input), ("output", d.default_output)) if on
        )
        lines.append(
            f"  {d.index:>3}  {d.name:<{width}}  {d.max_input_channels:>3}  {d.max_output_channels:>3}  "
            f"{d.default_samplerate:>6.0f}  {marks}"
        )
    return "\n".join(lines)


def find_device(spec: int | str | None, kind: str = "input") -> DeviceInfo:
    """The device for ``--input``/``--output``: None = the default, an index, or a name or a
    unique part of one (case-insensitive; an exact name wins). ``kind``: "input" | "output"."""
    if kind not in ("input", "output"):
        raise ValueError(f"kind must be 'input' or 'output', got {kind!r}")
    devices = list_devices()
    usable = [d for d in devices if d.has(kind)]
    listing = format_devices(devices)
    option = f"--{kind}"
    if not usable:
        raise DeviceError(
            f"no {kind} device found{' (no microphone)' if kind == 'input' else ''}. "
            f"Connect one and check it is not muted; devices seen:\n{listing}\n{HEADLESS_HINT}"
        )
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        chosen = [d for d in usable if (d.default_input if kind == "input" else d.default_output)]
        if chosen:
            return chosen[0]
        return usable[0]
    text = str(spec).strip()
    if isinstance(spec, int) or text.lstrip("-").isdigit():
        index = int(text)
        for d in devices:
            if d.index == index:
                if not d.has(kind):
                    raise DeviceError(
                        f"device {index} ({d.name}) has no {kind} channels. Choose another {option}:\n{listing}"
                    )
                return d
        raise DeviceError(f"no device number {index}. Choose {option} from:\n{listing}")
    exact = [d for d in usable if d.name.lower() == text.lower()]
    if exact:
        return exact[0]
    matches = [d for d in usable if text.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise DeviceError(
            f"no {kind} device matches {text!r}. Choose {option} by number or name from:\n{listing}"
        )
    names = ", ".join(f"{d.index}: {d.name}" for d in matches)
    raise DeviceError(
        f"{text!r} matches several {kind} devices ({names}). Give {option} a number or a longer name."
    )


def open_error(e: Exception, device: DeviceInfo, kind: str, rate: float) -> DeviceError:
    """One clear message for a PortAudio failure to open or start a stream."""
    text = str(e)
    low = text.lower()
    code = e.args[1] if len(getattr(e, "args", ())) > 1 and isinstance(e.args[1], int) else None
    what = f"{kind} device {device.index} ({device.name})"
    if code == -9985 or "unavailable" in low or "busy" in low:
        return DeviceError(
            f"{what} is busy: another program is using it ({text}). Close that program "
            f"(or choose another device with --{kind}) and try again. {HEADLESS_HINT}"
        )
    if code == -9997 or "sample rate" in low:
        return DeviceError(
            f"{what} does not support {rate:.0f} Hz ({text}). Choose another device with --{kind}, "
            f"or set the device to its usual rate (44100 or 48000 Hz) in the system sound settings. {HEADLESS_HINT}"
        )
    if code == -9998 or "channel" in low:
        return DeviceError(
            f"{what} cannot open that many channels ({text}). Choose another device with --{kind}. {HEADLESS_HINT}"
        )
    return DeviceError(
        f"cannot open the {what}: {text}. Check `voicedrill devices` and --{kind}. {HEADLESS_HINT}"
    )


def candidate_rates(device: DeviceInfo) -> list[int]:
    """Sample rates to try, the device's own first (Hz)."""
    rates = [int(round(device.default_samplerate))] if device.default_samplerate > 0 else []
    return rates + [r for r in (48000, 44100, SAMPLE_RATE) if r not in rates]


def _is_rate_or_channel_error(e: Exception) -> bool:
    code = e.args[1] if len(getattr(e, "args", ())) > 1 and isinstance(e.args[1], int) else None
    text = str(e).lower()
    return code in (-9997, -9998) or "sample rate" in text or "channel" in text


class _StreamResampler:
    """Native rate -> 16 kHz, block by block, with no seams between blocks."""

    def __init__(self, rate: int):
        self.rate = rate
        self._stream = None
        if rate != SAMPLE_RATE:
            import soxr

            self._stream = soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")

    def __call__(self, block: np.ndarray) -> np.ndarray:
        if self._stream is None:
            return block
        return self._stream.resample_chunk(block, last=False)


class Microphone:
    """A recording stream on one input device, converted to 16 kHz float32 mono.

    ``open()`` starts the stream; ``arm()`` starts a capture (position 0 is the first
    sample after it); ``read()`` returns the capture's new audio; ``time_at(i)`` is the
    ``time.monotonic()`` at which 16 kHz sample ``i`` of the capture was picked up
    (ADC time, corrected for the input latency PortAudio reports). Between captures
    (``disarm()``) blocks are dropped, only the level meter runs.
    """

    def __init__(
        self, device: int | str | None = None, *, block_seconds: float = 0.02, latency="high"
    ):
        self.device = find_device(device, "input")
        self.rate = int(round(self.device.default_samplerate)) or 48000  # the stream's, once open
        self.block_seconds = block_seconds
        self.blocksize = max(64, int(self.rate * block_seconds))
        self.latency_setting = latency
        self._stream = None
        self._channels = 1
        self._queue: queue.Queue = queue.Queue()
        self._armed = False
        self._lock = threading.Lock()
        self.level_db = -120.0  # RMS of the latest block, dBFS (the input level meter)
        self.peak = 0.0  # highest absolute sample of the latest block
        self.overflows = 0  # input overflows in the current capture
        self.latency = 0.0  # input latency PortAudio reports, seconds
        self._reset_capture()

    # -- stream
    def open(self) -> "Microphone":
        if self._stream is not None:
            return self
        sd = sounddevice()
        last_error = None
        for rate in candidate_rates(self.device):
            for channels in sorted({1, min(2, self.device.max_input_channels)}):
                try:
                    stream = sd.InputStream(
                        device=self.device.index,
                        samplerate=rate,
                        channels=channels,
                        dtype="float32",
                        blocksize=max(64, int(rate * self.block_seconds)),
                        latency=self.latency_setting,
                        callback=self._callback,
                    )
                except sd.PortAudioError as e:
                    last_error = e
                    if _is_rate_or_channel_error(e):
                        continue
                    raise open_error(e, self.device, "input", rate) from e
                try:
                    stream.start()
                except sd.PortAudioError as e:
                    stream.close()
                    raise open_error(e, self.device, "input", rate) from e
                self._stream, self._channels, self.rate = stream, channels, int(rate)
                self.blocksize = stream.blocksize
                self.latency = float(stream.latency)
                self._reset_capture()
                return self
        raise open_error(
            last_error or RuntimeError("no stream"), self.device, "input", self.rate
        ) from last_error

    def close(self) -> None:
        stream, self._stream = self._stream, None
        self._armed = False
        if stream is not None:
            try:
                stream.abort()
            finally:
                stream.close()

    def __enter__(self) -> "Microphone":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def active(self) -> bool:
        return self._stream is not None and bool(self._stream.active)

    def _callback(self, indata, frames, time_info, status) -> None:
        now = time.monotonic()
        block = (
            indata[:, 0].copy() if self._channels == 1 else indata.mean(axis=1, dtype=np.float32)
        )
        rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64)))) if frames else 0.0
        self.level_db = 20.0 * math.log10(max(rms, 1e-6))
        self.peak = float(np.max(np.abs(block))) if frames else 0.0
        if not self._armed:
            return
        # When the first sample of the block was picked up: PortAudio's ADC time, on its
        # own clock, carried over to time.monotonic() through the callback's "now".
        lag = time_info.currentTime - time_info.inputBufferAdcTime
        if not (time_info.currentTime and time_info.inputBufferAdcTime) or not 0.0 <= lag < 2.0:
            lag = frames / self.rate + self.latency
        self._queue.put((block, now - lag, bool(status.input_overflow)))

    # -- captures
    def _reset_capture(self) -> None:
        self._resampler = _StreamResampler(self.rate)
        self._native = 0  # native samples taken into the capture
        self._anchor_pos: list[int] = []  # native sample index where each block starts
        self._anchor_time: list[float] = []  # ... and its monotonic time
        self.position = 0  # 16 kHz samples returned by read() so far
        self.overflows = 0
        self._last_block_time = time.monotonic()

    def arm(self) -> None:
        """Start a new capture: drop what was queued, position 0 is the next sample."""
        self.open()
        self._armed = False
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._reset_capture()
        self._armed = True

    def disarm(self) -> None:
        self._armed = False

    def read(self, timeout: float = 0.05) -> np.ndarray:
        """New 16 kHz audio of the capture (shape=(n,), maybe empty), waiting up to
        ``timeout`` seconds for the first block."""
        out = []
        try:
            item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            item = None
        while item is not None:
            block, t0, overflow = item
            if overflow:
                self.overflows += 1
            self._anchor_pos.append(self._native)
            self._anchor_time.append(t0)
            self._native += len(block)
            out.append(self._resampler(block))
            self._last_block_time = time.monotonic()
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                item = None
        if self.overflows > MAX_OVERFLOWS:
            raise DeviceError(
                f"input overflow on {self.device.name}: {self.overflows} times the computer did not take "
                "the microphone's audio in time, so parts of the reply are lost. Close busy programs, "
                f"or choose another device with --input. {HEADLESS_HINT}"
            )
        if (
            self._armed
            and self._stream is not None
            and time.monotonic() - self._last_block_time > 3.0
        ):
            raise DeviceError(
                f"the microphone ({self.device.name}) stopped sending audio. Check that it is still "
                f"connected and not used by another program. {HEADLESS_HINT}"
            )
        audio = np.concatenate(out) if out else np.zeros(0, dtype=np.float32)
        self.position += len(audio)
        return audio.astype(np.float32, copy=False)

    def time_at(self, index: float) -> float:
        """``time.monotonic()`` at which 16 kHz sample ``index`` of the capture was picked up."""
        if not self._anchor_pos:
            return self._last_block_time
        native = index * self.rate / SAMPLE_RATE
        k = max(0, bisect.bisect_right(self._anchor_pos, native) - 1)
        return self._anchor_time[k] + (native - self._anchor_pos[k]) / self.rate

    def index_at(self, t: float) -> int:
        """The 16 kHz sample of the capture picked up at monotonic time ``t`` (may lie
        beyond what was read so far; 0 for times before the capture)."""
        if not self._anchor_time:
            return 0
        k = max(0, bisect.bisect_right(self._anchor_time, t) - 1)
        native = self._anchor_pos[k] + (t - self._anchor_time[k]) * self.rate
        return max(0, int(round(native * SAMPLE_RATE / self.rate)))


def record(seconds: float, device: int | str | None = None) -> np.ndarray:
    """Record ``seconds`` from the input device; 16 kHz float32, shape=(n,)."""
    need = int(round(seconds * SAMPLE_RATE))
    parts, have = [], 0
    with Microphone(device) as mic:
        mic.arm()
        while have < need:
            chunk = mic.read(timeout=0.1)
            parts.append(chunk)
            have += len(chunk)
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return audio[:need]
