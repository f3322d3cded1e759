#!/usr/bin/env python3
"""Run the doctrine-critical tests against candidate cue heads before they are installed.

``scripts/train_heads.py`` fits heads into a staging folder and calls ``check`` on it: the
tests in ``DOCTRINE_TESTS`` run (pytest, in a child process, through ``scripts/test``)
with ``VOICEDRILL_HEADS_DIR`` pointing at the folder, so the detector, the rubric and
the branching read the candidate heads exactly as they would read shipped ones. Heads
that break any of them are not installed. Run on its own, it checks a folder (default:
the shipped heads):

    .venv/bin/python scripts/heads_check.py [DIR]

These are the tests that a refit broke before (session 9: commanding added to "Stay and
talk with me.", the «Давай» encourager probability, the veto examples, a Russian
paraphrase in his own words): the cases a head can turn, not the per-file floors, which
take minutes (``FULL_TESTS``: run them after installing, as the docstring of
``train_heads.py`` says).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voicedrill.scoring.cues.heads import HEADS_DIR_ENV  # noqa: E402

# the doctrine-critical cases: single replies in context whose cues a head can add or veto
DOCTRINE_TESTS = (
    "tests/test_heads.py",
    "tests/test_cues.py::test_review_cases",
    "tests/test_cues_context.py::test_doctrine_cases",
    "tests/test_cues_context.py::test_recognised_speech_cases",
    "tests/test_doctrine.py::test_replies_read_in_context",
    "tests/test_doctrine.py::test_trap_replies",
    "tests/test_doctrine.py::test_a_direct_suicide_question_earns_credit_in_both_languages",
    "tests/test_doctrine.py::test_delivery_alone_and_a_bare_encourager_never_pass",
    "tests/test_meaning.py",
    "tests/test_cues_s8_meaning.py",
)
# every test file that reads the shipped heads (per-file floors included): after a refit
FULL_TESTS = (
    "tests/test_heads.py",
    "tests/test_meaning.py",
    "tests/test_cues.py",
    "tests/test_cues_context.py",
    "tests/test_cues_dev11.py",
    "tests/test_cues_dev14.py",
    "tests/test_cues_s6.py",
    "tests/test_cues_s7.py",
    "tests/test_cues_s8.py",
    "tests/test_cues_s8_meaning.py",
    "tests/test_doctrine.py",
)


def stage_missing(folder: Path, languages: tuple[str, ...] = ("en", "ru")) -> None:
    """Copy the shipped heads of each language the folder lacks (a refit of one language is
    checked beside the other's shipped heads)."""
    shipped = ROOT / "voicedrill" / "scoring"
    for code in languages:
        if not (folder / f"heads_{code}.npz").is_file():
            shutil.copy2(shipped / f"heads_{code}.npz", folder / f"heads_{code}.npz")


def check(folder: Path, tests: tuple[str, ...] = DOCTRINE_TESTS) -> list[str]:
    """The failing tests (pytest node ids) with the heads in ``folder``; [] when all pass."""
    stage_missing(folder)
    env = {**os.environ, HEADS_DIR_ENV: str(folder.resolve())}
    done = subprocess.run(
        [str(ROOT / "scripts" / "test"), *tests, "-q", "-rf", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    failed = [ln[len("FAILED ") :] for ln in done.stdout.splitlines() if ln.startswith("FAILED ")]
    if done.returncode != 0 and not failed:  # an error, not a failing test: show it
        failed = [(done.stdout + done.stderr).strip()[-2000:] or f"pytest rc {done.returncode}"]
    return failed


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "voicedrill" / "scoring"
    failed = check(folder)
    for f in failed:
        print(f"FAILED {f}")
    print("doctrine tests: " + ("pass" if not failed else f"{len(failed)} failed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
