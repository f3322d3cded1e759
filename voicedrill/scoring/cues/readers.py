"""Cue readers: phrase rules from the data file, mirrors, stand-alone minimal
encouragers and contradictions (arguing). Questions are read in ``questions.py``,
paraphrases and summaries in ``paraphrase.py``."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .lexicon import Lexicon, _Rule
from .patterns import _El, _find_all, _match
from .questions import _inverted
from .text import Parsed, Reading, Sentence, Token, _clause_first, _content, _hedge_len, _overlap


def _negated(lex: Lexicon, parsed: Parsed, start: int, s: Sentence, window: int = 2) -> bool:
    """Is a ``negatable`` reading starting at token ``start`` denied ("I don't promise")?

    A negator at most ``window`` words before it, in its clause, with no finite verb in
    between: in an unpunctuated «никто не зайдёт слово даю» the «не» belongs to «зайдёт».
    """
    toks = parsed.tokens
    k = start - 1
    while k >= s.start and start - k <= window and toks[k].clause == toks[start].clause:
        if _negator(lex, toks, k):
            return True
        if _finite_verb(toks[k]):
            return False
        k -= 1
    return False


def _finite_verb(tok: Token) -> bool:
    """Is the token a finite verb in every reading (pymorphy3's VERB; Snowball gives none)?"""
    return bool(tok.grams) and all("verb" in g for _, g in tok.grams)


def _phrase_readings(lex: Lexicon, parsed: Parsed, name: str, rule: _Rule) -> list[Reading]:
    """Readings of a phrase rule. ``if_backed`` patterns count only when the reply also
    holds a reading of ``patterns`` or ``backing`` ("Nobody is coming in" states a fact;
    "Nobody is coming in, you have my word" promises)."""
    out = _rule_readings(lex, parsed, name, rule, rule.patterns)
    if rule.in_context and _line_matches(lex, parsed, rule.context):
        out.extend(_rule_readings(lex, parsed, name, rule, rule.in_context))
    if rule.weak:
        out.extend(
            replace(r, weak=True) for r in _rule_readings(lex, parsed, name, rule, rule.weak)
        )
    if rule.unasked and not _he_asks(parsed):
        out.extend(_rule_readings(lex, parsed, name, rule, rule.unasked))
    if rule.if_backed:
        backed = _rule_readings(lex, parsed, name, rule, rule.if_backed)
        if backed and (
            out or any(_find_all(lex, parsed, rule.backing, s) for s in parsed.sentences)
        ):
            out.extend(backed)
        else:  # unbacked: no cue, but it still settles overlaps (SUPPRESSED_BY)
            out.extend(replace(r, cue=f"_{name}_unbacked") for r in backed)
    return out


def _line_matches(lex: Lexicon, parsed: Parsed, patterns: list[list[_El]]) -> bool:
    """Does the perpetrator's current line match one of ``patterns``?"""
    line = parsed.line
    return bool(
        line and patterns and any(_find_all(lex, line, patterns, s) for s in line.sentences)
    )


def _rule_readings(
    lex: Lexicon, parsed: Parsed, name: str, rule: _Rule, patterns: list[list[_El]]
) -> list[Reading]:
    if rule.across_sentences:
        return _rule_readings_across(lex, parsed, name, rule, patterns)
    out = []
    for si, s in enumerate(parsed.sentences):
        q = parsed.is_question[si]
        if rule.question == "yes" and not q or rule.question == "no" and s.question_mark:
            continue
        if rule.not_inverted and _inverted(lex, parsed, s):
            continue
        spans = _find_all(lex, parsed, patterns, s)
        if not spans:
            continue
        blocked = _find_all(lex, parsed, rule.unless, s) if rule.unless else []
        first_clause = parsed.tokens[s.start].clause
        for sp in spans:
            if rule.question == "no" and q and parsed.tokens[sp[0]].clause == first_clause:
                continue  # inside a question that lost its "?"
            if rule.negatable and _negated(lex, parsed, sp[0], s):
                continue
            if any(_overlap(sp, b) for b in blocked):
                continue
            out.append(Reading(name, *sp))
    return out


def _rule_readings_across(
    lex: Lexicon, parsed: Parsed, name: str, rule: _Rule, patterns: list[list[_El]]
) -> list[Reading]:
    """Readings of patterns matched over the whole reply (sentence ends act as clause
    ends), each through the end of the sentence it ends in; ``question: no`` drops a
    match that ends in a question sentence."""
    whole = Sentence(0, len(parsed.tokens), False)
    blocked = _find_all(lex, parsed, rule.unless, whole) if rule.unless else []
    out = []
    for sp in _find_all(lex, parsed, patterns, whole):
        si = parsed.tokens[sp[1] - 1].sentence
        last = parsed.sentences[si]
        q = parsed.is_question[si]
        if rule.question == "no" and q or rule.question == "yes" and not q:
            continue
        if rule.negatable and _negated(lex, parsed, sp[0], whole):
            continue
        if any(_overlap(sp, b) for b in blocked):
            continue
        out.append(Reading(name, sp[0], last.end))
    return out


def _same(lex: Lexicon, reply: Token, line: Token) -> bool:
    if reply.text == line.text or reply.lemmas & line.lemmas:
        return True
    return any(lex.swaps.get(lem, frozenset()) & line.lemmas for lem in reply.lemmas)


def _echo(
    lex: Lexicon, a: list[Token], b: tuple[Token, ...], gap_a: int = 2, gap_b: int = 4
) -> list[tuple[int, int]]:
    """The longest chain of (reply index, line index) pairs of the same words, in order,
    with at most ``gap_a - 1`` (``gap_b - 1``) skipped words between neighbours in the
    reply (in the line)."""
    n, m = len(a), len(b)
    best: dict[tuple[int, int], tuple[int, tuple[int, int] | None]] = {}
    top: tuple[int, tuple[int, int] | None] = (0, None)
    for i in range(n):
        for j in range(m):
            if not _same(lex, a[i], b[j]):
                continue
            length, prev = 1, None
            for pi in range(max(0, i - gap_a), i):
                for pj in range(max(0, j - gap_b), j):
                    got = best.get((pi, pj))
                    if got and got[0] + 1 > length:
                        length, prev = got[0] + 1, (pi, pj)
            best[(i, j)] = (length, prev)
            if length > top[0]:
                top = (length, (i, j))
    chain, at = [], top[1]
    while at is not None:
        chain.append(at)
        at = best[at][1]
    return chain[::-1]


def _verbatim(lex: Lexicon, sent: tuple[Token, ...] | list[Token], line: tuple[Token, ...]) -> bool:
    """The whole sentence (fillers aside) is a run of 2+ words of his line, word for word
    ("This time?" of "... stop me this time"): an echo even of function words."""
    words = [t.text for t in sent if t.text not in lex.fillers]
    said = [t.text for t in line]
    n = len(words)
    return 2 <= n <= 4 and any(said[j : j + n] == words for j in range(len(said) - n + 1))


def _echo_any_order(lex: Lexicon, a: list[Token], b: tuple[Token, ...]) -> list[tuple[int, int]]:
    """(reply index, line index) pairs of the same words in any order, each line word
    used once, all within a span of the line no longer than the reply plus three words."""
    best: list[tuple[int, int]] = []
    for start in range(len(b)):
        used: set[int] = set()
        pairs = []
        for i, t in enumerate(a):
            j = next(
                (
                    j
                    for j in range(start, min(len(b), start + len(a) + 3))
                    if j not in used and _same(lex, t, b[j])
                ),
                None,
            )
            if j is not None:
                used.add(j)
                pairs.append((i, j))
        if len(pairs) > len(best):
            best = pairs
    return best


def _mirrors(lex: Lexicon, parsed: Parsed, line: tuple[Token, ...]) -> list[Reading]:
    """Short sentences that mostly repeat words of the perpetrator's line."""
    if not line:
        return []
    out = []
    toks = parsed.tokens
    line_words = {t.text for t in line}
    skip = lex.fillers | lex.mirror_ignore

    def echoable(k: int) -> bool:
        t = toks[k]
        if t.text in skip or (t.text in lex.wh and t.text not in line_words):
            return False
        # a discourse particle skipped at the start of a clause ("so", "okay") is not echo
        return not (
            k in parsed.clause_starts
            and k + 1 in parsed.clause_starts
            and toks[k + 1].clause == t.clause
        )

    asked = bool(lex.mirror_answers) and _he_asks(parsed)
    answered = False  # the sentence before was a bare "yes" ("yeah" cut off "still by the gate")
    for s in parsed.sentences:
        said = [t.text for t in toks[s.start : s.end] if t.text not in lex.fillers]
        if asked and (answered or (said and said[0] in lex.mirror_answers)):
            # "Are you still on the line?" -> "Yeah, I'm still on the line": an answer
            answered = all(w in lex.mirror_answers for w in said)
            continue
        answered = False
        idx = [k for k in range(s.start, s.end) if echoable(k)]
        short = [k for k in idx if toks[k].text not in lex.mirror_stand_in]
        if short and len(idx) <= lex.mirror_short:
            idx = short  # a pronoun standing for his noun in a short echo ("He laughed?")
        if not idx or len(idx) > lex.mirror_max:
            continue
        words = [toks[k] for k in idx]
        chain = _echo(lex, words, line)
        asks = any(toks[k].text in lex.wh for k in range(s.start, s.end))
        if lex.mirror_any_order and len(words) <= 3 and not asks:
            loose = _echo_any_order(lex, words, line)
            if len(loose) > len(chain):
                chain = loose  # free word order: «Смеётся вся школа?» of «вся школа смеётся»
        if not chain:
            continue
        share = len(chain) / len(words)
        contiguous = all(
            all(line[j].text in skip for j in range(a[1] + 1, b[1]))
            for a, b in zip(chain, chain[1:], strict=False)
        )
        if (
            not any(_content(lex, words[i]) for i, _ in chain)
            and not (share == 1 and (contiguous or len(chain) >= 3) and len(chain) >= 2)
            and not (len(words) == 1 and share == 1 and _negator(lex, toks, idx[0]))
            and not _verbatim(lex, toks[s.start : s.end], line)
        ):
            # only function words in common ("I'm telling you" / "I'm taking everyone with
            # me"); but every word of three or more in his order is an echo ("Не будешь
            # говорить?" of «Я не буду больше с тобой говорить»), and so is his lone
            # "nobody", "nothing" («Никто?» of «Никто не представляет»)
            continue
        first_j, last_j = min(j for _, j in chain), max(j for _, j in chain)
        reply_neg = any(_negator(lex, toks, k) for k in range(s.start, s.end))
        line_neg = any(_negator(lex, line, j) for j in range(first_j, last_j + 1))
        if reply_neg != line_neg:
            continue  # "It does matter" does not echo "It doesn't matter"
        need = lex.mirror_share_short if len(words) <= lex.mirror_short else lex.mirror_share_long
        first = _clause_first(parsed, s)
        if toks[first].text in lex.wh and toks[first].text not in line_words:
            # a question word of the trainee's own asks about his words ("Who laughs at
            # you?", «Кто вас бьёт?»): an open question, not an echo (0 of 19 such replies
            # were labelled mirrors on dev2-dev19)
            continue
        if share >= need:
            out.append(Reading("mirror", idx[chain[0][0]], idx[chain[-1][0]] + 1))
    return out


def _encouragers(lex: Lexicon, parsed: Parsed) -> list[Reading]:
    """Sentences made only of minimal encouragers ("Mm-hmm.", "I see. Go on."). A sentence
    of bare acknowledgements (``minimal_encourager.acknowledgements``: "Okay.", "Yes.")
    encourages only when the reply says nothing else: "Okay. I'll call you back on this
    number." acknowledges and moves on."""
    out = []
    toks = parsed.tokens
    plain: list[Reading] = []  # acknowledgement-only sentences
    other = False  # a sentence that is no encourager
    asked = bool(lex.encourager_answers) and _he_asks(parsed)
    for s in parsed.sentences:
        k, found = s.start, False
        while k < s.end:
            best = max(
                (e for p in lex.encourager_alone for e, _, _ in _match(lex, parsed, p, 0, k, s)),
                default=k,
            )
            if best > k and best < s.end and toks[best].text in lex.encourager_not_before:
                found = False
                break
            if best > k:
                found, k = True, best
            elif toks[k].text in lex.fillers or toks[k].text in lex.leading:
                k += 1
            elif hedge := _hedge_len(lex, toks, k, s):  # «ну как бы да слушаю»
                k += hedge
            else:
                found = False
                break
        words = [t.text for t in toks[s.start : s.end] if t.text not in lex.fillers]
        if found and asked and all(w in lex.encourager_answers for w in words):
            other = True  # his question answered, not him encouraged
            continue
        if found:
            r = Reading("minimal_encourager", s.start, s.end)
            if lex.acknowledgements and all(w in lex.acknowledgements for w in words):
                plain.append(r)
            else:
                out.append(r)
        elif s.end > s.start:
            other = True
    return out if other else out + plain


def _contradictions(
    lex: Lexicon, parsed: Parsed, line: tuple[Token, ...], arguing: _Rule | None = None
) -> list[Reading]:
    """A clause that flips the polarity of what the perpetrator said about the same thing
    ("I'm not stalling" to "You're stalling"; "It does matter" to "It doesn't matter").

    A word is negated when a negator stands at most ``_NEG_WINDOW`` words before it in
    its clause; a reply clause contradicts when a content word it shares with the
    line is negated on one side only. Clauses that match ``contradiction.unless``
    (the perpetrator's wish restated: "You just want to see your kids" to "She won't
    let me see my kids") or ``cues.arguing.unless`` (the negotiator's honest limits:
    "I can't give amnesty") are not contradictions.
    """
    if not line:
        return []
    out = []
    toks = parsed.tokens
    line_polarity: dict[str, set[bool]] = {}
    # a clause of the line that starts with "if" / "если" asserts nothing to contradict
    hypothetical = _hypothetical_clauses(lex, line, lex.hypothetical)
    # ... nor does a clause of the reply that opens with "if" or "until" ("Пока не выйдете, ...")
    reply_hypothetical = _hypothetical_clauses(
        lex, parsed.tokens, lex.hypothetical | lex.not_negating_after
    )
    # a question of his asserts nothing either, where the language says so ("Are you taping
    # this?" -> "Yes, the line is taped"; "Why should I trust you?" -> "No reason to yet")
    asked: set[int] = set()
    if not lex.contra_asked and parsed.line is not None and len(parsed.line.tokens) == len(line):
        asked = {i for i, q in enumerate(parsed.line.is_question) if q}
    supplied: set[str] = set()  # what his "nobody ..." denies ("nobody said thank you")
    for k, t in enumerate(line):
        if _content(lex, t) and t.clause not in hypothetical and t.sentence not in asked:
            neg = _polarity(lex, line, k)
            if neg is None:
                continue  # what is denied is unclear (a word between)
            concept = lex.concept.get(t.lemma, t.lemma)
            line_polarity.setdefault(concept, set()).add(neg)
            if neg and _subject_negated(lex, line, k):
                supplied.add(concept)
    for si, s in enumerate(parsed.sentences):
        if parsed.is_question[si]:
            continue
        exempt = _find_all(lex, parsed, lex.contra_unless + (arguing.unless if arguing else []), s)
        exempt_clauses = {toks[a].clause for a, _ in exempt}
        covered = {k for a, b in exempt for k in range(a, b)}
        for k in range(s.start, s.end):
            t = toks[k]
            if not _content(lex, t):
                continue
            if t.clause in exempt_clauses or k in covered or t.clause in reply_hypothetical:
                continue
            concept = lex.concept.get(t.lemma, t.lemma)
            seen = line_polarity.get(concept)
            if seen and _number(lex, t):
                continue  # "Four days without sleep" restates "I haven't slept in four days"
            if seen and _soft_negated(lex, toks, k):
                continue  # "without sleep" agrees with "I haven't slept" as well as it denies "I slept"
            neg = _polarity(lex, toks, k)
            if neg is None:
                continue
            if concept in supplied and not neg and _supplies(lex, toks, k):
                continue  # "Nobody listens to me" -> "I'm listening": given, not denied
            if seen and neg not in seen:
                a = k
                while a > s.start and toks[a - 1].clause == t.clause:
                    a -= 1
                b = k + 1
                while b < s.end and toks[b].clause == t.clause:
                    b += 1
                out.append(Reading("arguing", a, b, weak=True))
                break
    return out


def _hypothetical_clauses(
    lex: Lexicon, tokens: Sequence[Token], openers: frozenset[str] | set[str]
) -> set[int]:
    """Clauses that open (after leading particles) with one of ``openers`` ("if", «если»)."""
    return {
        t.clause
        for k, t in enumerate(tokens)
        if t.text in openers and _opens_clause(lex, tokens, k)
    }


_NEG_WINDOW = 3


def _negated_at(lex: Lexicon, tokens: Sequence[Token], k: int) -> bool:
    """Is token k denied (a negator at most _NEG_WINDOW words before it, same clause)?"""
    j = k - 1
    while j >= 0 and k - j <= _NEG_WINDOW and tokens[j].clause == tokens[k].clause:
        if _negator(lex, tokens, j) and tokens[j].text not in lex.not_contradicting:
            return True
        j -= 1
    return False


def _he_asks(parsed: Parsed) -> bool:
    """Does his current line ask something (a sentence of it read as a question)?"""
    return parsed.line is not None and any(parsed.line.is_question)


def _polarity(lex: Lexicon, tokens: Sequence[Token], k: int) -> bool | None:
    """Is token k denied? With ``contradiction.strict_scope``: fillers do not count in the
    window, a negator after ``soft_after`` words ("with no") denies softly (None), and a content
    word between the negator and k leaves unclear what is denied (None)."""
    if not lex.contra_strict:
        return _negated_at(lex, tokens, k)
    j, seen, between = k - 1, 0, False
    while j >= 0 and tokens[j].clause == tokens[k].clause:
        if tokens[j].text in lex.fillers:
            j -= 1
            continue
        seen += 1
        if seen > _NEG_WINDOW:
            return False
        if _negator(lex, tokens, j) and tokens[j].text not in lex.not_contradicting:
            soft = lex.contra_soft_after.get(tokens[j].text, frozenset())
            if j > 0 and tokens[j - 1].text in soft and tokens[j - 1].clause == tokens[j].clause:
                return None
            return None if between else True
        if tokens[j].text in lex.contra_scope_breaks or (
            _content(lex, tokens[j]) and tokens[j].text not in lex.contra_scope_through
        ):
            between = True
        j -= 1
    return False


def _subject_negated(lex: Lexicon, tokens: Sequence[Token], k: int) -> bool:
    """Is token k denied by a subject negator of ``contradiction.supplied`` ("nobody", "no
    one") opening its clause?"""
    if not lex.contra_supplied_neg:
        return False
    j = k - 1
    while j >= 0 and tokens[j].clause == tokens[k].clause:
        if tokens[j].text in lex.contra_supplied_neg:
            return True
        j -= 1
    return False


def _supplies(lex: Lexicon, tokens: Sequence[Token], k: int) -> bool:
    """Does token k's clause open with a subject of ``contradiction.supplied`` ("I", "we") and
    put more than a flat verb before k: "I'd like to thank you", "I'm asking now" give what
    nobody gave; "I give a damn", "I do care" deny his "nobody"."""
    j = k
    while j > 0 and tokens[j - 1].clause == tokens[k].clause:
        j -= 1
    while j < k and (tokens[j].text in lex.fillers or tokens[j].text in lex.leading):
        j += 1
    if j == k or tokens[j].text not in lex.contra_supplied_subj:
        return False
    between = [t.text for t in tokens[j + 1 : k] if t.text not in lex.fillers]
    return any(w not in lex.contra_supplied_direct for w in between)


def _number(lex: Lexicon, tok: Token) -> bool:
    """Is the token a number word (the data's ``number`` class, one-word entries)?"""
    texts, lemmas, _ = lex.class_words.get("number", (frozenset(), frozenset(), []))
    return (
        tok.text.isdigit()
        or tok.text in texts
        or bool(tok.lemmas & lemmas)
        or any("numr" in g for _, g in tok.grams)
    )


def _soft_negated(lex: Lexicon, tokens: Sequence[Token], k: int) -> bool:
    """Is token k after a negator that does not contradict ("without", «без»)?"""
    j = k - 1
    while j >= 0 and k - j <= _NEG_WINDOW and tokens[j].clause == tokens[k].clause:
        if tokens[j].text in lex.not_contradicting:
            return True
        j -= 1
    return False


def _negator(lex: Lexicon, tokens: Sequence[Token], j: int) -> bool:
    """Is token j a negation? Not after "пока" meaning "until": one that opens its clause, or
    one before a future verb ("пока не уйдёт", "я подожду пока вы не позвоните"); "пока" before
    anything else means "yet" ("Вы пока не готовы", "пока не знаю") and the negation stands."""
    if tokens[j].text not in lex.negators:
        return False
    until = [
        i
        for i in range(max(0, j - _NEG_WINDOW), j)
        if tokens[i].text in lex.not_negating_after and tokens[i].clause == tokens[j].clause
    ]
    if not until:
        return True
    return not (_opens_future(tokens, j) or any(_opens_clause(lex, tokens, i) for i in until))


def _opens_future(tokens: Sequence[Token], j: int) -> bool:
    """Does a future-tense verb follow token j in its clause ("не позвоните")?"""
    k = j + 1
    return (
        k < len(tokens)
        and tokens[k].clause == tokens[j].clause
        and any("futr" in g for _, g in tokens[k].grams)
    )


def _opens_clause(lex: Lexicon, tokens: Sequence[Token], i: int) -> bool:
    """Do only leading particles and fillers stand before token i in its clause?"""
    skip = lex.leading | lex.fillers
    k = i - 1
    while k >= 0 and tokens[k].clause == tokens[i].clause:
        if tokens[k].text not in skip:
            return False
        k -= 1
    return True
