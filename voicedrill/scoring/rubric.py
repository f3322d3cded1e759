"""Turn score, drill score and feedback sentences, from the scoring script's weights.

Turn score (0..100)::

    cues    = clip(sum of positive cue weights heard / full_credit, 0, 1)
    pacing  = mean of: speaking-rate fit, fillers fit, longest-pause fit   (each 0..1)
    latency = latency band fit (0 when the trainee interrupted; 1 for a deliberate
              pause before the reply when effective_pause.before_reply)
    calm    = Calm.score (left out when there was no voiced speech)
    score   = 100 * weighted mean of the parts that could be measured
              - harmful_penalty_points * sum of |negative cue weights heard|
                * the largest harmful_multiplier of the moments of his line
              - long_reply points_per_word * words beyond long_reply.words (up to max_points)
    clipped to 0..100, then capped: at turn_score.no_helpful_cap when no helpful cue
    was heard (delivery alone never passes), at the moment's harmful_cap when a harmful
    cue was heard in a suicide, weapon or demand moment, at forbidden_cap when a
    forbidden cue was heard. A silent reply scores turn_score.silent_reply.

Drill score = (1 - worst_turn_share) * mean(turn scores) + worst_turn_share * worst.

Feedback: two or three sentences in the drill's language from
``lang/<code>/feedback.yaml``, most useful first: a forbidden or harmful cue with a
better phrase, what the moment needs (he spoke of dying: ask directly; he made a
demand: defer), praise for the most valuable helpful cue, then the biggest pacing,
latency or calm problem (or a nudge to use a skill when none was heard). Suggestions
are built from his line (``moments.mirror_phrase``, ``moments.feeling_label``); his
name and pronouns come from the scenario (``TurnContext.perpetrator``/``gender``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from .. import lang
from ..errors import ScenarioError
from . import moments as mo
from .result import Calm, Cue, Pacing, ScoreParts, TurnScore
from .script import ScoringScript

MAX_FEEDBACK = 3


def cue_part(
    cues: Sequence[Cue], script: ScoringScript, moments: Sequence[str] = ()
) -> tuple[float, float, tuple[str, ...]]:
    """(credit 0..1, harmful penalty in turn points, forbidden cues heard). In a moment
    (``moments`` of his line) the penalty is multiplied by its harmful_multiplier."""
    names = sorted({c.name for c in cues})
    positive = sum(max(script.weight(n), 0.0) for n in names)
    negative = sum(-min(script.weight(n), 0.0) for n in names)
    credit = min(positive / script.cues.full_credit, 1.0)
    forbidden = tuple(n for n in names if script.is_forbidden(n))
    factor = max(
        [script.moments[m].harmful_multiplier for m in moments if m in script.moments] or [1.0]
    )
    return credit, negative * script.cues.harmful_penalty_points * factor, forbidden


def score_cap(
    cues: Sequence[Cue], script: ScoringScript, moments: Sequence[str] = ()
) -> float | None:
    """The highest score a reply with these cues can get: turn_score.no_helpful_cap with
    no helpful cue, a moment's harmful_cap with a harmful cue in it; None: no cap."""
    names = {c.name for c in cues}
    caps = []
    if not any(script.weight(n) > 0 for n in names):
        caps.append(script.turn.no_helpful_cap)
    if any(script.weight(n) < 0 for n in names):
        caps += [script.moments[m].harmful_cap for m in moments if m in script.moments]
    return min(caps) if caps else None


def length_part(words: int, script: ScoringScript) -> float:
    """Turn points lost for a reply longer than turn_score.long_reply.words."""
    t = script.turn
    over = max(0, words - t.long_reply_words)
    return round(min(over * t.long_reply_points_per_word, t.long_reply_max_points), 3)


def judged_rate(pacing: Pacing, pause_credit: float = 0.0) -> float | None:
    """Words per minute as judged: the speaking rate with a deliberate (effective) pause
    of ``pause_credit`` seconds inside the reply left out, so a good pause does not
    count as slow speech."""
    if pacing.words_per_minute is None:
        return None
    span = pacing.speech_seconds - pause_credit
    if pause_credit <= 0 or span <= 0.3:
        return pacing.words_per_minute
    return pacing.words / span * 60.0


