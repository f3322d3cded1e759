"""The fault suite: hostile and careless inputs, run through the real CLI.

Every case runs ``voicedrill`` the way a user does (in this process through
``voicedrill.cli.main`` with a per-case alarm, so ~170 cases take seconds; a sample
of them again as a real subprocess) and asserts one of two outcomes:

* ``err-*``: a non-zero exit, ONE message that names the file or field (the needle),
  no ``Traceback``, no hang;
* ``ok-*``: the right result (exit 0 and what the case checks, e.g. a loud float file
  is rescaled and scored on its words, not as silence).

Cases are grouped by what they attack: scenario YAML, user scenario folders, scoring
scripts, audio files, audio arrays, ids and paths, damaged stores and a full disk.
The ids carry the expected outcome, so ``pytest -q tests/test_failures.py`` counts
them (see the closing note of issue 14).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import traceback
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import soundfile as sf

from tests.fixtures_scenario import MINIMAL
from voicedrill.cli import main as cli_main

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
JFK = REPO / "tests" / "data" / "jfk.flac"
CASE_SECONDS = 120  # a case that runs longer is a hang (model loading on a busy 2-core machine included)


# ----------------------------------------------------------------------------- running


@dataclass
class Run:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class _Hang(Exception):
    pass


def run_cli(argv: list[str], *, seconds: int = CASE_SECONDS) -> Run:
    """``voicedrill ARGV`` in this process: exit code, stdout, stderr. An exception that
    escapes ``main`` is written to stderr as its traceback (so a test sees "Traceback");
    a run over ``seconds`` raises ``_Hang``."""
    out, err = io.StringIO(), io.StringIO()

    def alarm(signum, frame):
        raise _Hang(f"voicedrill {' '.join(argv)} ran over {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = cli_main(argv)
            except SystemExit as e:  # argparse
                rc = e.code if isinstance(e.code, int) else 1
            except _Hang:
                raise
            except BaseException:  # noqa: BLE001 - a bug: show it as the user would see it
                err.write(traceback.format_exc())
                rc = 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return Run(rc, out.getvalue(), err.getvalue())


def run_process(argv: list[str], *, seconds: int = CASE_SECONDS) -> Run:
    """``voicedrill ARGV`` as a real process (a hang is a TimeoutExpired)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([PYTHON, "-m", "voicedrill", *argv], capture_output=True, text=True, cwd=REPO,
                       env=env, timeout=seconds, stdin=subprocess.DEVNULL)
    return Run(r.returncode, r.stdout, r.stderr)


def assert_clear_error(r: Run, needle: str) -> None:
    assert "Traceback" not in r.text, r.text[-3000:]
    assert r.rc != 0, f"exit 0 where an error was expected:\n{r.text[-2000:]}"
    assert needle in r.text, f"the message does not name {needle!r}:\n{r.text[-2000:]}"
    assert r.err.count("voicedrill: error:") <= 1, r.err  # one message, not a cascade


def assert_ok(r: Run) -> None:
    assert "Traceback" not in r.text, r.text[-3000:]
    assert r.rc == 0, r.text[-2000:]


# ----------------------------------------------------------------------------- case table


@dataclass(frozen=True)
class Case:
    id: str  # "err-..." or "ok-..."
    make: Callable[[Path], tuple[list[str], str]]  # tmp folder -> (argv, needle or "")
    check: Callable[[Run, Path], None] | None = None  # extra checks for ok- cases
    process: bool = False  # run it once more as a real subprocess

    @property
    def expects_error(self) -> bool:
        return self.id.startswith("err-")


CASES: list[Case] = []


def case(id: str, make, check=None, process=False) -> None:
    assert id.startswith(("err-", "ok-")) and id not in {c.id for c in CASES}, id
    CASES.append(Case(id, make, check, process))


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def data(tmp: Path) -> list[str]:
    return ["--data-dir", str(tmp / "data")]


# --- 1. scenario YAML: `scenarios validate FILE` (and show/drill for some) -----------------

def _deep_block(n: int) -> str:
    return "id: x\n" + "".join(" " * i + f"k{i}:\n" for i in range(n)) + " " * n + "v: 1\n"


