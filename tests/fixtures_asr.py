"""Shared ASR test helpers and fixtures: the real tiny.en model (loaded once per
session), jfk.flac, word error rate, test signals, a random-weights checkpoint, and
a CTranslate2 ``model.bin`` writer (test code only; voicedrill itself only reads).

Register with ``pytest_plugins = ["tests.fixtures_asr"]`` in tests/conftest.py, or
import the plain helpers directly.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from voicedrill.audio import SAMPLE_RATE
from voicedrill.wer import wer  # noqa: F401  (the tests' word error rate)

REPO = Path(__file__).resolve().parent.parent
JFK = REPO / "tests" / "data" / "jfk.flac"  # carried in the repo (openai/whisper tests, MIT; public-domain speech)
JFK_TEXT = ("And so, my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
JFK_SECONDS = 11.0


# --- the real model --------------------------------------------------------------------


@functools.cache
def tiny_en_model():
    """Whisper tiny.en from the checkout's models/ (or $VOICEDRILL_MODELS), loaded once.

    Missing weights fail loudly with the install command (no skip)."""
    from voicedrill import asr

    return asr.load_model("tiny.en")


@functools.cache
def jfk() -> np.ndarray:
    from voicedrill.audio import load_audio

    assert JFK.is_file(), f"{JFK} is missing: it is part of the checkout (git checkout tests/data/jfk.flac)"
    return load_audio(JFK)


@functools.cache
def jfk_transcript():
    """voicedrill's transcript of jfk.flac with tiny.en, computed once."""
    from voicedrill import asr

    return asr.transcribe(tiny_en_model(), jfk(), language="en")


@pytest.fixture(scope="session")
def tiny_en():
    return tiny_en_model()


@pytest.fixture(scope="session")
def jfk_audio() -> np.ndarray:
    return jfk()


# --- measures and signals --------------------------------------------------------------


