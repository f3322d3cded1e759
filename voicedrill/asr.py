"""Speech recognition: the openai-whisper adapter, with a hallucination guard.

``load_model`` loads a checkpoint once (the caller passes it around; nothing is
global); ``transcribe`` turns reply audio (mono float32, 16 kHz, shape=(n,)) into a
frozen ``Transcript`` with word times; ``Transcriber`` is the same as a callable
object with explicit state for audio that arrives in chunks.

How a reply is transcribed:

1. No sound at all (every 20 ms frame below ``audio.SILENCE_DBFS``), or a steady sound
   (hum, hiss, a held tone: the loudest frame within ``STEADY_SPREAD_DB`` of the
   quiet ones; speech always rises well above its own pauses): empty, Whisper is
   not run.
2. A Whisper pass behind the language's filler-bearing prompt, which makes Whisper
   write the "um"s and "uh"s it otherwise tidies away (the scorer counts them); its
   first step's no-speech probability says whether it is trusted (likely speech).
   A pass is one window's decode with word times (``decode.decode``, what
   ``whisper.transcribe`` does for one window, without its seek loop). Every segment goes through the guard (``GuardOptions``:
   no-speech probability, average log-probability, compression ratio, and the
   per-language phrase lists in ``lang/<code>/asr.yaml``). A confident result is
   the transcript: one pass.
3. Anything doubtful (likely no speech, a dropped segment, a loop, an improbable segment,
   fillers only) is decided by a plain pass without the prompt, because on noise or
   a tone the prompt makes Whisper loop ("uh, uh, uh") or invent words. The plain
   pass, guarded the same way, decides whether there is speech at all; if there is,
   the prompted words are kept when they tell the same (a similar count of content
   words), else the plain ones. The prompted pass is never decoded twice.

The encoder's output and the cross-attention keys/values are memoised per model
(``_cache_encoder``), so the passes, the temperature fallbacks and the word-time
alignment encode the window's log-mel once, on the audio's length.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .audio import SAMPLE_RATE, SILENCE_DBFS, validate_audio
from .errors import AsrError
from .types import Transcript, Word

MAX_REPLY_SECONDS = 15 * 60.0  # the same limit as audio files
STEADY_SPREAD_DB = 6.0  # loudest 20 ms frame minus the 10th percentile below this: steady sound
# The encoder runs on the reply's length, not on Whisper's zero-padded 30 s window
# (``_encoder_frames``, whisper.cpp's audio_ctx): this many seconds of the padding kept
# after the audio, in whole steps, never fewer seconds than the minimum. The encoder is
# 4x cheaper and the words as good; with whisper.transcribe it cost more in all (a window
# ending on a timestamp pair was decoded again), voicedrill.decode decodes one window once
# (scripts/bench_asr.py: old/new CPU per reply and WER, quiet and with a core busy).
ENCODER_ON_LENGTH = True
ENCODER_MARGIN_SECONDS = 1.0
ENCODER_STEP_SECONDS = 1.0
ENCODER_MIN_SECONDS = 8.0  # 4 s garbled a short word before a pause (test_endturn)


@dataclass(frozen=True, eq=False)
class AsrModel:
    """A loaded Whisper model (CPU, float32, eval mode). Load once, pass it in."""

    name: str  # "tiny.en", "base", or the checkpoint's file stem
    model: Any  # whisper.model.Whisper
    multilingual: bool  # False for English-only (*.en) models
    path: Path | None = None  # the checkpoint it came from

    def check_language(self, language: str) -> str:
        """Raise AsrError when this model cannot transcribe ``language``."""
        from .lang import check_language

        check_language(language)
        if language != "en" and not self.multilingual:
            raise AsrError(
                f"Whisper model '{self.name}' understands English only, not '{language}'. "
                "For Russian install the multilingual model: voicedrill models install base "
                "(then use --model base)."
            )
        return language


@dataclass(frozen=True)
class GuardOptions:
    """Thresholds of the hallucination guard, per Whisper segment."""

    # Whisper's own rule: skip when probably no speech AND the text is improbable.
    no_speech: float = 0.6
    logprob: float = -1.0
    # A stricter pair seen on tones and trailing inventions ("We will be back.").
    unsure_no_speech: float = 0.4
    unsure_logprob: float = -0.9
    # A known hallucination phrase is dropped when either of these holds.
    phrase_no_speech: float = 0.35
    phrase_logprob: float = -0.75
    # Text that compresses this well is a repetition loop ...
    compression_ratio: float = 2.4
    # ... unless it is speech said again (a long reply repeating a sentence): Whisper is
    # sure of it and its words take ordinary time (seconds per word, segment span / words).
    repeat_logprob: float = -0.5
    repeat_no_speech: float = 0.2
    repeat_word_seconds: float = 0.25
    # A segment of fillers only is dropped above this no-speech probability.
    fillers_no_speech: float = 0.5
    # The filler prompt is tried first only below this no-speech probability (one step).
    probe_no_speech: float = 0.35
    # A prompted result is checked by a plain pass when any segment passes one of these.
    verify_no_speech: float = 0.3
    verify_logprob: float = -0.8
    verify_compression_ratio: float = 2.0


@dataclass(frozen=True)
class DecodeOptions:
    """How Whisper is run; defaults suit short replies on a CPU."""

    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4)  # plain pass: fallback when decoding fails
    keep_fillers: bool = True  # first try the filler prompt (greedy only)
    tokens_per_second: float | None = None  # cap on tokens sampled per second of audio, so a
    min_tokens: int = 16  # loop stops early (None: the language's max_tokens_per_second)
    guard: GuardOptions = field(default_factory=GuardOptions)


@dataclass(frozen=True)
class LanguageData:
    """What ``lang/<code>/asr.yaml`` holds (see the comments in those files)."""

    code: str
    initial_prompt: str
    max_tokens_per_second: float  # Whisper tokens in fast speech, with margin
    fillers: frozenset[str]
    whole_segment: frozenset[str]  # normalised phrases
    anywhere: tuple[str, ...]  # normalised fragments


def language_data(code: str) -> LanguageData:
    """Load and check ``lang/<code>/asr.yaml``; unknown keys are rejected."""
    from . import lang
    from .errors import ScenarioError

    data = lang.load(code, "asr")
    where = lang.LANG_DIR / code / "asr.yaml"
    _require_keys(
        data, {"initial_prompt", "max_tokens_per_second", "fillers", "hallucinations"}, where, ""
    )
    hall = data["hallucinations"]
    if not isinstance(hall, dict):
        raise ScenarioError(f"{where}: 'hallucinations' must be a mapping.")
    _require_keys(hall, {"whole_segment", "anywhere"}, where, "hallucinations.")
    for key, value in (
        ("fillers", data["fillers"]),
        ("hallucinations.whole_segment", hall["whole_segment"]),
        ("hallucinations.anywhere", hall["anywhere"]),
    ):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ScenarioError(f"{where}: '{key}' must be a list of non-empty strings.")
    if not isinstance(data["initial_prompt"], str):
        raise ScenarioError(f"{where}: 'initial_prompt' must be a string.")
    rate = data["max_tokens_per_second"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 1 <= rate <= 50:
        raise ScenarioError(f"{where}: 'max_tokens_per_second' must be a number from 1 to 50.")
    return LanguageData(
        code=code,
        initial_prompt=data["initial_prompt"].strip(),
        max_tokens_per_second=float(rate),
        fillers=frozenset(normalize(f) for f in data["fillers"]),
        whole_segment=frozenset(normalize(p) for p in hall["whole_segment"]),
        anywhere=tuple(p.strip().lower().replace("ё", "е") for p in hall["anywhere"]),
    )


def _require_keys(data: dict, keys: set[str], where: Path, prefix: str) -> None:
    from .errors import ScenarioError

    unknown = sorted(set(data) - keys)
    missing = sorted(keys - set(data))
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key(s) {', '.join(prefix + k for k in unknown)}; "
            f"allowed: {', '.join(prefix + k for k in sorted(keys))}."
        )
    if missing:
        raise ScenarioError(f"{where}: missing key(s) {', '.join(prefix + k for k in missing)}.")


def normalize(text: str) -> str:
    """Lower case, ё as е, punctuation removed (hyphens kept inside words), spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    text = "".join(ch if ch.isalnum() or ch.isspace() or ch in "-'" else " " for ch in text)
    words = [w.strip("-'") for w in text.split()]
    return " ".join(w for w in words if w)