SCENARIO_TEXTS: dict[str, tuple[str | bytes, str]] = {
    # id: (file content, what the message must name besides the file)
    "empty": ("", "the file is empty"),
    "comment-only": ("# nothing here\n", "the file is empty"),
    "top-list": ("- a\n- b\n", ":1:1:"),
    "top-scalar": ("hello\n", ":1:1:"),
    "unclosed-bracket": ("id: [x\ntitle: y\n", "broken YAML"),
    "unclosed-quote": ('id: "x\ntitle: y\n', "broken YAML"),
    "tab-indent": ("id: x\ntitle:\n\t- y\n", "broken YAML"),
    "duplicate-key": (MINIMAL + "id: again\n", "duplicate key 'id'"),
    "deep-block-1000": (_deep_block(1000), "nested more than"),
    "deep-flow-list-1500": ("id: x\nv: " + "[" * 1500 + "]" * 1500 + "\n", "nested more than"),
    "deep-flow-map-1200": ("id: x\nv: " + "{a: " * 1200 + "1" + "}" * 1200 + "\n", "nested more than"),
    "deep-flow-3000": ("x: " + "[" * 3000 + "]" * 3000 + "\n", "nested more than"),
    "int-5000-digits": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: " + "9" * 5000), ":9:20: a number"),
    "int-negative-5000": (MINIMAL.replace("max_turns: 8", "max_turns: -" + "1" * 5000), "too long"),
    "int-400-digits": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: " + "7" * 400), "too long"),
    "hex-5000": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: 0x" + "f" * 5000), "start_agitation"),
    "float-1e999": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: 1.0e+999"), "not a finite number"),
    "nan": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: .nan"), ":9:20: '.nan' is not a finite"),
    "NaN-caps": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: .NaN"), "not a finite number"),
    "inf": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: .inf"), "not a finite number"),
    "minus-inf-condition": (MINIMAL.replace("agitation_below: 0.6", "agitation_below: -.inf"), "not a finite number"),
    "nan-in-list": (MINIMAL + "agitation: {bands: {tense: .nan}}\n", "not a finite number"),
    "python-tag": ("id: !!python/object/apply:os.system ['echo hi']\n", "tags such as !!python"),
    "control-char": ("id: x\ntitle: a\x07b\n", "control characters"),
    "nul-bytes": (b"id: x\n\x00\x00\x00\n", "control characters"),
    "latin1": (MINIMAL.replace("Sam", "Jos\xe9").encode("latin-1"), "not UTF-8"),
    "utf16": (MINIMAL.encode("utf-16"), "not UTF-8"),
    "random-bytes": (bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8)), "scenario"),
    "over-1mb": ("id: x\n" + "# padding\n" * 110_000, "over 1000 kB"),
    "alias-bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")), "aliases"),
    "recursive-alias": ("a: &a [*a]\n", "scenario"),
    "undefined-alias": ("id: *nope\n", "broken YAML"),
    "agitation-text": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: high"), "start_agitation"),
    "agitation-out-of-range": (MINIMAL.replace("start_agitation: 0.5", "start_agitation: 7"), "out of range"),
    "max-turns-negative": (MINIMAL.replace("max_turns: 8", "max_turns: -1"), "limits.max_turns"),
    "max-turns-fraction": (MINIMAL.replace("max_turns: 8", "max_turns: 1.5"), "whole number"),
    "unknown-node": (MINIMAL.replace("to: talk", "to: tlak"), "did you mean 'talk'"),
    "no-nodes": (MINIMAL.split("nodes:")[0] + "nodes: []\noutcomes: {}\n", "nodes"),
    "id-with-spaces": (MINIMAL.replace("id: minimal", "id: my scenario"), "not a valid scenario id"),
    "id-is-date": (MINIMAL.replace("id: minimal", "id: 2024-01-01"), "not a valid scenario id"),
    "key-is-list": (MINIMAL + "[a, b]: 1\n", "scenario"),
    "unknown-key": (MINIMAL.replace("title:", "titel:"), "did you mean 'title'"),
    "line-too-long": (MINIMAL.replace('"Who is it?"', '"' + "word " * 600 + '"'), "too long to speak"),
    "binary-tag": (MINIMAL.replace("name: Sam", "name: !!binary aGVsbG8="), "perpetrator.name"),
}

for _name, (_content, _needle) in SCENARIO_TEXTS.items():
    def _make(tmp, content=_content, needle=_needle, name=_name):
        f = write(tmp / f"{name}.yaml", content)
        return ["scenarios", "validate", str(f), *data(tmp)], f"{f}:" if needle == "scenario" else needle

    case(f"err-scenario-{_name}", _make,
         process=_name in ("deep-block-1000", "int-5000-digits", "nan", "python-tag", "alias-bomb"))


def _crlf(tmp):
    f = write(tmp / "crlf.yaml", MINIMAL.replace("\n", "\r\n").encode())
    return ["scenarios", "validate", str(f), *data(tmp)], ""


def _bom(tmp):
    f = write(tmp / "bom.yaml", "\ufeff" + MINIMAL)
    return ["scenarios", "validate", str(f), *data(tmp)], ""


case("ok-scenario-crlf-line-ends", _crlf, lambda r, tmp: None)
case("ok-scenario-utf8-bom", _bom, lambda r, tmp: None)

# the same hostile files through `scenarios show` and `drill` (the drill stops before any session exists)
for _name in ("deep-flow-list-1500", "int-5000-digits", "nan", "duplicate-key", "python-tag", "empty"):
    def _show(tmp, name=_name):
        f = write(tmp / f"{name}.yaml", SCENARIO_TEXTS[name][0])
        return ["scenarios", "show", str(f), *data(tmp)], str(f)

    def _drill(tmp, name=_name):
        f = write(tmp / f"{name}.yaml", SCENARIO_TEXTS[name][0])
        return ["drill", str(f), "--virtual", "good", *data(tmp)], str(f)

    case(f"err-show-{_name}", _show)
    case(f"err-drill-{_name}", _drill, process=_name == "nan")


# --- 2. the user's scenario folder: one broken file never hides or breaks another ----------

def _user(tmp, files: dict[str, str]) -> Path:
    folder = tmp / "data" / "scenarios"
    for name, text in files.items():
        write(folder / name, text)
    return folder


def _listed(r: Run) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in r.out.splitlines():
        if line.strip():
            out.setdefault(line.split()[0], []).append(line)
    return out


def _list_with_deep_file(tmp):
    _user(tmp, {"deep.yaml": SCENARIO_TEXTS["deep-flow-list-1500"][0], "huge.yaml": SCENARIO_TEXTS["int-5000-digits"][0],
                "kitchen.yaml": MINIMAL.replace("id: minimal", "id: kitchen")})
    return ["scenarios", "list", *data(tmp)], ""


