"""Learned cue heads: a small network over sentence-encoder embeddings.

The phrase rules read words; a head reads meaning. Per language, one shared hidden layer
(ReLU) with one sigmoid output per text cue (a format-1 file: a linear, logistic head per
cue) scores a reply from features of the reply and of the perpetrator's current line
(``FEATURE_SETS``): ``[emb(reply), emb(line), emb(reply) * emb(line)]`` (standardised), so
the line can turn the same words into another cue ("Go ahead." after "Can I tell you
something?" encourages; after "I'll jump!" it dares).

How heads and rules combine (chosen by ``scripts/train_heads.py`` on the dev data only,
never on the blind sets): a head ADDS a cue the rules missed when its probability reaches
the cue's ``add`` threshold: where, on the dev files the rules were not tuned on
(``FRESH`` in the training script), the head's additions to the rules gained most while
at least 0.6 of them were right (a cue where none does has none). A head
VETOES a cue the rules found when its probability is below the cue's ``remove``
threshold, chosen so that vetoes are right at least 75% of the time on those fresh files
(NaN: no veto), and only for
``VETO_CUES``: the cues whose rules over-fire on new replies (a "you" sentence read as a
paraphrase, a disagreement as arguing, a bare "okay" as an encourager). Doctrine keeps every other cue out of reach of a veto: a
direct suicide question, a threat, a dare, an insult, a concession, blame, a promise...
found in the words stays found (missing one in a crisis costs more than a false alarm).
An added cue gives way to a cue that suppresses it (``resolve.SUPPRESSED_BY``,
reply-wide), and an added suppressor drops the rule cue it suppresses. ``RULES_ONLY``
cues are never added.
The evidence of an added cue is the sentence or clause of the reply its head scores
highest.

The weights ship as ``voicedrill/scoring/heads_<lang>.npz`` (float16, small) and are
loaded on first use; inference is NumPy only. Without the sentence encoder (``voicedrill
models install use-m3``) the rules run alone, after one notice (``meaning.notice_once``).
The scoring script's ``meaning:`` section switches heads off (``heads: false``), overrides
a cue's add threshold (``head_thresholds``), switches vetoes off (``head_vetoes: false``)
or overrides a cue's veto threshold (``head_veto_thresholds``; 0 = never veto it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from ...errors import EncoderError, VoicedrillError
from ...types import TurnContext
from ..names import HARMFUL
from .resolve import SUPPRESSED_BY
from .text import Parsed, Reading

if TYPE_CHECKING:
    from ..script import MeaningRules

FORMAT = 2  # 2: feature set named, optional shared hidden layer (1 still loads)
# The features a heads file reads (name: width): "reply-line" = [emb(reply), emb(line),
# emb(reply) * emb(line)]; "sentences" adds the element-wise max over the reply's
# sentences' embeddings (a long reply's one labelling sentence is not diluted), that max
# times emb(line), cos(reply, line) and the highest cos(sentence, line).
FEATURE_SETS = {"reply-line": 3 * 512, "sentences": 5 * 512 + 2}
MAX_CHARS = 2000  # text embedded for one reply or span (a huge reply is read by its start)
MAX_SPANS = 24  # sentences and clauses scored for evidence
# Cues no head adds, left to the rules and readers:
# - summary draws on his earlier lines, which a head does not read, and follows the script's
#   summary_* rules (paraphrase.py); its head fired on facts without his feelings, and
#   even added only next to a label of his feelings it credited a reply that shares a word
#   with each of his lines and restates none (tests/test_meaning.py), though on the fresh
#   files (leave-one-file-out) that gate raised summary recall 0.50 -> 0.66 (en) and
#   0.42 -> 0.61 (ru);
# - calm_down: the rules find it all (CV recall 1.00 EN, 0.95 RU), and its head fired on the
#   word itself ("I'm calm", "When things calm down", «Вы скоро успокоитесь»); on fresh dev
#   replies dropping it changed nothing.
# - why_question, open_question, closed_question: forms of the words (a literal "why", an
#   open or yes/no question), which the rules read exactly and a head only approximates
#   ("Why don't you tell me what happened?" invites; it asks no literal why);
# - suicide_question: doctrine credits the direct form only; retrained on dev2-dev17 its
#   head also fired on leading forms ("You wouldn't hurt yourself, would you?").
RULES_ONLY = (
    "summary",
    "calm_down",
    "why_question",
    "open_question",
    "closed_question",
    "suicide_question",
)
# Cues a confident head may veto (see above); never a safety cue. Not commanding: on the
# fresh files (leave-one-file-out) its Russian veto was right 9 times in 10 yet left 1.3%
# more harmful replies without any harmful cue (an order read where a dare was meant).
# Not arguing since the hidden-layer heads: sure of themselves, they vetoed plain arguing
# («Я не вру.» to «Вы мне врёте.», p 2e-8); without it the fresh files lose 0.3 points.
# A veto also needs every sentence and clause of the reply below the threshold (apply_heads).
VETO_CUES = ("paraphrase", "minimal_encourager")
# A harmful cue (arguing) is vetoed only when no harmful head is at least this sure of ANY
# harm in the reply: a "wrong" reading of a harmful reply (arguing where a dare was meant)
# is still the flag that the reply harms, and vetoing it would leave it unflagged.
HARM_CLEAR = 0.5


class HeadsError(VoicedrillError):
    """The shipped heads file is missing or damaged."""


def weights_path(code: str) -> Path:
    return Path(__file__).resolve().parent.parent / f"heads_{code}.npz"


@dataclass(frozen=True)
class Heads:
    """One language's heads: the feature scaling, an optional shared hidden layer
    (``hidden_w``: units x features, ReLU; None: one logistic head per cue), the output
    layer ``w`` (cues x features or units) and ``b``, the feature set (``FEATURE_SETS``)
    and the per-cue thresholds (NaN: the head never adds / removes that cue)."""

    language: str
    cues: tuple[str, ...]
    w: np.ndarray
    b: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    add: np.ndarray
    remove: np.ndarray
    hidden_w: np.ndarray | None = None
    hidden_b: np.ndarray | None = None
    features: str = "reply-line"

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(cue) per row of ``features`` (rows x cues)."""
        z = (features - self.mean) / self.scale
        if self.hidden_w is not None and self.hidden_b is not None:
            z = np.maximum(np.einsum("ij,kj->ik", z, self.hidden_w) + self.hidden_b, 0.0)
        logits = np.einsum("ij,kj->ik", z, self.w) + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))

    def read(self, replies: Sequence[str], lines: Sequence[str]) -> np.ndarray:
        """P(cue) per (reply, line) pair, each reply split into sentences as the detector
        reads it (``sentence_texts``)."""
        sentences = [sentence_texts(self.language, r) for r in replies]
        return self.probabilities(reply_features(replies, lines, sentences, self.features))

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = dict(
            format=np.array(FORMAT),
            language=np.array(self.language),
            cues=np.array(self.cues),
            features=np.array(self.features),
            w=self.w.astype(np.float16),
            b=self.b.astype(np.float32),
            mean=self.mean.astype(np.float16),
            scale=self.scale.astype(np.float16),
            add=self.add.astype(np.float32),
            remove=self.remove.astype(np.float32),
        )
        if self.hidden_w is not None and self.hidden_b is not None:
            arrays.update(hidden_w=self.hidden_w.astype(np.float16), hidden_b=self.hidden_b)
        np.savez_compressed(path, **arrays)