# --- loading ---------------------------------------------------------------------------


def load_model(
    name_or_path: str | os.PathLike = "tiny.en", *, threads: int | None = None
) -> AsrModel:
    """Load an installed model by name ("tiny.en", "base") or a checkpoint path, on CPU.

    ``threads``: torch intra-op threads (default: ``default_threads()``). Sets the
    official alignment heads for word times. Raises ``AsrError`` naming the file and the
    fix for missing or broken checkpoints.
    """
    import torch

    from . import models

    path = models.checkpoint_path(name_or_path)
    torch.set_num_threads(max(1, threads or default_threads()))
    fix = f"Reinstall it: voicedrill models install {path.stem if path.stem in models.CATALOG else 'tiny.en'}"
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as e:  # truncated zip, not a torch file, unpickling refused, …
        raise AsrError(
            f"{path}: not a readable Whisper checkpoint ({_first_line(e)}). {fix}"
        ) from e
    if (
        not isinstance(checkpoint, dict)
        or "dims" not in checkpoint
        or "model_state_dict" not in checkpoint
    ):
        raise AsrError(f"{path}: not a Whisper checkpoint (no 'dims'/'model_state_dict'). {fix}")
    found = checkpoint.get("voicedrill")
    meta: dict = found if isinstance(found, dict) else {}
    name = str(meta.get("name") or path.stem)
    try:
        from whisper.model import ModelDimensions, Whisper

        dims = ModelDimensions(**checkpoint["dims"])
        model = Whisper(dims)
        model.load_state_dict(checkpoint["model_state_dict"])
        with torch.no_grad():  # one NaN/inf anywhere makes its tensor's sum non-finite
            sums = torch.stack([p.sum() for p in model.parameters()])
        if not bool(torch.isfinite(sums).all()):
            raise ValueError("the weights hold NaN or infinite values")
    except Exception as e:
        raise AsrError(f"{path}: broken Whisper checkpoint ({_first_line(e)}). {fix}") from e
    _set_alignment_heads(model, name, meta.get("alignment_heads"))
    model.eval()
    _cache_encoder(model)
    if HALF_DECODING:
        _half_decoding(model)
    return AsrModel(name=name, model=model, multilingual=bool(model.is_multilingual), path=path)