def tone(freq: float = 1000.0, seconds: float = 3.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def white_noise(seconds: float = 3.0, amplitude: float = 0.1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (amplitude * rng.standard_normal(int(seconds * SAMPLE_RATE))).astype(np.float32)


def espeak(text: str, voice: str = "en-us", speed: int = 160) -> np.ndarray:
    """Real synthesized speech from the espeak-ng command (16 kHz float32)."""
    import shutil
    import subprocess
    import tempfile

    from voicedrill.audio import load_audio

    exe = shutil.which("espeak-ng")
    assert exe, "espeak-ng is not installed (apt-get install espeak-ng)"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
        return load_audio(path)


# --- a checkpoint with random weights (for loading-only tests) -------------------------

SMALL_DIMS = dict(n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
                  n_vocab=51864, n_text_ctx=448, n_text_state=64, n_text_head=2, n_text_layer=2)


def random_whisper(dims: dict | None = None, seed: int = 0):
    """A small openai-whisper model with random weights (English-only vocabulary)."""
    import torch
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(seed)
    model = Whisper(ModelDimensions(**(dims or SMALL_DIMS)))
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.02)
    return model


def write_random_checkpoint(path: Path, dims: dict | None = None, seed: int = 0) -> Path:
    """Write a normal openai-whisper checkpoint with random float16 weights."""
    import torch

    model = random_whisper(dims, seed)
    state = {k: v.half() for k, v in model.state_dict().items()}
    torch.save({"dims": asdict(model.dims), "model_state_dict": state}, path)
    return path


@pytest.fixture(scope="session")
def random_checkpoint(tmp_path_factory) -> Path:
    return write_random_checkpoint(tmp_path_factory.mktemp("random-whisper") / "random.en.pt")


# --- a CTranslate2 model.bin writer (the format of ctranslate2 ModelSpec._serialize) ----

_TYPE_IDS = {np.dtype("float32"): 0, np.dtype("int8"): 1, np.dtype("int16"): 2,
             np.dtype("int32"): 3, np.dtype("float16"): 4}


def write_ct2(
    variables: dict[str, np.ndarray],
    *,
    spec: str = "WhisperSpec",
    revision: int = 3,
    aliases: dict[str, str] | None = None,
    version: int = 6,
    bfloat16: tuple[str, ...] = (),
) -> bytes:
    """Serialize like CTranslate2: header, variables sorted by name, aliases.

    Names in ``bfloat16`` are float32 arrays stored as bfloat16 (dtype id 5).
    ``version`` < 4 writes the item size and item count instead of dtype id and bytes.
    """
    out = bytearray()

    def string(s: str) -> None:
        raw = s.encode("utf-8")
        out.extend(struct.pack("<H", len(raw) + 1) + raw + b"\0")

    out.extend(struct.pack("<I", version))
    if version >= 2:
        string(spec)
        out.extend(struct.pack("<I", revision))
    out.extend(struct.pack("<I", len(variables)))
    for name in sorted(variables):
        value = np.asarray(variables[name])
        if name in bfloat16:
            raw = (value.astype("<f4").view("<u4") >> 16).astype("<u2").tobytes()
            type_id, item = 5, 2
        else:
            type_id, item = _TYPE_IDS[value.dtype], value.dtype.itemsize
            raw = value.astype(value.dtype.newbyteorder("<")).tobytes()
        string(name)
        out.extend(struct.pack("<B", value.ndim))
        out.extend(b"".join(struct.pack("<I", d) for d in value.shape))
        if version >= 4:
            out.extend(struct.pack("<BI", type_id, len(raw)))
        else:
            out.extend(struct.pack("<BI", item, len(raw) // item))
        out.extend(raw)
    if version >= 3:
        aliases = aliases or {}
        out.extend(struct.pack("<I", len(aliases)))
        for alias in sorted(aliases):
            string(alias)
            string(aliases[alias])
    return bytes(out)


def whisper_to_ct2(model, dtype: str = "float16") -> dict[str, np.ndarray]:
    """An openai-whisper model's weights in CTranslate2's Whisper layout (the inverse of
    voicedrill.ct2.whisper_checkpoint, as CTranslate2's transformers converter fuses them:
    query|key|value with a zero key bias, cross-attention key|value)."""
    sd = {k: v.detach().float().numpy().astype(dtype) for k, v in model.state_dict().items()}
    dims = model.dims
    v: dict[str, np.ndarray] = {}

    def lin(dst, src, bias=True):
        v[f"{dst}/weight"] = sd[f"{src}.weight"]
        if bias:
            v[f"{dst}/bias"] = sd[f"{src}.bias"]

    def ln(dst, src):
        v[f"{dst}/gamma"] = sd[f"{src}.weight"]
        v[f"{dst}/beta"] = sd[f"{src}.bias"]

    def fused(dst, srcs):
        v[f"{dst}/weight"] = np.concatenate([sd[f"{s}.weight"] for s in srcs])
        v[f"{dst}/bias"] = np.concatenate(
            [sd[f"{s}.bias"] if f"{s}.bias" in sd else np.zeros_like(sd[f"{s}.weight"][:, 0]) for s in srcs])

    def block(dst, src, cross):
        fused(f"{dst}/self_attention/linear_0", [f"{src}.attn.query", f"{src}.attn.key", f"{src}.attn.value"])
        lin(f"{dst}/self_attention/linear_1", f"{src}.attn.out")
        ln(f"{dst}/self_attention/layer_norm", f"{src}.attn_ln")
        if cross:
            lin(f"{dst}/attention/linear_0", f"{src}.cross_attn.query")
            fused(f"{dst}/attention/linear_1", [f"{src}.cross_attn.key", f"{src}.cross_attn.value"])
            lin(f"{dst}/attention/linear_2", f"{src}.cross_attn.out")
            ln(f"{dst}/attention/layer_norm", f"{src}.cross_attn_ln")
        lin(f"{dst}/ffn/linear_0", f"{src}.mlp.0")
        lin(f"{dst}/ffn/linear_1", f"{src}.mlp.2")
        ln(f"{dst}/ffn/layer_norm", f"{src}.mlp_ln")

    lin("encoder/conv1", "encoder.conv1")
    lin("encoder/conv2", "encoder.conv2")
    v["encoder/position_encodings/encodings"] = sd["encoder.positional_embedding"]
    v["encoder/num_heads"] = np.array(dims.n_audio_head, dtype=np.int16)
    for i in range(dims.n_audio_layer):
        block(f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False)
    ln("encoder/layer_norm", "encoder.ln_post")
    v["decoder/embeddings/weight"] = sd["decoder.token_embedding.weight"]
    v["decoder/position_encodings/encodings"] = sd["decoder.positional_embedding"]
    v["decoder/num_heads"] = np.array(dims.n_text_head, dtype=np.int16)
    for name, value in (("activation", 3), ("alibi", 0), ("pre_norm", 1), ("scale_embeddings", 0),
                        ("start_from_zero_embedding", 0)):
        v[f"decoder/{name}"] = np.array(value, dtype=np.int8)
    v["decoder/alignment_heads"] = np.array(1, dtype=np.int16)
    v["decoder/alignment_layer"] = np.array(-1, dtype=np.int16)
    for i in range(dims.n_text_layer):
        block(f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True)
    ln("decoder/layer_norm", "decoder.ln")
    return v


def whisper_ct2_bytes(model, dtype: str = "float16") -> bytes:
    """A complete CTranslate2 Whisper model.bin for ``model`` (projection tied by alias)."""
    return write_ct2(whisper_to_ct2(model, dtype),
                     aliases={"decoder/projection/weight": "decoder/embeddings/weight"})
