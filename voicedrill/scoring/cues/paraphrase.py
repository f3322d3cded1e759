"""Paraphrase and summary: replies that restate the perpetrator's current line, or
pull together several of his lines and his feelings. Read by meaning.

A *paraphrase* restates the content of his current line in the trainee's own words:
an explicit lead-in ("So what you're saying is ...") followed by words; or a statement
about him ("You ...", "Your ...": the ``paraphrase.weak_lead_ins`` / ``paraphrase.you``
patterns) that is not a question, not about the speaker ("I", "we"), has words of its
own (not a mirror of his), is not an emotional label (a label is credited as one), and is
close in meaning to his line: its sentence-encoder cosine similarity
reaches ``meaning.paraphrase_min_similarity`` (or, as before, it shares content words
with the line after a lead-in).

A statement that says his want, need, belief or doubt back (``paraphrase.wants``: "You want
the land returned", "You're not sure this helps") is a paraphrase by its shape, unless a label
covers it. A label whose feeling takes a clause saying what happened to him ("You're angry
that nobody listened": ``paraphrase.label_clauses``) is a label and a paraphrase
(``_label_restates``), by the convention of the blind sets (blind8-10).

A *summary* pulls together several of his points (and, often, his feelings): clauses of
the reply close in meaning (``meaning.summary_min_similarity``) to at least
``meaning.summary_min_lines`` different perpetrator lines (a line he repeats is one), one of
them earlier than his current line, each matched by a different clause. Only statements
about him count: a clause in a question or about the negotiator ("I'll ask my
lieutenant") restates none of his points, and a reply that promises, concedes, dares,
minimizes, blames, insults or threatens pulls nothing together (``resolve``). A feeling word
or an emotional label is required only with ``meaning.summary_needs_feeling: true`` (false
by default since session 8: the labelled practice replies count a recap of his points as a
summary, and on dev2-20 about half name no feeling). The evidence runs from the first to
the last word that earned it, his feelings named included.

Without the sentence encoder (``voicedrill models install use-m3``: one notice says so),
or with ``meaning.use_encoder: false``, both are read from shared content words as
before (the word route of ``_paraphrases``, and ``_summaries_by_words``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from ...errors import EncoderError
from ...types import TurnContext
from .lexicon import Lexicon, _line_tokens
from .patterns import _find_all
from .questions import _inverted
from .readers import _he_asks
from .text import Parsed, Reading, Sentence, Token, _concepts

if TYPE_CHECKING:
    from ..script import MeaningRules

# word classes of the lexicon that name a feeling ("state" is left out: "quiet", "calm"
# name feelings only after "you sound", and an emotional label reading covers that)
_FEELING_CLASSES = ("emotion", "hard_state", "feeling_verb")


def _rules(rules: MeaningRules | None) -> MeaningRules:
    if rules is None:
        from ..script import MeaningRules

        return MeaningRules()
    return rules


def _similarity(a: Sequence[str], b: Sequence[str]):
    """Cosine matrix from the sentence encoder, or None (after one notice) without it."""
    from .. import meaning

    try:
        return meaning.similarity(a, b)
    except EncoderError as e:
        meaning.notice_once(e)
        return None


def _text(parsed: Parsed, start: int, end: int) -> str:
    toks = parsed.tokens
    return parsed.source[toks[start].char_start : toks[end - 1].char_end]


def _in_class(lex: Lexicon, tok: Token, names: Sequence[str]) -> bool:
    for name in names:
        texts, lemmas, _ = lex.class_words.get(name, (frozenset(), frozenset(), []))
        if tok.text in texts or tok.lemmas & lemmas:
            return True
    return False


def _speaker_lemmas(lex: Lexicon) -> frozenset[str]:
    """His words for himself ("I", "me", "мы", ...): the pronoun swaps that turn into a
    word of the ``you`` class (data, not code)."""
    got = getattr(lex, "_speaker_lemmas", None)
    if got is None:
        texts, lemmas, _ = lex.class_words.get("you", (frozenset(), frozenset(), []))
        you = set(texts) | set(lemmas)
        got = frozenset(k for k, v in lex.swaps.items() if v & you)
        lex._speaker_lemmas = got
    return got


def _about_speaker(lex: Lexicon, words: Sequence[Token]) -> bool:
    speaker = _speaker_lemmas(lex)
    return any(t.lemmas & speaker or any("1per" in g for _, g in t.grams) for t in words)


# --------------------------------------------------------------------------- paraphrase


def _paraphrases(
    lex: Lexicon,
    parsed: Parsed,
    line: tuple[Token, ...],
    line_text: str = "",
    rules: MeaningRules | None = None,
    labels: Sequence[Reading] = (),
) -> list[Reading]:
    rules = _rules(rules)
    out = []
    toks = parsed.tokens
    line_concepts = _concepts(lex, list(line))
    candidates: list[tuple[Sentence, str, float]] = []
    for si, s in enumerate(parsed.sentences):
        if _inverted(lex, parsed, s):
            continue
        labelled = [r for r in labels if r.start < s.end and s.start < r.end]  # a label in it
        lead = _find_all(lex, parsed, lex.para_lead, s)
        if lead:
            st = min(a for a, _ in lead)
            after = max(b for _, b in lead)
            if s.end - after >= 2:
                out.append(Reading("paraphrase", st, s.end))
                continue
        if labelled and not parsed.is_question[si] and _label_restates(lex, parsed, s):
            out.append(Reading("paraphrase", s.start, s.end, weak=True))
            continue
        n_words = s.end - s.start
        if (
            n_words >= lex.para_min_words
            and not parsed.is_question[si]
            and _find_all(lex, parsed, lex.para_wants, s)
            and not _find_all(lex, parsed, lex.para_unless, s)
            and not labelled
        ):
            # his want, need or belief said back as a statement ("You want the land returned"
            # to "Land back or we burn the depot"): a restatement by its shape, whatever words
            # it shares with the line; weak, so an explicit reading over it takes precedence
            out.append(Reading("paraphrase", s.start, s.end, weak=True))
            continue
        if (
            n_words < lex.para_min_words
            or not line_concepts
            or _find_all(lex, parsed, lex.para_unless, s)
        ):
            continue
        words = toks[s.start : s.end]
        shared = _concepts(lex, words) & line_concepts
        weak = _find_all(lex, parsed, lex.para_weak, s)
        you = _find_all(lex, parsed, lex.para_you, s)
        if (weak and len(shared) >= lex.para_min_overlap) or (
            you and len(shared) >= lex.para_min_overlap_plain
        ):
            if any(toks[r.start].clause == toks[s.start].clause for r in labelled):
                continue  # a sentence that opens by naming his feeling ("Ты боишься, что тебя изобьют") is a label
            out.append(
                Reading("paraphrase", s.start, s.end, weak=True)
            )  # the sentence is the evidence
            continue
        need = rules.paraphrase_min_similarity
        if not (weak or you):
            if lex.para_plain_min_similarity is None:
                continue
            need = lex.para_plain_min_similarity  # his story told back in the third person
            if _he_asks(parsed) or _find_all(lex, parsed, lex.para_plain_unless, s):
                continue  # an answer to his question, or his demand agreed to, tells nothing back
        if (
            parsed.is_question[si]
            or not rules.use_encoder
            or len(candidates) >= rules.max_sentences
        ):
            continue
        if _about_speaker(lex, words) or not (_concepts(lex, words) - line_concepts):
            continue  # about the negotiator, or nothing but his own words (a mirror's job)
        if labelled:
            continue  # an emotional label ("You feel like the city turned its back on you") is credited as one
        plain = [t for t in words if not _in_class(lex, t, _FEELING_CLASSES)]
        if len(_concepts(lex, plain)) < rules.paraphrase_min_content_words:
            continue  # a feeling named, nothing restated
        candidates.append((s, _text(parsed, s.start, s.end), need))
    if candidates and line_text.strip():
        sims = _similarity([t for _, t, _ in candidates], [line_text])
        if sims is not None:
            for (s, _, need), sim in zip(candidates, sims[:, 0], strict=False):
                if sim >= need:
                    out.append(Reading("paraphrase", s.start, s.end, weak=True))
    return out


def _label_restates(lex: Lexicon, parsed: Parsed, s: Sentence) -> bool:
    """A label whose feeling takes a clause that says what happened to him ("You're angry
    that nobody listened", "You're sick of being judged", «Вам обидно, что вас считают
    бандитом»): the label and a paraphrase, by the blind sets' convention (blind8-10). The
    feeling opens a ``paraphrase.label_clauses`` match in ``s`` (a sentence a label covers);
    from it on the sentence must hold ``label_clause_min_words`` content words besides feeling
    words, not be about the negotiator ("that I'm not getting it"), and match no
    ``label_clause_unless`` (a clause that only points back, "that people see you that
    way", or asks what comes next, «что будет дальше», restates nothing of his line)."""
    if not lex.para_label_clauses:
        return False
    toks = parsed.tokens
    for a, _ in _find_all(lex, parsed, lex.para_label_clauses, s):
        clause = toks[a : s.end]  # the feeling and what it takes
        if _about_speaker(lex, clause):
            continue
        plain = [t for t in clause if not _in_class(lex, t, _FEELING_CLASSES)]
        if len(_concepts(lex, plain)) < lex.para_label_clause_min_words:
            continue
        if _find_all(lex, parsed, lex.para_label_clause_unless, replace(s, start=a)):
            continue
        return True
    return False


# --------------------------------------------------------------------------- summary


def _clauses(
    parsed: Parsed, limit: int, joins: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """Token spans [start, end) of the reply's clauses of two words or more (a lone
    "Marcus" or "okay" restates nothing), at most ``limit``. A word of ``joins`` ("and",
    "then") also starts a span: a recap strung together without punctuation ("you lost
    your dad here and now the farm and your wife are going") lists his points by them;
    only without punctuation: where the reply has its own clauses, "your wife and the house
    can wait" is one of them, not two points of his."""
    spans: list[tuple[int, int]] = []
    toks = parsed.tokens
    if not parsed.unpunctuated:
        joins = frozenset()
    start = 0
    for k in range(1, len(toks) + 1):
        if (
            k == len(toks)
            or toks[k].clause != toks[start].clause
            or (toks[k].text in joins and toks[k - 1].text not in joins)
        ):
            if k - start >= 2:
                spans.append((start, k))
            start = k
    return spans[:limit]


def _summaries(
    lex: Lexicon,
    parsed: Parsed,
    context: TurnContext,
    rules: MeaningRules | None = None,
    feelings: Sequence[Reading] = (),
) -> list[Reading]:
    """A reply whose statements about him restate ``summary_min_lines`` of his lines (one
    earlier than the current one, each by a different clause), naming his feelings (a
    feeling word, or one of the ``feelings`` readings: emotional labels found in the reply)
    where ``summary_needs_feeling`` asks for them."""
    rules = _rules(rules)
    if not rules.use_encoder:
        return _summaries_by_words(lex, parsed, context)
    lines = _distinct_lines(context.perpetrator_lines)
    toks = parsed.tokens
    if len(lines) < rules.summary_min_lines or len(toks) < lex.summary_min_words:
        return []
    # his points are restated in statements about him: a clause about the negotiator ("I'll
    # ask my lieutenant") or in a question restates none of them; a lead-in about the
    # negotiator ("if I got this right", «давайте я перескажу») and the words before it are
    # no part of the clause (said without punctuation, it shares one with his first point)
    leads = [
        (st, e)
        for s in parsed.sentences
        for st, e in _find_all(lex, parsed, lex.para_lead + lex.summary_markers, s)
        if _about_speaker(lex, toks[st:e])
    ]
    spans = []
    for a, b in _clauses(parsed, rules.max_sentences, lex.summary_joins):
        a = max([a] + [e for st, e in leads if a <= st < b])
        if (
            b - a >= 2
            and not parsed.is_question[toks[a].sentence]
            and not _about_speaker(lex, toks[a:b])
        ):
            spans.append((a, b))
    if len(spans) < rules.summary_min_lines:
        return []
    sims = _similarity([_text(parsed, a, b) for a, b in spans], lines)
    if sims is None:
        return _summaries_by_words(lex, parsed, context)
    # each line matched by its best clause; a clause counts for one line only
    covered: dict[int, int] = {}  # line -> clause
    for n in sorted(range(len(lines)), key=lambda n: -float(sims[:, n].max())):
        order = sorted(range(len(spans)), key=lambda c: -float(sims[c, n]))
        for c in order:
            if sims[c, n] < rules.summary_min_similarity:
                break
            if c not in covered.values():
                covered[n] = c
                break
    earlier = any(n < len(lines) - 1 for n in covered)
    if len(covered) < rules.summary_min_lines or not earlier:
        return []
    used = [spans[c] for c in covered.values()]
    # his feelings named are part of what it pulls together (and of its evidence); required
    # only while the script asks for them
    felt = feeling_words(lex, toks) + [(r.start, r.end) for r in feelings]
    if rules.summary_needs_feeling and not felt:
        return []
    used += felt
    return [Reading("summary", min(a for a, _ in used), max(b for _, b in used))]


def _distinct_lines(lines: Sequence[str]) -> list[str]:
    """His non-empty lines, oldest first, a repeated line kept at its latest place only (said
    twice, it is one point: the current line repeated is no earlier point of his)."""
    kept = [ln for ln in lines if ln.strip()]
    return [ln for k, ln in enumerate(kept) if ln not in kept[k + 1 :]]


def earlier_lines(lines: Sequence[str]) -> list[str]:
    """His earlier points before the current (last) line of ``lines``, as the summary rules
    read them (``_distinct_lines``): non-empty, a repeat kept at its latest place only, the
    current line and its repeats dropped. The learned heads read the same lines, in the
    detector and in training (``scripts/train_heads.py``)."""
    kept = _distinct_lines(lines)
    return kept[:-1] if lines and lines[-1].strip() else kept


def feeling_words(lex: Lexicon, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Spans [k, k + 1) of the words that name a feeling ("scared", "hurts", «душа болит»:
    the lexicon's feeling classes): his feelings named in a summary, by the rules and the
    heads alike."""
    return [(k, k + 1) for k, t in enumerate(tokens) if _in_class(lex, t, _FEELING_CLASSES)]


# --------------------------------------------------------------------------- by words (no encoder)


def _summaries_by_words(lex: Lexicon, parsed: Parsed, context: TurnContext) -> list[Reading]:
    """A reply that pulls together several perpetrator lines: it shares content words
    with ``summary.min_lines`` of them (an earlier one among them) and has a summary
    marker or lead-in, or it covers one line more than that without a marker."""
    lines = [ln for ln in context.perpetrator_lines if ln.strip()]
    if len(lines) < lex.summary_min_lines:
        return []
    toks = parsed.tokens
    if len(toks) < lex.summary_min_words:
        return []
    reply = _concepts(lex, toks)
    covered, earlier = 0, False
    for n, ln in enumerate(lines):
        if _concepts(lex, list(_line_tokens(lex.code, ln))) & reply:
            covered += 1
            earlier = earlier or n < len(lines) - 1
    if covered < lex.summary_min_lines or not earlier:
        return []
    markers = lex.summary_markers + lex.para_lead
    for s in parsed.sentences:
        spans = _find_all(lex, parsed, markers, s)
        if spans:
            return [Reading("summary", min(a for a, _ in spans), len(toks))]
    if covered > lex.summary_min_lines:
        return [Reading("summary", 0, len(toks))]
    return []