def _check_list_with_deep_file(r, tmp):
    rows = _listed(r)
    assert "barricaded_subject" in rows and "bank_hostage" in rows  # the shipped library is intact
    assert "(user)" in rows["kitchen"][0]
    assert any("!!" in line and "deep.yaml" in line for line in rows["x"])
    assert any("!!" in line and "huge.yaml" in line for line in rows["minimal"])


case("ok-user-list-survives-deep-and-huge-files", _list_with_deep_file, _check_list_with_deep_file, process=True)


def _dup_ids(tmp):
    _user(tmp, {"a.yaml": MINIMAL.replace("id: minimal", "id: twin").replace("A small valid", "First"),
                "b.yaml": MINIMAL.replace("id: minimal", "id: twin").replace("A small valid", "Second")})
    return ["scenarios", "list", *data(tmp)], ""


def _check_dup_ids(r, tmp):
    rows = _listed(r)["twin"]
    assert len(rows) == 2 and "First" in rows[0] and "!!" in rows[1], rows
    assert "b.yaml: declares id 'twin' too and is not used" in r.err


case("ok-user-duplicate-ids-reported", _dup_ids, _check_dup_ids)


def _broken_and_valid_same_id(tmp):
    _user(tmp, {"a.yaml": "id: twin\ntitle: [\n", "b.yaml": MINIMAL.replace("id: minimal", "id: twin")})
    return ["scenarios", "show", "twin", *data(tmp)], ""


def _check_broken_and_valid(r, tmp):
    assert "A small valid scenario" in r.out and "b.yaml" in r.out
    assert "a.yaml: has 1 problem(s)" in r.err


case("ok-user-broken-file-does-not-hide-valid-one", _broken_and_valid_same_id, _check_broken_and_valid)


def _broken_named_like_shipped(tmp):
    _user(tmp, {"barricaded_subject.yaml": "id: barricaded_subject\ntitle: [\n"})
    return ["scenarios", "list", *data(tmp)], ""


def _check_broken_named_like_shipped(r, tmp):
    rows = _listed(r)["barricaded_subject"]
    assert len(rows) == 2 and "nodes" in rows[0] and "(user)" not in rows[0] and "!!" in rows[1], rows
    assert "shipped scenario 'barricaded_subject'" in r.err
    show = run_cli(["scenarios", "show", "barricaded_subject", *data(tmp)])
    assert show.rc == 0 and "voicedrill/scenarios/barricaded_subject.yaml" in show.out  # the same one
    assert "shipped scenario 'barricaded_subject'" in show.err


case("ok-user-broken-shipped-name-consistent", _broken_named_like_shipped, _check_broken_named_like_shipped)


def _valid_override(tmp):
    _user(tmp, {"barricaded_subject.yaml": MINIMAL.replace("id: minimal", "id: barricaded_subject")
                .replace("A small valid", "My own")})
    return ["scenarios", "show", "barricaded_subject", *data(tmp)], ""


case("ok-user-valid-file-replaces-shipped", _valid_override,
     lambda r, tmp: ("My own" in r.out and r.err == "") or pytest.fail(r.text))


def _validate_by_id_broken_user(tmp):
    _user(tmp, {"kit.yaml": "id: kit\nstart: .nan\n"})
    return ["scenarios", "validate", "kit", *data(tmp)], "not a finite number"


case("err-user-validate-by-id", _validate_by_id_broken_user)


def _validate_shadowed_by_id(tmp):
    _user(tmp, {"barricaded_subject.yaml": "id: barricaded_subject\ntitle: [\n"})
    return ["scenarios", "validate", "barricaded_subject", *data(tmp)], ""


def _check_validate_shadowed(r, tmp):
    assert "barricaded_subject.yaml: ok" in r.out and "voicedrill/scenarios/" in r.out  # the shipped file, by name
    assert "has 1 problem(s)" in r.err and "data/scenarios/barricaded_subject.yaml" in r.err


case("ok-user-validate-by-id-names-the-skipped-file", _validate_shadowed_by_id, _check_validate_shadowed)


def _drill_broken_user_only(tmp):
    _user(tmp, {"kit.yaml": "id: kit\nperpetrator: {start_agitation: .nan}\n"})
    return ["drill", "kit", "--virtual", "good", *data(tmp)], "kit.yaml:2:"


case("err-user-drill-only-broken-file", _drill_broken_user_only)


# --- 3. scoring scripts: `analyze REPLY --transcript ... --script FILE` ------------------------

_REPLY_TEXT = "It sounds like you are angry. What happened?"