HALF_DECODING = True  # decoding steps read the decoder in float16 / int8 (``_half_decoding``)
HALF_ROWS = 2  # ... for this many tokens at once at most (more: float32 is faster on a CPU)


def default_threads() -> int:
    """torch threads: half the CPUs this process may use (at most 4). On a 2-core machine
    that is 1, which holds up when another program is busy (scripts/bench_live.py measures
    one vs two threads with a core kept busy)."""
    return max(1, min(4, len(os.sched_getaffinity(0)) // 2))


def _cache_encoder(model, size: int = 4) -> None:
    """Memoise the audio encoder on its last few inputs (log-mel windows), and the
    decoder's cross-attention key/value projections on their last input.

    One ``transcribe`` encodes the same 30 s window several times (the prompted and the
    plain pass, each temperature fallback, and the word-time alignment); the encoder is
    most of the work for small models. A pure-function cache: same mel in, same
    features out; only without gradients; thread-safe; ``state_dict`` is unchanged.
    """
    import threading

    import torch

    encoder = model.encoder
    forward = encoder.forward
    cache: list[tuple[torch.Tensor, int, torch.Tensor]] = []  # (mel, frames encoded, features)
    lock = threading.Lock()

    def cached_forward(x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():
            return forward(x)
        frames = _encoder_frames(x) if ENCODER_ON_LENGTH else int(x.shape[-1])
        with lock:
            for mel, n, features in cache:
                if (
                    n == frames
                    and mel.shape == x.shape
                    and mel.dtype == x.dtype
                    and torch.equal(mel, x)
                ):
                    return features
        features = _encode(encoder, x[..., :frames]) if frames < x.shape[-1] else forward(x)
        with lock:
            cache.append((x.detach().clone(), frames, features.detach()))
            del cache[:-size]
        return features

    encoder.forward = cached_forward

    # The cross-attention keys and values depend only on the audio features: memoise each
    # projection on its last input (the cached features above are the very same tensor).
    for block in model.decoder.blocks:
        for linear in (block.cross_attn.key, block.cross_attn.value):
            linear.forward = _memo_last(linear.forward)


def _half_decoding(model) -> None:
    """Decoding steps read the decoder's weights in less precision: the vocabulary
    projection in int8 (``_fast_logits``), each layer's projections in float16
    (``_half_rows``). The cross-attention
    keys and values are left to ``_cache_encoder``'s memo (computed once per window).
    ``tests/test_asr.py`` checks the same words, times and probabilities as float32."""
    _fast_logits(model)
    for block in model.decoder.blocks:
        attn, cross, mlp = block.attn, block.cross_attn, block.mlp
        for linear in (*attn.children(), cross.query, cross.out, *mlp.children()):
            if hasattr(linear, "weight"):  # (the MLP's GELU has none)
                linear.forward = _half_rows(linear, linear.forward)


def _half_rows(linear, forward: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A decoder layer's projection from float16 weights for one or two rows (a decoding
    step), as ``_fast_logits`` does for the vocabulary: the step reads each weight once,
    and half the bytes take less time (1.18x less CPU per decode on 24 replies, the same
    words). More rows keep float32."""
    import torch
    import torch.nn.functional as F

    weight = linear.weight.detach().to(torch.float16)
    bias = None if linear.bias is None else linear.bias.detach().to(torch.float16)

    def half_forward(x: torch.Tensor) -> torch.Tensor:
        if x.shape[:-1].numel() > HALF_ROWS or torch.is_grad_enabled():
            return forward(x)
        return F.linear(x.to(torch.float16), weight, bias).float()

    return half_forward


def _fast_logits(model) -> None:
    """The decoding loop's logits from an int8 copy of the vocabulary projection, the
    likeliest tokens made exact.

    Each token Whisper decodes multiplies its state by the whole token-embedding matrix
    (51,864 x 384 for tiny.en: 80 MB in float32), read from memory at every step: on this
    2-core machine that one product was most of a token's time (12-15 ms of 20). Read as
    int8 with a scale per token (``_vocabulary_int8``: 20 MB, torch's int8 weight kernel),
    then the special tokens (end of text, no speech, the timestamps
    ``ApplyTimestampRules`` weighs as a group) and the ``EXACT_TOKENS`` likeliest text
    tokens given their float32 logits, a step's logits take 2.8 ms against 3.8 ms from
    float16 and 12.5 ms from float32 (a busy machine; a whole reply's decode: 1.05x less
    than with float16). The token picked, the no-speech probability and the timestamp
    rules read exact values; only the unlikely tail of the vocabulary is approximate: on
    the 30 bench replies every word and probability was float32's (float16 had changed
    one "I am" to "I'm"; ``tests/test_asr.py``). Only for a row or two: for more rows (the word-time
    alignment's pass, which reads every position's) float32 is faster and stays. The
    decoding loop's first step (the prompt and the start tokens together) gets logits
    only from the start token on: the loop reads the start token's (no-speech
    probability) and the last one's.
    """
    import torch
    from whisper.tokenizer import get_tokenizer

    decoder = model.decoder
    tokenizer = get_tokenizer(model.is_multilingual, num_languages=model.num_languages)
    sot, text_end = tokenizer.sot, tokenizer.eot  # text tokens: [0, eot)
    weight = decoder.token_embedding.weight.detach()
    step_logits = _vocabulary_int8(weight, text_end)
    forward = decoder.forward

    def forward_fast(x: torch.Tensor, xa: torch.Tensor, kv_cache: dict | None = None):
        if kv_cache is None or torch.is_grad_enabled():
            return forward(x, xa, kv_cache)
        tokens = x
        offset = next(iter(kv_cache.values())).shape[1] if kv_cache else 0
        h = decoder.token_embedding(x) + decoder.positional_embedding[offset : offset + x.shape[-1]]
        h = h.to(xa.dtype)
        for block in decoder.blocks:
            h = block(h, xa, mask=decoder.mask, kv_cache=kv_cache)
        h = decoder.ln(h)
        first = 0
        if h.shape[1] > 1:  # the first step: from the last start token on
            starts = (tokens[0] == sot).nonzero()
            first = int(starts[-1]) if starts.numel() else 0
        rows = h[:, first:]
        n = rows.shape[0] * rows.shape[1]
        if n <= HALF_ROWS:
            part = step_logits(rows.reshape(n, -1)).reshape(*rows.shape[:2], -1)
        else:
            part = rows @ weight.T
        if first == 0:
            return part
        logits = torch.zeros((h.shape[0], h.shape[1], part.shape[-1]), dtype=torch.float32)
        logits[:, first:] = part
        return logits

    decoder.forward = forward_fast


EXACT_TOKENS = 16  # the likeliest text tokens of a step, their logits recomputed in float32


def _vocabulary_int8(weight, text_end: int) -> Callable[[Any], Any]:
    """Logits of a few rows against ``weight`` (vocabulary x width, float32): int8 with a
    scale per token for the text tokens, float32 for the ``EXACT_TOKENS`` likeliest of them
    and for every token from ``text_end`` on (the special and timestamp tokens)."""
    import torch

    scales = weight[:text_end].abs().amax(dim=1).clamp(min=1e-8) / 127.0
    quantised = torch.round(weight[:text_end] / scales[:, None]).to(torch.int8).contiguous()
    scales16 = scales.to(torch.bfloat16)
    special = weight[text_end:].contiguous()

    def logits(rows: torch.Tensor) -> torch.Tensor:  # (n, width) -> (n, vocabulary)
        text = torch._weight_int8pack_mm(rows.to(torch.bfloat16), quantised, scales16).float()
        top = text.topk(EXACT_TOKENS, dim=-1).indices
        text.scatter_(1, top, torch.einsum("nd,nkd->nk", rows, weight[top]))
        return torch.cat([text, rows @ special.T], dim=-1)

    return logits


def _encoder_frames(mel) -> int:
    """Mel frames the encoder needs for ``mel`` (batch, n_mels, frames): the audio's own
    frames plus ``ENCODER_MARGIN_SECONDS`` of the zero padding, in whole
    ``ENCODER_STEP_SECONDS``, at least ``ENCODER_MIN_SECONDS``, at most all of ``mel``.

    Whisper pads a reply's log-mel frames with zeros to 30 s (``pad_or_trim``), and the
    audio's digital silence holds the spectrogram's floor: either way a frame with the
    same value in every band, which real sound never has.
    """
    total = int(mel.shape[-1])
    sound = (mel.amax(dim=-2) > mel.amin(dim=-2)).any(dim=0)  # (frames,): not one flat value
    hits = sound.nonzero()
    last = int(hits[-1]) + 1 if hits.numel() else 0
    per_second = 100  # mel frames per second (hop 160 at 16 kHz)
    step = int(ENCODER_STEP_SECONDS * per_second)
    need = max(
        last + int(ENCODER_MARGIN_SECONDS * per_second), int(ENCODER_MIN_SECONDS * per_second)
    )
    return min(total, -(-need // step) * step)


def _encode(encoder, mel):
    """Whisper's ``AudioEncoder.forward`` on ``mel`` shorter than 30 s: the positional
    embedding is cut to the audio's length (whisper.cpp's ``audio_ctx``), so attention
    runs over the reply, not over 30 s of mostly padding."""
    import torch.nn.functional as F

    x = F.gelu(encoder.conv1(mel))
    x = F.gelu(encoder.conv2(x))
    x = x.permute(0, 2, 1)
    x = (x + encoder.positional_embedding[: x.shape[1]]).to(x.dtype)
    for block in encoder.blocks:
        x = block(x)
    return encoder.ln_post(x)


def _memo_last(forward: Callable[[Any], Any]) -> Callable[[Any], Any]:
    import torch

    last: list = [None]  # (input tensor, its version counter, output)

    def memo_forward(x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():
            return forward(x)
        hit = last[0]
        if hit is not None and hit[0] is x and hit[1] == x._version:
            return hit[2]
        out = forward(x)
        last[0] = (x, x._version, out)
        return out

    return memo_forward


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def _set_alignment_heads(model, name: str, heads: Sequence[Sequence[int]] | None) -> None:
    """Official heads for known names; else the ones stored at conversion; else whisper's default."""
    import torch
    import whisper

    if name in whisper._ALIGNMENT_HEADS:
        model.set_alignment_heads(whisper._ALIGNMENT_HEADS[name])
    elif heads:
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            if 0 <= layer < mask.shape[0] and 0 <= head < mask.shape[1]:
                mask[layer, head] = True
        if mask.any():
            model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)


