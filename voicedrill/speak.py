"""Who speaks a perpetrator line: a recorded take, the neural voice, or espeak-ng.

``LineVoice`` is the drill's ``render_line``. Line by line it uses, first match wins:

1. the instructor's recorded take of this line in this mood (``takes.py``);
2. the scenario's TTS voice (its ``voice: name:``), by default the neural English voice
   (Piper en_US-joe-medium) for English, espeak-ng for Russian, Kazakh and others;
3. espeak-ng when the neural voice is missing or cannot run: one notice, then espeak-ng
   for the rest of the drill, never a crash.

Delivery follows agitation (``tts.delivery_for``) for TTS; a take carries its own mood.
``spoken_by(line)`` names what spoke a line, for the stored turn and the debrief.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

import numpy as np

from . import tts
from .errors import AudioError
from .takes import TakeLibrary, load_take
from .types import PerpetratorLine

NEURAL_DEFAULTS = {
    "en": "piper:en_US-joe-medium"
}  # language -> the neural voice a scenario gets by default


def voice_for(scenario) -> str:
    """The TTS voice id for ``scenario``'s perpetrator: its ``voice: name:`` when given,
    else the neural voice for its language (English), else espeak-ng's default voice."""
    name = (getattr(scenario, "voice", "") or "").strip()
    if name:
        return name
    return NEURAL_DEFAULTS.get(scenario.language) or tts.perpetrator_voice(scenario.language)


def trainee_voice_for(scenario) -> str:
    """The virtual trainee's voice: espeak-ng's female f5 variant, or, when the perpetrator
    speaks with that very voice, the male default, so the two never sound alike."""
    voice = tts.trainee_voice(scenario.language)
    if voice_for(scenario) == voice:
        return tts.perpetrator_voice(scenario.language)
    return voice


def label(voice: str) -> str:
    """How a stored turn names a TTS voice: "neural en_US-joe-medium" or "espeak-ng gmw/en-us+f2"."""
    if tts.is_neural(voice):
        return "neural " + voice.split(":", 1)[1]
    return "espeak-ng " + voice


def _print_notice(message: str) -> None:
    print(f"voicedrill: note: {message}", file=sys.stderr)


class LineVoice:
    """Render perpetrator lines for a drill: ``voice(line) -> audio`` (16 kHz float32).

    ``takes``: the scenario's recorded takes (default: its takes folders; ``None`` with
    ``use_takes=False`` for TTS only). ``notice(message)`` is told once when the neural
    voice is missing and espeak-ng takes over (default: a note on stderr).
    """

    def __init__(
        self,
        scenario,
        *,
        cache_dir: str | os.PathLike | None = None,
        data_dir: str | os.PathLike | None = None,
        takes: TakeLibrary | None = None,
        use_takes: bool = True,
        notice: Callable[[str], None] | None = None,
    ):
        self.scenario = scenario
        self.cache_dir = cache_dir
        self.takes = (
            takes
            if takes is not None
            else (TakeLibrary.for_scenario(scenario, data_dir) if use_takes else None)
        )
        self.notice = notice or _print_notice
        self.voice = voice_for(scenario)
        self.fallback = tts.perpetrator_voice(scenario.language)
        self.noticed = False
        self._spoken: dict[tuple[str, str, float], str] = {}

    def __call__(self, line: PerpetratorLine) -> np.ndarray:
        key = (line.node_id, line.text, round(float(line.agitation), 6))
        take = None
        if self.takes is not None:
            take = self.takes.find(
                line.node_id, self.scenario.dynamics.band(line.agitation), line.text
            )
        if take is not None:
            try:
                audio = load_take(take)
                self._spoken[key] = take.label
                return audio
            except AudioError as e:  # a damaged take: say so, and let TTS speak the line
                self.notice(
                    f"{e} This line is spoken with TTS; record it again: voicedrill scenarios record "
                    f"{self.scenario.id} --node {line.node_id} --redo"
                )
        voice = (line.voice or "").strip() or self.voice
        delivery = tts.delivery_for(line.agitation, base=self.scenario.delivery)

        def render(voice: str) -> np.ndarray:
            audio = tts.render(
                line.text,
                language=self.scenario.language,
                voice=voice,
                delivery=delivery,
                cache_dir=self.cache_dir,
            )
            self._spoken[key] = label(voice)
            return audio

        if tts.is_neural(voice) and not self.noticed:
            from .neural import NeuralVoiceMissing

            try:
                return render(voice)
            except NeuralVoiceMissing as e:
                self.noticed = True
                self.notice(
                    f"{e} Until then the perpetrator speaks with espeak-ng ({self.fallback})."
                )
        return render(self.fallback if tts.is_neural(voice) else voice)

    def spoken_by(self, line: PerpetratorLine) -> str:
        """What spoke ``line`` when it was last rendered ("" when it was not)."""
        return self._spoken.get((line.node_id, line.text, round(float(line.agitation), 6)), "")


def describe(scenario, data_dir: str | os.PathLike | None = None) -> str:
    """One line for ``scenarios show``: which voice speaks, and whether it is installed."""
    voice = voice_for(scenario)
    if tts.is_neural(voice):
        from . import neural

        name = voice.split(":", 1)[1]
        state = (
            "installed"
            if neural.is_installed(name)
            else f"not installed: espeak-ng speaks instead ({neural.install_hint(name)})"
        )
        return f"{label(voice)} ({state})"
    return label(voice)