SCRIPT_TEXTS: dict[str, tuple[str | bytes, str]] = {
    "nan-weight": ("version: 1\ncues:\n  weights:\n    mirror: .nan\n", ":4:13: '.nan' is not a finite"),
    "inf-weight": ("version: 1\ncues:\n  weights:\n    mirror: .inf\n", "not a finite number"),
    "minus-inf-weight": ("version: 1\ncues:\n  weights:\n    why_question: -.inf\n", "not a finite number"),
    "huge-float-weight": ("version: 1\ncues:\n  weights:\n    mirror: 1.0e+999\n", "not a finite number"),
    "digits-5000-weight": ("version: 1\ncues:\n  weights:\n    mirror: " + "9" * 5000 + "\n", "too long"),
    "digits-90-weight": ("version: 1\ncues:\n  weights:\n    mirror: " + "9" * 90 + "\n", "cues.weights.mirror"),
    "nested-parens-3000": ("version: 1\ncues:\n  extra_phrases:\n    en:\n      mirror: [\"" + "(" * 3000 + "a"
                           + ")" * 3000 + "\"]\n", ":5:16: cannot read the phrase"),
    "phrase-5000-digits": ("version: 1\ncues:\n  extra_phrases:\n    en:\n      mirror: [\"" + "9" * 5000 + "\"]\n",
                           "longer than 400 characters"),
    "deep-yaml": ("version: 1\ncues: " + "[" * 2000 + "]" * 2000 + "\n", "nested more than"),
    "unknown-key": ("version: 1\ncuse: {}\n", "did you mean 'cues'"),
    "unknown-cue": ("version: 1\ncues:\n  weights:\n    mirrror: 1\n", "did you mean 'mirror'"),
    "weight-text": ("version: 1\ncues:\n  weights:\n    mirror: lots\n", "cues.weights.mirror"),
    "top-list": ("- 1\n- 2\n", "scoring script"),
    "python-tag": ("version: !!python/name:os.system\n", "tags such as !!python"),
    "duplicate-key": ("version: 1\nversion: 1\n", "duplicate key 'version'"),
    "bad-phrase": ("version: 1\ncues:\n  extra_phrases:\n    en:\n      emotional_label: [\"sounds (like\"]\n",
                   ":5:25: cannot read the phrase: missing ')'"),
    "empty-phrase": ("version: 1\ncues:\n  extra_phrases:\n    en:\n      mirror: [\"  \"]\n", "empty phrase"),
    "phrase-number": ("version: 1\ncues:\n  extra_phrases:\n    en:\n      mirror: [12]\n", "mirror[0]"),
    "phrase-language": ("version: 1\ncues:\n  extra_phrases:\n    xx:\n      mirror: [hi]\n", "xx"),
    "silence-negative": ("version: 1\nlistening:\n  end_of_turn_silence: -1\n", "end_of_turn_silence"),
    "silence-huge": ("version: 1\nlistening:\n  end_of_turn_silence: 1.0e+300\n", "end_of_turn_silence"),
    "latin1": ("version: 1\n# caf\xe9\n".encode("latin-1"), "not UTF-8"),
    "control-char": ("version: 1\n\x1b[31m: 1\n", "control characters"),
    "alias-bomb": (SCENARIO_TEXTS["alias-bomb"][0], "aliases"),
}


def _reply_wav(tmp: Path) -> Path:
    f = tmp / "reply.wav"
    if not f.exists():
        audio, rate = sf.read(str(JFK), dtype="float32")
        sf.write(str(f), (audio.mean(axis=1) if audio.ndim == 2 else audio)[: rate * 3], rate)
    return f


def _analyze(tmp: Path, reply: Path | str | None = None, *extra: str) -> list[str]:
    reply = reply if reply is not None else _reply_wav(tmp)
    return ["analyze", str(reply), "--context", "Nobody listens to me!", "--transcript", _REPLY_TEXT, *extra, *data(tmp)]


for _name, (_content, _needle) in SCRIPT_TEXTS.items():
    def _make(tmp, content=_content, needle=_needle, name=_name):
        f = write(tmp / f"script-{name}.yaml", content)
        return _analyze(tmp, None, "--script", str(f)), needle

    case(f"err-script-{_name}", _make, process=_name in ("nan-weight", "nested-parens-3000"))


def _script_missing(tmp):
    return _analyze(tmp, None, "--script", str(tmp / "nope.yaml")), "nope.yaml"


def _script_folder(tmp):
    (tmp / "adir.yaml").mkdir()
    return _analyze(tmp, None, "--script", str(tmp / "adir.yaml")), "adir.yaml"


case("err-script-missing", _script_missing)
case("err-script-folder", _script_folder)


def _drill_bad_script(tmp):
    f = write(tmp / "s.yaml", SCRIPT_TEXTS["bad-phrase"][0])
    return ["drill", "barricaded_subject", "--virtual", "good", "--script", str(f), *data(tmp)], "s.yaml:5:25: cannot read the phrase"


def _drill_nan_script(tmp):
    f = write(tmp / "s.yaml", SCRIPT_TEXTS["nan-weight"][0])
    return ["drill", "barricaded_subject", "--virtual", "good", "--script", str(f), *data(tmp)], "s.yaml:4:13"


case("err-drill-script-bad-phrase-before-session", _drill_bad_script)
case("err-drill-script-nan-before-session", _drill_nan_script)


# --- 4. audio files: `analyze FILE` (and `transcribe FILE`, which reads the file first) ---------

def _speech(seconds: float = 3.0) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(str(JFK), dtype="float32")
    audio = audio.mean(axis=1) if audio.ndim == 2 else audio
    return audio[: int(rate * seconds)], rate


def _sf(name: str, fn: Callable[[np.ndarray, int], tuple[np.ndarray, int, dict]]):
    def make(tmp: Path) -> Path:
        audio, rate = _speech()
        a, r, kw = fn(audio, rate)
        f = tmp / name
        sf.write(str(f), a, r, **kw)
        return f
    return make


def _raw(name: str, content: bytes | Callable[[Path], bytes]):
    def make(tmp: Path) -> Path:
        blob = content(tmp) if callable(content) else content
        return write(tmp / name, blob)
    return make


def _valid_wav_bytes(tmp: Path) -> bytes:
    return _sf("v.wav", lambda a, r: (a, r, {}))(tmp).read_bytes()