# --- transcribing ----------------------------------------------------------------------


def transcribe(
    model: AsrModel,
    audio: np.ndarray,
    *,
    language: str = "en",
    options: DecodeOptions | None = None,
) -> Transcript:
    """Transcribe a reply (mono float32, 16 kHz, shape=(n,)) with word times in seconds.

    Silence, noise and tones give an empty transcript (``.guarded`` says why).
    Raises ``AudioError`` for unusable audio and ``AsrError`` when the model cannot
    do ``language`` (an English-only model asked for Russian).
    """
    options = options or DecodeOptions()
    model.check_language(language)
    audio = validate_audio(audio, name="reply audio", max_seconds=MAX_REPLY_SECONDS)
    from . import stretches

    if len(audio) > stretches.WINDOW_SECONDS * SAMPLE_RATE:  # longer than one Whisper window
        return stretches.transcribe_long(model, audio, language=language, options=options)
    return transcribe_window(model, audio, language=language, options=options)


def transcribe_window(
    model: AsrModel,
    audio: np.ndarray,
    *,
    language: str = "en",
    options: DecodeOptions | None = None,
) -> Transcript:
    """``transcribe`` for one stretch of at most ``stretches.WINDOW_SECONDS`` (validated audio)."""
    options = options or DecodeOptions()
    quiet = _precheck(audio)
    if quiet:
        return Transcript("", language, (), no_speech_prob=1.0, guarded=quiet)
    data = language_data(language)
    duration = len(audio) / SAMPLE_RATE
    g = options.guard

    from .decode import window_mel

    window = window_mel(audio, model.model.dims.n_mels)  # one log-mel, encoded once
    prompted: list[dict] | None = None  # None: the prompted pass was not trusted
    first = None
    fillers = options.keep_fillers and bool(data.initial_prompt)
    if fillers:  # its first step's no-speech probability decides if it is trusted
        first = _run(model, window, data, data.initial_prompt, options, duration, (0.0,))
        if first.no_speech_prob <= g.probe_no_speech:
            prompted, _, nsp = _guard(first.segments, data, g)
            if prompted and not _doubtful(first.segments, prompted, data, g):
                return _build(prompted, language, nsp, duration)
    plain, reason, nsp = _guard(
        _run(model, window, data, None, options, duration).segments, data, g
    )
    if not plain:
        return Transcript("", language, (), no_speech_prob=nsp, guarded=reason or "no speech")
    if first is not None and prompted is None:  # no-speech doubted, the plain pass heard speech
        prompted, _, _ = _guard(first.segments, data, g)
    return _build(
        prompted if prompted and _consistent(prompted, plain, data) else plain,
        language,
        nsp,
        duration,
    )


