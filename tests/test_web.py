"""Request-level tests of ``voicedrill serve`` (Starlette's TestClient): the pages over real
stored drills, escaping, path traversal, CSRF, the access code and trainee isolation."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.fixtures_web import HOSTILE_NAME, HOSTILE_REPLY, build_class, class_records, tree
from voicedrill import annotations, archive, course
from voicedrill.store import Store
from voicedrill.web import create_app
from voicedrill.web.auth import trainee_code

BASE = "http://127.0.0.1"
CODE = "test-access-code-1"


@pytest.fixture(scope="module")
def class_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("web") / "data"
    ids = build_class(data, class_records())
    return data, ids


@pytest.fixture()
def data(tmp_path, class_data):
    """A fresh copy of the class for each test (tests write annotations, rosters, imports)."""
    src, ids = class_data
    dest = tmp_path / "data"
    shutil.copytree(src, dest)
    return dest, ids


def client(data: Path, **kw) -> TestClient:
    return TestClient(create_app(data, **kw), base_url=BASE)


def token(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


# --------------------------------------------------------------------------- pages


def test_pages_render_and_escape_every_text(data):
    d, ids = data
    c = client(d)
    pages = ["/", "/?sort=score&desc=1", "/critique", "/critique?scenario=barricade-test&node=node0", "/annotate",
             "/scripts", f"/drill/{ids['alex']}", f"/drill/{ids[HOSTILE_NAME]}", f"/annotate/{ids[HOSTILE_NAME]}",
             f"/drill/{ids[HOSTILE_NAME]}/debrief"]
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text, url
        assert r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
    home = c.get("/").text
    assert "eve&lt;script&gt;alert(1)&lt;/script&gt;" in home
    assert "&lt;img src=x onerror=alert(2)&gt;" in c.get(f"/drill/{ids[HOSTILE_NAME]}").text
    assert "script-src 'self'" in c.get("/").headers["content-security-policy"]  # no inline scripts run


def test_cohort_table_sorts_and_paginates(data):
    d, _ = data
    store = Store(d)
    rows = course.cohort(store)
    assert {r.trainee for r in rows} == {"alex", "bea", HOSTILE_NAME}
    by_score = course.sort_rows(rows, "score", descending=True)
    c = client(d, per_page=2)
    html = c.get("/?sort=score&desc=1").text
    shown = re.findall(r'<tr data-trainee="([^"]+)"', html)
    assert len(shown) == 2 and 'rel="next"' in html
    page2 = re.findall(r'<tr data-trainee="([^"]+)"', c.get("/?sort=score&desc=1&page=2").text)
    import html as htmlmod

    assert [htmlmod.unescape(t) for t in shown + page2] == [r.trainee for r in by_score]
    assert c.get("/?sort=nonsense&page=-4").status_code == 200


def test_group_critique_lists_every_trainee_best_first_with_model_answer(data):
    d, ids = data
    store = Store(d)
    replies = course.critique(store, "barricade-test", "node0")
    assert {r.trainee for r in replies} == set(ids)
    assert [r.score for r in replies] == sorted((r.score for r in replies), reverse=True)
    assert course.critique_naive(store, "barricade-test", "node0") == replies
    html = client(d).get("/critique?scenario=barricade-test&node=node0").text
    cards = re.findall(r'<div class="card" data-trainee="([^"]+)"', html)
    assert len(cards) == 3
    assert html.count('class="reply"') == 3 and 'id="play-all"' in html
    assert "Reaction: agitation" in html
    export = client(d).get("/critique/export?scenario=barricade-test&node=node0")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    assert export.text.count("data:audio/flac;base64,") == 3 and "<script" not in export.text.replace("&lt;script", "")


def test_annotation_is_stored_apart_and_reaches_debrief_and_jsonl(data):
    d, ids = data
    c = client(d)
    sid = ids["alex"]
    turn_json = d / "sessions" / sid / "turn-001" / "turn.json"
    before = turn_json.read_bytes()
    tok = token(c.get(f"/annotate/{sid}").text)
    r = c.post(f"/annotate/{sid}/1", data={"csrf": tok, "v:mirror": "disagree", "v:why_question": "agree",
                                           "added": ["paraphrase"], "comment": "Mirror <more> slowly"},
               follow_redirects=False)
    assert r.status_code == 303
    assert turn_json.read_bytes() == before  # the scorer's record is untouched
    note = annotations.load(d / "sessions" / sid)[1]
    assert note.verdict("mirror") == "disagree" and note.added == ("paraphrase",)
    assert "Mirror &lt;more&gt; slowly" in c.get(f"/drill/{sid}/debrief").text
    assert "Mirror &lt;more&gt; slowly" in c.get(f"/drill/{sid}").text
    lines = c.get("/annotate/corrections.jsonl").text.splitlines()
    assert len(lines) == 1
    item = json.loads(lines[0])
    assert item["cues"] == ["paraphrase", "why_question"] and item["reply"].startswith("Nobody listens")
    from voicedrill.scoring.evaluate import parse_labelled_line

    parse_labelled_line(lines[0], "corrections.jsonl:1")  # the eval-cues format
    page = c.get("/annotate").text
    assert re.search(r'data-cue="mirror">.*?<td class="num">0</td><td class="num">1</td>', page)
    rows, turns = annotations.agreement(Store(d))
    mirror = next(r for r in rows if r.name == "mirror")
    assert turns == 1 and mirror.precision == 0.0 and next(r for r in rows if r.name == "paraphrase").recall == 0.0
    bad = c.post(f"/annotate/{sid}/1", data={"csrf": tok, "v:threat": "agree"})
    assert bad.status_code == 400 and "was not detected" in bad.text


def test_scoring_script_preview_runs_as_a_job_and_stores_nothing(data):
    d, ids = data
    c = client(d)
    page = c.get("/scripts").text
    tok = token(page)
    before = tree(d / "sessions")
    r = c.post("/scripts/preview", data={"csrf": tok, "candidate": "cues:\n  weights:\n    why_question: -10\n",
                                         "drill": [ids["alex"], ids["bea"]]}, follow_redirects=False)
    if r.status_code == 200:  # the candidate did not validate: show why
        pytest.fail(re.search(r'class="flash err"[^>]*>(.*?)</div>', r.text, re.S).group(1))
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_id = r.headers["location"].rsplit("/", 1)[1]
    job = c.app.state.ctx.jobs.wait(job_id, timeout=120)
    assert job.state == "done", job.error
    state = c.get(f"/jobs/{job_id}/state").json()
    assert state["done"] == state["total"] == 2
    result = c.get(f"/jobs/{job_id}").text
    assert "would change" in result and ids["alex"] in result
    assert tree(d / "sessions") == before  # a preview writes nothing
    bad = c.post("/scripts/preview", data={"csrf": tok, "candidate": "cues: [oops", "drill": [ids["alex"]]})
    assert bad.status_code == 200 and "candidate.yaml" in bad.text
    saved = c.post("/scripts/save", data={"csrf": tok, "candidate": "# my course\n", "name": "my_course"},
                   follow_redirects=False)
    assert saved.status_code == 303 and (d / "scripts" / "my_course.yaml").is_file()
    assert course.load_roster(d).script.endswith("my_course.yaml")


def test_groups_and_scenario_assignment(data):
    d, _ = data
    c = client(d)
    tok = token(c.get("/").text)
    assert c.post("/course/group", data={"csrf": tok, "trainee": "alex", "group": "Monday"}).status_code == 200
    c.post("/course/scenario", data={"csrf": tok, "group": "Monday", "scenario": "barricaded_subject"})
    roster = course.load_roster(d)
    assert roster.group_of("alex") == "Monday" and roster.scenarios["Monday"] == ("barricaded_subject",)
    html = c.get("/?group=Monday").text
    assert re.findall(r'<tr data-trainee="([^"]+)"', html) == ["alex"]
    critique = c.get("/critique?scenario=barricade-test&node=node0&group=Monday").text
    assert re.findall(r'<div class="card" data-trainee="([^"]+)"', critique) == ["alex"]


COURSE_SCRIPT = "cues:\n  extra_phrases:\n    en:\n      paraphrase: [\"nobody listens\"]\n"


def _choose_course_script(d: Path) -> Path:
    path = course.save_script(d, "course_a", COURSE_SCRIPT)
    course.set_script(d, str(path))
    return path


def test_annotate_agreement_uses_the_course_script(data):
    from voicedrill.scoring import load_script

    d, ids = data
    sid = ids["alex"]
    store = Store(d)
    annotations.annotate(store.load_session(sid), 1, verdicts={"mirror": "agree"}, added=["paraphrase"])
    para = lambda rows: next(r for r in rows if r.name == "paraphrase")  # noqa: E731
    assert para(annotations.agreement(store)[0]).recall == 0.0  # the stored cues missed it
    before = tree(d / "sessions")
    path = _choose_course_script(d)
    rows, turns = annotations.agreement(store, script=load_script(path))
    assert turns == 1 and para(rows).recall == 1.0 and para(rows).agreed == 1  # the course's phrase finds it
    page = client(d).get("/annotate").text
    assert re.search(r'data-cue="paraphrase">.*?<td class="num">1</td><td class="num">0</td><td class="num">0</td>', page)
    assert "course_a" in re.search(r'id="agreement-script">(.*?)</span>', page).group(1)
    assert tree(d / "sessions") == before  # measuring stores nothing
    path.unlink()  # the chosen script gone: the page says so and measures the stored cues
    page = client(d).get("/annotate").text
    assert "course_a.yaml is missing" in page and re.search(r'data-cue="paraphrase">.*?<td class="num">0</td>', page)


def test_rescore_without_script_uses_the_course_script_for_course_drills(data, capsys):
    from voicedrill.cli import main
    from voicedrill.scoring import load_script

    d, ids = data
    args = ["rescore", ids["alex"], "--data-dir", str(d)]
    assert main(args) == 2 and "no course scoring script is chosen" in capsys.readouterr().err
    path = _choose_course_script(d)
    assert main(args) == 2 and "not one of the course's drills" in capsys.readouterr().err  # alex is in no group
    course.assign_trainee(d, "alex", "Monday")
    assert main(args) == 0
    s = Store(d).load_session(ids["alex"])
    assert [r.script_hash for r in s.rescorings] == [load_script(path).hash]
    assert s.turns[1].rescore(load_script(path).hash).cue_names().count("paraphrase") == 1
    other = d / "other.yaml"
    other.write_text("# explicit\n", encoding="utf-8")
    assert main(["rescore", ids["bea"], "--script", str(other), "--data-dir", str(d)]) == 0  # --script wins
    assert [r.script_path for r in Store(d).load_session(ids["bea"]).rescorings] == [str(other)]


# --------------------------------------------------------------------------- security


def test_csrf_is_required_on_every_form(data):
    d, ids = data
    c = client(d)
    good = token(c.get("/").text)
    other = client(d)
    other_token = token(other.get("/").text)
    posts = {
        f"/annotate/{ids['alex']}/0": {"comment": "x"},
        "/course/group": {"trainee": "alex", "group": "g"},
        "/course/scenario": {"group": "g", "scenario": "s"},
        "/scripts/use": {"name": ""},
        "/scripts/save": {"name": "x", "candidate": "# x\n"},
        "/scripts/preview": {"candidate": "# x\n", "drill": ids["alex"]},
    }
    for url, form in posts.items():
        assert c.post(url, data=form).status_code == 403, url
        assert c.post(url, data={**form, "csrf": "0" * 40}).status_code == 403, url
        assert c.post(url, data={**form, "csrf": other_token}).status_code == 403, url  # another browser's token
        r = c.post(url, data={**form, "csrf": good}, headers={"Origin": "http://evil.example"})
        assert r.status_code == 403 and "Cross-site" in r.text, url
    assert not (d / "course.json").exists() and not (d / "scripts").exists()
    assert not (d / "sessions" / ids["alex"] / "annotations.json").exists()


def test_no_url_reaches_a_file_outside_the_data_folder(data, tmp_path):
    d, ids = data
    c = client(d)
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    sid = ids["alex"]
    attempts = [
        "/static/..%2F__init__.py", "/static/../app.py", "/static/%2e%2e/auth.py", "/static/app.css%00.py",
        f"/audio/..%2F..%2F{sid}/0/reply", f"/audio/{sid}/0/..%2Fturn.json", "/audio/..%2Fsecret.txt/0/reply",
        f"/audio/{sid}/0/turn.json", "/audio/%2E%2E/0/reply", "/drill/..%2F..%2Fetc", f"/drill/{sid[:8]}",
        "/drill/latest", f"/annotate/{sid}%2F..%2F..", "/trainee/..%2F..%2Fsecret.txt/history",
        "/../../../../etc/passwd", "/critique/export?scenario=../../etc&node=passwd",
    ]
    for url in attempts:
        r = c.get(url)
        assert r.status_code in (404, 400, 403), (url, r.status_code)
        assert "top secret" not in r.text and "root:" not in r.text
    # a link planted in a session folder is not followed out of the data folder
    turn = d / "sessions" / sid / "turn-000"
    (turn / "line.flac").unlink()
    (turn / "line.flac").symlink_to(secret)
    r = c.get(f"/audio/{sid}/0/line")
    assert r.status_code == 404 and "top secret" not in r.text
    assert c.get(f"/audio/{sid}/0/reply").status_code == 200
    assert c.get("/static/app.js").status_code == 200


def test_local_mode_answers_only_loopback_hosts(data):
    d, _ = data
    c = client(d)
    assert c.get("/", headers={"Host": "evil.example"}).status_code == 400  # DNS rebinding
    assert c.get("/", headers={"Host": "localhost:8765"}).status_code == 200


def test_lan_mode_needs_the_access_code(data):
    d, _ = data
    c = client(d, lan=True, access_code=CODE)
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert c.get("/annotate/corrections.jsonl", follow_redirects=False).status_code == 303
    page = c.get("/signin").text
    tok = token(page)
    assert c.post("/signin", data={"code": CODE}).status_code == 403  # no CSRF token
    assert c.post("/signin", data={"csrf": tok, "code": "wrong"}).status_code == 403
    r = c.post("/signin", data={"csrf": tok, "code": CODE}, follow_redirects=False)
    assert r.status_code == 303
    home = c.get("/").text
    assert "Cohort" in home and trainee_code(CODE, "bea") in home


def test_lan_sign_in_is_rate_limited(data):
    d, _ = data
    c = client(d, lan=True, access_code=CODE)
    tok = token(c.get("/signin").text)
    codes = [c.post("/signin", data={"csrf": tok, "code": f"guess{i}"}).status_code for i in range(10)]
    assert codes[:8] == [403] * 8 and codes[8:] == [429, 429]
    assert c.post("/signin", data={"csrf": tok, "code": CODE}).status_code == 429


def test_lan_trainee_sees_only_their_own_drills(data):
    d, ids = data
    c = client(d, lan=True, access_code=CODE)
    tok = token(c.get("/signin").text)
    assert c.post("/signin", data={"csrf": tok, "trainee": "bea", "code": trainee_code(CODE, "alex")}).status_code == 403
    r = c.post("/signin", data={"csrf": tok, "trainee": "bea", "code": trainee_code(CODE, "bea")}, follow_redirects=False)
    assert r.status_code == 303
    home = c.get("/").text
    assert ids["bea"] in home and ids["alex"] not in home and "Cohort" not in home
    assert c.get(f"/drill/{ids['bea']}").status_code == 200
    assert c.get(f"/audio/{ids['bea']}/0/reply").status_code == 200
    for url in (f"/drill/{ids['alex']}", f"/drill/{ids['alex']}/debrief", f"/audio/{ids['alex']}/0/reply",
                "/trainee/alex", "/trainee/alex/history", "/critique", "/annotate", "/annotate/corrections.jsonl",
                f"/annotate/{ids['bea']}", "/scripts", "/critique/export?scenario=barricade-test&node=node0"):
        r = c.get(url)
        assert r.status_code == 403, (url, r.status_code)
        assert "Nobody listens. Why did you lock" not in r.text
    tok = token(c.get("/").text)
    assert c.post(f"/annotate/{ids['bea']}/0", data={"csrf": tok, "comment": "self-praise"}).status_code == 403
    assert c.post("/course/group", data={"csrf": tok, "trainee": "bea", "group": "x"}).status_code == 403
    forged = c.cookies.get("voicedrill")
    c.cookies.set("voicedrill", forged.replace(forged[-4:], "0000"))
    assert c.get("/", follow_redirects=False).status_code == 303  # an edited cookie is nobody


def test_lan_trainee_with_a_hostile_name_sees_it_escaped(data):
    d, ids = data
    c = client(d, lan=True, access_code=CODE)
    tok = token(c.get("/signin").text)
    r = c.post("/signin", data={"csrf": tok, "trainee": HOSTILE_NAME, "code": trainee_code(CODE, HOSTILE_NAME)},
               follow_redirects=False)
    assert r.status_code == 303
    for url in ("/", f"/drill/{ids[HOSTILE_NAME]}"):
        html = c.get(url).text
        assert ids[HOSTILE_NAME] in html and "<script>alert(1)" not in html and "<img src=x" not in html


def _post_import(c: TestClient, tok: str, name: str, blob: bytes):
    """Upload an archive: the import runs as a background job; returns (job, the page after it)."""
    r = c.post("/course/import", data={"csrf": tok}, files={"archive": (name, blob, "application/zip")},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/"), r.text
    job = c.app.state.ctx.jobs.wait(r.headers["location"].rsplit("/", 1)[1], timeout=120)
    assert job.state in ("done", "failed")
    return job, c.get(r.headers["location"])


def test_course_page_imports_archives_and_refuses_hostile_ones(data, tmp_path):
    d, ids = data
    out = archive.export_archive(Store(d), [ids["alex"]], tmp_path / "a.zip").path
    fresh = tmp_path / "instructor"
    c = client(fresh)
    tok = token(c.get("/").text)
    job, r = _post_import(c, tok, "alex.zip", out.read_bytes())
    assert r.status_code == 200 and "imported 1 drill(s)" in r.text and "alex.zip" in r.text
    with zipfile.ZipFile(out) as z:  # the progress bar counted every file of the drill
        assert job.done == job.total == len(z.namelist()) - 1 > 5
    assert [s.trainee for s in Store(fresh).list_sessions()] == ["alex"]
    assert not list(fresh.glob(".upload-*"))  # the upload is gone once imported
    before = tree(fresh)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as z:
        for i in src.infolist():
            z.writestr(i, src.read(i))
        z.writestr("sessions/../../../evil.txt", b"x")
    job, r = _post_import(c, tok, "bad.zip", bad.read_bytes())
    assert job.state == "failed" and "refused, nothing was imported" in r.text and "path traversal" in r.text
    assert "bad.zip" in r.text and ".upload-" not in r.text
    assert tree(fresh) == before
    assert c.post("/course/import", files={"archive": ("a.zip", out.read_bytes(), "application/zip")}).status_code == 403


def test_import_job_page_shows_a_progress_bar_while_it_runs(data, tmp_path):
    import threading
    import time

    d, ids = data
    out = archive.export_archive(Store(d), [ids["bea"]], tmp_path / "b.zip").path
    c = client(tmp_path / "instructor")
    first, _ = _post_import(c, token(c.get("/").text), "b.zip", out.read_bytes())
    gate = threading.Event()  # a long import, held at 30 of 120 files

    def long_import(job):
        job.progress(30, 120)
        gate.wait(60)

    job = c.app.state.ctx.jobs.submit("Importing big.zip", 0, long_import, owner=first.owner)
    try:
        deadline = time.monotonic() + 30
        while job.done != 30 and time.monotonic() < deadline:
            time.sleep(0.02)
        page = c.get(f"/jobs/{job.id}").text
        assert 'role="progressbar" aria-valuenow="30" aria-valuemax="120"' in page and "width:25%" in page
        assert c.get(f"/jobs/{job.id}/state").json() | {"id": ""} == {
            "id": "", "title": "Importing big.zip", "total": 120, "done": 30, "state": "running", "error": ""}
    finally:
        gate.set()


def test_hostile_reply_is_stored_verbatim(data):
    d, ids = data
    assert Store(d).load_session(ids[HOSTILE_NAME]).turns[0].transcript.text == HOSTILE_REPLY


def test_serve_on_a_lan_prints_an_access_code_and_walls_off_everything(data):
    """The CLI as a classroom runs it: bound to every address, sign-in required."""
    import os
    import subprocess
    import sys

    import httpx

    d, ids = data
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PYTHONUNBUFFERED": "1"}
    env.pop("VOICEDRILL_ACCESS_CODE", None)
    proc = subprocess.Popen([sys.executable, "-m", "voicedrill", "serve", "--host", "0.0.0.0", "--port", "0",
                             "--data-dir", str(d)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        port = code = None
        while not (port and code):
            line = proc.stdout.readline()
            if not line:
                break
            port = port or (re.search(r":(\d+)/", line) or [None, None])[1]
            code = code or (re.search(r"access code: (\S+)", line) or [None, None])[1]
        assert port and code and len(code) >= 8, "serve did not print its port and access code"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            assert c.get("/").status_code == 303
            assert c.get(f"/audio/{ids['alex']}/0/reply").status_code == 303
            tok = token(c.get("/signin").text)
            r = c.post("/signin", data={"csrf": tok, "code": code})
            assert r.status_code == 303
            assert "Cohort" in c.get("/").text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_every_page_label_exists_in_every_language():
    """lang/<code>/web.yaml: the same keys in each language, and every label the pages name is there."""
    from voicedrill import lang

    def keys(node, prefix=""):
        out = set()
        for k, v in node.items():
            out |= keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
        return out

    en = keys(lang.load("en", "web"))
    for code in lang.LANGUAGES:
        assert keys(lang.load(code, "web")) == en, f"lang/{code}/web.yaml differs from lang/en/web.yaml"
    source = "".join(p.read_text() for p in Path(create_app.__code__.co_filename).parent.glob("*.py"))
    used = set(re.findall(r'\b(?:t|tr|raw)\(\s*"([a-z_]+\.[a-z_]+)"', source))
    used = {k for k in used if not k.endswith("_")}  # "course.col_" + column: built at run time
    assert used and used <= en, sorted(used - en)


def test_pages_in_russian(data):
    d, ids = data
    c = client(d, language="ru")
    assert "Групповой разбор" in c.get("/critique").text
    assert "Слушатель" in c.get("/").text and 'lang="ru"' in c.get("/").text
    assert "Реплика 1" in c.get(f"/drill/{ids['alex']}").text
