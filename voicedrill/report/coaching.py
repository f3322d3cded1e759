"""The three most useful coaching points for a whole drill.

Built from every turn's cues, pacing, timing and calm: the most frequent harmful cue
with what to say instead, the trainee's best helpful habit, and the most telling
pace/timing/calm trend. Wording comes from the language data (``report.yaml``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from ..scoring.rubric import whole_phrase
from ..turn import Turn
from .labels import Labels
from .targets import Targets

_MIN_SHARE = 0.3  # a pace/timing problem is coached when it shows in this share of turns


@dataclass(frozen=True)
class CoachingPoint:
    """One point: ``kind`` is "harmful", "helpful", "pace", "timing", "calm" or "info"."""

    kind: str
    text: str
    good: bool  # praise (keep doing it) rather than something to change


def coaching_points(
    turns: Sequence[Turn], labels: Labels, targets: Targets, *, count: int = 3
) -> tuple[CoachingPoint, ...]:
    """Up to ``count`` points, the most useful first: trap, habit, trend (then repeated advice)."""
    if not turns:
        return (CoachingPoint("info", labels.text("coaching.no_turns"), False),)
    harmful = _cue_point(turns, labels, "harmful")
    helpful = _cue_point(turns, labels, "helpful")
    trend = _trend_point(turns, labels, targets)
    points: list[CoachingPoint] = []
    if harmful is not None:
        points.append(harmful)
    points.append(helpful or CoachingPoint("helpful", labels.text("coaching.no_helpful"), False))
    points.append(trend)
    if harmful is None:
        advice = _repeated_feedback(turns, labels)
        points.insert(
            0, advice or CoachingPoint("harmful", labels.text("coaching.no_harmful"), True)
        )
        # problems first, praise after
        points.sort(key=lambda p: p.good)
    return tuple(points[:count])


def _cue_point(turns: Sequence[Turn], labels: Labels, kind: str) -> CoachingPoint | None:
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[int, str]] = {}
    for number, t in enumerate(turns, start=1):
        for cue in t.score.cues:
            if cue.kind != kind:
                continue
            if cue.name not in first_seen:
                first_seen[cue.name] = (number, whole_phrase(cue, t.transcript.text).strip("<>"))
        for name in {c.name for c in t.score.cues if c.kind == kind}:
            counts[name] += 1
    if not counts:
        return None
    order = {name: i for i, name in enumerate(first_seen)}
    name = max(counts, key=lambda c: (counts[c], -order[c]))
    turn, evidence = first_seen[name]
    field = "alternative" if kind == "harmful" else "why"
    text = labels.text(
        f"coaching.{kind}",
        cue=labels.cue_name(name),
        count=counts[name],
        turns=len(turns),
        turn=turn,
        evidence=_short(evidence),
        alternative=labels.cue_advice(name, field),
        why=labels.cue_advice(name, field),
    ).strip()
    return CoachingPoint(kind, text, kind == "helpful")


def _trend_point(turns: Sequence[Turn], labels: Labels, targets: Targets) -> CoachingPoint:
    n = len(turns)
    lo, hi = targets.wpm
    num = labels.num
    problems: list[tuple[float, CoachingPoint]] = []
    spoken = [t for t in turns if not t.silent]
    rates = [t.wpm for t in spoken if t.wpm is not None]
    if rates:
        median = statistics.median(rates)
        fast = sum(r > hi for r in rates)
        slow = sum(r < lo for r in rates)
        if fast / n >= _MIN_SHARE and fast >= slow:
            problems.append(
                (
                    fast / n,
                    CoachingPoint(
                        "pace",
                        labels.text(
                            "coaching.too_fast",
                            count=fast,
                            turns=n,
                            high=num(hi),
                            median=num(median),
                        ),
                        False,
                    ),
                )
            )
        elif slow / n >= _MIN_SHARE:
            problems.append(
                (
                    slow / n,
                    CoachingPoint(
                        "pace",
                        labels.text(
                            "coaching.too_slow",
                            count=slow,
                            turns=n,
                            low=num(lo),
                            median=num(median),
                        ),
                        False,
                    ),
                )
            )
    interrupted = sum(t.interrupted for t in turns)
    if interrupted / n >= _MIN_SHARE:
        problems.append(
            (
                interrupted / n + 0.05,
                CoachingPoint(
                    "timing", labels.text("coaching.interrupted", count=interrupted, turns=n), False
                ),
            )
        )
    silent = sum(t.silent for t in turns)
    if silent / n >= _MIN_SHARE:
        problems.append(
            (
                silent / n + 0.1,
                CoachingPoint(
                    "timing", labels.text("coaching.silent", count=silent, turns=n), False
                ),
            )
        )
    latencies = [
        t.reply_latency for t in spoken if t.reply_latency is not None and not t.interrupted
    ]
    if latencies:
        median_latency = statistics.median(latencies)
        if median_latency > targets.latency[1]:
            share = sum(x > targets.latency[1] for x in latencies) / n
            problems.append(
                (
                    share,
                    CoachingPoint(
                        "timing",
                        labels.text(
                            "coaching.slow_start",
                            median=num(median_latency, 1),
                            limit=num(targets.latency[1], 1),
                        ),
                        False,
                    ),
                )
            )
    calms = [t.calm for t in spoken if t.calm is not None]
    if len(calms) >= 4:
        half = len(calms) // 2
        first, second = statistics.mean(calms[:half]), statistics.mean(calms[half:])
        if first - second >= 0.15:
            problems.append(
                (
                    0.4 + first - second,
                    CoachingPoint(
                        "calm",
                        labels.text(
                            "coaching.calm_drop", first=num(first, 2), second=num(second, 2)
                        ),
                        False,
                    ),
                )
            )
    if calms:
        median_calm = statistics.median(calms)
        if median_calm < targets.calm_good:
            shifts = [
                t.score.calm.pitch_shift_st
                for t in spoken
                if t.score.calm and t.score.calm.pitch_shift_st is not None
            ]
            pitch = statistics.median(shifts) if shifts else 0.0
            from ..scoring.rubric import with_unit

            pitch_text, pitch_unit = with_unit(pitch, "semitones", labels.language)
            problems.append(
                (
                    targets.calm_good - median_calm + 0.3,
                    CoachingPoint(
                        "calm",
                        labels.text(
                            "coaching.calm_low",
                            median=num(median_calm, 2),
                            pitch=pitch_text,
                            pitch_unit=pitch_unit,
                        ),
                        False,
                    ),
                )
            )
    if problems:
        return max(problems, key=lambda p: p[0])[1]
    median_rate = statistics.median(rates) if rates else None
    key = "coaching.steady" if calms else "coaching.steady_no_calm"
    return CoachingPoint(
        "pace", labels.text(key, median=num(median_rate), low=num(lo), high=num(hi)), True
    )


def _repeated_feedback(turns: Sequence[Turn], labels: Labels) -> CoachingPoint | None:
    """The scorer's advice given in most turns (at least two). Praise ("Good mirroring",
    "Your pace and voice were steady") is never listed as something to fix."""
    from ..scoring.rubric import is_praise

    counts = Counter(
        s.strip()
        for t in turns
        for s in dict.fromkeys(t.score.feedback)
        if s.strip() and not is_praise(s, labels.language)
    )
    if not counts:
        return None
    text, count = counts.most_common(1)[0]
    if count < 2:
        return None
    return CoachingPoint("advice", labels.text("coaching.feedback", count=count, text=text), False)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
