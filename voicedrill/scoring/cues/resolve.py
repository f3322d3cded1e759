"""Overlapping readings resolved: which cue gives way to which."""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from typing import Callable, Iterable

from ..names import CUE_NAMES, TEXT_CUES
from .text import Reading

# A reading of cue X is dropped when it overlaps a reading of one of these cues
# (same words, or the same sentence for sentence-wide cues such as questions).
_ECHO = ("mirror",)  # words echoed from the perpetrator are his, not the trainee's
SUPPRESSED_BY: dict[str, tuple[str, ...]] = {
    "commanding": (
        "calm_down",
        "arguing",
        "minimizing",
        "open_question",
        "dare",
        "insult",
        "conceding",
        "blaming",
    )
    + _ECHO,
    "calm_down": _ECHO,
    "promise": ("hollow_empathy",)
    + _ECHO,  # "I've been there, believe me" claims, promises nothing
    # a reassurance ("Nobody is coming in") is not arguing, even when it is no promise
    "arguing": ("promise", "_promise_unbacked") + _ECHO,
    "minimizing": _ECHO,
    "threat": _ECHO,
    "why_question": _ECHO,
    "mirror": (
        "emotional_label",
        "paraphrase",
        "summary",
        "minimal_encourager",
        "conceding",
        "dare",
    ),
    # "Go ahead." after "I'll jump!" invites the act; "I understand." claims, and does not encourage
    "minimal_encourager": ("dare", "hollow_empathy", "conceding"),
    "blaming": ("why_question", "_why_sentence")
    + _ECHO,  # a literal why-question is counted as one, however it accuses
    "insult": _ECHO,  # "A psycho?" echoes his word
    "paraphrase": ("summary", "suicide_question"),
    # a rhetorical question that argues ("Then where did the bruises come from?") asks nothing
    "closed_question": (
        "mirror",
        "minimal_encourager",
        "emotional_label",
        "paraphrase",
        "open_question",
        "_why_sentence",
        "arguing",
    )
    + (
        "suicide_question",
        "blaming",
        "dare",
    )  # a direct suicide question is the point, not a yes/no
    # a question that threatens, belittles or degrades ("You touch him and you're dead,
    # got it?", "Over a few hundred bucks?") asks nothing either
    + ("threat", "minimizing", "insult")
    # ... nor does the indirect one of an honest stall, read as a question when recognition
    # drops the punctuation ("я узнаю можно ли ее привезти")
    + ("deferring",),
    "open_question": ("why_question", "arguing", "blaming", "dare", "suicide_question", "insult")
    + _ECHO,
    "deferring": (
        "promise",
    ),  # "I'll talk to them and make sure you keep them" promises an outcome
    "i_message": ("emotional_label", "hollow_empathy", "dare"),
    # "I know exactly how you feel" names no feeling of his
    "emotional_label": ("hollow_empathy",),
}
# Heuristic readings (paraphrase by shared words, arguing by contradiction) give way
# to any overlapping explicit reading of these cues.
WEAK_YIELDS_TO: dict[str, tuple[str, ...]] = {
    "paraphrase": (
        "mirror",
        "minimal_encourager",
        "open_question",
        "closed_question",
        "why_question",
    )
    + ("calm_down", "promise", "arguing", "minimizing", "threat", "commanding", "i_message")
    + ("suicide_question", "deferring", "dare", "conceding", "hollow_empathy", "blaming", "insult"),
    "arguing": tuple(c for c in CUE_NAMES if c != "arguing"),
    # a bare "I understand." is hollow only when nothing in the reply reflects him
    "hollow_empathy": ("emotional_label", "paraphrase", "summary", "mirror"),
}
# Weak readings of these cues yield to a rival anywhere in the reply, weak or not.
REPLY_WIDE = ("hollow_empathy",)
# ... and these to an explicit rival anywhere in the reply: a reply that promises, blames,
# minimizes, labels or asks is read as that, and a clause of it that happens to flip a word of
# his line ("There are no snipers, I promise", "I'm not calling you a monster. Tell me who you
# are.") is not one more argument (on dev2-23 most contradictions beside another cue were not);
# an order is no such rival: "You didn't fail her, stop saying that." argues and orders
REPLY_WIDE_EXPLICIT: dict[str, tuple[str, ...]] = {
    "arguing": tuple(c for c in CUE_NAMES if c not in ("arguing", "commanding")),
}
# A reading of cue X is dropped when the reply holds, anywhere, a reading of one of these:
# a stall that concedes or promises the outcome is no honest stall ("We'll bring them. Give us an hour.")
# and a direct suicide question is the point of the reply, not one more yes/no question in it
SUPPRESSED_IN_REPLY: dict[str, tuple[str, ...]] = {
    "deferring": ("conceding", "promise"),
    "closed_question": ("suicide_question",)
    # a reply that blames, dares or degrades asks its yes/no questions rhetorically ("Детьми
    # торгуешь? Как тебе не совестно?", "Again? How many times are you gonna pull this?")
    + ("blaming", "dare", "insult"),
    # an order in a reply that dares is the dare's ("Ну давай, рви, посмотрим, хватит ли духу")
    "commanding": ("dare",),
    # a reply that blames, belittles, dares, promises or concedes restates nothing he can
    # hear as listening (on dev2-19 no reply was labelled with both: "You're keeping kids in
    # a building full of guns. What kind of man does that?")
    "paraphrase": ("promise", "minimizing", "dare", "conceding", "blaming", "insult"),
    # ... nor pulls his points together ("okay fine more yard time phones and mail you got it")
    "summary": ("promise", "minimizing", "dare", "conceding", "blaming", "insult", "threat"),
    # ... and its wh-questions are rhetorical too ("А кто тебя просил микрозаймы брать?
    # Головой думать надо было.")
    "open_question": ("blaming", "dare", "insult"),
}


