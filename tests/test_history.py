"""A trainee's progress across drills (``voicedrill history``): several real drills stored
through the store, read back with ``Store.history``, shown as terminal text and as an
HTML page that headless Chromium renders with its plots."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import pytest

from tests.fixtures_report import EN_TURNS, RU_TURNS, png_pixels, records_for, render_dom, screenshot, store_drill
from voicedrill.cli import main as cli_main
from voicedrill.report import history_text, render_history_html, write_page
from voicedrill.report.history import cue_rates, sparkline
from voicedrill.store import HistoryPoint, Store

ANSI = re.compile(r"\033\[[0-9;]*m")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """alex: four drills, getting better (the last one cut off); blake: one drill; "<ru & co>": one Russian drill."""
    records = records_for(EN_TURNS, language="en")
    with Store(tmp_path_factory.mktemp("data"), durable=False) as s:
        store_drill(s, records[1:3], drill_score=25.0)  # why, calm down, promise: a poor start
        store_drill(s, records[:3], drill_score=48.0)
        store_drill(s, records, drill_score=63.0)
        store_drill(s, [replace(r, index=i) for i, r in enumerate(records[3:])], complete=False)
        store_drill(s, records[:1], trainee="blake", drill_score=75.0)
        store_drill(s, records_for(RU_TURNS, language="ru"), language="ru", trainee="<ru & co>", drill_score=70.0)
        yield s


@pytest.fixture(scope="module")
def entries(store):
    return store.history("alex")


def test_history_reads_every_drill_of_the_trainee(entries):
    assert len(entries) == 4
    assert [e.drill_score for e in entries] == [25.0, 48.0, 63.0, None]
    assert [e.complete for e in entries] == [True, True, True, False]
    helpful, harmful = zip(*(cue_rates(e) for e in entries))
    assert harmful[0] > harmful[2] > harmful[3] == 0.0  # fewer harmful cues per turn over time
    assert helpful[3] > helpful[0]


def test_history_html_has_the_plots_and_the_table(entries):
    html = render_history_html(entries, trainee="alex")
    for chart in ("score", "cues", "pacing", "calm"):
        block = re.search(rf'<div id="chart-{chart}">(.*?)</div>', html, re.S)
        assert block and "<svg" in block.group(1), chart
    # drill score line over the four drills (the incomplete one has no score: a gap)
    score_chart = re.search(r'<div id="chart-score">(.*?)</div>', html, re.S).group(1)
    assert score_chart.count('class="mark ') == 3
    cues_chart = re.search(r'<div id="chart-cues">(.*?)</div>', html, re.S).group(1)
    assert "s-helpful" in cues_chart and "s-harmful" in cues_chart
    pace = re.search(r'<div id="chart-pacing">(.*?)</div>', html, re.S).group(1)
    assert 'class="band"' in pace  # the target band from the scoring script
    rows = re.findall(r'<tr title="([^"]+)">', html)
    assert rows == [e.session_id for e in reversed(entries)]  # newest first
    assert "Drill score is rising: 25 → 56 over the last 3 drills." in html
    cue_table = re.search(r'<section id="cue-rates">(.*?)</section>', html, re.S).group(1)
    assert "“why” question" in cue_table.replace("&ldquo;", "“") or "“why” question" in cue_table


def test_history_page_renders_in_chromium(entries, tmp_path):
    page = write_page(render_history_html(entries, trainee="alex"), tmp_path / "history.html")
    shown = render_dom(page, tmp_path)
    assert shown.console == (), "\n".join(shown.console)
    for sid in ("progress", "cue-rates", "drills", "chart-score", "chart-cues", "chart-pacing", "chart-calm"):
        assert f'id="{sid}"' in shown.dom, sid
    png = screenshot(page, tmp_path / "history.png", tmp_path, size="1200,1600")
    pixels = png_pixels(png)
    assert pixels.shape == (1600, 1200, 3)
    assert len(np.unique(pixels[::4, ::4].reshape(-1, 3), axis=0)) > 50


def test_history_text(entries):
    text = history_text(entries, trainee="alex")
    lines = text.splitlines()
    assert lines[0] == "Progress of alex"
    assert "4 drills" in lines[1]
    spark = next(l for l in lines if l.startswith("Drill score over time: "))
    assert spark.endswith(sparkline([25.0, 48.0, 63.0, None]))
    assert sparkline([0, 50, 100, None]) == "▁▅█·"
    header = next(i for i, l in enumerate(lines) if l.split()[:2] == ["Date", "Scenario"])
    assert len(lines[header + 2:]) == 4
    assert lines[-1].split()[-1] == "no" and lines[header + 2].split()[-1] == "yes"
    coloured = history_text(entries, trainee="alex", color=True)
    assert "\033[" in coloured and ANSI.sub("", coloured) == text


def test_history_of_one_drill_and_of_none():
    assert "No drills stored for zoe." in history_text([], trainee="zoe")
    html = render_history_html([], trainee="zoe")
    assert "No drills stored for zoe." in html and "<svg" not in html


def test_russian_history_and_escaped_names(store, tmp_path):
    entries = store.history("<ru & co>")
    assert len(entries) == 1
    html = render_history_html(entries, trainee="<ru & co>")
    assert '<html lang="ru">' in html and "Прогресс: &lt;ru &amp; co&gt;" in html
    assert "<ru & co>" not in html
    for label in ("Оценка тренировки", "Активное слушание", "Темп", "Спокойствие", "Тренировки"):
        assert label in html
    text = history_text(entries, trainee="<ru & co>")
    assert text.startswith("Прогресс: <ru & co>") and "Оценка тренировки во времени" in text


def _points(n: int) -> list[HistoryPoint]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        out.append(HistoryPoint(
            session_id=f"2026{i:06d}", started=f"2026-01-01T10:{i % 60:02d}:00+00:00", scenario="barricaded_subject",
            language="en", complete=bool(i % 7), turns=6, drill_score=float(np.clip(30 + i * 0.1 + rng.normal(0, 8), 0, 100)),
            mean_score=None, cue_rates={"emotional_label": 0.5, "why_question": 0.2 * (i % 3)}, mean_wpm=120 + rng.normal(0, 15),
            mean_latency=1.2, mean_calm=0.7,
        ))
    return out


def test_history_of_500_drills_stays_readable():
    points = _points(500)
    text = history_text(points, trainee="alex")
    assert "Last 20 of 500 drills" in text
    header = next(l for l in text.splitlines() if l.startswith("Date"))
    lines = text.splitlines()
    assert len(lines[lines.index(header) + 2 : -1]) == 20
    spark = next(l for l in lines if l.startswith("Drill score over time: ")).split(": ", 1)[1]
    assert len(spark) == 72  # the most recent 72 drills fit one line
    html = render_history_html(points, trainee="alex")
    score_chart = re.search(r'<div id="chart-score">(.*?)</div>', html, re.S).group(1)
    assert score_chart.count("<circle") == 0  # too many drills for dots: the line alone
    assert len(re.search(r'<polyline class="line s-score" points="([^"]+)"', score_chart).group(1).split()) == 500
    assert html.count("<tr title=") == 500


# --------------------------------------------------------------------------- CLI


def test_cli_history(store, tmp_path, capsys):
    data = str(store.data_dir)
    assert cli_main(["history", "alex", "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Progress of alex") and "\033[" not in out
    assert cli_main(["history", "alex", "--json", "--data-dir", data]) == 0
    drills = json.loads(capsys.readouterr().out)
    assert [d["drill_score"] for d in drills] == [25.0, 48.0, 63.0, None]
    assert {"session_id", "started", "cue_rates", "mean_wpm", "mean_calm"} <= set(drills[0])
    page = tmp_path / "alex.html"
    assert cli_main(["history", "alex", "-o", str(page), "--limit", "2", "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "Last 2 of 4 drills" in out and out.strip().endswith(str(page))
    assert 'id="chart-score"' in page.read_text(encoding="utf-8")


def test_cli_history_unknown_trainee(store, capsys):
    assert cli_main(["history", "nobody", "--data-dir", str(store.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "no drills stored for trainee 'nobody'" in err and "alex" in err and "blake" in err
    assert "Traceback" not in err
    assert cli_main(["history", "alex", "--limit", "0", "--data-dir", str(store.data_dir)]) == 2
