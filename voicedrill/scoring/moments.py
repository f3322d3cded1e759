"""The moment a reply answers, and replies built from the perpetrator's own words.

A *moment* is what his line is about, when that changes what a good reply is:
``suicide`` (he speaks of dying or ending it), ``weapon`` (a gun, a knife, a vest),
``demand`` (an amount, a car, a deadline). It comes from the scenario node's tags
(``TurnContext.moments``) and from his line's words: the language data's lists
(``lang/<code>/feedback.yaml`` under ``moments``) plus the scoring script's
``moments.<name>.words``. Words match whole words, case-insensitively; a trailing
``*`` matches any ending ("kill*").

The feedback's suggestions come from his line too: a whole short clause of his to
mirror (pronouns turned round: "Nobody listens to me" -> "Nobody listens to you?"),
and a label for the feeling his words show (``feelings`` in the language data).
Pure functions of the line, the language data and the script.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Sequence

from .. import lang

MOMENT_ORDER = ("suicide", "weapon", "demand")  # most urgent first
_CLAUSE_RE = re.compile(r"[^.!?;:,…—–\"«»()]+")
_WORD_RE = re.compile(r"[\w'’-]+", re.UNICODE)
MIRROR_WORDS = (2, 8)  # a suggested mirror is a whole clause of his of this many words


def _norm(text: str) -> str:
    return text.lower().replace("ё", "е").replace("’", "'")


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case word tokens of ``text`` (ё read as е), for ``said``."""
    return tuple(w.strip("'-") for w in _WORD_RE.findall(_norm(text)) if w.strip("'-"))


_words = words_of


def said(words: Sequence[str], phrase: str) -> bool:
    """Does ``phrase`` occur as whole words in ``words``? ("kill*" matches "killing".)"""
    pat = [(w.rstrip("*"), w.endswith("*")) for w in _norm(phrase).split()]
    pat = [(_words(w)[0] if _words(w) else w, pre) for w, pre in pat]
    n = len(pat)
    if not n:
        return False
    for i in range(len(words) - n + 1):
        if all(
            (words[i + j].startswith(w) if pre else words[i + j] == w)
            for j, (w, pre) in enumerate(pat)
        ):
            return True
    return False


@lru_cache(maxsize=None)
def _data(language: str) -> dict:
    data = lang.load(language, "feedback")
    return data if isinstance(data, dict) else {}


def moments_of(
    line: str,
    language: str,
    tags: Sequence[str] = (),
    extra: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, ...]:
    """The moments of his ``line``: the node's ``tags`` plus those his words show,
    most urgent first."""
    found = set(tags)
    words = _words(line)
    lists = dict(_data(language).get("moments") or {})
    for name in MOMENT_ORDER:
        phrases = list(lists.get(name) or ()) + list((extra or {}).get(name) or ())
        if any(said(words, p) for p in phrases):
            found.add(name)
    return tuple(m for m in MOMENT_ORDER if m in found) + tuple(sorted(found - set(MOMENT_ORDER)))


def context_moments(context, script=None) -> tuple[str, ...]:
    """The moments of a ``TurnContext`` (its node tags and its current line)."""
    if context is None:
        return ()
    extra = script.moment_words(context.language) if script is not None else None
    return moments_of(context.line, context.language, getattr(context, "moments", ()), extra)


def mirror_phrase(line: str, language: str) -> str:
    """A whole short clause of his line to repeat as a question, with his first-person
    words turned round ("me" -> "you"); "" when no clause fits (a clause holding a
    word that cannot be turned, like "I" before a Russian verb, or "you", is skipped)."""
    data = _data(language)
    turn = {_norm(k): str(v) for k, v in (data.get("mirror_turn") or {}).items()}
    skip = {_norm(str(w)) for w in data.get("mirror_skip_words") or ()}
    orders = tuple(data.get("mirror_skip_starts") or ())  # his orders ("Stay there") are no mirror
    lo, hi = MIRROR_WORDS
    for clause in reversed(_CLAUSE_RE.findall(line)):
        words = _WORD_RE.findall(clause)
        start = words_of(clause)
        if not lo <= len(words) <= hi or any(said(start[: len(w.split())], w) for w in orders):
            continue
        out, i, ok = [], 0, True
        while i < len(words):
            pair = _norm(" ".join(words[i : i + 2]))
            if i + 1 < len(words) and pair in turn:
                out.append(turn[pair])
                i += 2
                continue
            w = _norm(words[i])
            if w in turn:
                out.append(turn[w])
            elif w in skip:
                ok = False
                break
            else:
                out.append(words[i])
            i += 1
        if not ok or all(_norm(w) in set(data.get("mirror_filler") or ()) for w in out):
            continue
        text = " ".join(out)
        return text[:1].upper() + text[1:]
    return ""


