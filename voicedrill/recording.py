"""The recording walk: an instructor records a scenario's lines at the microphone.

``record_scenario`` goes through every line of every node, each mood band's own
variants (calm, tense, explosive), shows the text, records one take with a listener (the
live drill's, so the take ends when the instructor stops talking), checks it, trims its
silence, normalises its loudness, plays it back and asks: keep, re-take, play again,
skip or quit. Kept takes go to the scenario's takes folder (``takes.py``).

The listener, the speaker and the prompt are passed in, so tests drive the walk with
file-backed ones (or the PulseAudio rig) and scripted answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from .errors import AudioError
from .takes import TakeLibrary, prepare_take, recorded_lines, save_take
from .types import PerpetratorLine, Reply

KEEP, RETAKE, PLAY, SKIP, QUIT = "k", "r", "p", "s", "q"
CHOICES = (
    f"[Enter/{KEEP}] keep  [{RETAKE}] re-take  [{PLAY}] play again  [{SKIP}] skip  [{QUIT}] quit"
)
BAND_AGITATION = {
    "calm": 0.2,
    "tense": 0.55,
    "explosive": 0.9,
}  # shown to the instructor as the mood


class TakeListener(Protocol):
    def prepare(self, line: PerpetratorLine, turn_index: int) -> None: ...

    def reply(self, line_end: float) -> Reply: ...


class TakeSpeaker(Protocol):
    def play(self, audio: np.ndarray, *, stop: Callable[[], bool] | None = None) -> float: ...


@dataclass(frozen=True)
class WalkResult:
    """What a recording walk did."""

    recorded: tuple[Path, ...]  # takes written, in order
    skipped: int  # lines left without a new take
    refused: int  # attempts refused as clipped or silent (each told why, then recorded again)
    already: int  # lines that had a take and were not offered (without redo)
    quit: bool  # the instructor stopped before the end


def record_scenario(
    scenario,
    folder: Path,
    *,
    listener: TakeListener,
    speaker: TakeSpeaker,
    ask: Callable[[str], str],
    say: Callable[[str], None] = print,
    redo: bool = False,
    only_node: str | None = None,
) -> WalkResult:
    """Walk the instructor through ``scenario``'s lines, writing kept takes to ``folder``.

    ``ask(prompt) -> answer`` reads a choice (``input`` on a terminal; EOF means quit);
    ``say`` shows text. Lines that already have a take are passed over unless ``redo``.
    """
    import time

    library = TakeLibrary((Path(folder),))
    rows = [r for r in recorded_lines(scenario, library) if only_node in (None, r[0])]
    if not rows:
        raise AudioError(f"scenario '{scenario.id}' has no node '{only_node}' to record.")
    recorded: list[Path] = []
    skipped = refused = already = 0
    say(
        f"Recording {len(rows)} lines of '{scenario.id}' into {folder}. Speak each line as the perpetrator "
        "in the mood shown; the take ends when you stop talking."
    )
    for number, (node_id, band, text, take) in enumerate(rows, 1):
        if take is not None and not redo:
            already += 1
            continue
        say(f"\n[{number}/{len(rows)}] node {node_id}, mood {band.upper()}:\n    {text}")
        line = PerpetratorLine(node_id=node_id, text=text, agitation=BAND_AGITATION[band])
        audio: np.ndarray | None = None
        while True:
            if audio is None:
                answer = _ask(ask, f"Enter to record, [{SKIP}] skip, [{QUIT}] quit: ")
                if answer in (SKIP, QUIT):
                    skipped += 1
                    if answer == QUIT:
                        return WalkResult(tuple(recorded), skipped, refused, already, True)
                    break
                say("  ... recording: speak now")
                listener.prepare(line, number - 1)
                raw = listener.reply(time.monotonic()).audio
                try:
                    audio = prepare_take(raw, what=f"the take of [{node_id}] {band}")
                except AudioError as e:
                    refused += 1
                    say(f"  refused: {e}")
                    continue
                say(f"  {len(audio) / 16000:.1f} s recorded; playing it back")
                speaker.play(audio)
            answer = _ask(ask, f"  {CHOICES}: ")
            if answer in ("", KEEP):
                recorded.append(save_take(folder, node_id, band, text, audio))
                say(f"  kept: {recorded[-1]}")
                break
            if answer == PLAY:
                speaker.play(audio)
            elif answer == RETAKE:
                audio = None
            elif answer == SKIP:
                skipped += 1
                break
            elif answer == QUIT:
                return WalkResult(tuple(recorded), skipped, refused, already, True)
            else:
                say(f"  '{answer}'? {CHOICES}")
    return WalkResult(tuple(recorded), skipped, refused, already, False)


def _ask(ask: Callable[[str], str], prompt: str) -> str:
    try:
        return ask(prompt).strip().lower()[:1]
    except EOFError:
        return QUIT
