"""The target bands a report draws (pace, latency, calm), taken from the scoring script.

The report draws the bands of the script the drill was scored with: the one passed in,
else the copy stored in the session folder, else (no copy, or one that no longer
validates) the shipped default script.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Targets:
    """Bands in the script's units (defaults match the shipped default script)."""

    wpm: tuple[float, float] = (100.0, 160.0)  # words per minute, low..high
    latency: tuple[float, float] = (0.4, 3.0)  # seconds from line end to reply onset
    calm_good: float = 0.6  # calm 0..1 at or above this is drawn as "calm" (the report's choice)
    pitch_ok_st: float = 1.5  # semitones above baseline that still count as calm
    loudness_ok_db: float = 3.0  # dB above baseline that still count as calm
    source: str = "default"  # where the numbers came from ("script <hash>", "default")


def targets_for(script=None, session=None) -> Targets:
    """Targets from ``script`` (a ScoringScript), else the session's stored script copy,
    else the shipped default script; ``Targets()`` if none can be loaded."""
    if script is None:
        script = _stored_script(session)
    if script is None:
        from ..scoring import load_script

        script = load_script()
    return from_script(script)


def from_script(script) -> Targets:
    """Read the bands from a ``scoring.script.ScoringScript``."""
    t, calm = script.targets, script.calm
    return Targets(
        wpm=(float(t.words_per_minute.low), float(t.words_per_minute.high)),
        latency=(float(t.latency_seconds.low), float(t.latency_seconds.high)),
        pitch_ok_st=float(calm.pitch_shift.ok),
        loudness_ok_db=float(calm.loudness_shift.ok),
        source=f"script {script.hash}",
    )


def _stored_script(session):
    """The scoring script as used in ``session`` (its copy in the folder), or None."""
    if session is None:
        return None
    from ..store import SCRIPT_COPY

    text = getattr(session.meta, "script_text", "")
    if not text.strip():
        return None
    from ..errors import VoicedrillError
    from ..scoring import load_script

    try:
        return load_script(session.path / SCRIPT_COPY, text=text)
    except VoicedrillError:  # a stored copy that no longer validates: the default's bands are drawn
        return None