def pacing_part(pacing: Pacing, script: ScoringScript, pause_credit: float = 0.0) -> float | None:
    """Mean of the rate, fillers and longest-pause fits (None when none applies)."""
    t = script.targets
    fits = []
    rate = judged_rate(pacing, pause_credit)
    if rate is not None and pacing.words >= script.turn.min_words_for_rate:
        fits.append(t.words_per_minute.fit(rate))
    if pacing.fillers_per_minute is not None and pacing.words >= script.turn.min_words_for_rate:
        fits.append(t.fillers_per_minute.fit(pacing.fillers_per_minute))
    if pacing.speech_seconds > 0:
        over = pacing.longest_pause - t.max_pause_seconds
        fits.append(1.0 if over <= 0 else max(0.0, 1.0 - over / t.max_pause_seconds))
    return sum(fits) / len(fits) if fits else None


def latency_part(
    latency: float | None, interrupted: bool, cues: Sequence[Cue], script: ScoringScript
) -> float | None:
    if interrupted or (latency is not None and latency < 0):
        return 0.0
    if latency is None:
        return None
    ep = script.effective_pause
    if ep.counts_before_reply(latency) and any(c.name == "effective_pause" for c in cues):
        return 1.0
    return script.targets.latency_seconds.fit(latency)


def calm_part(calm: Calm | None) -> float | None:
    if calm is None or "no_voiced_frames" in calm.flags:
        return None
    return calm.score


def turn_parts(
    cues: Sequence[Cue],
    pacing: Pacing,
    calm: Calm | None,
    *,
    interrupted: bool,
    script: ScoringScript,
    pause_credit: float = 0.0,
    context=None,
) -> ScoreParts:
    """The parts of a turn score. ``pause_credit``: seconds of effective pause inside
    the reply, left out of the speaking-rate judgement. ``context``: the TurnContext
    (his line and the scenario node's moment tags), for the moment rules."""
    moments = mo.context_moments(context, script)
    credit, penalty, forbidden = cue_part(cues, script, moments)
    return ScoreParts(
        cues=round(credit, 4),
        pacing=_r(pacing_part(pacing, script, pause_credit)),
        latency=_r(latency_part(pacing.latency, interrupted, cues, script)),
        calm=_r(calm_part(calm)),
        harmful_penalty=round(penalty, 3),
        forbidden=forbidden,
        length_penalty=length_part(pacing.words, script),
        moments=moments,
        cap=score_cap(cues, script, moments),
    )


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def turn_score(parts: ScoreParts, script: ScoringScript, *, silent: bool = False) -> float:
    """The 0..100 turn score from its parts (see the module docstring)."""
    if silent:
        return float(script.turn.silent_reply_score)
    weights = script.turn.parts
    total = used = 0.0
    for name in ("cues", "pacing", "latency", "calm"):
        value = getattr(parts, name)
        if value is not None and weights[name] > 0:
            total += weights[name] * value
            used += weights[name]
    base = 100.0 * total / used if used > 0 else 0.0
    score = min(max(base - parts.harmful_penalty - parts.length_penalty, 0.0), 100.0)
    if parts.cap is not None:
        score = min(score, parts.cap)
    if parts.forbidden:
        score = min(score, script.cues.forbidden_cap)
    return round(score, 2)


def drill_score(scores: Sequence[TurnScore | float], script: ScoringScript) -> float:
    """Drill score 0..100 from the turn scores (TurnScores or plain numbers); 0 for none."""
    values = [float(s.score if isinstance(s, TurnScore) else s) for s in scores]
    if not values:
        return 0.0
    share = script.drill.worst_turn_share
    mean = sum(values) / len(values)
    return round((1.0 - share) * mean + share * min(values), 2)


# ---------------------------------------------------------------- feedback


@lru_cache(maxsize=None)
def feedback_text(language: str) -> dict:
    """The feedback templates for ``language`` (lang/<code>/feedback.yaml)."""
    data = lang.load(language, "feedback")
    for key in (
        "cue_labels",
        "praise",
        "harmful",
        "forbidden",
        "no_helpful_cue",
        "silent",
        "pacing",
        "latency",
        "calm",
        "steady",
        "fillers",
    ):
        if key not in data:
            raise ScenarioError(
                f"{lang.LANG_DIR / language / 'feedback.yaml'}: missing key '{key}'; "
                "reinstall voicedrill."
            )
    return data


