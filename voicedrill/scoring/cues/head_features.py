"""The features learned cue heads read (``heads.py``): the sentence encoder's embeddings of
the reply and of his line, and optional parts: the phrase rules' own findings and the
reply read against his earlier lines. The training script and the detector both call
``reply_features``, so both read text the same way."""

from __future__ import annotations

import re
from typing import Collection, Sequence

import numpy as np

from ..names import TEXT_CUES

# The features a heads file reads: a base set (name: width) and optional parts after "+".
# "reply-line" = [emb(reply), emb(line), emb(reply) * emb(line)]; "sentences" adds the
# element-wise max over the reply's sentences' embeddings (a long reply's one labelling
# sentence is not diluted), that max times emb(line), cos(reply, line) and the highest
# cos(sentence, line).
FEATURE_SETS = {"reply-line": 3 * 512, "sentences": 5 * 512 + 2}
# Parts: "rules" = one 0/1 per head cue, whether the phrase rules found it in the reply (the
# head learns where the rules over- or under-fire: stacking); "history" = ``HISTORY_WIDTH``
# readings of the reply against his earlier lines (``history_features``: what a summary
# pulls together); "overlap" = ``OVERLAP_WIDTH`` counts of the words the reply shares with
# his line and earlier lines (``overlap_features``: a mirror repeats his words, a paraphrase
# restates them in its own); "own" = 1.0, the row is in the heads' own language (training
# also reads the other language's rows with 0 there: the encoder is multilingual). E.g.
# "reply-line+rules+history".
PARTS = ("rules", "history", "overlap", "own")
HISTORY_WIDTH = 8
OVERLAP_WIDTH = 8
STEM = 5  # words compared by their first letters (Russian endings vary: «злитесь», «злит»)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_HISTORY = 16  # his latest earlier lines read for the history features
COVERS = (0.3, 0.4)  # a sentence at least this similar to one of his lines restates it
MAX_CHARS = 2000  # text embedded for one reply or span (a huge reply is read by its start)
MAX_SPANS = 24  # sentences and clauses scored for evidence


def split_kind(kind: str) -> tuple[str, frozenset[str]]:
    """A feature set's base (``FEATURE_SETS``) and its parts (``PARTS``); ValueError when
    either is unknown."""
    base, *parts = kind.split("+")
    if (
        base not in FEATURE_SETS
        or any(p not in PARTS for p in parts)
        or len(set(parts)) < len(parts)
    ):
        raise ValueError(f"unknown feature set {kind!r}")
    return base, frozenset(parts)


def feature_width(kind: str, n_cues: int) -> int:
    """How many features ``kind`` gives for heads of ``n_cues`` cues."""
    base, parts = split_kind(kind)
    return (
        FEATURE_SETS[base]
        + (n_cues if "rules" in parts else 0)
        + (HISTORY_WIDTH if "history" in parts else 0)
        + (OVERLAP_WIDTH if "overlap" in parts else 0)
        + (1 if "own" in parts else 0)
    )


def _clip(text: str) -> str:
    return " ".join(text.split())[:MAX_CHARS]


def sentence_texts(code: str, reply: str) -> list[str]:
    """The reply's sentences as the detector reads them (``questions._read``: a reply
    recognition left unpunctuated is cut where the rules cut it), at most ``MAX_SPANS``."""
    from ...types import Transcript
    from .lexicon import lexicon
    from .questions import _read

    if not reply.strip():
        return []
    parsed = _read(lexicon(code), Transcript(_clip(reply), code))
    toks = parsed.tokens
    spans = [(s.start, s.end) for s in parsed.sentences if s.end > s.start][:MAX_SPANS]
    return [parsed.source[toks[a].char_start : toks[b - 1].char_end] for a, b in spans]


def reply_features(
    replies: Sequence[str],
    lines: Sequence[str],
    sentences: Sequence[Sequence[str]] | None = None,
    kind: str = "reply-line",
    found: Sequence[Collection[str]] | None = None,
    histories: Sequence[Sequence[str]] | None = None,
    cues: Sequence[str] = TEXT_CUES,
) -> np.ndarray:
    """Features of (reply, line) pairs (``FEATURE_SETS``, ``PARTS``): raises EncoderError
    without the encoder. ``sentences``: each reply's sentences (``sentence_texts``; None:
    each reply is one sentence); ``found``: the cues the rules found in each reply (None:
    none), as one 0/1 per name of ``cues``; ``histories``: his earlier lines before each
    line (None: none). The training script calls this too, so both read text the same way."""
    base, parts = split_kind(kind)
    out = [_base_features(replies, lines, sentences, base)]
    if "rules" in parts:
        out.append(rule_bits(found if found is not None else [()] * len(replies), cues))
    if "history" in parts:
        out.append(history_features(replies, lines, sentences, histories))
    if "overlap" in parts:
        out.append(overlap_features(replies, lines, histories))
    if "own" in parts:
        out.append(np.ones((len(replies), 1), dtype=np.float32))
    return np.concatenate(out, axis=1).astype(np.float32)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