def _wav_header_only(tmp: Path) -> bytes:
    f = tmp / "h.wav"
    with wave.open(str(f), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
    return f.read_bytes()


def _long_file(tmp: Path) -> Path:
    f = tmp / "long.wav"  # 16 minutes of 8-bit silence at 4 kHz: 3.8 MB
    sf.write(str(f), np.zeros(4000 * 16 * 60, np.float32), 4000, subtype="PCM_U8")
    return f


def _nan_every(a, r):
    b = a.copy()
    b[::500] = np.nan
    return b, r, {"subtype": "FLOAT"}


def _inf_one(a, r):
    b = a.copy()
    b[100] = np.inf
    return b, r, {"subtype": "DOUBLE"}


AUDIO_ERRORS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda tmp: tmp / "missing.wav", "no such file"),
    "folder": (lambda tmp: (tmp / "folder.wav").mkdir() or tmp / "folder.wav", "is a folder"),
    "empty-0-bytes": (_raw("empty.wav", b""), "empty"),
    "random-bytes-wav": (_raw("noise.wav", bytes(np.random.default_rng(2).integers(0, 256, 5000, dtype=np.uint8))),
                         "noise.wav"),
    "text-as-wav": (_raw("text.wav", b"this is not audio\n" * 50), "text.wav"),
    "truncated-header": (_raw("trunc.wav", lambda tmp: _valid_wav_bytes(tmp)[:20]), "trunc.wav"),
    "header-no-frames": (_raw("hdr.wav", _wav_header_only), "no audio samples"),
    "nan-samples": (_sf("nan.wav", _nan_every), "NaN or infinite"),
    "inf-sample": (_sf("inf.wav", _inf_one), "NaN or infinite"),
    "all-nan": (_sf("allnan.wav", lambda a, r: (np.full_like(a, np.nan), r, {"subtype": "FLOAT"})), "NaN or infinite"),
    "rate-100-hz": (_sf("r100.wav", lambda a, r: (a[:2000], 100, {})), "sample rate of 100 Hz"),
    "rate-1-hz": (_sf("r1.wav", lambda a, r: (a[:50], 1, {})), "sample rate of 1 Hz"),
    "rate-1mhz": (_sf("r1m.wav", lambda a, r: (a, 1_000_000, {})), "sample rate of 1000000 Hz"),
    "over-15-minutes": (_long_file, "longer than"),
    "mp3-garbage": (_raw("x.mp3", bytes(np.random.default_rng(3).integers(0, 256, 3000, dtype=np.uint8))), "x.mp3"),
    "m4a-garbage": (_raw("x.m4a", b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 100), "x.m4a"),
    "flac-truncated": (_raw("t.flac", lambda tmp: JFK.read_bytes()[:200]), "t.flac"),
    "ogg-garbage": (_raw("g.ogg", b"OggS" + b"\x01" * 400), "g.ogg"),
    "fifo": (lambda tmp: (os.mkfifo(tmp / "pipe.wav"), tmp / "pipe.wav")[1], "not a regular file"),
    "dev-zero": (lambda tmp: Path("/dev/zero"), "not a regular file"),
    "symlink-loop": (lambda tmp: (os.symlink(tmp / "loop.wav", tmp / "loop.wav"), tmp / "loop.wav")[1], "loop.wav"),
    "unknown-extension": (_raw("x.xyz", b"\x01\x02" * 300), "x.xyz"),
}

for _name, (_mk, _needle) in AUDIO_ERRORS.items():
    def _make(tmp, mk=_mk, needle=_needle):
        f = mk(tmp)
        return _analyze(tmp, f), needle

    case(f"err-audio-{_name}", _make, process=_name in ("nan-samples", "fifo", "rate-1-hz"))

for _name in ("missing", "empty-0-bytes", "nan-samples", "rate-100-hz", "fifo", "random-bytes-wav"):
    def _make(tmp, mk=AUDIO_ERRORS[_name][0], needle=AUDIO_ERRORS[_name][1]):
        return ["transcribe", str(mk(tmp)), *data(tmp)], needle

    case(f"err-transcribe-{_name}", _make)


def _analyze_json(tmp: Path, f: Path) -> list[str]:
    return _analyze(tmp, f, "--json")


def _scored_on_words(r: Run, tmp: Path) -> None:
    result = json.loads(r.out)
    assert result["transcript"] == _REPLY_TEXT and any(c["name"] == "emotional_label" for c in result["cues"])
    # the speech in the file was heard (a file read as silence has no speech and no voiced frames)
    assert result["silent"] is False and result["pacing"]["speech_seconds"] > 1.5, result["pacing"]
    assert "no_voiced_frames" not in result["calm"]["flags"] and result["words"], result["calm"]


def _ffmpeg(tmp: Path, name: str, shape: Callable[[np.ndarray], np.ndarray]) -> Path:
    """A file only ffmpeg reads (mp3, m4a), made by the real ffmpeg from the speech clip."""
    exe = shutil.which("ffmpeg")
    assert exe, "ffmpeg is not installed: apt-get install ffmpeg (scripts/setup installs it)"
    audio, rate = _speech()
    wav = tmp / f"{name}.src.wav"
    sf.write(str(wav), shape(audio), rate)
    subprocess.run([exe, "-v", "error", "-y", "-i", str(wav), str(tmp / name)], check=True, timeout=120)
    return tmp / name


