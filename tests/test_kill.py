"""SIGKILL a headless drill at random points: every finished turn survives, intact and readable.

``voicedrill drill barricaded_subject --virtual good`` runs for real (espeak-ng lines and
replies, Whisper tiny.en, the scorer, the store) in a temporary data folder and is killed
``KILLS`` times at a random moment: while Whisper loads, between turns, in the middle of
a turn's rendering, transcription or save. After each kill:

* every ``turn-NNN`` folder is complete: ``turn.json`` parses, both audio files load;
* every turn whose score the drill printed (it prints after the save) is on disk with
  that score: no finished turn is lost;
* ``voicedrill report`` writes the debrief of the cut-off session from all its turns,
  and ``sessions list`` / ``history`` list every session as incomplete.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from voicedrill.audio import load_audio

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
KILLS = 5
SCORE_LINE = re.compile(r"^  score (\d+)/100", re.M)

pytestmark = pytest.mark.slow


def _drill(data: Path, seed: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [PYTHON, "-m", "voicedrill", "drill", "barricaded_subject", "--virtual", "good", "--seed", str(seed),
         "--max-turns", "3", "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
        start_new_session=True,
    )


def _turn_dirs(data: Path) -> dict[str, list[Path]]:
    sessions = data / "sessions"
    if not sessions.is_dir():
        return {}
    return {s.name: sorted(t for t in s.iterdir() if re.fullmatch(r"turn-\d{3}", t.name))
            for s in sessions.iterdir() if s.is_dir() and not s.name.startswith(".")}


def _wait_for(data: Path, before: set[str], turns: int, proc: subprocess.Popen, limit: float) -> None:
    """Until the drill's new session has ``turns`` saved turns (-1: do not wait), the drill
    ends, or ``limit`` seconds pass."""
    end = time.monotonic() + limit
    while turns >= 0 and time.monotonic() < end and proc.poll() is None:
        new = {sid: t for sid, t in _turn_dirs(data).items() if sid not in before}
        if new and len(next(iter(new.values()))) >= turns:
            return
        time.sleep(0.05)


def test_sigkill_at_random_points_loses_no_finished_turn(tmp_path):
    data = tmp_path / "data"
    rng = random.Random(14)
    printed: dict[str, list[int]] = {}  # session id -> scores the drill printed before it died
    points = []
    for k in range(KILLS):
        before = set(_turn_dirs(data))
        proc = _drill(data, seed=k)
        # a random moment: at once (-1: while Whisper loads) or after 0 or 1 saved turns, then
        # 0..3 s more (rendering, transcribing, scoring or saving the next turn)
        turns, extra = rng.choice([-1, 0, 0, 1, 1]), rng.uniform(0.0, 3.0)
        _wait_for(data, before, turns, proc, limit=240)
        time.sleep(extra)
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err
        new = sorted(set(_turn_dirs(data)) - before)
        points.append((turns, round(extra, 2), len(new)))
        if new:
            printed[new[0]] = [int(s) for s in SCORE_LINE.findall(out)]
        else:
            assert not SCORE_LINE.findall(out), out  # a scored turn without a session is a lost turn
    sessions = _turn_dirs(data)
    assert len(sessions) >= sum(1 for p in points if p[0] >= 0), points  # waited-for sessions exist
    assert sum(len(t) for t in sessions.values()) >= 2, points  # and turns were saved before kills
    lost = 0
    for sid, turns in sessions.items():
        folder = data / "sessions" / sid
        assert not (folder / "final.json").exists() or len(turns) == 3, sid
        for t in turns:  # every saved turn is whole
            record = json.loads((t / "turn.json").read_text(encoding="utf-8"))
            assert record["index"] == int(t.name[5:])
            assert load_audio(t / "reply.flac").size > 0 and load_audio(t / "line.flac").size > 0
        on_disk = [round(json.loads((t / "turn.json").read_text())["score"]["score"]) for t in turns]
        shown = printed.get(sid, [])
        lost += max(0, len(shown) - len(on_disk))
        assert on_disk[: len(shown)] == shown, (sid, shown, on_disk)
        # the debrief of a cut-off session shows every saved turn
        r = subprocess.run([PYTHON, "-m", "voicedrill", "report", sid, "-o", str(tmp_path / f"{sid}.html"),
                            "--audio", "none", "--data-dir", str(data)],
                           capture_output=True, text=True, cwd=REPO, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
        page = (tmp_path / f"{sid}.html").read_text(encoding="utf-8")
        assert page.count('class="turn') >= len(turns) or len(turns) == 0, sid
        assert "unreadable" not in r.stderr, r.stderr
    assert lost == 0
    r = subprocess.run([PYTHON, "-m", "voicedrill", "sessions", "list", "--data-dir", str(data)],
                       capture_output=True, text=True, cwd=REPO, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0 and all(sid in r.stdout for sid in sessions), r.stdout + r.stderr
    print(f"kill points (turns awaited, extra s, sessions made): {points}; turns on disk: "
          f"{sum(len(t) for t in sessions.values())}; lost: {lost}")