def feeling_label(line: str, language: str) -> str:
    """A label for the feeling his words show ("You sound exhausted."), from the
    language data's ``feelings``; its ``default_feeling`` when none matches."""
    data = _data(language)
    words = _words(line)
    for item in data.get("feelings") or ():
        if any(said(words, w) for w in item.get("words", ())):
            return str(item["label"])
    return str(data.get("default_feeling", ""))


def pronouns(language: str, gender: str, name: str = "") -> dict[str, str]:
    """Template values for the perpetrator: {he} {him} {his} (and capitalised {He} ...),
    {name} (his name, or "he" when unknown) and {name_comma} ("Claire, " or "")."""
    data = _data(language).get("pronouns") or {}
    forms = dict(data.get(gender) or data.get("unknown") or {})
    out = dict(forms)
    for k, v in forms.items():
        out[k[:1].upper() + k[1:]] = str(v)[:1].upper() + str(v)[1:]
    proper = name[:1].isupper()  # "Claire"; not "the caller", which is no way to address him
    out["name"] = name or forms.get("he", "")
    out["Name"] = (name[:1].upper() + name[1:]) if name else out.get("He", "")
    out["name_comma"] = out["Name_comma"] = f"{name}, " if proper else ""
    return out


def suggestion(line: str, language: str, default: str = "") -> str:
    """A reply built from his words: his feeling named, and a clause of his to mirror."""
    label = feeling_label(line, language)
    mirror = mirror_phrase(line, language) if line else ""
    parts = [p for p in (label, f"{mirror}?" if mirror else "") if p]
    return " ".join(parts) or default


# Cues that answer a moment, and harmful cues that make a moment worse (names the
# scorer may not know yet are simply never heard).
_QUOTE_START = re.compile(
    r'(["«“])(\w)'
)  # a suggestion that starts without his name starts with a capital
_ANSWERS = {"suicide": ("suicide_question",), "demand": ("deferring",), "weapon": ()}
_WORSENS = {
    "suicide": (
        "dare",
        "arguing",
        "minimizing",
        "blaming",
        "insult",
        "hollow_empathy",
        "threat",
        "commanding",
        "calm_down",
        "promise",
        "why_question",
    ),
    "demand": ("conceding", "promise", "arguing", "threat", "insult"),
    "weapon": ("dare", "threat", "commanding", "insult", "blaming", "arguing", "calm_down"),
}


def moment_advice(
    moments: Sequence[str],
    names: set[str],
    fb: dict,
    values: dict,
    *,
    language: str,
    line: str,
    replies: Sequence[str],
    fill,
) -> list[tuple[float, str]]:
    """What this moment needs, when the reply did not give it (feedback.yaml's
    ``moment_advice``, filled in by ``fill``), ranked just below a forbidden cue when the reply made the
    moment worse or his words speak of suicide. The suicide advice stops once a reply
    (this one or an earlier one) asked directly; a node tagged suicide whose line does
    not speak of it gets the milder ``suicide_tagged``."""
    out: list[tuple[float, str]] = []
    texts = fb.get("moment_advice") or {}
    spoken = set(moments_of(line, language))
    asked_words = fb.get("asked_about_suicide") or ()
    asked = any(any(said(words_of(r), w) for w in asked_words) for r in replies if r)
    for rank, moment in enumerate(moments):
        worse = names & set(_WORSENS.get(moment, ()))
        answered = bool(names & set(_ANSWERS.get(moment, ())))
        key = moment
        if moment == "suicide":
            answered = answered or asked
            if (
                moment not in spoken
            ):  # the node's tag, not his words: do not say he just spoke of it
                key = "suicide_tagged"
        if key not in texts or (answered and not worse):
            continue
        if moment == "weapon" and not worse:
            continue  # a weapon moment is coached only when the reply made it worse
        if moment == "demand" and "conceding" in names:
            continue  # the conceding advice already says how to defer
        text = _QUOTE_START.sub(
            lambda m: m.group(1) + m.group(2).upper(), fill(texts[key], **values)
        )
        if worse or key == "suicide":
            out.append((92 - rank, text))
        else:
            out.append((45 - rank if key == "suicide_tagged" else 60 - rank, text))
    return out


__all__ = [
    "words_of",
    "moments_of",
    "moment_advice",
    "suggestion",
    "context_moments",
    "mirror_phrase",
    "feeling_label",
    "pronouns",
    "said",
    "MOMENT_ORDER",
]