@lru_cache(maxsize=None)
def fillers_for(language: str) -> tuple[str, ...]:
    """Filler words for ``language``: the cue lexicon's ``fillers`` list when it has one,
    else the list in feedback.yaml."""
    try:
        cues = lang.load(language, "cues")
    except ScenarioError:
        cues = {}
    items = cues.get("fillers") if isinstance(cues, dict) else None
    if not items:
        items = feedback_text(language)["fillers"]
    return tuple(str(f) for f in items)


def cue_label(name: str, language: str) -> str:
    return str(feedback_text(language)["cue_labels"].get(name, name.replace("_", " ")))


def _num(value: float, language: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "ru" else text


def _unit(value: float, key: str, language: str, fb: dict, digits: int = 1) -> tuple[str, str]:
    """(number, unit) with the unit in the form the number needs (feedback.yaml's
    ``units``: one, few, many, fraction): "1 semitone", "2 полутона", "5 полутонов",
    "2,5 полутона". A whole number is written without decimals."""
    rounded = round(value, digits)
    whole = float(rounded).is_integer()
    text = str(int(rounded)) if whole else _num(rounded, language, digits)
    forms = list((fb.get("units") or {}).get(key) or [])
    if len(forms) < 4:
        return text, (forms[-1] if forms else "")
    if not whole:
        return text, forms[3]
    n = abs(int(rounded))
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return text, forms[0]
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return text, forms[1]
        return text, forms[2]
    return text, forms[0] if n == 1 else forms[2]


def with_unit(value: float, key: str, language: str, digits: int = 1) -> tuple[str, str]:
    """(number, unit) in the language's form, units from feedback.yaml (e.g. "semitones")."""
    return _unit(value, key, language, feedback_text(language), digits)


def _fill(template: str, **values) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _length(cue: Cue) -> float:
    if cue.start is None or cue.end is None:
        return 0.0
    return cue.end - cue.start


MAX_EVIDENCE_WORDS = 16  # a longer sentence is quoted as the cue's own words


def _evidence(cue: Cue, language: str, reply: str = "") -> str:
    """The words to quote for a cue: the whole sentence of the reply that holds the
    cue's evidence (a phrase, not a fragment like "you feel"), or the evidence itself
    when that sentence is long or cannot be found."""
    if cue.name == "effective_pause":
        return cue.evidence
    own = cue.evidence.strip().strip(".,!?;:…").strip() or cue.evidence
    span = _sentences_around(own, reply)
    return span.strip(".,!?;:…").strip() or own if span else own


def _sentences_around(own: str, reply: str) -> str:
    """The whole sentence(s) of ``reply`` holding ``own`` ("" when not found or too long)."""
    at = reply.lower().find(own.lower()) if reply and own else -1
    if at < 0:
        return ""
    ends = [m.end() for m in re.finditer(r"[.!?…]+", reply)]
    start = max([e for e in ends if e <= at] or [0])
    stop = min([e for e in ends if e >= at + len(own)] or [len(reply)])
    span = reply[start:stop].strip()
    return span if len(span.split()) <= MAX_EVIDENCE_WORDS else ""


def whole_phrase(cue: Cue, reply: str) -> str:
    """The words to quote for ``cue``: the whole sentence of ``reply`` that holds its
    evidence, punctuation kept (the evidence itself when that sentence is long or absent)."""
    own = cue.evidence.strip().strip(".,!?;:…").strip()
    if cue.name != "effective_pause":
        return _sentences_around(own, reply) or cue.evidence
    return cue.evidence


def feedback_for(
    cues: Sequence[Cue],
    pacing: Pacing,
    calm: Calm | None,
    parts: ScoreParts,
    script: ScoringScript,
    *,
    language: str,
    silent: bool = False,
    interrupted: bool = False,
    line: str = "",
    pause_credit: float = 0.0,
    context=None,
    reply: str = "",
) -> tuple[str, ...]:
    """The two or three most useful feedback sentences for one turn, most useful first.
    ``context`` (a TurnContext) gives his name, gender and the moment; ``reply`` the
    transcript, so evidence is quoted as whole phrases."""
    fb = feedback_text(language)
    if context is not None and not line:
        line = context.line
    values = mo.pronouns(
        language, getattr(context, "gender", ""), getattr(context, "perpetrator", "")
    )
    if silent:
        return (_fill(fb["silent"], **values),)
    better = mo.suggestion(line, language, str(fb.get("default_feeling", "")))
    feeling = mo.feeling_label(line, language) or str(fb.get("default_feeling", ""))
    if language == "ru":  # «...выхода», not «...выхода.»: Russian drops the full stop inside quotes
        better, feeling = better.rstrip("."), feeling.rstrip(".")
    values = {
        **values,
        "better": better,
        "mirror": mo.mirror_phrase(line, language) if line else "",
        "feeling": feeling,
    }
    ranked: list[tuple[float, str]] = []  # (priority, sentence); higher first
    first_of: dict[str, Cue] = {}
    for c in cues:
        first_of.setdefault(c.name, c)

    def ev(cue: Cue) -> str:
        return _evidence(cue, language, reply)

    # Forbidden and harmful cues, with a better phrase.
    for name, cue in first_of.items():
        weight = script.weight(name)
        if script.is_forbidden(name):
            ranked.append(
                (
                    100 - weight,
                    _fill(
                        fb["forbidden"],
                        label=cue_label(name, language),
                        evidence=ev(cue),
                        **values,
                        cap=_num(script.cues.forbidden_cap, language, 0),
                    ),
                )
            )
            if name in fb["harmful"]:
                ranked.append((95 - weight, _fill(fb["harmful"][name], evidence=ev(cue), **values)))
        elif weight < 0 and name in fb["harmful"]:
            ranked.append(
                (80 - weight * 10, _fill(fb["harmful"][name], evidence=ev(cue), **values))
            )
    moments = parts.moments if parts.moments else mo.context_moments(context, script)
    earlier = tuple(getattr(context, "previous_replies", ()) or ())
    ranked.extend(
        mo.moment_advice(
            moments,
            set(first_of),
            fb,
            values,
            language=language,
            line=line,
            replies=earlier + (reply,),
            fill=_fill,
        )
    )
    # Praise for the most valuable helpful cues (the best one ranks high).
    helpful = sorted(
        (c for n, c in first_of.items() if script.weight(n) > 0),
        key=lambda c: (-script.weight(c.name), c.name),
    )
    for i, cue in enumerate(helpful[:2]):
        if cue.name in fb["praise"]:
            ranked.append(
                (
                    (70 if i == 0 else 30) + script.weight(cue.name),
                    _fill(
                        fb["praise"][cue.name],
                        evidence=ev(cue),
                        **values,
                        seconds=_num(_length(cue), language),
                    ),
                )
            )
    if not helpful:
        template = fb.get("no_helpful_cue_with_line") if values["mirror"] else None
        ranked.append((75, _fill(template or fb["no_helpful_cue"], **values)))
    if parts.length_penalty > 0 and "long_reply" in fb:
        words, unit = _unit(pacing.words, "words", language, fb, 0)
        ranked.append(
            (
                50,
                _fill(
                    fb["long_reply"],
                    words=words,
                    words_unit=unit,
                    max=script.turn.long_reply_words,
                    **values,
                ),
            )
        )
    # Pacing, latency, calm: the bigger the shortfall, the higher it ranks.
    ranked.extend(
        _delivery_advice(pacing, calm, script, fb, language, interrupted, pause_credit, values)
    )
    if len(ranked) < 2 and (parts.pacing or 0) >= 0.8 and (parts.calm is None or parts.calm >= 0.8):
        ranked.append((1, fb["steady"]))
    ranked.sort(key=lambda item: -item[0])
    out: list[str] = []
    for _, sentence in ranked:
        if sentence not in out:
            out.append(sentence)
        if len(out) == MAX_FEEDBACK:
            break
    return tuple(out)


@lru_cache(maxsize=None)
def _praise_patterns(language: str) -> tuple[re.Pattern, ...]:
    fb = feedback_text(language)
    templates = list(fb["praise"].values()) + [fb["steady"]]
    out = []
    for t in templates:
        parts = re.split(r"\{[^}]*\}", str(t))
        out.append(re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$", re.S))
    return tuple(out)


def is_praise(sentence: str, language: str) -> bool:
    """Is this feedback sentence praise (keep doing it), not advice to change something?"""
    text = sentence.strip()
    return any(p.match(text) for p in _praise_patterns(language))


def _delivery_advice(
    pacing: Pacing,
    calm: Calm | None,
    script: ScoringScript,
    fb: dict,
    language: str,
    interrupted: bool,
    pause_credit: float,
    values: dict | None = None,
) -> list[tuple[float, str]]:
    values = values or {}
    out: list[tuple[float, str]] = []
    t = script.targets
    n = lambda v, d=1: _num(v, language, d)  # noqa: E731
    if interrupted or (pacing.latency is not None and pacing.latency < 0):
        out.append((65, _fill(fb["latency"]["interrupted"], **values)))
    elif pacing.latency is not None:
        band = t.latency_seconds
        fit = band.fit(pacing.latency)
        if fit < 1.0 and not script.effective_pause.counts_before_reply(pacing.latency):
            key = "too_quick" if pacing.latency < band.low else "too_slow"
            out.append(
                (
                    40 + 30 * (1 - fit),
                    _fill(fb["latency"][key], **values, latency=n(pacing.latency)),
                )
            )
    rate = judged_rate(pacing, pause_credit)
    if rate is not None and pacing.words >= script.turn.min_words_for_rate:
        band = t.words_per_minute
        fit = band.fit(rate)
        if fit < 1.0:
            key = "too_fast" if rate > band.high else "too_slow"
            out.append(
                (
                    40 + 30 * (1 - fit),
                    _fill(
                        fb["pacing"][key],
                        **values,
                        wpm=n(rate, 0),
                        low=n(band.low, 0),
                        high=n(band.high, 0),
                    ),
                )
            )
    if pacing.fillers_per_minute is not None and pacing.words >= script.turn.min_words_for_rate:
        fit = t.fillers_per_minute.fit(pacing.fillers_per_minute)
        if fit < 1.0:
            count = round(pacing.fillers_per_minute * pacing.speech_seconds / 60.0)
            out.append(
                (
                    35 + 30 * (1 - fit),
                    _fill(
                        fb["pacing"]["fillers"],
                        **values,
                        count=count,
                        fpm=n(pacing.fillers_per_minute, 0),
                    ),
                )
            )
    if pacing.longest_pause > t.max_pause_seconds:
        out.append(
            (
                45,
                _fill(
                    fb["pacing"]["long_pause"],
                    **values,
                    seconds=n(pacing.longest_pause),
                    max=n(t.max_pause_seconds, 0),
                ),
            )
        )
    if calm is not None and "no_voiced_frames" not in calm.flags:
        rules = script.calm
        before = len(out)
        if "clipped" in calm.flags:
            out.append((60, _fill(fb["calm"]["clipped"], **values)))
        if "too_quiet" in calm.flags:
            out.append((38, _fill(fb["calm"]["too_quiet"], **values)))
        deficit = 1.0 - calm.score
        if calm.pitch_shift_st is not None and calm.pitch_shift_st > rules.pitch_shift.ok:
            shift, unit = _unit(calm.pitch_shift_st, "semitones", language, fb)
            out.append(
                (
                    40 + 30 * deficit,
                    _fill(fb["calm"]["pitch_up"], **values, shift=shift, shift_unit=unit),
                )
            )
        if calm.loudness_shift_db is not None and calm.loudness_shift_db > rules.loudness_shift.ok:
            out.append(
                (
                    40 + 30 * deficit,
                    _fill(fb["calm"]["louder"], **values, shift=n(calm.loudness_shift_db, 0)),
                )
            )
        if deficit > 0.3 and len(out) == before:
            out.append((40 + 20 * deficit, _fill(fb["calm"]["uneven"], **values)))
    return out


__all__ = [
    "judged_rate",
    "cue_part",
    "pacing_part",
    "latency_part",
    "calm_part",
    "turn_parts",
    "turn_score",
    "drill_score",
    "feedback_for",
    "feedback_text",
    "fillers_for",
    "cue_label",
    "is_praise",
    "whole_phrase",
    "with_unit",
    "score_cap",
    "length_part",
]
