"""Read CTranslate2 ``model.bin`` files with NumPy, and map Whisper ones onto openai-whisper.

The format, as written by CTranslate2's ``ModelSpec._serialize``
(python/ctranslate2/specs/model_spec.py) and read by its ``models::Model::load``;
all numbers little-endian, a *string* is ``uint16`` length (counting a trailing NUL),
the UTF-8 bytes, then the NUL::

    uint32 binary_version                     (1..6 known)
    string spec_name, uint32 spec_revision    (binary_version >= 2)
    uint32 n_variables, then per variable:
        string name; uint8 rank; uint32 dims[rank]
        uint8 dtype id; uint32 n_bytes        (binary_version >= 4)
        uint8 item size; uint32 n_items       (older)
        raw bytes
    uint32 n_aliases, then per alias:         (binary_version >= 3)
        string alias; string variable name

dtype ids follow ``DataType`` in include/ctranslate2/types.h: 0 float32, 1 int8,
2 int16, 3 int32, 4 float16, 5 bfloat16.

Whisper models (spec ``WhisperSpec``) are named as in CTranslate2's Whisper spec and
transformers converter: ``encoder/conv1``, ``encoder/layer_N/self_attention/linear_0``
(fused query|key|value), ``decoder/layer_N/attention/linear_1`` (fused cross-attention
key|value), ``…/layer_norm/{gamma,beta}``, ``decoder/embeddings/weight`` and the
alias ``decoder/projection/weight`` (tied output projection). ``whisper_checkpoint``
turns them into openai-whisper's ``ModelDimensions`` fields and state dict.

This module needs only NumPy; torch is used by ``models.py`` when writing the file.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from .errors import AsrError

KNOWN_BINARY_VERSIONS = range(1, 7)
# CTranslate2 DataType ids -> NumPy dtype; bfloat16 (5) is widened to float32 on read.
_DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),
}
_DTYPE_NAMES = {0: "float32", 1: "int8", 2: "int16", 3: "int32", 4: "float16", 5: "bfloat16"}
# Files older than binary version 4 store the item size instead of the dtype id.
_ITEM_SIZE_TO_ID = {4: 0, 2: 2, 1: 1}


@dataclass(frozen=True)
class Ct2Model:
    """The contents of one ``model.bin``: header and named NumPy arrays (read-only views)."""

    binary_version: int
    spec: str  # e.g. "WhisperSpec"
    revision: int  # the spec's layout revision (WhisperSpec is 3)
    variables: Mapping[str, np.ndarray]  # name -> array; bfloat16 already widened to float32
    dtypes: Mapping[str, str]  # name -> dtype as stored ("float16", "int8", …)
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> variable name
    source: str = "model.bin"  # where it was read from, for messages

    def __contains__(self, name: str) -> bool:
        return name in self.variables or name in self.aliases

    def get(self, name: str) -> np.ndarray:
        """The array called ``name``, following aliases; AsrError when absent."""
        seen = set()
        while name in self.aliases and name not in seen:
            seen.add(name)
            name = self.aliases[name]
        try:
            return self.variables[name]
        except KeyError:
            raise AsrError(
                f"{self.source}: the CTranslate2 model has no variable '{name}'. "
                "It is not a complete Whisper model; reinstall it."
            ) from None

    def scalar(self, name: str) -> int | float:
        return self.get(name).reshape(-1)[0].item()


def read_model(path: str | Path) -> Ct2Model:
    """Read a CTranslate2 ``model.bin`` from disk (see ``parse_model``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise AsrError(f"{path}: cannot read the CTranslate2 model ({e.strerror}).") from e
    return parse_model(data, source=str(path))


def parse_model(data: bytes | bytearray | memoryview, *, source: str = "model.bin") -> Ct2Model:
    """Parse the bytes of a CTranslate2 ``model.bin``.

    Arrays are zero-copy views into ``data`` (bfloat16 ones are widened copies).
    Raises ``AsrError`` naming ``source`` for truncated, unknown or inconsistent files.
    """
    reader = _Reader(memoryview(data).cast("B"), source)
    version = reader.u32()
    if version not in KNOWN_BINARY_VERSIONS:
        raise AsrError(
            f"{source}: not a CTranslate2 model.bin this reader knows (binary version {version}, "
            f"expected 1..{KNOWN_BINARY_VERSIONS[-1]}). Reinstall the model."
        )
    spec, revision = "", 1
    if version >= 2:
        spec = reader.string()
        revision = reader.u32()
    variables: dict[str, np.ndarray] = {}
    dtypes: dict[str, str] = {}
    for _ in range(reader.u32()):
        name = reader.string()
        rank = reader.u8()
        shape = tuple(reader.u32() for _ in range(rank))
        if version >= 4:
            type_id = reader.u8()
            n_bytes = reader.u32()
        else:
            item_size = reader.u8()
            type_id = _ITEM_SIZE_TO_ID.get(item_size, -1)
            n_bytes = reader.u32() * item_size
        if type_id not in _DTYPES:
            raise AsrError(f"{source}: variable '{name}' has an unknown data type id {type_id}.")
        dtype = _DTYPES[type_id]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if count * dtype.itemsize != n_bytes:
            raise AsrError(
                f"{source}: variable '{name}' declares shape {shape} ({_DTYPE_NAMES[type_id]}) "
                f"but {n_bytes} bytes. The file is corrupt; reinstall the model."
            )
        array = np.frombuffer(reader.take(n_bytes), dtype=dtype).reshape(shape)
        if type_id == 5:  # bfloat16: the high half of a float32
            array = (array.astype(np.uint32) << 16).view(np.float32)
        variables[name] = array
        dtypes[name] = _DTYPE_NAMES[type_id]
    aliases: dict[str, str] = {}
    if version >= 3:
        for _ in range(reader.u32()):
            alias = reader.string()
            aliases[alias] = reader.string()
    if reader.remaining():
        raise AsrError(
            f"{source}: {reader.remaining()} unexpected bytes after the model. "
            "The file is corrupt or two files were joined wrongly; reinstall the model."
        )
    for alias, target in aliases.items():
        if target not in variables:
            raise AsrError(f"{source}: alias '{alias}' points to a missing variable '{target}'.")
    return Ct2Model(version, spec, revision, variables, dtypes, aliases, source)


class _Reader:
    """Sequential little-endian reads over a byte buffer; AsrError at a premature end."""

    def __init__(self, data: memoryview, source: str):
        self.data, self.pos, self.source = data, 0, source

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise AsrError(
                f"{self.source}: the CTranslate2 model ends early (needed {n} bytes at offset "
                f"{self.pos}, file has {len(self.data)}). It is truncated; reinstall the model."
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def string(self) -> str:
        length = struct.unpack("<H", self.take(2))[0]
        raw = bytes(self.take(length))
        if length == 0 or raw[-1] != 0:
            raise AsrError(
                f"{self.source}: a name at offset {self.pos - length} is not terminated."
            )
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as e:
            raise AsrError(f"{self.source}: a name is not valid UTF-8; the file is corrupt.") from e

    def remaining(self) -> int:
        return len(self.data) - self.pos


# --- Whisper: CTranslate2 layout -> openai-whisper checkpoint --------------------------

_LAYER = re.compile(r"^(encoder|decoder)/layer_(\d+)/")


def whisper_checkpoint(model: Ct2Model, *, float_dtype: str = "float16") -> tuple[dict, dict]:
    """Map a CTranslate2 Whisper model onto openai-whisper.

    Returns ``(dims, state)``: ``dims`` has the fields of ``whisper.model.ModelDimensions``
    (inferred from shapes and the stored head counts); ``state`` maps openai-whisper's
    state-dict keys to NumPy arrays of ``float_dtype`` (float16 keeps the file small;
    whisper's loader copies them into a float32 model on CPU).

    Fused projections are split: self-attention ``linear_0`` is query|key|value stacked
    along the output axis, cross-attention ``linear_1`` is key|value. openai-whisper's key
    projections have no bias; the fused key bias is zero from the converter and would not
    change attention anyway (it adds the same amount to every score of a query).
    """
    if model.spec != "WhisperSpec":
        raise AsrError(
            f"{model.source}: holds a CTranslate2 '{model.spec or 'unnamed'}' model, not Whisper "
            "(WhisperSpec). Use a Whisper model package."
        )
    dt = np.dtype(float_dtype)

    def get(name: str) -> np.ndarray:
        array = model.get(name)
        scale_name = name + "_scale"
        if array.dtype.kind == "i" and scale_name in model:  # int8/int16 quantized weight
            scale = model.get(scale_name).astype(np.float32)
            if scale.ndim == 1:
                scale = scale[:, None]
            array = array.astype(np.float32) / scale
        if array.dtype.kind != "f":
            raise AsrError(f"{model.source}: variable '{name}' is {array.dtype}, expected floats.")
        return array

    def layers(side: str) -> int:
        found = {
            int(m.group(2))
            for n in model.variables
            if (m := _LAYER.match(n)) and m.group(1) == side
        }
        if not found or found != set(range(max(found) + 1)):
            raise AsrError(f"{model.source}: the {side} layers are missing or not numbered 0..N-1.")
        return max(found) + 1

    conv1 = get("encoder/conv1/weight")  # (n_audio_state, n_mels, 3)
    enc_pos = get("encoder/position_encodings/encodings")  # (n_audio_ctx, n_audio_state)
    embed = get("decoder/embeddings/weight")  # (n_vocab, n_text_state)
    dec_pos = get("decoder/position_encodings/encodings")  # (n_text_ctx, n_text_state)
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(enc_pos.shape[0]),
        "n_audio_state": int(conv1.shape[0]),
        "n_audio_head": int(model.scalar("encoder/num_heads")),
        "n_audio_layer": layers("encoder"),
        "n_vocab": int(embed.shape[0]),
        "n_text_ctx": int(dec_pos.shape[0]),
        "n_text_state": int(embed.shape[1]),
        "n_text_head": int(model.scalar("decoder/num_heads")),
        "n_text_layer": layers("decoder"),
    }
    if "decoder/projection/weight" in model:
        proj = get("decoder/projection/weight")
        if proj.shape != embed.shape or not np.array_equal(proj, embed):
            raise AsrError(
                f"{model.source}: the output projection is not tied to the token embedding, "
                "which openai-whisper requires."
            )

    state: dict[str, np.ndarray] = {}

    def put(key: str, array: np.ndarray) -> None:
        state[key] = np.array(array, dtype=dt, order="C", copy=True)  # owned, writable

    def linear(dst: str, src: str, *, bias: bool = True) -> None:
        put(f"{dst}.weight", get(f"{src}/weight"))
        if bias:
            put(f"{dst}.bias", get(f"{src}/bias"))

    def layer_norm(dst: str, src: str) -> None:
        put(f"{dst}.weight", get(f"{src}/gamma"))
        put(f"{dst}.bias", get(f"{src}/beta"))

    def split(dst_names: tuple[str, ...], src: str, width: int) -> None:
        weight, bias = get(f"{src}/weight"), get(f"{src}/bias")
        if weight.shape[0] != width * len(dst_names):
            raise AsrError(
                f"{model.source}: '{src}/weight' has {weight.shape[0]} rows, expected "
                f"{width * len(dst_names)} (fused {'+'.join(n.rsplit('.', 1)[-1] for n in dst_names)})."
            )
        for i, dst in enumerate(dst_names):
            put(f"{dst}.weight", weight[i * width : (i + 1) * width])
            if not dst.endswith(".key"):  # openai-whisper's key projections have no bias
                put(f"{dst}.bias", bias[i * width : (i + 1) * width])

    def mlp(dst: str, src: str) -> None:
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        layer_norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    # Encoder
    n = dims["n_audio_state"]
    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    put("encoder.positional_embedding", enc_pos)
    for i in range(dims["n_audio_layer"]):
        dst, src = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        attn = f"{dst}.attn"
        split(
            (f"{attn}.query", f"{attn}.key", f"{attn}.value"), f"{src}/self_attention/linear_0", n
        )
        linear(f"{attn}.out", f"{src}/self_attention/linear_1")
        layer_norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        mlp(dst, src)
    layer_norm("encoder.ln_post", "encoder/layer_norm")

    # Decoder
    n = dims["n_text_state"]
    put("decoder.token_embedding.weight", embed)
    put("decoder.positional_embedding", dec_pos)
    for i in range(dims["n_text_layer"]):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        attn, cross = f"{dst}.attn", f"{dst}.cross_attn"
        split(
            (f"{attn}.query", f"{attn}.key", f"{attn}.value"), f"{src}/self_attention/linear_0", n
        )
        linear(f"{attn}.out", f"{src}/self_attention/linear_1")
        layer_norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{cross}.query", f"{src}/attention/linear_0")
        split((f"{cross}.key", f"{cross}.value"), f"{src}/attention/linear_1", n)
        linear(f"{cross}.out", f"{src}/attention/linear_2")
        layer_norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        mlp(dst, src)
    layer_norm("decoder.ln", "decoder/layer_norm")
    return dims, state


def is_multilingual(dims: Mapping[str, int]) -> bool:
    """openai-whisper's rule: multilingual vocabularies have at least 51865 tokens."""
    return int(dims["n_vocab"]) >= 51865
