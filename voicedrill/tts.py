"""Speak a line: pyttsx3 on espeak-ng, or the neural voice -> mono float32 16 kHz, cached.

Voices are espeak-ng voice ids as pyttsx3 lists them (``gmw/en-us``, ``zle/ru``,
``trk/kk``), optionally with an espeak-ng variant (``gmw/en+f3``), or ``piper:<name>``
for a neural voice (``neural.py``: Piper's en_US-joe-medium run with onnxruntime, in
this process). The delivery (rate, volume, pitch, and for the neural voice its
liveliness) follows the perpetrator's agitation: see ``delivery_for``. Which voice speaks
which scenario, recorded takes and the fallback are decided in ``speak.py``.

How a line is rendered, and why this way. pyttsx3 2.99 starts espeak-ng in its
asynchronous "retrieval" mode, so every parameter change and every synthesis is a
command queued to espeak-ng's own worker thread, and pyttsx3 does not wait for them:

* ``runAndWait`` calls ``espeak_Cancel`` whenever espeak-ng is still busy, which
  throws away parameter changes still queued and resets the parameters to the last
  ones applied. So a ``setProperty('rate')`` queued in the same (or the previous)
  ``runAndWait`` is often silently lost: of 60 renders in a row with random rates,
  17, 25 and 42 came out at a stale rate in three runs here.
* ``getProperty('rate')`` reads garbage: pyttsx3 declares ``espeak_GetParameter``
  without its ``current`` argument, so it returns the default, not the current value.
* a ``runAndWait`` with nothing new to say after the first one loops for ever, and
  one whose synthesis callback fails (say the WAV cannot be written) never returns.
* an unknown voice passed to ``setProperty`` is swallowed (an "error" event), an
  unknown variant (``+zz``) is ignored by espeak-ng, and the default voice is used.

So each render runs in a short-lived child process (``python -m voicedrill.tts``)
that the parent kills after a time limit: a hang cannot freeze a drill, and the
drill process never loads espeak-ng. In the child the voice is set and checked, the
rate, volume and pitch are set through the driver's espeak-ng binding, read back
with a correct ``espeak_GetParameter(.., current=1)`` until espeak-ng has applied
them, and only then ``save_to_file`` + ``runAndWait`` run; the child waits for the
WAV to be complete before it exits. A cold render costs 0.1-0.3 s, mostly the
child's Python start-up; rendered lines are cached, so a drill pays it once per line.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DeviceError, ParameterError, StoreError, VoicedrillError

if TYPE_CHECKING:
    import numpy as np

MAX_CHARS = 600  # longest line render() speaks; a perpetrator line is far shorter
MIN_RATE_WPM, MAX_RATE_WPM = 80, 450  # what espeak-ng can do
CACHE_FORMAT = 1  # bump when rendering changes in a way the engine versions do not show
INSTALL_HINT = "Install it: sudo apt-get install espeak-ng"
_ESPEAK_LIBRARIES = (
    "libespeak-ng.so.1",
    "/usr/local/lib/libespeak-ng.so.1",
    "/opt/homebrew/lib/libespeak-ng.1.dylib",
    "/usr/local/lib/libespeak-ng.1.dylib",
)

# language -> (perpetrator voice, virtual-trainee voice). The trainee is the female
# espeak-ng variant f5: median f0 about 200 Hz against the perpetrator's 110 Hz. The
# virtual trainee's replies are transcribed and scored, so the variant is the one
# Whisper tiny.en understands well: on 12 negotiator lines en-us+f3 gave a word error
# rate of 6.8 % (en+f3 13.7 %, en-us+f4 21.9 %, en-us+f1 26 %); on 30 scripted replies
# at 125 wpm en-us+f3 12.7 %, en-us+f5 13.0 %, belinda 14.6 %, Andrea 16.3 %. f5 won over
# f3 because f3's "daughter" came back as a slur in every run, a word the demo says.
_VOICES = {
    "en": ("gmw/en-us", "gmw/en-us+f5"),
    "ru": ("zle/ru", "zle/ru+f5"),
    "kk": ("trk/kk", "trk/kk+f5"),
}


# ---------------------------------------------------------------------------
# Delivery: how a line is spoken
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """How a line is spoken. Checked on creation (``ParameterError``)."""

    rate_wpm: int = 165  # words per minute, 80..450
    volume: float = 0.85  # 0..1 of espeak-ng's full level (0 is silent)
    pitch: int = 50  # espeak-ng base pitch, 0..100 (50 = the voice's normal)
    expression: float = (
        0.5  # 0 flat .. 1 agitated: the neural voice's noise scales (espeak-ng ignores it)
    )

    def __post_init__(self):
        _check_number("rate_wpm", self.rate_wpm, MIN_RATE_WPM, MAX_RATE_WPM, integer=True)
        _check_number("volume", self.volume, 0.0, 1.0)
        _check_number("pitch", self.pitch, 0, 100, integer=True)
        _check_number("expression", self.expression, 0.0, 1.0)


def _check_number(name: str, value, low, high, *, integer: bool = False) -> None:
    kind = "a whole number" if integer else "a number"
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (integer and not isinstance(value, int))
    ):
        raise ParameterError(f"delivery {name} must be {kind} from {low} to {high}, got {value!r}.")
    if not (math.isfinite(value) and low <= value <= high):
        raise ParameterError(f"delivery {name} must be from {low} to {high}, got {value!r}.")


DEFAULT_DELIVERY = (
    Delivery()
)  # the perpetrator at agitation 0.5, unless the scenario says otherwise
TRAINEE_DELIVERY = Delivery(
    rate_wpm=160, volume=0.85, pitch=50
)  # the virtual trainee: calm, steady

# How agitation bends the delivery. ``base`` is the delivery at agitation 0.5; at
# agitation 0 (calm) and 1 (explosive) each field reaches the end given here, and in
# between it moves linearly, so every field rises monotonically with agitation.
AGITATION_STEP = 0.05  # agitation is taken in steps of this, so close values share a cached render
CALM_RATE, EXPLOSIVE_RATE = 0.85, 1.35  # x base words per minute
CALM_VOLUME = 0.5  # x base volume (-6 dB); explosive is full volume (1.0)
CALM_PITCH, EXPLOSIVE_PITCH = -10, +25  # + base pitch points (+25 is about +4 semitones)


def delivery_for(agitation: float, base: Delivery | None = None) -> Delivery:
    """The delivery for a perpetrator at ``agitation`` (0 calm .. 1 explosive).

    ``base`` (default ``DEFAULT_DELIVERY``; any object with ``rate_wpm``, ``volume`` and
    ``pitch`` will do) is the delivery at agitation 0.5. More agitation is faster,
    louder and higher: at 0 the rate is 0.85 x base, the volume 0.5 x base and the pitch
    base - 10; at 1 the rate is 1.35 x base, the volume 1.0 and the pitch base + 25; all
    clipped to the engine's ranges; ``expression`` is the agitation itself (the neural
    voice's liveliness). Agitation is rounded to steps of 0.05.
    """
    if (
        isinstance(agitation, bool)
        or not isinstance(agitation, (int, float))
        or not math.isfinite(agitation)
    ):
        raise ParameterError(f"agitation must be a number from 0 to 1, got {agitation!r}.")
    if not -1e-9 <= agitation <= 1 + 1e-9:
        raise ParameterError(
            f"agitation must be from 0 (calm) to 1 (explosive), got {agitation!r}."
        )
    base = _as_delivery(base) if base is not None else DEFAULT_DELIVERY
    steps = round(1 / AGITATION_STEP)
    a = min(max(round(agitation * steps), 0), steps) / steps

    def bend(mid: float, calm: float, explosive: float) -> float:
        return calm + (mid - calm) * 2 * a if a <= 0.5 else mid + (explosive - mid) * (2 * a - 1)

    rate = bend(base.rate_wpm, base.rate_wpm * CALM_RATE, base.rate_wpm * EXPLOSIVE_RATE)
    volume = bend(base.volume, base.volume * CALM_VOLUME, max(base.volume, 1.0))
    pitch = bend(base.pitch, base.pitch + CALM_PITCH, base.pitch + EXPLOSIVE_PITCH)
    return Delivery(
        rate_wpm=int(min(max(round(rate), MIN_RATE_WPM), MAX_RATE_WPM)),
        volume=min(max(round(volume, 2), 0.0), 1.0),
        pitch=int(min(max(round(pitch), 0), 100)),
        expression=a,
    )


def _as_delivery(value: Any) -> Delivery:
    """A ``Delivery`` from one, or from any object with the three fields (a scenario's)."""
    if isinstance(value, Delivery):
        return value
    try:
        rate, volume, pitch = value.rate_wpm, value.volume, value.pitch
    except AttributeError as e:
        raise ParameterError(
            f"delivery must be a tts.Delivery(rate_wpm, volume, pitch), got {type(value).__name__}."
        ) from e
    for name, v in (("rate_wpm", rate), ("volume", volume), ("pitch", pitch)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ParameterError(f"delivery {name} must be a number, got {v!r}.")
    return Delivery(rate_wpm=int(round(rate)), volume=float(volume), pitch=int(round(pitch)))


# ---------------------------------------------------------------------------
# Voices
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice as pyttsx3 lists it."""

    id: str  # what render(voice=...) takes, e.g. "gmw/en-us"; add "+f3" for a variant
    name: str  # e.g. "English (America)"
    language: str  # e.g. "en-us"
    gender: str  # "male", "female" or "" (espeak-ng marks most voices male)


def perpetrator_voice(language: str = "en") -> str:
    """The default voice for perpetrator lines in ``language`` ("en", "ru", "kk", ...)."""
    if language in _VOICES:
        return _VOICES[language][0]
    return _first_voice(language)


def trainee_voice(language: str = "en") -> str:
    """The virtual trainee's voice: a female espeak-ng variant, so its replies are clearly
    not the perpetrator's (median f0 about twice as high)."""
    if language in _VOICES:
        return _VOICES[language][1]
    return _first_voice(language) + "+f5"


def _first_voice(language: str) -> str:
    if not isinstance(language, str) or not language.strip():
        raise ParameterError(f"language must be a code such as 'en' or 'ru', got {language!r}.")
    found = voices(language)
    if not found:
        raise ParameterError(
            f"espeak-ng has no voice for language {language!r}. Use one of "
            f"{', '.join(sorted(_VOICES))}, or pass voice= (see voicedrill.tts.voices())."
        )
    return found[0].id


def voices(language: str | None = None) -> tuple[Voice, ...]:
    """The espeak-ng voices pyttsx3 offers, for ``language`` ("en" also matches "en-us",
    "en-gb", ...) or all of them. Variants for ``+name`` are in ``voice_variants()``."""
    listed = _voice_listing()[0]
    if language is None:
        return listed
    code = language.lower()
    return tuple(v for v in listed if v.language == code or v.language.startswith(code + "-"))


def voice_variants() -> tuple[str, ...]:
    """espeak-ng voice variants that can follow a voice id after "+": "f3", "m3", "klatt", ..."""
    return _voice_listing()[1]


def check_voice(voice: str) -> str:
    """Return ``voice`` when espeak-ng has it (id, optionally "+variant"), else raise
    ``ParameterError`` saying which ids exist. For validating scenario files."""
    if not isinstance(voice, str) or not voice.strip():
        raise ParameterError(
            f"voice must be an espeak-ng voice id such as 'gmw/en-us', got {voice!r}."
        )
    if is_neural(voice.strip()):
        from .neural import voice_name

        voice_name(voice.strip())
        return voice.strip()
    base, _, variant = voice.strip().partition("+")
    ids = {v.id for v in voices()}
    if base.lower() not in ids:
        lang = base.rsplit("/", 1)[-1].split("-")[0]
        near = [v.id for v in voices(lang)] or [_VOICES[k][0] for k in sorted(_VOICES)]
        raise ParameterError(
            f"unknown voice {voice!r}: espeak-ng has no voice {base!r}. Try one of: {', '.join(near)}."
        )
    if variant and variant not in voice_variants():
        raise ParameterError(
            f"unknown voice variant {variant!r} in {voice!r}. Try one of: {', '.join(voice_variants()[:12])}, ..."
        )
    return voice.strip()


@lru_cache(maxsize=1)
def _voice_listing() -> tuple[tuple[Voice, ...], tuple[str, ...]]:
    result = _run_worker({"op": "voices"}, timeout=60)
    listed = tuple(Voice(**v) for v in result["voices"])
    return listed, tuple(result["variants"])


# ---------------------------------------------------------------------------
# Rendering and the cache
# ---------------------------------------------------------------------------


def render(
    text: str,
    *,
    language: str = "en",
    voice: str | None = None,
    delivery: Delivery | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> np.ndarray:
    """Speak ``text`` and return the audio: float32, 16 kHz, mono, shape=(n,), in [-1, 1].

    ``voice`` defaults to ``perpetrator_voice(language)``, ``delivery`` to
    ``DEFAULT_DELIVERY``; a ``piper:<name>`` voice is rendered by the neural voice
    (``neural.NeuralVoiceMissing`` when it is not installed). The result is cached in ``cache_dir`` (default: the data
    folder's ``cache/tts``) under a hash of text, voice, delivery and engine versions;
    a cached line comes back without running the engine, a corrupt cache file is
    rendered again. Raises ``ParameterError`` for empty or too long text or an unknown
    voice, ``DeviceError`` when espeak-ng is missing or fails.
    """
    text = _check_text(text)
    if not isinstance(language, str) or not language.strip():
        raise ParameterError(f"language must be a code such as 'en' or 'ru', got {language!r}.")
    if voice is None:
        voice = perpetrator_voice(language)
    elif not isinstance(voice, str) or not voice.strip():
        raise ParameterError(
            f"voice must be an espeak-ng voice id such as 'gmw/en-us', got {voice!r}."
        )
    voice = voice.strip()
    delivery = DEFAULT_DELIVERY if delivery is None else _as_delivery(delivery)
    folder = _cache_folder(cache_dir)
    path = folder / f"{cache_key(text, voice, delivery)}.npy"
    audio = _read_cached(path)
    if audio is None:
        audio = (
            _synthesize_neural(text, voice, delivery)
            if is_neural(voice)
            else _synthesize(text, voice, delivery, folder)
        )
        _write_cached(path, audio)
    return audio


def is_neural(voice: str) -> bool:
    """Is ``voice`` a neural voice id (``piper:<name>``)?"""
    from .neural import PREFIX

    return voice.startswith(PREFIX)


def cache_key(text: str, voice: str, delivery: Delivery) -> str:
    """The hex SHA-256 naming a rendered line in the cache."""
    fields = [delivery.rate_wpm, round(delivery.volume, 4), delivery.pitch]
    if is_neural(voice):
        from . import neural

        fields.append(round(delivery.expression, 4))
        engine = neural.version(voice) + "; " + engine_version()  # espeak-ng gives its phonemes
    else:
        engine = engine_version()
    blob = json.dumps(
        {
            "text": text,
            "voice": voice,
            "delivery": fields,
            "engine": engine,
            "format": CACHE_FORMAT,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _synthesize_neural(text: str, voice: str, delivery: Delivery) -> np.ndarray:
    from . import neural
    from .audio import validate_audio

    audio = neural.render(
        text,
        voice,
        rate_wpm=delivery.rate_wpm,
        volume=delivery.volume,
        pitch=delivery.pitch,
        expression=delivery.expression,
    )
    return validate_audio(audio, name=f"neural rendering of {text[:40]!r}")


@lru_cache(maxsize=1)
def engine_version() -> str:
    """The engine versions, "pyttsx3 X; espeak-ng Y". ``DeviceError`` when espeak-ng is missing."""
    import ctypes
    from importlib import metadata

    try:
        pyttsx3_version = metadata.version("pyttsx3")
    except metadata.PackageNotFoundError as e:
        raise VoicedrillError("pyttsx3 is not installed. Install it: pip install pyttsx3") from e
    for name in _ESPEAK_LIBRARIES:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise DeviceError(
            f"espeak-ng (libespeak-ng.so.1) is not installed, so lines cannot be spoken. {INSTALL_HINT}"
        )
    info = lib.espeak_Info
    info.restype, info.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    espeak_version = (info(None) or b"?").decode("ascii", "replace")
    return f"pyttsx3 {pyttsx3_version}; espeak-ng {espeak_version}"


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise ParameterError(f"the line to speak must be text, got {type(text).__name__}.")
    text = " ".join(text.split())
    if not text:
        raise ParameterError("the line to speak is empty. Give the perpetrator something to say.")
    if len(text) > MAX_CHARS:
        raise ParameterError(
            f"the line to speak is {len(text)} characters; the limit is {MAX_CHARS}. Split it into shorter lines."
        )
    return text


def _cache_folder(cache_dir) -> Path:
    if cache_dir is None:
        from . import paths

        folder = paths.cache_dir() / "tts"
    else:
        folder = Path(cache_dir).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(
            f"{folder}: cannot create the TTS cache folder ({e}). Check --data-dir."
        ) from e
    return folder


def _read_cached(path: Path) -> np.ndarray | None:
    """The cached audio, or None when missing or unusable (corrupt, wrong shape, NaN)."""
    import numpy as np

    if not path.is_file():
        return None
    try:
        audio = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if audio.dtype != np.float32 or audio.ndim != 1 or audio.size == 0:
        return None
    if not np.all(np.isfinite(audio)) or float(np.max(np.abs(audio))) > 1.0:
        return None
    return audio


def _write_cached(path: Path, audio: np.ndarray) -> None:
    """Write atomically (``fsutil.atomic_path``): the cache file is the old one or the new one."""
    import numpy as np

    from .fsutil import atomic_path

    try:
        with atomic_path(path, durable=True) as tmp, open(tmp, "wb") as f:
            np.save(f, audio, allow_pickle=False)
    except OSError as e:
        raise StoreError(
            f"{path}: cannot write the TTS cache ({e}). Check free space and --data-dir."
        ) from e


def _synthesize(text: str, voice: str, delivery: Delivery, folder: Path) -> np.ndarray:
    """Run the engine (in a child process) and convert its WAV to the internal format."""
    import numpy as np

    from .audio import load_audio, validate_audio

    engine_version()  # a clear DeviceError when espeak-ng is missing
    fd, wav = tempfile.mkstemp(prefix=".render.", suffix=".wav", dir=folder.resolve())
    os.close(fd)
    try:
        _run_worker(
            {
                "op": "render",
                "text": text,
                "voice": voice,
                "rate": delivery.rate_wpm,
                "volume": delivery.volume,
                "pitch": delivery.pitch,
                "out": wav,
            },
            timeout=30 + len(text) / 10,
        )
        audio = load_audio(wav)
    finally:
        Path(wav).unlink(missing_ok=True)
    audio = np.clip(audio, -1.0, 1.0).astype(np.float32, copy=False)
    return validate_audio(audio, name=f"espeak-ng rendering of {text[:40]!r}")


def _run_worker(request: dict, *, timeout: float) -> dict:
    """Run ``python -m voicedrill.tts`` with ``request`` (JSON on stdin); return its JSON answer."""
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = package_parent + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "voicedrill.tts"],
            input=json.dumps(request).encode("ascii"),
            capture_output=True,
            timeout=timeout,
            env=env,
            cwd=package_parent,  # `-m` puts the working folder first on sys.path: make it this package's
        )
    except subprocess.TimeoutExpired as e:
        raise DeviceError(
            f"espeak-ng did not finish within {timeout:.0f} s and was stopped. Check that espeak-ng works: "
            "espeak-ng -w /tmp/x.wav hello"
        ) from e
    lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except ValueError:
        answer = {}
    if proc.returncode == 0 and "error" not in answer and answer:
        return answer
    message = (
        answer.get("error")
        or (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
    )
    if answer.get("kind") == "parameter":
        raise ParameterError(message)
    if answer.get("kind") == "missing":
        raise DeviceError(f"{message} {INSTALL_HINT}")
    raise DeviceError(f"espeak-ng failed to speak: {message}")


# ---------------------------------------------------------------------------
# The child process: the only place that imports pyttsx3
# ---------------------------------------------------------------------------


class _WorkerError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _worker_main() -> int:
    """Entry of ``python -m voicedrill.tts``: one JSON request on stdin, one JSON line out."""
    try:
        request = json.loads(sys.stdin.buffer.read().decode("ascii"))
        answer = _worker(request)
        code = 0
    except _WorkerError as e:
        answer, code = {"error": str(e), "kind": e.kind}, 2
    except Exception as e:  # the parent turns this into a DeviceError with the message
        answer, code = {"error": f"{type(e).__name__}: {e}", "kind": "engine"}, 3
    sys.stdout.write("\n" + json.dumps(answer) + "\n")
    sys.stdout.flush()
    return code


def _worker(request: dict) -> dict:
    try:
        import pyttsx3
        from pyttsx3.drivers import _espeak
    except (ImportError, OSError, RuntimeError) as e:
        raise _WorkerError("missing", f"pyttsx3 cannot load espeak-ng ({e}).") from e
    with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to ..."
        engine = pyttsx3.init("espeak")
    driver = engine.proxy._driver
    if request["op"] == "voices":
        return _worker_voices(driver, _espeak)
    if request["op"] == "render":
        _worker_render(engine, driver, _espeak, request)
        return {"ok": True}
    raise _WorkerError("engine", f"unknown request {request['op']!r}")


def _worker_voices(driver, _espeak) -> dict:
    import ctypes

    listed = []
    for v in driver.getProperty("voices"):
        language = (v.languages[0] if v.languages else "").lower()
        listed.append(
            {"id": v.id, "name": v.name, "language": language, "gender": (v.gender or "").lower()}
        )
    info = _espeak.dll.espeak_Info
    info.restype, info.argtypes = ctypes.c_char_p, [ctypes.POINTER(ctypes.c_char_p)]
    data_path = ctypes.c_char_p()
    info(ctypes.byref(data_path))
    variants_dir = Path((data_path.value or b"").decode()) / "voices" / "!v"
    variants = (
        sorted(p.name for p in variants_dir.iterdir() if p.is_file())
        if variants_dir.is_dir()
        else []
    )
    return {"voices": listed, "variants": variants}


def _worker_render(engine, driver, _espeak, request: dict) -> None:
    import ctypes

    voice, out = request["voice"], request["out"]
    variant = voice.partition("+")[2]
    get_current = _espeak.dll.espeak_GetParameter  # pyttsx3's binding lacks the `current` flag
    get_current.restype, get_current.argtypes = ctypes.c_int, [ctypes.c_int, ctypes.c_int]

    _wait(lambda: not _espeak.IsPlaying(), 10, "espeak-ng stayed busy after start-up")
    try:
        driver.setProperty("voice", voice)  # synchronous in espeak-ng; raises on an unknown name
    except ValueError as e:
        raise _WorkerError(
            "parameter",
            f"unknown voice {voice!r}: espeak-ng has no such voice (see voicedrill.tts.voices()).",
        ) from e
    current = _espeak.GetCurrentVoice()
    identifier = current.contents.identifier.decode("utf-8", "replace").lower() if current else ""
    if variant and not identifier.endswith("+" + variant.lower()):
        raise _WorkerError(
            "parameter",
            f"unknown voice variant {variant!r} in {voice!r} (see voicedrill.tts.voice_variants()).",
        )

    wanted = {
        "rate": int(request["rate"]),
        "volume": float(request["volume"]),
        "pitch": int(request["pitch"]),
    }
    expected = {
        _espeak.RATE: wanted["rate"],
        _espeak.VOLUME: int(round(wanted["volume"] * 100, 2)),
        _espeak.PITCH: wanted["pitch"],
    }
    for _attempt in range(3):  # queued to espeak-ng's thread: set, then wait until applied
        for name, value in wanted.items():
            driver.setProperty(name, value)
        if _wait(
            lambda: all(get_current(p, 1) == v for p, v in expected.items())
            and not _espeak.IsPlaying(),
            5,
            None,
        ):
            break
    else:
        got = {p: get_current(p, 1) for p in expected}
        raise _WorkerError(
            "engine", f"espeak-ng did not apply rate/volume/pitch {expected} (has {got})."
        )

    with contextlib.redirect_stdout(io.StringIO()):
        engine.save_to_file(request["text"], out)
        engine.runAndWait()
        _wait(
            lambda: not driver._speaking and not _espeak.IsPlaying(),
            30 + len(request["text"]) / 10,
            "espeak-ng did not finish the line",
        )
    if not os.path.isfile(out) or os.path.getsize(out) <= 44:
        raise _WorkerError("engine", "espeak-ng wrote no audio.")


def _wait(done, seconds: float, failure: str | None) -> bool:
    """Poll ``done()`` every 2 ms for up to ``seconds``; on time-out raise (or return False)."""
    end = time.monotonic() + seconds
    while not done():
        if time.monotonic() > end:
            if failure is None:
                return False
            raise _WorkerError("engine", failure)
        time.sleep(0.002)
    return True


if __name__ == "__main__":
    sys.exit(_worker_main())