def load_file(path: Path) -> Heads:
    """A heads file of format 1 (logistic, reply-line features) or 2 (``FORMAT``)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            fmt = int(z["format"])
            if fmt not in (1, FORMAT):
                raise HeadsError(
                    f"{path}: heads format {fmt}, this voicedrill reads 1 and {FORMAT}; "
                    "train them again: scripts/train_heads.py"
                )
            kind = str(z["features"]) if fmt >= 2 else "reply-line"
            if kind not in FEATURE_SETS:
                raise HeadsError(f"{path}: unknown feature set {kind!r}; train them again")
            hidden = "hidden_w" in z.files
            heads = Heads(
                str(z["language"]),
                tuple(str(c) for c in z["cues"]),
                z["w"].astype(np.float32),
                z["b"].astype(np.float32),
                z["mean"].astype(np.float32),
                z["scale"].astype(np.float32),
                z["add"].astype(np.float32),
                z["remove"].astype(np.float32),
                z["hidden_w"].astype(np.float32) if hidden else None,
                z["hidden_b"].astype(np.float32) if hidden else None,
                kind,
            )
    except HeadsError:
        raise
    except (OSError, KeyError, ValueError) as e:
        raise HeadsError(
            f"{path}: the cue heads do not load ({type(e).__name__}: {e}); "
            "train them again: scripts/train_heads.py"
        ) from e
    inputs = heads.hidden_w.shape[0] if heads.hidden_w is not None else heads.mean.shape[0]
    if heads.w.shape != (len(heads.cues), inputs) or heads.mean.shape != (
        FEATURE_SETS[heads.features],
    ):
        raise HeadsError(f"{path}: the cue heads' shapes do not fit together; train them again")
    return heads


_lock = threading.Lock()
_loaded: dict[str, Heads | None] = {}


def heads_for(code: str) -> Heads | None:
    """The shipped heads of a language (cached), None when it ships none."""
    with _lock:
        if code not in _loaded:
            path = weights_path(code)
            _loaded[code] = load_file(path) if path.is_file() else None
        return _loaded[code]


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
) -> np.ndarray:
    """Features of (reply, line) pairs (``FEATURE_SETS``): raises EncoderError without the
    encoder. ``sentences``: each reply's sentences (``sentence_texts``; None: each reply is
    one sentence). The training script calls this too, so both read text the same way."""
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


def thresholds(heads: Heads, overrides: Mapping[str, float]) -> np.ndarray:
    out = heads.add.copy()
    for i, cue in enumerate(heads.cues):
        if cue in overrides:  # 1 = never
            out[i] = float(overrides[cue]) if overrides[cue] < 1.0 else np.nan
    return out


def veto_thresholds(heads: Heads, on: bool, overrides: Mapping[str, float]) -> np.ndarray:
    """The per-cue veto thresholds in use: NaN (no veto) outside ``VETO_CUES``, everywhere
    when vetoes are off, and where an override is 0."""
    out = np.full(len(heads.cues), np.nan, dtype=np.float32)
    for i, cue in enumerate(heads.cues):
        if on and cue in VETO_CUES:
            t = float(overrides.get(cue, heads.remove[i]))
            out[i] = t if t > 0.0 else np.nan
    return out


def combine(
    heads: Heads,
    probs: np.ndarray,
    rule_cues: Sequence[str],
    add: np.ndarray,
    remove: np.ndarray | None = None,
) -> tuple[set[str], set[str]]:
    """(cues added, cues removed) for one reply: its head probabilities ``probs`` (one per
    head cue), the cues the rules found, the add thresholds and the veto thresholds
    (``remove``; default: the file's, limited to ``VETO_CUES``). Pure: the training
    script scores it on CV."""
    if remove is None:
        remove = veto_thresholds(heads, True, {})
    found = set(rule_cues)
    added = {
        c
        for i, c in enumerate(heads.cues)
        if c not in found and c not in RULES_ONLY and not np.isnan(add[i]) and probs[i] >= add[i]
    }
    harm_seen = any(probs[i] >= HARM_CLEAR for i, c in enumerate(heads.cues) if c in HARMFUL)
    removed = {
        c
        for i, c in enumerate(heads.cues)
        if c in found
        and c in VETO_CUES
        and not np.isnan(remove[i])
        and probs[i] < remove[i]
        and not (c in HARMFUL and harm_seen)
    }
    final = (found - removed) | added
    # an added cue yields to a suppressor in the reply; an added suppressor drops what it suppresses
    added = {c for c in added if not set(SUPPRESSED_BY.get(c, ())) & final}
    for c in found - removed:
        if set(SUPPRESSED_BY.get(c, ())) & added:
            removed.add(c)
    return added, removed


def _spans(parsed: Parsed) -> list[tuple[int, int]]:
    """Token spans of the reply's sentences and (when a sentence has several) its clauses."""
    spans: list[tuple[int, int]] = []
    toks = parsed.tokens
    for s in parsed.sentences:
        if s.end > s.start:
            spans.append((s.start, s.end))
        start = s.start
        for k in range(s.start + 1, s.end + 1):
            if k == s.end or toks[k].clause != toks[start].clause:
                if (start, k) != (s.start, s.end) and k - start >= 1:
                    spans.append((start, k))
                start = k
    return list(dict.fromkeys(spans))[:MAX_SPANS]


def apply_heads(
    parsed: Parsed,
    context: TurnContext,
    code: str,
    first: dict[str, Reading],
    rules: MeaningRules | None,
) -> dict[str, Reading]:
    """The rules' readings (one per cue) with the heads' additions and removals."""
    if rules is not None and not (rules.heads and rules.use_encoder):
        return first
    heads = heads_for(code)
    if heads is None or not parsed.tokens:
        return first
    try:
        toks = parsed.tokens
        own = [(s.start, s.end) for s in parsed.sentences if s.end > s.start][:MAX_SPANS]
        sentences = [parsed.source[toks[a].char_start : toks[b - 1].char_end] for a, b in own]
        x = reply_features([parsed.source], [context.line], [sentences], heads.features)
        probs = heads.probabilities(x)[0]
        add = thresholds(heads, dict(rules.head_thresholds) if rules is not None else {})
        veto = veto_thresholds(
            heads,
            rules.head_vetoes if rules is not None else True,
            dict(rules.head_veto_thresholds) if rules is not None else {},
        )
        added, removed = combine(heads, probs, list(first), add, veto)
        col = heads.cues.index
        vetoed = {c for c in removed if c in VETO_CUES and probs[col(c)] < veto[col(c)]}
        if added or vetoed:
            spans = _spans(parsed)
            texts = [parsed.source[toks[a].char_start : toks[b - 1].char_end] for a, b in spans]
            x = reply_features(texts, [context.line] * len(texts), None, heads.features)
            span_p = heads.probabilities(x)
            # a veto holds only while no sentence or clause of the reply is that cue either
            # (the "Mm-hmm." of "Mm-hmm. It sounds like you're scared. What happened next?")
            for c in vetoed:
                if span_p[:, col(c)].max() >= veto[col(c)]:
                    if not set(SUPPRESSED_BY.get(c, ())) & added:
                        removed.discard(c)
        out = {c: r for c, r in first.items() if c not in removed}
        if added:
            for c in added:
                best = int(np.argmax(span_p[:, heads.cues.index(c)]))
                a, b = spans[best]
                out[c] = Reading(c, a, b)
        return out
    except EncoderError as e:
        from .. import meaning

        meaning.notice_once(e)
        return first


__all__ = [
    "FEATURE_SETS",
    "Heads",
    "HeadsError",
    "VETO_CUES",
    "apply_heads",
    "combine",
    "heads_for",
    "load_file",
    "reply_features",
    "sentence_texts",
    "veto_thresholds",
    "weights_path",
]