AUDIO_OK: dict[str, tuple[Callable[[Path], Path], str]] = {
    # name: (file, a word the notice must contain, "" for no notice)
    "float-loud-1000": (_sf("loud.wav", lambda a, r: (a * 1000 / np.abs(a).max(), r, {"subtype": "FLOAT"})), "wrong scale"),
    "float-loud-5": (_sf("loud5.wav", lambda a, r: (a * 5 / np.abs(a).max(), r, {"subtype": "FLOAT"})), "wrong scale"),
    "float-overshoot-1.2": (_sf("over.wav", lambda a, r: (a * 1.2 / np.abs(a).max(), r, {"subtype": "FLOAT"})), ""),
    "stereo-antiphase": (_sf("anti.wav", lambda a, r: (np.stack([a, -a], 1), r, {})), "inverted polarity"),
    "stereo-antiphase-flac": (_sf("anti.flac", lambda a, r: (np.stack([-a, a], 1) * 0.5, r, {})), "inverted polarity"),
    "six-channels-one-inverted": (_sf("six.wav", lambda a, r: (np.stack([a, -a, a * 0.1, -a * 0.1, a * 0, a * 0], 1) * 0.5,
                                                               r, {})), "inverted polarity"),
    "stereo-one-channel-silent": (_sf("half.wav", lambda a, r: (np.stack([a, a * 0], 1), r, {})), ""),
    "pcm-24": (_sf("p24.wav", lambda a, r: (a, r, {"subtype": "PCM_24"})), ""),
    "pcm-u8": (_sf("u8.wav", lambda a, r: (a, r, {"subtype": "PCM_U8"})), ""),
    "rate-22050": (_sf("r22k.wav", lambda a, r: (a[::2][: len(a) // 2][:: 1], 22050, {})), ""),
    "rate-44101-odd": (_sf("odd.wav", lambda a, r: (a, 44101, {})), ""),
    "ogg": (_sf("o.ogg", lambda a, r: (a, r, {"format": "OGG"})), ""),
    "mp3-antiphase-via-ffmpeg": (lambda tmp: _ffmpeg(tmp, "anti.mp3", lambda a: np.stack([a, -a], 1)), "inverted polarity"),
    "m4a-mono-via-ffmpeg": (lambda tmp: _ffmpeg(tmp, "mono.m4a", lambda a: a), ""),
}

for _name, (_mk, _word) in AUDIO_OK.items():
    def _make(tmp, mk=_mk):
        return _analyze_json(tmp, mk(tmp)), ""

    def _check(r, tmp, word=_word):
        _scored_on_words(r, tmp)
        if word:
            assert f"voicedrill: note:" in r.err and word in r.err, r.err
        else:
            assert "note:" not in r.err, r.err

    case(f"ok-audio-{_name}", _make, _check, process=_name in ("float-loud-1000", "stereo-antiphase"))


def _baseline_bad(tmp):
    f = write(tmp / "base.wav", b"RIFF0000WAVEfmt ")
    return _analyze(tmp, None, "--baseline", str(f)), "base.wav"


def _line_end_negative(tmp):
    return _analyze(tmp, None, "--line-end", "-1"), "--line-end"


case("err-audio-baseline-corrupt", _baseline_bad)
case("err-analyze-line-end-negative", _line_end_negative)


def _transcribe_loud(tmp):
    return ["transcribe", str(AUDIO_OK["float-loud-1000"][0](tmp)), *data(tmp)], ""


case("ok-transcribe-loud-float-is-not-silence", _transcribe_loud,
     lambda r, tmp: ("fellow americans" in r.out.lower() and "wrong scale" in r.err) or pytest.fail(r.text))


# --- 5. ids, paths and devices ---------------------------------------------------------------

def _a(*argv: str, needle: str):
    def make(tmp):
        return [a.replace("{tmp}", str(tmp)) for a in argv] + data(tmp), needle.replace("{tmp}", str(tmp))
    return make


ARG_ERRORS: dict[str, tuple[tuple[str, ...], str]] = {
    "report-unknown-id": (("report", "nope"), "no session 'nope'"),
    "report-empty-id": (("report", ""), "session"),
    "report-path-traversal": (("report", "../../etc/passwd"), "session"),
    "report-latest-empty-store": (("report", "latest"), "no sessions stored yet"),
    "report-bad-audio-choice": (("report", "latest", "--audio", "wav"), "invalid choice"),
    "sessions-show-unknown": (("sessions", "show", "nope"), "no session 'nope'"),
    "sessions-export-unknown": (("sessions", "export", "nope"), "no session 'nope'"),
    "sessions-delete-unknown": (("sessions", "delete", "nope"), "no session 'nope'"),
    "history-unknown-trainee": (("history", "nobody"), "no drills stored for trainee 'nobody'"),
    "history-limit-zero": (("history", "x", "--limit", "0"), "--limit"),
    "scenarios-show-unknown": (("scenarios", "show", "nope"), "no scenario 'nope'"),
    "scenarios-show-typo": (("scenarios", "show", "barricaded_subjct"), "Did you mean 'barricaded_subject'"),
    "scenarios-graph-unknown": (("scenarios", "graph", "nope"), "no scenario 'nope'"),
    "scenarios-validate-missing": (("scenarios", "validate", "{tmp}/missing.yaml"), "no such scenario file"),
    "drill-unknown-scenario": (("drill", "nope", "--virtual", "good"), "no scenario 'nope'"),
    "drill-unknown-path": (("drill", "barricaded_subject", "--virtual", "bogus"), "no scripted trainee path 'bogus'"),
    "drill-max-turns-zero": (("drill", "barricaded_subject", "--virtual", "good", "--max-turns", "0"), "--max-turns"),
    "drill-replies-missing": (("drill", "barricaded_subject", "--replies", "{tmp}/none"), "{tmp}/none"),
    "drill-script-missing": (("drill", "barricaded_subject", "--virtual", "good", "--script", "{tmp}/s.yaml"), "s.yaml"),
    "drill-model-unknown": (("drill", "barricaded_subject", "--virtual", "good", "--model", "nope"), "'nope' is not installed"),
    "drill-seed-text": (("drill", "barricaded_subject", "--seed", "abc"), "invalid int value"),
    "demo-unknown-scenario": (("demo", "--scenario", "nope"), "no scenario 'nope'"),
    "analyze-no-context": (("analyze", "{tmp}/x.wav"), "--context"),
    "transcribe-missing": (("transcribe", "{tmp}/x.wav"), "no such file"),
    "eval-cues-missing": (("eval-cues", "{tmp}/x.jsonl"), "x.jsonl"),
    "rescore-unknown": (("rescore", "nope", "--script", str(REPO / "voicedrill/scoring/default_script.yaml")), "nope"),
    "models-install-unknown": (("models", "install", "huge-v9"), "huge-v9"),
}

for _name, (_argv, _needle) in ARG_ERRORS.items():
    case(f"err-arg-{_name}", _a(*_argv, needle=_needle), process=_name in ("report-unknown-id", "drill-max-turns-zero"))


def _data_dir_is_file(tmp):
    f = write(tmp / "afile", "x")
    return ["sessions", "list", "--data-dir", str(f)], "cannot use it as the data folder"


def _data_dir_under_file(tmp):
    f = write(tmp / "afile", "x")
    return ["history", "x", "--data-dir", str(f / "sub")], "afile"


def _replies_is_file(tmp):
    f = write(tmp / "r.wav", b"")
    return ["drill", "barricaded_subject", "--replies", str(f), *data(tmp)], "r.wav"


def _replies_empty_dir(tmp):
    (tmp / "empty").mkdir()
    return ["drill", "barricaded_subject", "--replies", str(tmp / "empty"), *data(tmp)], "holds no sound files"


def _report_out_unwritable(tmp):
    from tests.fixtures_store import one_session

    sid = one_session(tmp / "data")
    return ["report", sid, "-o", "/proc/voicedrill-test.html", *data(tmp)], "/proc/voicedrill-test.html"


case("err-path-data-dir-is-a-file", _data_dir_is_file, process=True)
case("err-path-data-dir-under-a-file", _data_dir_under_file)
case("err-path-replies-is-a-file", _replies_is_file)
case("err-path-replies-empty-folder", _replies_empty_dir)
case("err-path-report-output-unwritable", _report_out_unwritable)


def _device_input(tmp):
    return ["drill", "barricaded_subject", "--input", "99999", *data(tmp)], "device"


def _device_output(tmp):
    return ["drill", "barricaded_subject", "--output", "no-such-speaker", *data(tmp)], "device"


def _no_session_left(r: Run, tmp: Path) -> None:
    sessions = tmp / "data" / "sessions"
    assert not sessions.exists() or not any(sessions.iterdir()), list(sessions.iterdir())


MODEL_FILES = {"garbage": bytes(np.random.default_rng(5).integers(0, 256, 5000, dtype=np.uint8)), "empty": b"",
               "text": b"not a checkpoint\n"}

for _name in (*MODEL_FILES, "missing", "folder"):
    def _make(tmp, name=_name):
        if name == "missing":
            model = tmp / "missing.pt"
        elif name == "folder":
            model = tmp / "folder.pt"
            model.mkdir()
        else:
            model = write(tmp / f"{name}.pt", MODEL_FILES[name])
        return ["transcribe", str(_reply_wav(tmp)), "--model", str(model), *data(tmp)], str(model)

    case(f"err-model-{_name}", _make)

case("err-device-missing-input", _device_input)
case("err-device-missing-output", _device_output)


# --- 6. a damaged store: commands keep working or name the damaged file ------------------------

def _damaged(kind: str):
    def make(tmp):
        from tests.fixtures_store import one_session

        sid = one_session(tmp / "data")
        folder = tmp / "data" / "sessions" / sid
        cmd = ["report", sid, "-o", str(tmp / "out.html")]
        needle = ""
        if kind == "turn-json-garbage":
            write(folder / "turn-001" / "turn.json", "{not json")
            needle = "turn-001/turn.json"
        elif kind == "turn-json-nan":
            write(folder / "turn-001" / "turn.json", '{"index": 1, "score": NaN}')
            needle = "turn-001/turn.json"
        elif kind == "final-json-garbage":
            write(folder / "final.json", "][")
            needle = "final.json"
        elif kind == "session-json-garbage":
            write(folder / "session.json", "garbage")
            return cmd + data(tmp), "session.json"
        elif kind == "index-garbage":
            write(tmp / "data" / "index.sqlite3", b"garbage" * 100)
            cmd, needle = ["sessions", "list"], "index"
        elif kind == "reply-audio-corrupt":
            write(folder / "turn-000" / "reply.flac", b"fLaC" + b"\x00" * 50)
            needle = ""
        elif kind == "turn-folder-empty":
            shutil.rmtree(folder / "turn-002")
            (folder / "turn-002").mkdir()
            cmd, needle = ["sessions", "show", sid], ""
        elif kind == "stray-file-in-sessions":
            write(tmp / "data" / "sessions" / "20990101-000000-abcd", "not a folder")
            cmd, needle = ["sessions", "list"], ""
        return cmd + data(tmp), needle
    return make


for _kind in ("turn-json-garbage", "turn-json-nan", "final-json-garbage", "index-garbage", "reply-audio-corrupt",
              "turn-folder-empty", "stray-file-in-sessions"):
    def _check(r, tmp, kind=_kind):  # the command works; a damaged file is named in a note
        if kind in ("turn-json-garbage", "turn-json-nan", "final-json-garbage", "index-garbage"):
            assert "note:" in r.err, r.err

    case(f"ok-store-{_kind}", _damaged(_kind), _check)

case("err-store-session-json-garbage", _damaged("session-json-garbage"))


# ----------------------------------------------------------------------------- the tests

@pytest.fixture(autouse=True)
def _cwd(monkeypatch):
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_case(c: Case, tmp_path):
    argv, needle = c.make(tmp_path)
    try:
        r = run_cli(argv)
    except _Hang as e:
        pytest.fail(f"hang: {e}")
    if c.expects_error:
        assert_clear_error(r, needle)
        if argv[0] in ("drill", "demo"):
            _no_session_left(r, tmp_path)
    else:
        assert_ok(r)
        if c.check is not None:
            c.check(r, tmp_path)


PROCESS_CASES = [c for c in CASES if c.process]


@pytest.mark.parametrize("c", PROCESS_CASES, ids=[c.id for c in PROCESS_CASES])
def test_case_as_a_process(c: Case, tmp_path):
    """The same case as a real ``python -m voicedrill`` process: exit status, stderr, no hang."""
    argv, needle = c.make(tmp_path)
    r = run_process(argv)
    if c.expects_error:
        assert_clear_error(r, needle)
    else:
        assert_ok(r)
        if c.check is not None:
            c.check(r, tmp_path)


def test_the_suite_is_as_large_as_promised():
    assert len(CASES) >= 150, len(CASES)
    assert sum(c.expects_error for c in CASES) >= 120


# --- 7. a full disk: read-only commands work and never truncate the index ----------------------

FULL_DISK_SCRIPT = r"""
set -u
mount -t tmpfs -o size=3m tmpfs "$MNT" || exit 97
cp -a "$SRC" "$MNT/data"
dd if=/dev/zero of="$MNT/filler" bs=4k >/dev/null 2>&1
df -k "$MNT" | tail -1 > "$OUT/df"
sha256sum "$MNT/data/index.sqlite3" | cut -d' ' -f1 > "$OUT/sum_before"
run() { name=$1; shift; "$PY" -m voicedrill "$@" --data-dir "$MNT/data" > "$OUT/$name.out" 2> "$OUT/$name.err"; echo $? > "$OUT/$name.rc"; }
run list sessions list
run report report "$SID" -o "$OUT/debrief.html" --audio none
run export sessions export "$SID"
run history history anna
run show sessions show "$SID"
run reindex sessions reindex
run report_in_place report "$SID"
"$PY" -c "
import sys
from voicedrill.store import Store
from voicedrill.errors import StoreError
try:
    Store(sys.argv[1]).start_session(scenario_id='x', scenario_text='', script_text='', script_hash='h', trainee='anna', language='en')
    print('started')
except StoreError as e:
    print('StoreError:', e)
" "$MNT/data" > "$OUT/write.out" 2> "$OUT/write.err"
sha256sum "$MNT/data/index.sqlite3" | cut -d' ' -f1 > "$OUT/sum_after"
stat -c %s "$MNT/data/index.sqlite3" > "$OUT/size_after"
"""


def test_full_disk_read_only_commands_work_and_the_index_is_never_truncated(tmp_path):
    """A 3 MB filesystem (tmpfs in a private mount namespace: nothing to clean up) filled to
    the last block: listing, reports elsewhere, export, history and show work; writing in
    place fails with one clear message; the 45 kB index is byte for byte the same."""
    from tests.fixtures_store import one_session

    src = tmp_path / "src"
    sids = [one_session(src, turns=2) for _ in range(4)]
    size_before = (src / "index.sqlite3").stat().st_size
    assert size_before > 10_000
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir(), out.mkdir()
    env = {**os.environ, "MNT": str(mnt), "SRC": str(src), "OUT": str(out), "PY": PYTHON, "SID": sids[1],
           "PYTHONPATH": str(REPO)}
    ns = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--mount"]
    r = subprocess.run([*ns, "bash", "-c", FULL_DISK_SCRIPT], env=env, capture_output=True, text=True,
                       timeout=600, cwd=REPO)
    assert r.returncode == 0, (f"could not mount a small tmpfs in a private namespace ({' '.join(ns)}); this test "
                               f"needs util-linux unshare and user namespaces:\n{r.stderr[-2000:]}")
    assert (out / "df").read_text().split()[3] in ("0", "4"), (out / "df").read_text()  # full to the last block

    def res(name):
        return Run(int((out / f"{name}.rc").read_text()), (out / f"{name}.out").read_text(),
                   (out / f"{name}.err").read_text())

    for name in ("list", "report", "export", "history", "show"):
        assert_ok(res(name))
    assert all(sid in res("list").out for sid in sids)
    assert "cannot open the session index for writing" in res("list").err  # told, once, why
    assert (out / "debrief.html").stat().st_size > 1000
    assert sids[1] in res("export").out and "emotional_label" in res("export").out
    assert_clear_error(res("report_in_place"), "cannot write the page")
    assert_clear_error(res("reindex"), "cannot rebuild the session index")
    assert "StoreError:" in (out / "write.out").read_text() and "No space left" in (out / "write.out").read_text()
    assert (out / "sum_before").read_text() == (out / "sum_after").read_text()  # never truncated or rewritten
    assert int((out / "size_after").read_text()) == size_before
