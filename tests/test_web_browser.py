"""``voicedrill serve`` in a real browser: the server runs as the CLI runs it (a child
process on a free 127.0.0.1 port) over real stored drills, and Playwright drives Debian's
Chromium (``/usr/bin/chromium``; scripts/setup installs it, no browser is downloaded).

An instructor opens the course, opens a drill and plays a cue's evidence, annotates a
turn, exports the corrections (and eval-cues reads them), and runs a group critique."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures_web import HOSTILE_NAME, build_class, class_records

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser") / "data"
    ids = build_class(data, class_records())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "voicedrill", "serve", "--port", "0", "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    url = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and url is None:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        url = m and m.group(0)
    if url is None:
        proc.kill()
        pytest.fail(f"voicedrill serve did not start: {proc.stderr.read()[-2000:]}")
    yield url, data, ids
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium (scripts/setup does)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
                                                               "--mute-audio"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    pg.on("request", lambda r: errors.append(f"left the machine: {r.url}") if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    yield pg
    context.close()
    assert not errors, errors


def wait_until(page, js: str, seconds: float) -> None:
    """Poll ``js`` (a function expression) until it is true. The pages' CSP forbids eval, which
    Playwright's wait_for_function needs; page.evaluate goes through the debugger instead."""
    end = time.monotonic() + seconds
    while not page.evaluate(js):
        assert time.monotonic() < end, f"timed out waiting for: {js}"
        time.sleep(0.1)


def test_course_drill_play_annotate_export_and_critique(server, page, tmp_path):
    url, data, ids = server
    # the course: every trainee, names shown as text
    page.goto(url)
    rows = page.locator("#cohort-table tbody tr")
    assert rows.count() == 3
    assert page.locator(f'tr[data-trainee="{HOSTILE_NAME}"] td a').inner_text() == HOSTILE_NAME
    page.click('a[data-sort="score"]')
    assert "sort=score" in page.url
    # open a drill: trainee -> their drill
    page.click('a:text("alex")')
    page.locator("table.data a").first.click()
    assert re.search(r"/drill/[0-9a-f-]+$", page.url)
    # play the reply of turn 1, then jump to a cue's evidence in the waveform
    audio = page.locator("audio#a-0")
    audio.evaluate("a => a.play()")
    wait_until(page, "() => document.getElementById('a-0').currentTime > 0.2", 20)
    cue = page.locator('#turn-0 button.cue').first
    start = float(cue.get_attribute("data-start"))
    cue.click()
    wait_until(page, "() => document.body.hasAttribute('data-last-seek')", 10)
    seek = float(page.evaluate("() => document.body.getAttribute('data-last-seek')"))
    assert abs(seek - start) < 0.05
    wait_until(page, f"() => !document.getElementById('a-0').paused && document.getElementById('a-0').currentTime >= {start}", 10)
    assert page.locator("#turn-0 svg.wave rect.ev").count() >= 1
    duration = audio.evaluate("a => a.duration")
    assert duration > 1.0
    # annotate turn 2 of alex's drill
    sid = ids["alex"]
    page.goto(f"{url}annotate/{sid}")
    form = page.locator("#turn-1 form")
    form.locator('input[name="v:mirror"][value="disagree"]').check()
    form.locator('input[name="added"][value="paraphrase"]').check()
    form.locator("textarea").fill("Name the feeling before you ask.")
    form.locator("button").click()
    assert "Turn 2 saved" in page.locator(".flash.ok").inner_text()
    page.goto(f"{url}drill/{sid}")
    assert "Name the feeling before you ask." in page.locator("#turn-1 .comment").inner_text()
    # export the corrections; eval-cues reads them with a scoring script
    page.goto(f"{url}annotate")
    assert page.locator('#agreement tr[data-cue="mirror"]').count() == 1
    with page.expect_download() as dl:
        page.click("#export")
    path = tmp_path / "corrections.jsonl"
    dl.value.save_as(path)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert len(lines) == 1 and "paraphrase" in lines[0]["cues"] and "mirror" not in lines[0]["cues"]
    from voicedrill.scoring.script import DEFAULT_SCRIPT

    proc = subprocess.run([sys.executable, "-m", "voicedrill", "eval-cues", str(path), "--script", str(DEFAULT_SCRIPT),
                           "--json"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["replies"] == 1
    # the group critique of node0: every trainee's reply, best first, played in turn
    page.goto(f"{url}critique")
    page.select_option('select[name="scenario"]', "barricade-test")
    page.select_option('select[name="node"]', "node0")
    page.click('form[action="/critique"] button')
    cards = page.locator("#replies .card")
    assert cards.count() == 3
    names = [cards.nth(i).get_attribute("data-trainee") for i in range(3)]
    assert sorted(names) == sorted(ids)
    scores = [float(cards.nth(i).locator(".pill").inner_text()) for i in range(3)]
    assert scores == sorted(scores, reverse=True)
    assert page.locator("#replies .card blockquote").nth(names.index(HOSTILE_NAME)).inner_text().startswith("You said <img")
    page.click("#play-all")
    wait_until(page, "() => document.body.getAttribute('data-playing') === '1'", 10)
    assert page.locator(".card.playing").count() == 1