# Settled last, after SUPPRESSED_BY (these suppressors give way to a mirror, which a
# paraphrase suppresses: a cycle there): a clause that threatens, blames, dares or
# promises does not restate what he said ("You shoot and the sniper takes you down").
SUPPRESSED_LATE: dict[str, tuple[str, ...]] = {
    "paraphrase": ("threat", "dare", "insult", "blaming", "minimizing", "commanding")
    + ("promise", "conceding"),
}
# ... and these only when the suppressed reading lies in a question: "Are you crazy?"
# judges (blaming), while a label stated as a fact ("You're a terrorist holding innocent
# people") degrades him as well as blames him (insult and blaming).
SUPPRESSED_IN_QUESTION: dict[str, tuple[str, ...]] = {
    "insult": ("blaming",),
}


def _resolve(
    readings: list[Reading], in_question: Callable[[Reading], bool] | None = None
) -> list[Reading]:
    """Drop weak readings that meet an explicit one (WEAK_YIELDS_TO), then readings
    overlapped by a reading of a cue that takes precedence (SUPPRESSED_BY, and
    SUPPRESSED_IN_QUESTION where ``in_question(reading)``; None: never a question)."""

    # a weak reading yields to explicit readings of its WEAK_YIELDS_TO cues; a weak
    # paraphrase also yields to a contradiction: a clause that denies the line does not restate it
    rivals: dict[str, _Spans] = {}
    wide_rivals: dict[str, bool] = {}
    for cue in {r.cue for r in readings if r.weak}:
        yields = WEAK_YIELDS_TO.get(cue, ())
        wide = cue in REPLY_WIDE
        rivals[cue] = _Spans(
            o
            for o in readings
            if o.cue in yields and (wide or not o.weak or (cue, o.cue) == ("paraphrase", "arguing"))
        )
        explicit = REPLY_WIDE_EXPLICIT.get(cue, ())
        wide_rivals[cue] = any(o.cue in explicit and not o.weak for o in readings)

    def drop(r: Reading) -> bool:
        if not r.weak:
            return False
        if r.cue in REPLY_WIDE:
            return bool(rivals[r.cue])
        return wide_rivals[r.cue] or rivals[r.cue].hit(r)

    readings = [r for r in readings if not drop(r)]
    by_cue: dict[str, list[Reading]] = {}
    for r in readings:
        by_cue.setdefault(r.cue, []).append(r)
    for name in _suppression_order():
        suppressors = _Spans(
            o for other in SUPPRESSED_BY.get(name, ()) for o in by_cue.get(other, [])
        )
        if suppressors and name in by_cue:
            by_cue[name] = [r for r in by_cue[name] if not suppressors.hit(r)]
        asked = _Spans(
            o for other in SUPPRESSED_IN_QUESTION.get(name, ()) for o in by_cue.get(other, [])
        )
        if asked and name in by_cue and in_question is not None:
            by_cue[name] = [r for r in by_cue[name] if not (asked.hit(r) and in_question(r))]
    for name, others in SUPPRESSED_LATE.items():
        late = _Spans(o for other in others for o in by_cue.get(other, []))
        if late and name in by_cue:
            by_cue[name] = [r for r in by_cue[name] if not late.hit(r)]
    for name, others in SUPPRESSED_IN_REPLY.items():
        if name in by_cue and any(by_cue.get(o) for o in others):
            del by_cue[name]
    return [r for rs in by_cue.values() for r in rs]


class _Spans:
    """Readings' spans, sorted, for overlap tests in O(log n) (a long reply has thousands)."""

    def __init__(self, readings: Iterable[Reading]):
        spans = sorted((r.start, r.end) for r in readings)
        self.starts = [a for a, _ in spans]
        self.reach: list[int] = []  # the furthest end among the spans up to here
        for _, b in spans:
            self.reach.append(max(b, self.reach[-1]) if self.reach else b)

    def __bool__(self) -> bool:
        return bool(self.starts)

    def hit(self, r: Reading) -> bool:
        """Does any span overlap ``r`` (start before r's end, end after r's start)?"""
        k = bisect_left(self.starts, r.end)
        return k > 0 and self.reach[k - 1] > r.start


@lru_cache(maxsize=1)
def _suppression_order() -> tuple[str, ...]:
    """Cues ordered so that every suppressor is settled before the cues it suppresses."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(c: str) -> None:
        if c in done:
            return
        if c in visiting:
            raise RuntimeError(f"SUPPRESSED_BY has a cycle through {c}")
        visiting.add(c)
        for o in SUPPRESSED_BY.get(c, ()) + SUPPRESSED_IN_QUESTION.get(c, ()):
            visit(o)
        visiting.discard(c)
        done.append(c)

    for c in TEXT_CUES:
        visit(c)
    return tuple(done)
