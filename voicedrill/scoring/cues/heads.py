"""Learned cue heads: a small network over sentence-encoder embeddings.

The phrase rules read words; a head reads meaning. Per language, one shared hidden layer
(ReLU) with one sigmoid output per text cue (a format-1 file: a linear, logistic head per
cue) scores a reply from features (``head_features.py``) of the reply and of the
perpetrator's current line: ``[emb(reply), emb(line), emb(reply) * emb(line)]``
(standardised), so the line can turn the same words into another cue ("Go ahead." after
"Can I tell you something?" encourages; after "I'll jump!" it dares). The shipped heads
(``reply-line+rules+history``) also read which cues the phrase rules found in the reply (so
they learn where the rules over- or under-fire) and how the reply restates his earlier
lines (what a summary pulls together: a head adds a summary only to a reply that has
earlier lines of his, and while the script's ``summary_needs_feeling`` holds, only where
his feelings are named: an emotional label or a feeling word, as the summary rules).

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
cues are never added, nor a harmful cue whose rule's own ``unless`` lets the reply's words
go (``exempted``, ``EXEMPTING``: "Stay and talk with me." is no order, whatever a head learnt).
The evidence of an added cue is the sentence or clause of the reply its head scores
highest (of an added summary: its sentences from the first to the last that restate one
of his lines).

The weights ship as ``voicedrill/scoring/heads_<lang>.npz`` (the hidden layer int8, the
rest float16: small) and are
loaded on first use; inference is NumPy only. Without the sentence encoder (``voicedrill
models install use-m3``) the rules run alone, after one notice (``meaning.notice_once``).
The scoring script's ``meaning:`` section switches heads off (``heads: false``), overrides
a cue's add threshold (``head_thresholds``), switches vetoes off (``head_vetoes: false``)
or overrides a cue's veto threshold (``head_veto_thresholds``; 0 = never veto it).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection, Mapping, Sequence

import numpy as np

from ...errors import EncoderError, VoicedrillError
from ...types import TurnContext
from ..names import HARMFUL
from .head_features import (  # noqa: F401 (re-exported)
    COVERS,
    FEATURE_SETS,
    HISTORY_WIDTH,
    MAX_SPANS,
    PARTS,
    _clip,
    feature_width,
    history_features,
    overlap_features,
    reply_features,
    rule_bits,
    sentence_texts,
    split_kind,
)
from .paraphrase import earlier_lines
from .resolve import SUPPRESSED_BY
from .text import Parsed, Reading

if TYPE_CHECKING:
    from ..script import MeaningRules

FORMAT = 3  # 3: the hidden layer as int8 with a scale per unit (2: float16; 1 and 2 still load)
# Cues no head adds, left to the rules and readers:
# - summary, unless the heads read his earlier lines ("history" features): it pulls together
#   several of them. A head without them fired on facts without his feelings; one that
#   reads them (leave-one-file-out over the fresh files dev14-19: summary recall 0.37 ->
#   0.93 en, 0.39 -> 0.94 ru, precision 0.99 / 0.95) adds it, only to a reply that has
#   earlier lines to pull together;
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
# Not arguing either with the stacked heads (they read the rules' findings): vetoing it
# gained 0.4 points (en) yet left 0.9 (en) to 1.2 (ru) points more harmful replies
# unflagged. The helpful and neutral forms below: the stacked heads, sure that the rules
# over-fired (p < 0.001), were right at least 3 times in 4 on the files left out (dev14-21,
# leave-one-file-out: + 0.2 points en, + 0.8 ru; harmful replies unflagged unchanged).
# A veto also needs every sentence and clause of the reply below the threshold (apply_heads).
VETO_CUES = (
    "paraphrase",
    "minimal_encourager",
    "closed_question",
    "mirror",
    "open_question",
    "emotional_label",
    "i_message",
)
# Cues a reply must tell, never only ask: the heads add none of them to a reply whose every
# sentence is a question. A summary tells his story back: questions that name his points
# ("What happened at the mill? Did the bank give you any warning about the house?") pull
# nothing together (session 10: a refit's head added a summary to that recap); conceding
# agrees to his demand as settled: "Two million by Saturday?" asks it back, a mirror (the
# --cross refits of sessions 7 and 11 added conceding to it).
TOLD_NOT_ASKED = ("summary", "conceding")
# A harmful cue (arguing) is vetoed only when no harmful head is at least this sure of ANY
# harm in the reply: a "wrong" reading of a harmful reply (arguing where a dare was meant)
# is still the flag that the reply harms, and vetoing it would leave it unflagged.
HARM_CLEAR = 0.5
# Harmful cues a head never adds where the rule's own ``unless`` let the reply's words go
# (``exempted``). Commanding is a form (the imperative), and its exemptions are the same form
# meant as an invitation ("stay and talk", "keep talking", "let's ..."): a head reading the
# sentence's meaning cannot tell them apart (the dev labels call "Keep talking." an order). Not
# insult: its exemptions are senses of the word ("that's crazy", "you're not a psycho") a head
# reads well: exempting it cost dev14-19 insult F1 0.978 -> 0.956 (en, session 9).
EXEMPTING = ("commanding",)
# rule cues an added cue never suppresses (``combine``): the question the words ask
KEPT_UNDER_ADDED = ("why_question", "suicide_question")


class HeadsError(VoicedrillError):
    """The shipped heads file is missing or damaged."""


# a folder of candidate heads files read instead of the shipped ones: scripts/train_heads.py
# runs the doctrine tests on heads it has fitted before it installs them
HEADS_DIR_ENV = "VOICEDRILL_HEADS_DIR"


def weights_path(code: str) -> Path:
    folder = os.environ.get(HEADS_DIR_ENV)
    base = Path(folder) if folder else Path(__file__).resolve().parent.parent
    return base / f"heads_{code}.npz"


@dataclass(frozen=True)
class Heads:
    """One language's heads: the feature scaling, an optional shared hidden layer
    (``hidden_w``: units x features, ReLU; None: one logistic head per cue), the output
    layer ``w`` (cues x features or units) and ``b``, the feature set (``FEATURE_SETS``,
    ``PARTS``) and the per-cue thresholds (NaN: the head never adds / removes that cue)."""

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

    @property
    def parts(self) -> frozenset[str]:
        return split_kind(self.features)[1]

    @property
    def rules_only(self) -> tuple[str, ...]:
        """The cues these heads never add (``RULES_ONLY``; summary is theirs to add when
        they read his earlier lines)."""
        if "history" in self.parts:
            return tuple(c for c in RULES_ONLY if c != "summary")
        return RULES_ONLY

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(cue) per row of ``features`` (rows x cues)."""
        z = (features - self.mean) / self.scale
        if self.hidden_w is not None and self.hidden_b is not None:
            z = np.maximum(np.einsum("ij,kj->ik", z, self.hidden_w) + self.hidden_b, 0.0)
        logits = np.einsum("ij,kj->ik", z, self.w) + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))

    def read(
        self,
        replies: Sequence[str],
        lines: Sequence[str],
        found: Sequence[Collection[str]] | None = None,
        histories: Sequence[Sequence[str]] | None = None,
    ) -> np.ndarray:
        """P(cue) per (reply, line) pair, each reply split into sentences as the detector
        reads it (``sentence_texts``); ``found``: the cues the rules found in each reply,
        ``histories``: his earlier lines before each line (for heads that read them)."""
        sentences = [sentence_texts(self.language, r) for r in replies]
        x = reply_features(replies, lines, sentences, self.features, found, histories, self.cues)
        return self.probabilities(x)

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
            q, unit = quantize(self.hidden_w)
            arrays.update(hidden_q=q, hidden_scale=unit, hidden_b=self.hidden_b)
        np.savez_compressed(path, **arrays)