def warm(model: AsrModel) -> None:
    """Run every part of a transcription once: the encoder, the decoder, and the word-time
    alignment that numba compiles on its first call in a process (seconds, on a CPU)."""
    import torch
    import whisper
    from whisper.audio import N_FRAMES
    from whisper.timing import dtw_cpu

    from .decode import keep_threads

    with keep_threads():  # numba's compilation sets torch's threads to the core count
        dtw_cpu(np.random.default_rng(0).random((8, 12)))  # compiles dtw_cpu and backtrace
    mel = torch.zeros(model.model.dims.n_mels, N_FRAMES)
    with torch.no_grad():
        whisper.decode(
            model.model,
            mel,
            whisper.DecodingOptions(
                language="en", sample_len=2, fp16=False, without_timestamps=True
            ),
        )


def _precheck(audio: np.ndarray) -> str:
    """Why ``audio`` cannot hold speech without asking Whisper ("" when it may)."""
    from .audio import rms_dbfs
    from .vad import frame_levels_db

    levels = frame_levels_db(audio)
    if levels.size == 0:
        return "no sound" if rms_dbfs(audio) < SILENCE_DBFS else ""
    loudest = float(levels.max())
    if loudest < SILENCE_DBFS:
        return "no sound"
    if levels.size >= 10 and loudest - float(np.percentile(levels, 10)) < STEADY_SPREAD_DB:
        return "steady sound, no speech"
    return ""