def _longest_run(a: list[str], b: list[str]) -> int:
    """The longest run of words ``a`` and ``b`` share, in order."""
    best, prev = 0, [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                cur[j + 1] = prev[j] + 1
                best = max(best, cur[j + 1])
        prev = cur
    return best


def overlap_features(
    replies: Sequence[str],
    lines: Sequence[str],
    histories: Sequence[Sequence[str]] | None = None,
) -> np.ndarray:
    """``OVERLAP_WIDTH`` word counts per reply (no encoder): the share of the reply's
    content words (4 letters or more, compared by their first ``STEM``) found in his line,
    and of his line's in the reply; the longest run of words shared with his line (over the
    reply's length, and log(1 + it)); log(1 + the reply's words) and of his line's; the
    share of his latest earlier lines sharing at least two content words with the reply,
    and of the reply's content words found in any of them."""
    out = np.zeros((len(replies), OVERLAP_WIDTH), dtype=np.float32)
    for i, (reply, line) in enumerate(zip(replies, lines, strict=True)):
        rw, lw = _words(_clip(reply)), _words(_clip(line))
        rs = {w[:STEM] for w in rw if len(w) >= 4}
        ls = {w[:STEM] for w in lw if len(w) >= 4}
        run = _longest_run(rw[:80], lw[:80])
        hist = [h for h in (histories[i] if histories is not None else ()) if h.strip()]
        hs = [{w[:STEM] for w in _words(_clip(h)) if len(w) >= 4} for h in hist[-MAX_HISTORY:]]
        seen = set().union(*hs) if hs else set()
        out[i] = [
            len(rs & ls) / len(rs) if rs else 0.0,
            len(rs & ls) / len(ls) if ls else 0.0,
            run / len(rw) if rw else 0.0,
            np.log1p(run),
            np.log1p(len(rw)),
            np.log1p(len(lw)),
            sum(len(rs & h) >= 2 for h in hs) / len(hs) if hs else 0.0,
            len(rs & seen) / len(rs) if rs else 0.0,
        ]
    return out


def rule_bits(found: Sequence[Collection[str]], cues: Sequence[str]) -> np.ndarray:
    """One row per reply: 1.0 where the rules found that cue."""
    return np.array([[c in f for c in cues] for f in found], dtype=np.float32).reshape(
        len(found), len(cues)
    )


def history_features(
    replies: Sequence[str],
    lines: Sequence[str],
    sentences: Sequence[Sequence[str]] | None,
    histories: Sequence[Sequence[str]] | None,
) -> np.ndarray:
    """``HISTORY_WIDTH`` readings of each reply against his earlier lines (the latest
    ``MAX_HISTORY``; all 0 without any): 1; log(1 + their count); the highest and the mean
    cos(reply, earlier line); how many earlier lines some sentence of the reply restates
    (cos >= each of ``COVERS``); the highest cos(sentence, his current line); the mean over
    his earlier lines of the best cos(sentence, line)."""
    from .. import meaning

    out = np.zeros((len(replies), HISTORY_WIDTH), dtype=np.float32)
    todo = []
    for i, reply in enumerate(replies):
        hist = [h for h in (histories[i] if histories is not None else ()) if h.strip()]
        if hist:
            own = list(sentences[i]) if sentences is not None else []
            todo.append((i, hist[-MAX_HISTORY:], own or [reply]))
    if not todo:
        return out
    texts = list(
        dict.fromkeys(
            _clip(t) for i, hist, own in todo for t in [replies[i], lines[i], *hist, *own]
        )
    )
    at = {t: k for k, t in enumerate(texts)}
    vecs = meaning.embed(texts)
    for i, hist, own in todo:
        v, line = vecs[at[_clip(replies[i])]], vecs[at[_clip(lines[i])]]
        h = vecs[[at[_clip(t)] for t in hist]]
        s = vecs[[at[_clip(t)] for t in own]]
        whole = h @ v
        best = (s @ h.T).max(axis=0)
        out[i] = [
            1.0,
            np.log1p(len(hist)),
            whole.max(),
            whole.mean(),
            (best >= COVERS[0]).sum(),
            (best >= COVERS[1]).sum(),
            (s @ line).max(),
            best.mean(),
        ]
    return out


def _base_features(
    replies: Sequence[str],
    lines: Sequence[str],
    sentences: Sequence[Sequence[str]] | None,
    kind: str,
) -> np.ndarray:
    from .. import meaning

    vecs = meaning.embed([_clip(t) for t in replies])
    ctx = meaning.embed([_clip(t) for t in lines])
    parts = [vecs, ctx, vecs * ctx]
    if kind == "sentences":
        given = sentences if sentences is not None else [[] for _ in replies]
        split = [list(s) or [r] for s, r in zip(given, replies, strict=True)]
        flat = meaning.embed([_clip(t) for s in split for t in s])
        owner = np.repeat(np.arange(len(split)), [len(s) for s in split])
        top = np.full(vecs.shape, -1.0, dtype=np.float32)
        np.maximum.at(top, owner, flat)
        near = np.full(len(split), -1.0, dtype=np.float32)
        np.maximum.at(near, owner, np.einsum("ij,ij->i", flat, ctx[owner]))
        cos = np.einsum("ij,ij->i", vecs, ctx)
        parts += [top, top * ctx, cos[:, None], near[:, None]]
    return np.concatenate(parts, axis=1).astype(np.float32)