def quantize(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``w`` (units x inputs) as int8 with one float32 scale per unit (row): ``q * scale``
    is within half a step (max |row| / 127 / 2) of ``w``."""
    unit = np.abs(w).max(axis=1) / 127.0
    unit = np.where(unit > 0, unit, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / unit[:, None]), -127, 127).astype(np.int8)
    return q, unit


def load_file(path: Path) -> Heads:
    """A heads file of format 1 (logistic, reply-line features), 2 (float16 hidden layer)
    or 3 (``FORMAT``: int8 hidden layer, feature parts)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            fmt = int(z["format"])
            if fmt not in (1, 2, FORMAT):
                raise HeadsError(
                    f"{path}: heads format {fmt}, this voicedrill reads 1 to {FORMAT}; "
                    "train them again: scripts/train_heads.py"
                )
            kind = str(z["features"]) if fmt >= 2 else "reply-line"
            try:
                split_kind(kind)
            except ValueError:
                raise HeadsError(
                    f"{path}: unknown feature set {kind!r}; train them again"
                ) from None
            hidden_w: np.ndarray | None = None
            if "hidden_q" in z.files:
                hidden_w = z["hidden_q"].astype(np.float32) * z["hidden_scale"][:, None]
            elif "hidden_w" in z.files:
                hidden_w = z["hidden_w"].astype(np.float32)
            heads = Heads(
                str(z["language"]),
                tuple(str(c) for c in z["cues"]),
                z["w"].astype(np.float32),
                z["b"].astype(np.float32),
                z["mean"].astype(np.float32),
                z["scale"].astype(np.float32),
                z["add"].astype(np.float32),
                z["remove"].astype(np.float32),
                hidden_w,
                z["hidden_b"].astype(np.float32) if hidden_w is not None else None,
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
        feature_width(heads.features, len(heads.cues)),
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
    summary_needs_feeling: bool = True,
    felt: bool = False,
    exempt: Collection[str] = (),
) -> tuple[set[str], set[str]]:
    """(cues added, cues removed) for one reply: its head probabilities ``probs`` (one per
    head cue), the cues the rules found, the add thresholds and the veto thresholds
    (``remove``; default: the file's, limited to ``VETO_CUES``). An added summary needs
    his feelings named while ``summary_needs_feeling`` (the script's setting), as the
    rules' summaries do: an emotional label in the reply, or a feeling word (``felt``:
    ``names_feeling``). No harmful cue is added that the reply's words ``exempt``
    (``exempted``: its rule read the form and its own ``unless`` let it go). Pure: the
    training script scores it on CV."""
    if remove is None:
        remove = veto_thresholds(heads, True, {})
    found = set(rule_cues)
    added = {
        c
        for i, c in enumerate(heads.cues)
        if c not in found
        and c not in heads.rules_only
        and c not in exempt
        and not np.isnan(add[i])
        and probs[i] >= add[i]
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
    if summary_needs_feeling and "emotional_label" not in final and not felt:
        added.discard("summary")
    # an added cue yields to a suppressor in the reply; an added suppressor drops what it
    # suppresses ("A psycho?" read as a mirror is no insult), but never a literal why-question
    # or a suicide question the words say: a mirror added over "Why the hospital?" gives way
    added = {c for c in added if not set(SUPPRESSED_BY.get(c, ())) & final}
    for c in found - removed:
        suppressors = set(SUPPRESSED_BY.get(c, ())) & added
        if suppressors and c in KEPT_UNDER_ADDED:
            added -= suppressors
        elif suppressors:
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
        found = [sorted(first)]
        # his earlier points as the summary rules read them (the current line said again is
        # no earlier point of his; a line said twice is one point, at its latest place)
        history = earlier_lines(context.perpetrator_lines)
        kind, cues = heads.features, heads.cues
        x = reply_features(
            [parsed.source], [context.line], [sentences], kind, found, [history], cues
        )
        probs = heads.probabilities(x)[0]
        add = thresholds(heads, dict(rules.head_thresholds) if rules is not None else {})
        # below every threshold, a forced 0 too: what the heads may not add here
        if _only_asks(parsed):
            for c in TOLD_NOT_ASKED:
                if c in cues:
                    probs[cues.index(c)] = -1.0
        if "summary" in cues and "summary" not in first:
            k = cues.index("summary")
            if probs[k] >= add[k] and not _restates_earlier(parsed, history):
                probs[k] = -1.0
        veto = veto_thresholds(
            heads,
            rules.head_vetoes if rules is not None else True,
            dict(rules.head_veto_thresholds) if rules is not None else {},
        )
        feeling = rules.summary_needs_feeling if rules is not None else True
        felt = feeling and names_feeling(parsed, code)
        exempt = exempted(parsed, code)
        added, removed = combine(heads, probs, list(first), add, veto, feeling, felt, exempt)
        col = cues.index
        vetoed = {c for c in removed if c in VETO_CUES and probs[col(c)] < veto[col(c)]}
        if added or vetoed:
            spans = _spans(parsed)
            texts = [parsed.source[toks[a].char_start : toks[b - 1].char_end] for a, b in spans]
            n = len(texts)
            x = reply_features(
                texts, [context.line] * n, None, kind, found * n, [history] * n, cues
            )
            span_p = heads.probabilities(x)
            # a veto holds only while no sentence or clause of the reply is that cue either
            # (the "Mm-hmm." of "Mm-hmm. It sounds like you're scared. What happened next?");
            # a span that is the whole reply (a one-sentence reply) was read already: read
            # again without its full stop, it undid a veto the whole reply earned (session 9:
            # "You sound completely worn down." p 0.0004, without the stop 0.0011)
            part = np.array([b - a < len(toks) for a, b in spans], dtype=bool)
            for c in vetoed:
                if part.any() and span_p[part, col(c)].max() >= veto[col(c)]:
                    if not set(SUPPRESSED_BY.get(c, ())) & added:
                        removed.discard(c)
        out = {c: r for c, r in first.items() if c not in removed}
        if added:
            for c in added:
                if c == "summary":  # what it pulls together: his lines' restating sentences
                    out[c] = _summary_reading(own, sentences, context.perpetrator_lines)
                    continue
                best = int(np.argmax(span_p[:, cues.index(c)]))
                a, b = spans[best]
                out[c] = Reading(c, a, b)
        return out
    except EncoderError as e:
        from .. import meaning

        meaning.notice_once(e)
        return first


def names_feeling(parsed: Parsed, code: str) -> bool:
    """Whether a word of the reply names a feeling (the lexicon's feeling classes, as the
    rules' summaries read them: "scared", "hurts", «душа болит»)."""
    from .lexicon import lexicon
    from .paraphrase import feeling_words

    return bool(feeling_words(lexicon(code), parsed.tokens))


def exempted(parsed: Parsed, code: str) -> set[str]:
    """The harmful cues whose phrase rule matched the reply's words where the rule's own
    ``unless`` (an exemption its authors wrote: "stay and talk", "let's do it together",
    "take a breath" are no orders) lets the match go. A head never adds these: refitted in
    session 9 on dev replies where "Keep talking." and "Just talk to me." are orders, the
    commanding head added an order to the invitation "Stay and talk with me." (p 0.9999),
    overriding the exemption the rule was written with. Only for ``EXEMPTING`` cues."""
    from .lexicon import lexicon
    from .patterns import _find_all
    from .text import Sentence, _overlap

    lex = lexicon(code)
    out: set[str] = set()
    for name, rule in lex.rules.items():
        if name not in EXEMPTING or not rule.unless:
            continue
        whole = [Sentence(0, len(parsed.tokens), False)] if rule.across_sentences else []
        for s in whole or parsed.sentences:
            spans = _find_all(lex, parsed, rule.patterns, s)
            blocked = _find_all(lex, parsed, rule.unless, s) if spans else []
            if any(_overlap(sp, b) for sp in spans for b in blocked):
                out.add(name)
                break
    return out


def _only_asks(parsed: Parsed) -> bool:
    """Whether every sentence of the reply is a question (``TOLD_NOT_ASKED``)."""
    asks = parsed.is_question
    return bool(asks) and all(asks[i] for i, s in enumerate(parsed.sentences) if s.end > s.start)


def _restates_earlier(parsed: Parsed, history: Sequence[str]) -> bool:
    """Whether a sentence or clause of the reply restates one of his earlier lines (cos >=
    ``COVERS[1]``): a summary the heads add needs one. Without it the heads credited
    replies that only share a word with his lines ("Your wife and the house can wait,
    nobody has to get hurt because of a shop, you sound upset."); on the fresh files
    (leave-one-file-out) this keeps summary precision 1.00 and 0.46 (en) / 0.43 (ru) of
    its recall (0.36 / 0.38 by the rules alone, 0.63 with the heads unchecked)."""
    from .. import meaning

    if not history:
        return False
    toks = parsed.tokens
    texts = [parsed.source[toks[a].char_start : toks[b - 1].char_end] for a, b in _spans(parsed)]
    if not texts:
        return False
    sims = meaning.embed([_clip(t) for t in texts]) @ meaning.embed([_clip(h) for h in history]).T
    return bool(sims.max() >= COVERS[1])


def _summary_reading(
    own: list[tuple[int, int]], sentences: list[str], lines: Sequence[str]
) -> Reading:
    """An added summary's evidence: from the first to the last sentence of the reply that
    restates one of his lines (cos >= ``COVERS[0]``), the whole reply when none does."""
    from .. import meaning

    his = [_clip(t) for t in lines if t.strip()]
    sims = meaning.embed([_clip(t) for t in sentences]) @ meaning.embed(his).T
    near = [k for k in range(len(own)) if sims[k].max() >= COVERS[0]] or list(range(len(own)))
    return Reading("summary", own[near[0]][0], own[near[-1]][1])


__all__ = [
    "FEATURE_SETS",
    "HISTORY_WIDTH",
    "PARTS",
    "feature_width",
    "history_features",
    "quantize",
    "rule_bits",
    "split_kind",
    "Heads",
    "HeadsError",
    "VETO_CUES",
    "apply_heads",
    "combine",
    "exempted",
    "heads_for",
    "load_file",
    "names_feeling",
    "reply_features",
    "sentence_texts",
    "veto_thresholds",
    "weights_path",
]
