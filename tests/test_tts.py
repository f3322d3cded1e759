"""voicedrill.tts on the real engine: pyttsx3 on espeak-ng, real audio measured.

Every render goes to a tmp_path cache. The checks measure what a listener hears:
duration (rate), level in dBFS (volume) and median f0 (pitch, voice).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicedrill import tts
from voicedrill.audio import SAMPLE_RATE, rms_dbfs
from voicedrill.errors import DeviceError, ParameterError, StoreError

LINE = "Put the gun down and talk to me, nobody has to get hurt today."


def median_f0(audio: np.ndarray) -> float:
    """Median fundamental frequency (Hz) over the voiced, loud frames (librosa.yin)."""
    import librosa

    f0 = librosa.yin(audio, fmin=60, fmax=500, sr=SAMPLE_RATE, frame_length=1024, hop_length=256)
    rms = librosa.feature.rms(y=audio, frame_length=1024, hop_length=256)[0]
    n = min(len(f0), len(rms))
    f0, rms = f0[:n], rms[:n]
    voiced = f0[(rms > 0.1 * rms.max()) & (f0 > 65) & (f0 < 490)]
    assert voiced.size > 20, "too few voiced frames to measure pitch"
    return float(np.median(voiced))


def check_format(audio: np.ndarray) -> None:
    assert isinstance(audio, np.ndarray)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert np.all(np.isfinite(audio))
    assert float(np.max(np.abs(audio))) <= 1.0
    assert rms_dbfs(audio) > -45, "rendered audio is (nearly) silent"


# --- the rendered audio -----------------------------------------------------


def test_render_gives_internal_format(tmp_path):
    audio = tts.render(LINE, cache_dir=tmp_path)
    check_format(audio)
    assert 2.0 < audio.size / SAMPLE_RATE < 8.0  # 12 words at 165 wpm


def test_rate_changes_duration(tmp_path):
    slow = tts.render(LINE, delivery=tts.Delivery(120, 0.8, 50), cache_dir=tmp_path)
    fast = tts.render(LINE, delivery=tts.Delivery(240, 0.8, 50), cache_dir=tmp_path)
    ratio = slow.size / fast.size
    assert 1.6 < ratio < 2.6, ratio  # twice the words per minute, pauses do not scale exactly


def test_rate_applied_on_every_render_in_a_row(tmp_path):
    # pyttsx3 alone loses most rate changes made between renders (a stale rate); each
    # render here must come out at its own rate, whatever came before.
    seconds = {}
    for rate in (175, 120, 120, 240, 120, 300, 175):
        audio = tts.render(f"{LINE} Rate {rate}.", delivery=tts.Delivery(rate, 0.8, 50), cache_dir=tmp_path)
        seconds.setdefault(rate, []).append(audio.size / SAMPLE_RATE)
    assert seconds[120][0] > seconds[175][0] > seconds[240][0] > seconds[300][0]
    assert max(seconds[120]) - min(seconds[120]) < 0.05


def test_volume_changes_level(tmp_path):
    quiet = tts.render(LINE, delivery=tts.Delivery(165, 0.25, 50), cache_dir=tmp_path)
    loud = tts.render(LINE, delivery=tts.Delivery(165, 1.0, 50), cache_dir=tmp_path)
    difference = rms_dbfs(loud) - rms_dbfs(quiet)
    assert 8.0 < difference < 16.0, difference  # 20*log10(4) = 12 dB


def test_pitch_changes_f0(tmp_path):
    low = median_f0(tts.render(LINE, delivery=tts.Delivery(165, 0.8, 20), cache_dir=tmp_path))
    high = median_f0(tts.render(LINE, delivery=tts.Delivery(165, 0.8, 80), cache_dir=tmp_path))
    assert high / low > 1.3, (low, high)


def test_agitation_makes_delivery_faster_louder_higher(tmp_path):
    calm = tts.render(LINE, delivery=tts.delivery_for(0.0), cache_dir=tmp_path)
    explosive = tts.render(LINE, delivery=tts.delivery_for(1.0), cache_dir=tmp_path)
    assert explosive.size < 0.8 * calm.size
    assert rms_dbfs(explosive) - rms_dbfs(calm) > 4.0
    assert median_f0(explosive) / median_f0(calm) > 1.2


def test_trainee_voice_differs_from_perpetrator(tmp_path):
    line = "It sounds like you feel nobody has been listening to you today."
    perpetrator = tts.render(line, cache_dir=tmp_path)
    trainee = tts.render(line, voice=tts.trainee_voice("en"), delivery=tts.TRAINEE_DELIVERY, cache_dir=tmp_path)
    check_format(trainee)
    assert tts.trainee_voice("en") != tts.perpetrator_voice("en")
    assert median_f0(trainee) / median_f0(perpetrator) > 1.5


@pytest.mark.parametrize(
    "language, text",
    [
        ("ru", "Положи оружие и поговори со мной, никто не должен пострадать."),
        ("kk", "Қаруыңызды тастаңыз да, менімен сөйлесіңіз, ешкім зардап шекпеуі керек."),
    ],
)
def test_russian_and_kazakh_render(tmp_path, language, text):
    perpetrator = tts.render(text, language=language, cache_dir=tmp_path)
    trainee = tts.render(text, language=language, voice=tts.trainee_voice(language), cache_dir=tmp_path)
    for audio in (perpetrator, trainee):
        check_format(audio)
        assert audio.size / SAMPLE_RATE > 1.5  # the words were spoken, not skipped
    assert median_f0(trainee) / median_f0(perpetrator) > 1.5


# --- the cache --------------------------------------------------------------


def test_cache_returns_same_audio_without_rendering(tmp_path, monkeypatch):
    first = tts.render(LINE, cache_dir=tmp_path)
    files = list(tmp_path.iterdir())
    assert [f.suffix for f in files] == [".npy"]  # no temporary files left behind
    mtime = files[0].stat().st_mtime_ns

    def no_engine(*args, **kwargs):
        raise AssertionError("the engine ran for a cached line")

    monkeypatch.setattr(tts, "_synthesize", no_engine)
    second = tts.render("  Put the gun down and talk to me,\nnobody has to get hurt today. ", cache_dir=tmp_path)
    assert np.array_equal(first, second) and second.dtype == np.float32
    assert files[0].stat().st_mtime_ns == mtime
    with pytest.raises(AssertionError, match="engine ran"):  # another delivery is another render
        tts.render(LINE, delivery=tts.Delivery(200, 0.8, 50), cache_dir=tmp_path)


def test_cache_key_covers_text_voice_delivery():
    d = tts.Delivery()
    key = tts.cache_key(LINE, "gmw/en-us", d)
    assert key == tts.cache_key(LINE, "gmw/en-us", tts.Delivery())
    assert len({key, tts.cache_key(LINE + "!", "gmw/en-us", d), tts.cache_key(LINE, "gmw/en-us+f3", d),
                tts.cache_key(LINE, "gmw/en-us", tts.Delivery(166, 0.85, 50)),
                tts.cache_key(LINE, "gmw/en-us", tts.Delivery(165, 0.84, 50)),
                tts.cache_key(LINE, "gmw/en-us", tts.Delivery(165, 0.85, 51))}) == 6
    assert "espeak-ng" in tts.engine_version() and "pyttsx3" in tts.engine_version()


@pytest.mark.parametrize("garbage", [b"", b"not a numpy file", b"\x93NUMPY\x01\x00garbage", "nan"])
def test_corrupt_cache_file_is_rendered_again(tmp_path, garbage):
    first = tts.render(LINE, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.npy")
    if garbage == "nan":
        np.save(path, np.full(100, np.nan, dtype=np.float32))
    else:
        path.write_bytes(garbage)
    again = tts.render(LINE, cache_dir=tmp_path)
    check_format(again)
    assert abs(again.size - first.size) < 0.05 * SAMPLE_RATE
    assert np.array_equal(np.load(path), again)  # the cache file was repaired


def test_default_cache_is_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEDRILL_DATA", str(tmp_path))
    tts.render("Hello, this is the negotiator.")
    assert len(list((tmp_path / "cache" / "tts").glob("*.npy"))) == 1


def test_relative_cache_dir_and_unwritable_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_format(tts.render("Hello, this is the negotiator.", cache_dir="rel"))
    assert len(list((tmp_path / "rel").glob("*.npy"))) == 1
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StoreError, match="a-file"):
        tts.render("Hello, this is the negotiator.", cache_dir=tmp_path / "a-file")


# --- delivery by agitation --------------------------------------------------


def test_delivery_for_is_monotonic_and_centred_on_base():
    base = tts.Delivery(165, 0.7, 50)
    grid = [tts.delivery_for(i / 100, base) for i in range(101)]
    for field in ("rate_wpm", "volume", "pitch"):
        values = [getattr(d, field) for d in grid]
        assert values == sorted(values), field
        assert values[-1] > values[0], field
    assert tts.delivery_for(0.5, base) == base
    assert tts.delivery_for(1.0, base).volume == 1.0
    assert tts.delivery_for(0.5) == tts.DEFAULT_DELIVERY


@dataclass(frozen=True)
class ScenarioDelivery:  # a scenario's own delivery record: floats, same field names
    rate_wpm: float
    volume: float
    pitch: float


@settings(max_examples=200, deadline=None)
@given(
    rate=st.integers(80, 450), volume=st.floats(0, 1), pitch=st.integers(0, 100),
    a=st.floats(0, 1), b=st.floats(0, 1),
)
def test_delivery_for_bounded_and_monotonic_for_any_base(rate, volume, pitch, a, b):
    base = tts.Delivery(rate, volume, pitch)
    low, high = sorted((a, b))
    d_low, d_high = tts.delivery_for(low, base), tts.delivery_for(high, base)
    for d in (d_low, d_high):  # Delivery() itself checks the ranges
        assert isinstance(d, tts.Delivery)
    assert d_low.rate_wpm <= d_high.rate_wpm and d_low.volume <= d_high.volume and d_low.pitch <= d_high.pitch


def test_delivery_for_takes_a_scenario_delivery():
    d = tts.delivery_for(0.5, ScenarioDelivery(165.0, 0.85, 50.0))
    assert d == tts.Delivery(165, 0.85, 50)


@pytest.mark.parametrize("agitation", [-0.1, 1.1, math.nan, math.inf, "0.5", None, True])
def test_delivery_for_rejects_bad_agitation(agitation):
    with pytest.raises(ParameterError, match="agitation"):
        tts.delivery_for(agitation)


@pytest.mark.parametrize(
    "fields, name",
    [((50, 0.8, 50), "rate_wpm"), ((165.5, 0.8, 50), "rate_wpm"), ((165, 1.5, 50), "volume"),
     ((165, -0.1, 50), "volume"), ((165, math.nan, 50), "volume"), ((165, 0.8, 101), "pitch"),
     ((165, 0.8, "50"), "pitch")],
)
def test_delivery_rejects_out_of_range(fields, name):
    with pytest.raises(ParameterError, match=name):
        tts.Delivery(*fields)


# --- voices and bad input ---------------------------------------------------


def test_voices_per_language():
    ids = {lang: {v.id for v in tts.voices(lang)} for lang in ("en", "ru", "kk")}
    assert {"gmw/en-us", "gmw/en"} <= ids["en"] and "zle/ru" in ids["ru"] and "trk/kk" in ids["kk"]
    assert all(v.language.startswith("en") for v in tts.voices("en"))
    assert "f3" in tts.voice_variants()
    for lang in ("en", "ru", "kk"):
        assert tts.check_voice(tts.perpetrator_voice(lang)) and tts.check_voice(tts.trainee_voice(lang))


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_an_error(tmp_path, text):
    with pytest.raises(ParameterError, match="empty"):
        tts.render(text, cache_dir=tmp_path)


def test_too_long_text_is_an_error(tmp_path):
    with pytest.raises(ParameterError, match=str(tts.MAX_CHARS)):
        tts.render("word " * 200, cache_dir=tmp_path)
    with pytest.raises(ParameterError):
        tts.render(None, cache_dir=tmp_path)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"voice": "gmw/no-such"}, "unknown voice"), ({"voice": "gmw/en-us+nosuchvariant"}, "variant"),
     ({"language": "xx"}, "no voice for language")],
)
def test_unknown_voice_or_language_is_an_error(tmp_path, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        tts.render("Hello there.", cache_dir=tmp_path, **kwargs)
    with pytest.raises(ParameterError):
        tts.check_voice(kwargs.get("voice", "xx/xx"))


def test_missing_espeak_is_a_device_error_with_install_line(tmp_path, monkeypatch):
    monkeypatch.setattr(tts, "_ESPEAK_LIBRARIES", ("libespeak-ng-not-here.so.9",))
    tts.engine_version.cache_clear()
    try:
        with pytest.raises(DeviceError, match="apt-get install espeak-ng"):
            tts.render("Hello there.", cache_dir=tmp_path)
    finally:
        tts.engine_version.cache_clear()


def test_engine_that_does_not_finish_is_stopped():
    with pytest.raises(DeviceError, match="did not finish"):
        tts._run_worker({"op": "voices"}, timeout=0.001)
