"""The virtual audio rig: a private PulseAudio with a virtual speaker and a virtual
microphone, so the live path (PortAudio -> ALSA's pulse plugin -> PulseAudio) runs
without a sound card.

- sink ``speaker``: the perpetrator's output. PortAudio plays into it as the ALSA
  device ``vd_speaker``; tests record its monitor (``vd_speaker_monitor``) to check
  what came out (judged by transcript, not waveform identity).
- sink ``mic``: the trainee's mouth. Tests play replies into it with ``pacat`` after a
  known delay (``play_into_mic``); the app records its monitor as the microphone
  (ALSA device ``vd_mic``, also the default input).

PulseAudio runs as the current user (``--system=false``; as root it warns and goes on)
with HOME, XDG_RUNTIME_DIR (mode 700) and XDG_CONFIG_HOME in a temporary folder; the
ALSA devices are defined in ``$XDG_CONFIG_HOME/alsa/asoundrc``. Null sinks sleep for up
to 2 s when nobody listens with a small buffer, which delays the first audio of a new
stream by up to a second; one ``parec`` per monitor with a 10 ms buffer keeps both
sinks ticking in small steps for the rig's life.

Use the session fixture ``audio_rig`` (import it into a test module, or register this
module with ``pytest_plugins = ["tests.rig"]``), or ``VirtualRig`` as a context
manager outside pytest (``scripts/bench_live.py``). A rig that cannot start is an
error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

MIC_DEVICE = "vd_mic"  # the app's microphone (monitor of sink "mic")
SPEAKER_DEVICE = "vd_speaker"  # the app's speaker (sink "speaker")
SPEAKER_MONITOR_DEVICE = "vd_speaker_monitor"  # what came out of the speaker

ASOUNDRC = """\
pcm.vd_mic { type pulse; device "mic.monitor" }
ctl.vd_mic { type pulse }
pcm.vd_speaker { type pulse; device "speaker" }
ctl.vd_speaker { type pulse }
pcm.vd_speaker_monitor { type pulse; device "speaker.monitor" }
ctl.vd_speaker_monitor { type pulse }
"""
TOOLS = ("pulseaudio", "pactl", "pacat", "parec")
ENV_KEYS = ("PULSE_SERVER", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME")


class RigError(RuntimeError):
    """The virtual audio rig could not be set up."""


@dataclass
class MicPlayback:
    """A reply being played into the virtual microphone."""

    thread: threading.Thread
    launched: float | None = None  # time.monotonic() when pacat was started
    requested: float | None = None  # ... and when it was asked to start (launched - requested: load)
    error: str = ""

    def wait(self, timeout: float = 60.0) -> "MicPlayback":
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise RigError("playing into the virtual microphone did not finish")
        if self.error:
            raise RigError(self.error)
        return self


class SpeakerRecording:
    """Records what comes out of the virtual speaker, with monotonic sample times."""

    def __init__(self):
        from voicedrill.capture import Microphone

        self.mic = Microphone(SPEAKER_MONITOR_DEVICE)
        self.mic.arm()
        self._parts: list[np.ndarray] = [self.mic.read(timeout=1.0)]  # recording from here on
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._parts.append(self.mic.read(timeout=0.05))

    def stop(self) -> np.ndarray:
        """Stop and return the recording (16 kHz float32)."""
        self._stop.set()
        self._thread.join(5)
        self.mic.close()
        return np.concatenate(self._parts) if self._parts else np.zeros(0, dtype=np.float32)

    def time_at(self, index: float) -> float:
        return self.mic.time_at(index)


class VirtualRig:
    """A private PulseAudio with the sinks ``speaker`` and ``mic`` (see the module doc)."""

    def __init__(self, root: str | os.PathLike | None = None):
        base = root or os.environ.get("VOICEDRILL_TEST_TMP") or None
        self.dir = Path(tempfile.mkdtemp(prefix="voicedrill-rig-", dir=base))
        self.home = self.dir / "home"
        self.runtime = self.dir / "run"
        self.config = self.dir / "config"
        self.log = self.dir / "pulse.log"
        self.server = f"unix:{self.runtime / 'pulse' / 'native'}"
        self._keepalive: list[subprocess.Popen] = []
        self._saved_env: dict[str, str | None] = {}
        self._daemon_pid: int | None = None
        self.started = False

    # -- environment
    def env(self) -> dict[str, str]:
        """Environment for pulse tools (and PortAudio) that reach this rig."""
        env = dict(os.environ)
        env.update(
            HOME=str(self.home),
            XDG_RUNTIME_DIR=str(self.runtime),
            XDG_CONFIG_HOME=str(self.config),
            PULSE_SERVER=self.server,
        )
        return env

    def _run(self, *args: str, timeout: float = 10.0) -> subprocess.CompletedProcess:
        return subprocess.run(args, env=self.env(), capture_output=True, text=True, timeout=timeout)

    def _fail(self, what: str) -> RigError:
        log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else "(no log)"
        return RigError(
            f"virtual audio rig: {what}.\nThe live-audio tests need PulseAudio, its tools and ALSA's "
            "pulse plugin: apt-get install pulseaudio pulseaudio-utils libasound2-plugins libportaudio2 "
            f"(scripts/setup does it).\nPulseAudio log ({self.log}):\n{log}"
        )

    # -- start / stop
    def start(self) -> "VirtualRig":
        missing = [t for t in TOOLS if shutil.which(t) is None]
        if missing:
            raise self._fail(f"missing program(s) {', '.join(missing)}")
        for d in (self.home, self.runtime, self.config / "alsa"):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime, 0o700)
        (self.config / "alsa" / "asoundrc").write_text(ASOUNDRC)
        cmd = [
            "pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "--system=false", "-n",
            "--use-pid-file=yes", f"--log-target=file:{self.log}", "--log-level=notice",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=speaker sink_properties=device.description=voicedrill-speaker",
            "--load=module-null-sink sink_name=mic sink_properties=device.description=voicedrill-mic",
        ]
        try:
            started = subprocess.run(cmd, env=self.env(), capture_output=True, text=True, timeout=20)
        except subprocess.TimeoutExpired as e:
            raise self._fail("pulseaudio did not start within 20 s") from e
        if started.returncode != 0:
            raise self._fail(f"pulseaudio exited with {started.returncode}: {started.stderr.strip()}")
        deadline = time.monotonic() + 10
        while True:
            info = self._run("pactl", "info")
            if info.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise self._fail(f"pactl cannot reach the server: {info.stderr.strip()}")
            time.sleep(0.1)
        pid_file = self.runtime / "pulse" / "pid"
        if pid_file.exists():
            self._daemon_pid = int(pid_file.read_text().split()[0])
        self.started = True
        for args in (("set-default-sink", "speaker"), ("set-default-source", "mic.monitor")):
            done = self._run("pactl", *args)
            if done.returncode != 0:
                self.stop()
                raise self._fail(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        for source in ("mic.monitor", "speaker.monitor"):
            self._keepalive.append(subprocess.Popen(
                ["parec", f"--device={source}", "--latency-msec=10", "--rate=16000", "--channels=1"],
                env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        for key in ENV_KEYS:
            self._saved_env[key] = os.environ.get(key)
        os.environ.update({k: v for k, v in self.env().items() if k in ENV_KEYS})
        time.sleep(0.3)  # let the sinks settle on the keep-alive's small latency
        _reload_portaudio()
        names = [d.name for d in _devices()]
        for name in (MIC_DEVICE, SPEAKER_DEVICE, SPEAKER_MONITOR_DEVICE):
            if name not in names:
                self.stop()
                raise self._fail(f"PortAudio does not list the ALSA device {name!r} (it lists {names})")
        self._warm_up()
        return self

    def _warm_up(self) -> None:
        """The first streams after PulseAudio starts come up late and stutter for about
        a second; run one of each kind before the tests do."""
        from voicedrill.capture import Microphone
        from voicedrill.playback import OutputDevice

        mics = [Microphone(MIC_DEVICE).open(), Microphone(SPEAKER_MONITOR_DEVICE).open()]
        try:
            for mic in mics:
                mic.arm()
            OutputDevice(SPEAKER_DEVICE).play(np.zeros(8000, dtype=np.float32))
            for mic in mics:
                got = 0
                deadline = time.monotonic() + 5
                while got < 8000 and time.monotonic() < deadline:
                    got += len(mic.read(timeout=0.05))
                if got < 8000:
                    raise self._fail(f"{mic.device.name} delivered {got / 16000:.2f} s of audio in 5 s")
        finally:
            for mic in mics:
                mic.close()

    def stop(self) -> None:
        for proc in self._keepalive:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self._keepalive.clear()
        if self.started:
            self._run("pulseaudio", "--kill")
            if self._daemon_pid:
                deadline = time.monotonic() + 5
                while _alive(self._daemon_pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if _alive(self._daemon_pid):
                    os.kill(self._daemon_pid, signal.SIGKILL)
            self.started = False
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        _reload_portaudio()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "VirtualRig":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers for tests
    def play_into_mic(self, audio: np.ndarray, delay: float = 0.0, *, at: float | None = None) -> MicPlayback:
        """Play ``audio`` (16 kHz float32) into the virtual microphone, starting ``delay``
        seconds from now, or at monotonic time ``at``; returns at once. ``launched`` on
        the result is when pacat started (its sound reaches the monitor 5-25 ms later)."""
        audio = np.clip(np.asarray(audio, dtype=np.float32), -1, 1)
        start_at = at if at is not None else time.monotonic() + delay
        handle = MicPlayback(thread=None, requested=start_at)  # type: ignore[arg-type]

        def run() -> None:
            wait = start_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            cmd = ["pacat", "--playback", "--device=mic", "--format=float32le", "--rate=16000",
                   "--channels=1", "--latency-msec=20"]
            handle.launched = time.monotonic()
            try:
                done = subprocess.run(cmd, input=audio.tobytes(), env=self.env(), capture_output=True, timeout=120)
                if done.returncode != 0:
                    handle.error = f"pacat failed: {done.stderr.decode(errors='replace').strip()}"
            except Exception as e:  # reported by wait()
                handle.error = f"pacat failed: {e}"

        handle.thread = threading.Thread(target=run, daemon=True)
        handle.thread.start()
        return handle

    def record_speaker(self) -> SpeakerRecording:
        """Start recording what the virtual speaker plays; ``.stop()`` returns the audio."""
        return SpeakerRecording()


class TraineeAtMic:
    """A listener wrapper for live drills on the rig: the "trainee" answers each line by
    playing a reply into the virtual microphone ``think`` seconds after the line ended,
    then the real listener hears it. ``reply_for(line, turn_index)`` gives the reply
    audio (16 kHz) or None to stay silent. ``truths`` collects, per turn, the true
    latency (pacat start + speech onset in the audio - line end; None when silent).

        trainee = TraineeAtMic(LiveListener(MIC_DEVICE), rig, reply_for, think=0.8)
        run_drill(..., speaker=LiveSpeaker(SPEAKER_DEVICE), listener=trainee, ...)
    """

    def __init__(self, listener, rig: "VirtualRig", reply_for, *, think: float = 0.8):
        self.listener, self.rig, self.reply_for, self.think = listener, rig, reply_for, think
        self.truths: list[float | None] = []
        self.lateness: list[float] = []  # how late pacat was launched, s: a measure of the machine's load
        self.replies: list = []
        self._line = None
        self._turn = 0

    def __getattr__(self, name: str):  # attach, warm, last_transcript, judged: the real listener's
        if name == "listener":
            raise AttributeError(name)
        return getattr(self.listener, name)

    def prepare(self, line, turn_index: int) -> None:
        self._line, self._turn = line, turn_index
        self.listener.prepare(line, turn_index)

    def heard_speech(self) -> bool:
        return self.listener.heard_speech()

    def reply(self, line_end: float):
        from voicedrill.vad import speech_spans

        audio = self.reply_for(self._line, self._turn)
        played = None
        if audio is not None:
            played = self.rig.play_into_mic(audio, at=line_end + self.think)
        reply = self.listener.reply(line_end)
        if played is not None:
            played.wait()
            onset = speech_spans(audio, threshold_db=-45)[0].start
            self.truths.append(played.launched + onset - line_end)
            self.lateness.append(max(0.0, played.launched - played.requested))
        else:
            self.truths.append(None)
        self.replies.append(reply)
        return reply


class FileMicrophone:
    """A recording played into the listener in 20 ms blocks (``block``), as fast as they are read,
    then silence for ever. Sample i is "picked up" at i / 16000 s."""

    def __init__(self, audio: np.ndarray, block: int = 320):
        self.audio, self.block = np.asarray(audio, dtype=np.float32), block
        self.device = SimpleNamespace(name="recording")
        self.overflows, self.level_db, self.pos = 0, -60.0, 0

    def open(self):
        return self

    def close(self) -> None: ...

    def arm(self) -> None:
        self.pos = 0

    def disarm(self) -> None: ...

    def read(self, timeout: float = 0.05) -> np.ndarray:
        block = self.audio[self.pos: self.pos + self.block]
        block = np.concatenate([block, np.zeros(self.block - len(block), np.float32)])
        self.pos += self.block
        return block

    def time_at(self, index: float) -> float:
        return index / 16000

    def index_at(self, t: float) -> int:
        return int(round(t * 16000))


def speak(text: str, *, voice: str = "en-us+f3", rate: int = 160) -> np.ndarray:
    """``text`` spoken by espeak-ng (a trainee-like voice), 16 kHz float32, shape=(n,)."""
    import io

    import soundfile as sf

    from voicedrill.audio import SAMPLE_RATE, resample

    done = subprocess.run(["espeak-ng", "--stdout", "-v", voice, "-s", str(rate), text],
                          capture_output=True, check=True, timeout=60)
    audio, rate_in = sf.read(io.BytesIO(done.stdout), dtype="float32")
    return resample(audio, rate_in, SAMPLE_RATE)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _reload_portaudio() -> None:
    """PortAudio reads the device list once; make it read it again (no stream may be open)."""
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


def _devices():
    from voicedrill.capture import list_devices

    return list_devices()


_RIG: VirtualRig | None = None


def shared_rig() -> VirtualRig:
    """One rig per process, started on first use and stopped at exit."""
    global _RIG
    if _RIG is None:
        rig = VirtualRig()
        rig.start()
        _RIG = rig
        import atexit

        atexit.register(_stop_shared)
    return _RIG


def _stop_shared() -> None:
    global _RIG
    if _RIG is not None:
        _RIG.stop()
        _RIG = None


@pytest.fixture(scope="session")
def audio_rig():
    """The running virtual audio rig (PulseAudio with a virtual speaker and microphone)."""
    try:
        rig = shared_rig()
    except RigError as e:
        pytest.fail(str(e), pytrace=False)
    yield rig
    _stop_shared()
