"""The CTranslate2 model.bin reader and the Whisper layout mapping, on synthetic files."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from tests.fixtures_asr import SMALL_DIMS, random_whisper, whisper_ct2_bytes, whisper_to_ct2, write_ct2
from voicedrill import ct2
from voicedrill.errors import AsrError


def _variables():
    rng = np.random.default_rng(0)
    return {
        "a/weight": rng.standard_normal((3, 4)).astype(np.float32),
        "a/half": rng.standard_normal((2, 5)).astype(np.float16),
        "b/int8": np.arange(-4, 4, dtype=np.int8).reshape(2, 4),
        "b/int16": np.array([-300, 7], dtype=np.int16),
        "b/int32": np.array([[1 << 20]], dtype=np.int32),
        "c/scalar": np.array(6, dtype=np.int16),
        "c/bf16": np.array([1.0, -2.5, 3.140625], dtype=np.float32),
    }


def test_reads_header_variables_dtypes_and_aliases():
    variables = _variables()
    data = write_ct2(variables, spec="TestSpec", revision=7, aliases={"a/copy": "a/weight"},
                     bfloat16=("c/bf16",))
    model = ct2.parse_model(data, source="synthetic.bin")
    assert (model.binary_version, model.spec, model.revision) == (6, "TestSpec", 7)
    assert set(model.variables) == set(variables)
    for name, value in variables.items():
        got = model.variables[name]
        assert got.shape == value.shape, name
        np.testing.assert_array_equal(got, value)
    assert model.dtypes["a/half"] == "float16" and model.variables["a/half"].dtype == np.float16
    assert model.dtypes["c/bf16"] == "bfloat16" and model.variables["c/bf16"].dtype == np.float32
    assert model.scalar("c/scalar") == 6
    assert model.aliases == {"a/copy": "a/weight"}
    assert "a/copy" in model and model.get("a/copy") is model.variables["a/weight"]
    with pytest.raises(AsrError, match="no variable 'nope'"):
        model.get("nope")


@pytest.mark.parametrize("version", [2, 3])
def test_reads_older_binary_versions(version):
    variables = {"w": np.ones((2, 2), np.float32), "i": np.array([1, 2], np.int16)}
    model = ct2.parse_model(write_ct2(variables, version=version))
    assert model.binary_version == version and model.aliases == {}
    np.testing.assert_array_equal(model.variables["w"], variables["w"])
    np.testing.assert_array_equal(model.variables["i"], variables["i"])


def test_reads_from_a_file(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(write_ct2({"x": np.zeros(3, np.float16)}))
    model = ct2.read_model(path)
    assert model.source == str(path) and model.variables["x"].shape == (3,)


@pytest.mark.parametrize(
    "mangle, message",
    [
        (lambda d: d[: len(d) // 2], "ends early"),
        (lambda d: d + b"\0\0\0", "unexpected bytes"),
        (lambda d: struct.pack("<I", 99) + d[4:], "binary version 99"),
        (lambda d: b"", "ends early"),
    ],
    ids=["truncated", "trailing", "version", "empty"],
)
def test_broken_files_raise_asr_error_naming_the_source(mangle, message):
    data = write_ct2(_variables(), aliases={"a/copy": "a/weight"})
    with pytest.raises(AsrError, match=message) as err:
        ct2.parse_model(mangle(data), source="broken.bin")
    assert "broken.bin" in str(err.value)


def test_byte_count_that_disagrees_with_the_shape_is_rejected():
    data = bytearray(write_ct2({"w": np.zeros((2, 2), np.float32)}))
    # header: version(4) + spec string(2+12) + revision(4) + count(4) + name(2+2) + rank(1) + dims(8) + type(1)
    offset = 4 + 2 + len("WhisperSpec") + 1 + 4 + 4 + 2 + 2 + 1 + 8 + 1
    assert struct.unpack_from("<I", data, offset)[0] == 16
    struct.pack_into("<I", data, offset, 12)
    with pytest.raises(AsrError, match="declares shape"):
        ct2.parse_model(bytes(data))


def test_alias_to_a_missing_variable_is_rejected():
    with pytest.raises(AsrError, match="missing variable"):
        ct2.parse_model(write_ct2({"w": np.zeros(1, np.float32)}, aliases={"v": "nope"}))


def test_whisper_round_trip_restores_every_weight():
    """openai-whisper -> CTranslate2 layout (fused, as CTranslate2 writes it) -> back."""
    import torch

    source = random_whisper(seed=3)
    model = ct2.parse_model(whisper_ct2_bytes(source, dtype="float32"))
    dims, state = ct2.whisper_checkpoint(model, float_dtype="float32")
    assert dims == SMALL_DIMS
    original = source.state_dict()
    assert set(state) == set(original)  # incl. the encoder's sinusoid buffer; no key biases
    assert not any(k.endswith(".key.bias") for k in state)
    for key, value in state.items():
        np.testing.assert_array_equal(value, original[key].numpy(), err_msg=key)
        assert value.flags.writeable and value.flags.c_contiguous

    from whisper.model import ModelDimensions, Whisper

    rebuilt = Whisper(ModelDimensions(**dims))
    rebuilt.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    mel = torch.randn(1, 80, 3000)
    tokens = torch.tensor([[50257, 50362, 400]])
    with torch.no_grad():
        np.testing.assert_allclose(rebuilt(mel, tokens).numpy(), source(mel, tokens).numpy(), rtol=1e-5, atol=1e-5)


def test_whisper_checkpoint_keeps_float16_and_splits_fused_projections():
    source = random_whisper(seed=4)
    variables = whisper_to_ct2(source, dtype="float16")
    model = ct2.parse_model(write_ct2(variables, aliases={"decoder/projection/weight": "decoder/embeddings/weight"}))
    _, state = ct2.whisper_checkpoint(model)
    n = SMALL_DIMS["n_text_state"]
    fused = variables["decoder/layer_1/attention/linear_1/weight"]
    assert state["decoder.blocks.1.cross_attn.key.weight"].dtype == np.float16
    np.testing.assert_array_equal(state["decoder.blocks.1.cross_attn.key.weight"], fused[:n])
    np.testing.assert_array_equal(state["decoder.blocks.1.cross_attn.value.weight"], fused[n:])
    qkv_bias = variables["encoder/layer_0/self_attention/linear_0/bias"]
    np.testing.assert_array_equal(state["encoder.blocks.0.attn.value.bias"], qkv_bias[2 * n:])
    assert "encoder.blocks.0.attn.key.bias" not in state
    np.testing.assert_array_equal(state["encoder.blocks.0.attn_ln.weight"],
                                  variables["encoder/layer_0/self_attention/layer_norm/gamma"])


def test_int8_quantized_weights_are_dequantized():
    source = random_whisper(seed=5)
    variables = whisper_to_ct2(source, dtype="float32")
    name = "decoder/layer_0/ffn/linear_0/weight"
    weight = variables[name]
    scale = 127.0 / np.abs(weight).max(axis=1)
    variables[name] = np.rint(weight * scale[:, None]).astype(np.int8)
    variables[name + "_scale"] = scale.astype(np.float32)
    model = ct2.parse_model(write_ct2(variables, aliases={"decoder/projection/weight": "decoder/embeddings/weight"}))
    _, state = ct2.whisper_checkpoint(model, float_dtype="float32")
    np.testing.assert_allclose(state["decoder.blocks.0.mlp.0.weight"], weight, atol=np.abs(weight).max() / 100)


def test_non_whisper_and_incomplete_models_are_rejected():
    with pytest.raises(AsrError, match="not Whisper"):
        ct2.whisper_checkpoint(ct2.parse_model(write_ct2({"w": np.zeros(1, np.float32)}, spec="TransformerSpec")))
    variables = whisper_to_ct2(random_whisper(seed=6))
    del variables["decoder/layer_1/attention/linear_2/weight"]
    with pytest.raises(AsrError, match="decoder/layer_1/attention/linear_2/weight"):
        ct2.whisper_checkpoint(ct2.parse_model(write_ct2(variables)))
    variables = whisper_to_ct2(random_whisper(seed=6))
    variables["encoder/layer_0/self_attention/linear_0/weight"] = variables[
        "encoder/layer_0/self_attention/linear_0/weight"][:-1]
    with pytest.raises(AsrError, match="fused"):
        ct2.whisper_checkpoint(ct2.parse_model(write_ct2(variables)))


def test_untied_output_projection_is_rejected():
    variables = whisper_to_ct2(random_whisper(seed=7))
    variables["decoder/projection/weight"] = variables["decoder/embeddings/weight"] * 2
    with pytest.raises(AsrError, match="not tied"):
        ct2.whisper_checkpoint(ct2.parse_model(write_ct2(variables)))
