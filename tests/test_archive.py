"""Archives: export drills on a trainee's machine, import them on the instructor's; hostile
or malformed archives are refused with a clear message and change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.fixtures_web import build_class, class_records, tree
from voicedrill import archive
from voicedrill.errors import StoreError
from voicedrill.store import Store


@pytest.fixture(scope="module")
def records():
    return class_records()


@pytest.fixture()
def trainee_data(tmp_path, records):
    data = tmp_path / "trainee"
    ids = build_class(data, records)
    return data, ids


def cli(*args, data=None):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    extra = ["--data-dir", str(data)] if data else []
    return subprocess.run([sys.executable, "-m", "voicedrill", *args, *extra], capture_output=True, text=True,
                          env=env, timeout=120)


def test_export_all_then_import_round_trip(tmp_path, trainee_data):
    data, ids = trainee_data
    out = tmp_path / "drills.zip"
    p = cli("sessions", "export", "--all", "-o", str(out), data=data)
    assert p.returncode == 0, p.stderr
    assert "3 drill(s)" in p.stderr
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
    assert sorted(manifest["sessions"]) == sorted(ids.values())
    for sid in ids.values():  # records, audio, scenario and script copies
        for f in ("session.json", "final.json", "scenario.yaml", "scoring-script.yaml", "turn-000/turn.json",
                  "turn-000/reply.flac", "turn-000/line.flac"):
            assert f"sessions/{sid}/{f}" in names
    inst = tmp_path / "instructor"
    p = cli("sessions", "import", str(out), data=inst)
    assert p.returncode == 0, p.stderr
    assert "imported 3 drill(s)" in p.stdout
    for sid in ids.values():
        assert tree(inst / "sessions" / sid) == tree(data / "sessions" / sid)
    store = Store(inst)
    assert sorted(s.trainee for s in store.list_sessions()) == sorted(ids)
    assert store.load_session(ids["alex"]).turns[0].reply_audio().size > 16000
    # the same archive again: every drill is a duplicate, nothing changes
    before = tree(inst)
    p = cli("sessions", "import", str(out), data=inst)
    assert p.returncode == 0 and "imported 0 drill(s)" in p.stdout and "3 already stored" in p.stdout
    assert tree(inst) == before


def test_export_one_drill_by_id(tmp_path, trainee_data):
    data, ids = trainee_data
    store = Store(data)
    result = archive.export_archive(store, [ids["bea"]], tmp_path / "one.zip")
    assert result.sessions == (ids["bea"],)
    inst = Store(tmp_path / "inst")
    r = archive.import_archive(inst, result.path)
    assert r.imported == (ids["bea"],) and [s.trainee for s in inst.list_sessions()] == ["bea"]


def _good_archive(tmp_path, trainee_data) -> Path:
    data, _ = trainee_data
    store = Store(data)
    return archive.export_archive(store, [s.id for s in store.list_sessions()], tmp_path / "good.zip").path


def _rewrite(src: Path, dest: Path, *, add=(), drop=(), change=None, manifest_files=None) -> Path:
    """A copy of archive ``src`` with members added/dropped/changed (manifest kept unless told)."""
    with zipfile.ZipFile(src) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    manifest = json.loads(members["manifest.json"])
    if manifest_files is not None:
        manifest["files"].update(manifest_files)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            if name in drop:
                continue
            if change and name in change:
                data = change[name]
            z.writestr(name, data)
        for info, data in add:
            z.writestr(info, data)
    return dest


def _symlink_member(name: str, target: str):
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16)
    return info, target.encode()


HOSTILE = {
    "traversal": lambda sid: [("sessions/../../evil.txt", b"x")],
    "absolute": lambda sid: [("/tmp/evil.txt", b"x")],
    "backslash": lambda sid: [(f"sessions\\{sid}\\..\\..\\evil", b"x")],
    "outside sessions": lambda sid: [("evil.sh", b"#!/bin/sh\n")],
    "hidden file": lambda sid: [(f"sessions/{sid}/.bashrc", b"x")],
    "symlink": lambda sid: [_symlink_member(f"sessions/{sid}/turn-000/evil.flac", "/etc/passwd")],
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_archives_are_refused_and_change_nothing(tmp_path, trainee_data, kind):
    good = _good_archive(tmp_path, trainee_data)
    sid = json.loads(zipfile.ZipFile(good).read("manifest.json"))["sessions"][0]
    bad = _rewrite(good, tmp_path / "bad.zip", add=HOSTILE[kind](sid))
    inst = tmp_path / "inst"
    build_dir = Store(inst)
    build_dir.close()
    before = tree(inst)
    p = cli("sessions", "import", str(bad), data=inst)
    assert p.returncode == 1
    assert "refused, nothing was imported" in p.stderr and "Traceback" not in p.stderr
    assert tree(inst) == before
    assert not [n for n in os.listdir(inst) if n.startswith(".import-")]
    assert not (tmp_path / "evil.txt").exists()


def test_oversized_member_and_zip_bomb_are_refused(tmp_path, trainee_data, monkeypatch):
    good = _good_archive(tmp_path, trainee_data)
    sid = json.loads(zipfile.ZipFile(good).read("manifest.json"))["sessions"][0]
    store = Store(tmp_path / "inst")
    bomb = _rewrite(good, tmp_path / "bomb.zip", add=[(f"sessions/{sid}/turn-000/zeros.json", b"\0" * (8 << 20))])
    with pytest.raises(StoreError, match="expands .*zip bomb"):
        archive.import_archive(store, bomb)
    monkeypatch.setattr(archive, "MAX_MEMBER", 10_000)
    with pytest.raises(StoreError, match=r"\.flac' is \d+ bytes \(at most 10000\)"):
        archive.import_archive(store, good)
    assert store.list_sessions() == []


def test_lying_sizes_checksums_and_damaged_records_are_refused(tmp_path, trainee_data):
    good = _good_archive(tmp_path, trainee_data)
    man = json.loads(zipfile.ZipFile(good).read("manifest.json"))
    sid = man["sessions"][0]
    store = Store(tmp_path / "inst")
    changed = _rewrite(good, tmp_path / "c.zip", change={f"sessions/{sid}/turn-000/turn.json": b"{}"})
    with pytest.raises(StoreError, match="does not match its checksum"):
        archive.import_archive(store, changed)
    import hashlib

    broken = b'{"id": "x"'
    damaged = _rewrite(good, tmp_path / "d.zip", change={f"sessions/{sid}/session.json": broken},
                       manifest_files={f"sessions/{sid}/session.json": hashlib.sha256(broken).hexdigest()})
    with pytest.raises(StoreError, match=f"drill {sid} cannot be read"):
        archive.import_archive(store, damaged)
    missing = _rewrite(good, tmp_path / "m.zip", drop={f"sessions/{sid}/final.json"})
    with pytest.raises(StoreError, match="listed in the manifest but missing"):
        archive.import_archive(store, missing)
    nomanifest = _rewrite(good, tmp_path / "n.zip", drop={"manifest.json"})
    with pytest.raises(StoreError, match="not a voicedrill archive"):
        archive.import_archive(store, nomanifest)
    notzip = tmp_path / "notzip.zip"
    notzip.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(StoreError, match="not a zip archive"):
        archive.import_archive(store, notzip)
    assert store.list_sessions() == []


def test_failure_while_moving_takes_back_what_moved(tmp_path, trainee_data, monkeypatch):
    good = _good_archive(tmp_path, trainee_data)
    store = Store(tmp_path / "inst")
    before = tree(store.data_dir)
    real = os.rename
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(archive.os, "rename", flaky)
    with pytest.raises(StoreError, match="nothing was changed"):
        archive.import_archive(store, good)
    monkeypatch.setattr(archive.os, "rename", real)
    assert tree(store.data_dir) == before
    assert store.list_sessions() == []


def test_conflicting_id_is_skipped_not_overwritten(tmp_path, trainee_data):
    data, ids = trainee_data
    good = _good_archive(tmp_path, trainee_data)
    inst = tmp_path / "inst"
    store = Store(inst)
    archive.import_archive(store, good)
    sid = ids["alex"]
    turn = inst / "sessions" / sid / "turn-000" / "turn.json"
    edited = turn.read_text().replace('"node_id": "node0"', '"node_id": "changed"')
    turn.write_text(edited)
    r = archive.import_archive(store, good)
    assert sid in r.conflicts and r.imported == ()
    assert turn.read_text() == edited


def test_export_needs_drills_and_names_the_fix(tmp_path):
    p = cli("sessions", "export", "--all", "-o", str(tmp_path / "x.zip"), data=tmp_path / "empty")
    assert p.returncode != 0 and "no drills" in p.stderr and "Traceback" not in p.stderr
    p = cli("sessions", "import", str(tmp_path / "nope.zip"), data=tmp_path / "empty")
    assert p.returncode == 1 and "no such archive" in p.stderr


def test_a_drills_group_travels_with_it_into_the_roster(tmp_path, records):
    from tests.fixtures_report import SCENARIO_YAML
    from voicedrill import course

    store = Store(tmp_path / "trainee")
    w = store.start_session(scenario_id="barricade-test", scenario_text=SCENARIO_YAML.format(language="en"),
                            script_text="# s\n", script_hash="h", trainee="dana", language="en",
                            course="Negotiation 101", group="Tuesday")
    for r in records["alex"][:2]:
        w.save_turn(r)
    w.finish(outcome="surrender", drill_score=60.0)
    meta = store.load_session(w.id).meta
    assert (meta.course, meta.group) == ("Negotiation 101", "Tuesday")
    out = archive.export_archive(store, [w.id], tmp_path / "dana.zip").path
    inst = tmp_path / "inst"
    p = cli("sessions", "import", str(out), data=inst)
    assert p.returncode == 0, p.stderr
    assert course.load_roster(inst).group_of("dana") == "Tuesday"


def test_long_import_prints_its_progress(tmp_path, trainee_data, monkeypatch, capsys):
    from voicedrill.cli import main
    from voicedrill.cli.sessions import _ImportProgress

    data, ids = trainee_data
    out = archive.export_archive(Store(data), list(ids.values()), tmp_path / "class.zip").path
    with zipfile.ZipFile(out) as z:
        files = len(z.namelist()) - 1  # the manifest is not a drill's file
    assert files < _ImportProgress.MIN_FILES  # a short import stays quiet
    assert main(["sessions", "import", str(out), "--data-dir", str(tmp_path / "a")]) == 0
    assert "importing" not in capsys.readouterr().err
    monkeypatch.setattr(_ImportProgress, "MIN_FILES", 10)  # the same archive counted as long
    assert main(["sessions", "import", str(out), "--data-dir", str(tmp_path / "b")]) == 0
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("importing class.zip: ")]
    percents = [int(x.split(": ")[1].split("%")[0]) for x in lines]
    assert percents == sorted(set(percents)) and percents[-1] == 100 and len(percents) >= 6
    assert lines[-1].endswith(f"({files}/{files} files)")
    assert len(Store(tmp_path / "b").list_sessions()) == len(ids)