def _run(
    model: AsrModel,
    window,
    data: LanguageData,
    prompt,
    options: DecodeOptions,
    duration,
    temperatures: tuple[float, ...] | None = None,
):
    """One decoding pass of a window (``decode.decode``: fallback, no-speech skip, word times)."""
    import torch

    from . import decode

    rate = options.tokens_per_second or data.max_tokens_per_second
    sample_len = int(
        min(model.model.dims.n_text_ctx // 2, options.min_tokens + rate * min(duration, 30.0))
    )
    g = options.guard
    try:
        with torch.no_grad():
            return decode.decode(
                model.model,
                window,
                language=data.code,
                prompt=prompt,
                temperatures=temperatures or options.temperatures,
                sample_len=sample_len,
                compression_ratio=g.compression_ratio,
                logprob=g.logprob,
                no_speech=g.no_speech,
            )
    except Exception as e:
        raise AsrError(f"Whisper '{model.name}' failed to transcribe ({_first_line(e)}).") from e


_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪[^♪]*♪|[♪♫]")


def _clean(text: str) -> str:
    """Segment text without non-speech annotations ("[BLANK_AUDIO]", "(beeping)", "♪")."""
    return " ".join(_ANNOTATION.sub(" ", text).split())


def _guard(
    segments: list[dict], data: LanguageData, g: GuardOptions
) -> tuple[list[dict], str, float]:
    """Drop hallucinated segments. Returns (kept segments, reason for the last drop,
    no-speech probability: the lowest among kept segments, else the highest seen, else 1)."""
    kept, reason = [], ""
    for seg in segments:
        text = _clean(seg.get("text", ""))
        norm = normalize(text)
        nsp = float(seg.get("no_speech_prob", 0.0))
        lp = float(seg.get("avg_logprob", 0.0))
        why = ""
        if not any(ch.isalpha() for ch in text):
            why = "no words"
        elif float(seg.get("compression_ratio", 0.0)) > g.compression_ratio and not _said_again(
            seg, g
        ):
            why = "repetition loop"
        elif nsp > g.no_speech and lp < g.logprob:
            why = "no speech"
        elif nsp > g.unsure_no_speech and lp < g.unsure_logprob:
            why = "unsure, probably no speech"
        elif any(frag in text.lower().replace("ё", "е") for frag in data.anywhere):
            why = "known hallucination"
        elif norm in data.whole_segment and (nsp > g.phrase_no_speech or lp < g.phrase_logprob):
            why = "known hallucination"
        elif nsp > g.fillers_no_speech and all(w in data.fillers for w in norm.split()):
            why = "fillers on noise"
        if why:
            reason = why
        else:
            kept.append(seg)
    nsps = [float(s.get("no_speech_prob", 0.0)) for s in (kept or segments)]
    nsp = (min(nsps) if kept else max(nsps)) if nsps else 1.0
    return kept, reason, nsp


def _said_again(seg: dict, g: GuardOptions) -> bool:
    """Is a well-compressing segment real speech repeated ("ask not ... ask what"), not a loop?"""
    words = seg.get("words") or ()
    span = float(seg.get("end", 0.0)) - float(seg.get("start", 0.0))
    return (
        float(seg.get("avg_logprob", -9.0)) >= g.repeat_logprob
        and float(seg.get("no_speech_prob", 1.0)) <= g.repeat_no_speech
        and len(words) >= 2
        and span / len(words) >= g.repeat_word_seconds
    )


def _doubtful(segments: list[dict], kept: list[dict], data: LanguageData, g: GuardOptions) -> bool:
    """Should a prompted result be checked by a plain pass? (Segments without words, like
    the sliver of audio after the last word, are no evidence either way.)"""
    segments = [s for s in segments if any(ch.isalpha() for ch in _clean(s.get("text", "")))]
    if len(kept) != len(segments) or _content_words(kept, data) == 0:
        return True
    return any(
        float(s.get("no_speech_prob", 0.0)) > g.verify_no_speech
        or float(s.get("avg_logprob", 0.0)) < g.verify_logprob
        or (
            float(s.get("compression_ratio", 0.0)) > g.verify_compression_ratio
            and not _said_again(s, g)
        )
        for s in segments
    )


def _content_words(segments: list[dict], data: LanguageData) -> int:
    return sum(
        1
        for s in segments
        for w in normalize(_clean(s.get("text", ""))).split()
        if w not in data.fillers
    )


def _consistent(prompted: list[dict], plain: list[dict], data: LanguageData) -> bool:
    """The filler pass is used when it kept the speech and did not grow extra words."""
    if not prompted:
        return False
    n_prompted, n_plain = _content_words(prompted, data), _content_words(plain, data)
    return n_prompted >= 0.5 * n_plain and n_prompted <= 1.5 * n_plain + 2


def _build(segments: list[dict], language: str, nsp: float, duration: float) -> Transcript:
    text = " ".join(t for t in (_clean(s.get("text", "")) for s in segments) if t)
    words: list[Word] = []
    last_start = 0.0
    for seg in segments:
        depth = 0  # inside a "(…)" / "[…]" annotation that Whisper split into words
        glued = False  # the previous word of this segment was kept
        for w in seg.get("words", ()) or ():
            raw = str(w.get("word", ""))
            annotated = depth > 0 or "(" in raw or "[" in raw
            depth = max(
                0, depth + raw.count("(") + raw.count("[") - raw.count(")") - raw.count("]")
            )
            token = raw.strip()
            if annotated or not any(ch.isalnum() for ch in token):
                glued = False
                continue
            start = min(max(float(w.get("start", 0.0)), last_start), duration)
            end = min(max(float(w.get("end", start)), start), duration)
            prob = round(min(max(float(w.get("probability", 0.0)), 0.0), 1.0), 4)
            if words and raw[:1] not in ("", " ") and glued:
                # Whisper split one word ("э-э" -> "э", "-э"): join it back.
                prev = words[-1]
                words[-1] = Word(
                    prev.text + token,
                    prev.start,
                    round(max(end, prev.end), 3),
                    min(prev.probability, prob),
                )
            else:
                words.append(Word(token, round(start, 3), round(end, 3), prob))
                last_start = start
            glued = True
    kept = _drop_repeat_loops(words)
    if len(kept) < len(words):  # rebuild the text from the words that were really said
        text, words = " ".join(w.text for w in kept), kept
    return Transcript(
        text=text, language=language, words=tuple(words), no_speech_prob=round(nsp, 4)
    )


LOOP_WORD_SECONDS = 0.1  # mean word length below which a repeated phrase is a decoding loop


def _drop_repeat_loops(words: list[Word], max_phrase: int = 8) -> list[Word]:
    """Remove copies of a phrase that Whisper repeats in a loop ("I'm fine. I'm fine. I'm
    fine." where the copies are squeezed into almost no time). A phrase a person really
    repeats takes ordinary time per word and is kept."""

    def key(w: Word) -> str:
        return "".join(ch for ch in w.text.lower() if ch.isalnum())

    out: list[Word] = []
    for w in words:
        out.append(w)
        for n in range(1, min(max_phrase, len(out) // 2) + 1):
            copy, before = out[-n:], out[-2 * n : -n]
            if [key(x) for x in copy] != [key(x) for x in before]:
                continue
            mean = sum(x.end - x.start for x in copy) / n
            if mean < LOOP_WORD_SECONDS:
                del out[-n:]
                break
    return out


# --- a stateful transcriber for the drill loop and, later, streaming -------------------


class Transcriber:
    """``Transcriber(model, language)(audio) -> Transcript``, plus explicit chunk state.

    For audio that arrives while the trainee speaks: ``feed(chunk)`` appends,
    ``partial()`` transcribes what has arrived so far (one fast pass, no filler pass),
    ``finish()`` gives the final transcript and clears the state, ``reset()`` clears it.
    Calling the object directly ignores and keeps that state.
    """

    def __init__(
        self, model: AsrModel, language: str = "en", *, options: DecodeOptions | None = None
    ):
        model.check_language(language)
        self.model = model
        self.language = language
        self.options = options or DecodeOptions()
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._partial: tuple[int, Transcript] | None = None  # (samples it covered, result)

    def __call__(self, audio: np.ndarray) -> Transcript:
        return transcribe(self.model, audio, language=self.language, options=self.options)

    def window(self, audio: np.ndarray) -> Transcript:
        """One stretch of a reply (at most ``stretches.WINDOW_SECONDS``), as ``__call__``."""
        audio = validate_audio(audio, name="reply audio", max_seconds=MAX_REPLY_SECONDS)
        return transcribe_window(self.model, audio, language=self.language, options=self.options)

    def warm(self) -> None:
        """Make the first reply as fast as the rest (``warm``)."""
        warm(self.model)

    @property
    def seconds(self) -> float:
        """Audio fed since the last reset, seconds."""
        return self._samples / SAMPLE_RATE

    def feed(self, chunk: np.ndarray) -> None:
        """Append a chunk (mono float32, 16 kHz, shape=(n,))."""
        chunk = validate_audio(chunk, name="audio chunk", max_seconds=MAX_REPLY_SECONDS)
        if (self._samples + len(chunk)) / SAMPLE_RATE > MAX_REPLY_SECONDS:
            raise AsrError(
                f"the reply is longer than {MAX_REPLY_SECONDS:.0f} s; call finish() or reset()."
            )
        self._chunks.append(chunk.copy())
        self._samples += len(chunk)

    def audio(self) -> np.ndarray:
        """Everything fed so far, shape=(n,)."""
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, dtype=np.float32)

    def partial(self) -> Transcript:
        """A quick transcript of the audio so far (cached until more audio is fed)."""
        if self._samples == 0:
            return Transcript("", self.language, (), no_speech_prob=1.0, guarded="no sound")
        if self._partial is None or self._partial[0] != self._samples:
            quick = DecodeOptions(
                temperatures=(0.0,),
                keep_fillers=False,
                guard=self.options.guard,
                tokens_per_second=self.options.tokens_per_second,
                min_tokens=self.options.min_tokens,
            )
            self._partial = (
                self._samples,
                transcribe(self.model, self.audio(), language=self.language, options=quick),
            )
        return self._partial[1]

    def finish(self) -> Transcript:
        """The final transcript of everything fed; the state is cleared afterwards."""
        try:
            if self._samples == 0:
                return Transcript("", self.language, (), no_speech_prob=1.0, guarded="no sound")
            return self(self.audio())
        finally:
            self.reset()

    def reset(self) -> None:
        """Forget all fed audio."""
        self._chunks, self._samples, self._partial = [], 0, None
