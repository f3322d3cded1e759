"""The debrief (voicedrill/report): a real drill stored through the store round-trips into one
self-contained HTML page that headless Chromium renders without console errors, with
every section, cue highlights, playable audio, Russian labels, an incomplete banner and
the instructor's re-scoring; and the terminal summary with and without colour."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from tests.fixtures_report import (
    EN_TURNS,
    RU_TURNS,
    TurnSpec,
    audio_durations,
    png_pixels,
    records_for,
    render_dom,
    screenshot,
    store_drill,
)
from voicedrill.cli import main as cli_main
from voicedrill.report import REPORT_NAME, render_report, terminal_summary, write_report
from voicedrill.report.labels import labels_for
from voicedrill.report.terminal import supports_color, visible_width
from voicedrill.scoring.result import Cue
from voicedrill.store import Store
from voicedrill.types import Transcript, Word

SECTIONS = ("summary", "coaching", "agitation", "turns")
ANSI = re.compile(r"\033\[[0-9;]*m")


@pytest.fixture(scope="module")
def en_records():
    return records_for(EN_TURNS, language="en")


@pytest.fixture(scope="module")
def ru_records():
    return records_for(RU_TURNS, language="ru")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("data"), durable=False) as s:
        yield s


@pytest.fixture(scope="module")
def en_session(store, en_records):
    return store_drill(store, en_records, language="en")


@pytest.fixture(scope="module")
def en_html(en_session):
    return render_report(en_session)


def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}"[^>]*>(.*?)</section>', html, re.S)
    assert m, f"section #{sid} is missing"
    return m.group(1)


def _card(html: str, number: int) -> str:
    m = re.search(rf'<article class="turn" id="turn-{number}">(.*?)</article>', html, re.S)
    assert m, f"turn card {number} is missing"
    return m.group(1)


# --------------------------------------------------------------------------- the page


def test_report_has_every_section_and_card(en_session, en_html):
    for sid in SECTIONS:
        _section(en_html, sid)
    assert en_html.count('<article class="turn"') == len(EN_TURNS)
    # outcome and drill score up front, before the turns
    summary = _section(en_html, "summary")
    assert f">{en_session.drill_score:.0f}<" in summary
    assert '<p class="outcome-name outcome-good">Dan comes out &amp; surrenders</p>' in summary
    assert en_html.index('id="summary"') < en_html.index('id="coaching"') < en_html.index('id="turns"')
    # one agitation line over start + every turn, a dot per turn
    agitation = _section(en_html, "agitation")
    assert agitation.count("<svg") == 1 and agitation.count('class="mark ') == len(EN_TURNS)
    # no incomplete banner, no re-scoring section for a finished, never re-scored drill
    assert 'id="incomplete"' not in en_html and 'id="rescore"' not in en_html


def test_report_is_self_contained(en_html):
    assert "http://" not in en_html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in en_html
    assert "<script" not in en_html and "<link" not in en_html
    assert "default-src 'none'" in en_html  # the page may load nothing from anywhere


def test_user_text_is_escaped(en_html):
    # the scenario title and the outcome text hold markup: shown as text, never as HTML
    assert "Barricaded father &lt;test &amp; check&gt;" in en_html
    assert "&lt;b&gt;Well done&lt;/b&gt;" in en_html
    assert "<b>Well done" not in en_html and "<test & check>" not in en_html


def test_cue_evidence_is_highlighted_and_named(en_html):
    card = _card(en_html, 2)  # "Nobody listens. Why did you lock the door?"
    marks = re.findall(r'<mark class="cue k-(\w+)"[^>]*>(.*?)</mark>', card)
    assert ("helpful", "Nobody listens.") in marks
    assert ("harmful", "Why did you lock the door?") in marks
    tags = re.findall(r'<span class="cue-tag k-(\w+)"[^>]*>(.*?)</span>', card)
    assert ("helpful", "mirror") in tags and ("harmful", unescape("“why” question")) in [(k, unescape(t)) for k, t in tags]
    # a cue without times is placed by its evidence text
    card3 = _card(en_html, 3)
    assert re.search(r'<mark class="cue k-harmful"[^>]*>you have to calm down\.?</mark>', card3), card3
    # the deliberate pause before turn 4's reply is a chip before the first word
    card4 = _card(en_html, 4)
    reply = card4[card4.index('class="reply"'):]
    assert reply.index('class="pause k-helpful"') < reply.index("So they took")


def test_metrics_against_target_bands(en_session, en_html):
    from voicedrill.scoring import load_script

    bands = load_script().targets
    for t in en_session.turns:
        card = _card(en_html, t.index + 1)
        assert 'class="chart band-bar"' in card  # pace and latency scales
        wpm = t.score.pacing.words_per_minute
        assert f"{wpm:.0f} words/min" in card
        inside = bands.words_per_minute.low <= wpm <= bands.words_per_minute.high
        pace = card[card.index(">Pace<"):card.index(">Latency<")]
        assert ("marker in-band" in pace) == inside
        assert f"{t.latency:.1f} s" in card
        assert "of 1" in card and "vs your baseline" in card  # calm against the baseline
    # turn 3 was spoken fast and high: its calm is lower than turn 1's and its pitch bar is red
    calm = [t.score.calm.score for t in en_session.turns]
    assert calm[2] < calm[0]
    card3 = _card(en_html, 3)
    assert 'class="shift out-band"' in card3[card3.index(">Calm<"):]


def test_coaching_points_aggregate_the_drill(en_html):
    points = re.findall(r'<li class="(good|change) c-(\w+)">(.*?)</li>', _section(en_html, "coaching"))
    assert len(points) == 3
    kinds = [k for _, k, _ in points]
    assert kinds[0] == "harmful" and kinds[1] == "helpful"
    harmful_text = unescape(points[0][2])
    # four harmful cues each in one turn: the first one heard is the example, with its alternative
    assert "“why” question" in harmful_text and "Why did you lock the door?" in harmful_text
    assert "What happened that" in harmful_text
    helpful_text = unescape(points[1][2])
    assert helpful_text.startswith("Your best habit: paraphrase, in 2 of 5 turns")


def test_audio_is_embedded_and_matches_the_stored_files(en_session, en_html):
    uris = re.findall(r'<audio[^>]* src="data:audio/flac;base64,([^"]+)"', en_html)
    assert len(uris) == 2 * len(EN_TURNS)  # line and reply of every turn
    first_line = en_session.turns[0].line_audio_path.read_bytes()
    first_reply = en_session.turns[0].reply_audio_path.read_bytes()
    assert base64.b64decode(uris[0]) == first_line  # stored 16 kHz FLAC embedded as is
    assert base64.b64decode(uris[1]) == first_reply
    audio, rate = sf.read(io.BytesIO(base64.b64decode(uris[1])), dtype="float32")
    assert rate == 16000 and audio.ndim == 1 and audio.size == en_session.turns[0].reply_audio().size


def test_ogg_and_no_audio_options(en_session, en_html):
    ogg = render_report(en_session, audio="ogg")
    assert ogg.count("data:audio/ogg;base64,") == 2 * len(EN_TURNS)
    assert len(ogg) < len(en_html) / 2
    none = render_report(en_session, audio="none")
    assert "<audio" not in none and none.count("audio not available") == 2 * len(EN_TURNS)
    from voicedrill.errors import ParameterError

    with pytest.raises(ParameterError, match="flac, ogg, none"):
        render_report(en_session, audio="mp3")


def test_chromium_renders_every_section_without_console_errors(en_session, en_html, tmp_path):
    page = write_report(en_session, tmp_path / "report.html")
    shown = render_dom(page, tmp_path)
    assert shown.console == (), "console messages:\n" + "\n".join(shown.console)
    for sid in SECTIONS:
        assert f'id="{sid}"' in shown.dom
    assert shown.dom.count('class="turn"') == len(EN_TURNS)
    assert shown.dom.count("<svg") >= 1 + 3 * len(EN_TURNS)
    # every embedded clip decodes in the browser, with the stored length
    durations = audio_durations(en_html, tmp_path)
    assert len(durations) == 2 * len(EN_TURNS) and "error" not in durations
    expected = []
    for t in en_session.turns:
        expected += [t.line_audio().size / 16000, t.reply_audio().size / 16000]
    assert np.allclose([float(d) for d in durations], expected, atol=0.05)
    # a screenshot, checked to be a real page (not blank, not one colour)
    png = screenshot(page, tmp_path / "report.png", tmp_path)
    assert png.stat().st_size > 50_000
    pixels = png_pixels(png)
    assert pixels.shape == (3000, 1200, 3)
    colours = np.unique(pixels[::4, ::4].reshape(-1, 3), axis=0)
    assert len(colours) > 100
    # the red and green of cue highlights and scores are on screen
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    assert np.count_nonzero((r > 180) & (g < 80) & (b < 80)) > 50  # harmful red
    assert np.count_nonzero((g > 100) & (r < 60) & (b < 90)) > 50  # helpful green


def test_console_check_catches_a_broken_page(tmp_path):
    """The no-console-errors check above can fail: a page with a script error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><p>x</p><script>undefined_function()</script></body></html>")
    shown = render_dom(bad, tmp_path)
    assert any("Uncaught" in line for line in shown.console)


def test_russian_report_uses_russian_labels(store, ru_records, tmp_path):
    session = store_drill(store, ru_records, language="ru", outcome="surrender",
                          outcome_text="Он сложил оружие и вышел.")
    html = render_report(session)
    assert '<html lang="ru">' in html
    for label in ("Разбор:", "Итог", "Оценка тренировки", "Три главных вывода", "Напряжение собеседника по репликам",
                  "Реплика 1", "Собеседник", "Темп", "Задержка", "Паузы", "Спокойствие", "слов/мин"):
        assert label in html, label
    for english in ("Three things", "Drill score", "Perpetrator", "words/min", "Latency"):
        assert english not in html, english
    assert "называние чувства" in html and "вопрос «почему»" in html
    assert re.search(r"\d,\d\d → \d,\d\d", html)  # decimal comma
    page = write_report(session, tmp_path / "ru.html")
    shown = render_dom(page, tmp_path)
    assert shown.console == ()
    assert "Три главных вывода" in shown.dom


def test_incomplete_session_has_a_banner(store, en_records, tmp_path):
    session = store_drill(store, en_records[:2], complete=False)
    assert not session.complete
    html = render_report(session)
    banner = re.search(r'<div class="banner incomplete" id="incomplete" role="alert">(.*?)</div>', html, re.S)
    assert banner and "Incomplete drill" in banner.group(1) and "2 saved turns" in banner.group(1)
    assert html.count('<article class="turn"') == 2
    page = write_report(session, tmp_path / "inc.html")
    assert render_dom(page, tmp_path).console == ()
    text = terminal_summary(session, color=False)
    assert "INCOMPLETE" in text


def test_drill_killed_before_any_turn_renders(store):
    session = store_drill(store, [], complete=False)
    html = render_report(session)
    assert 'id="incomplete"' in html and "<article" not in html
    assert "nothing to coach" in html


def test_silent_and_hostile_replies(store, en_records):
    """A silent turn and a transcript holding markup render safely."""
    silent = records_for((TurnSpec("Answer me!", ""),), language="en")[0]
    evil_text = '<script>alert("x")</script> & why "you"?'
    words = tuple(Word(w, 0.5 + i * 0.3, 0.75 + i * 0.3, 0.9) for i, w in enumerate(evil_text.split()))
    evil_score = replace(en_records[1].score, cues=(Cue("why_question", "why", words[2].start, words[2].end, "harmful"),))
    evil = replace(en_records[1], index=1, transcript=Transcript(evil_text, "en", words), score=evil_score)
    session = store_drill(store, [silent, evil])
    html = render_report(session)
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    card1 = _card(html, 1)
    assert "(no reply)" in card1 and "<audio" in card1  # the silence is stored and playable
    assert re.search(r'<mark class="cue k-harmful"[^>]*>why</mark>', _card(html, 2))


def test_rescoring_comparison(store, en_records):
    session = store_drill(store, en_records)
    # an instructor zeroes mirror: turn 2 loses its mirror cue and 10 points
    old = session.turns[1].score
    new = replace(old, score=old.score - 10, cues=tuple(c for c in old.cues if c.name != "mirror"))
    store.save_rescoring(session.id, script_hash="newscript0001", script_path="no-mirror.yaml",
                         script_text="# no mirror\n", turn_scores={t.index: (new if t.index == 1 else t.score)
                                                                    for t in session.turns},
                         drill_score=session.drill_score - 2, original_drill_score=session.drill_score)
    session = store.load_session(session.id)
    html = render_report(session)
    section = _section(html, "rescore")
    assert "newscript000" in section and "no-mirror.yaml" in section
    rows = re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", section, re.S)
    assert len(rows) == len(EN_TURNS)
    row2 = dict(rows)["2"]
    assert f">{old.score:.0f}<" in row2 and f">{old.score - 10:.0f}<" in row2 and ">-10<" in row2
    assert "mirror" in row2
    for number, row in rows:
        if number != "2":
            assert ">±0<" in row or ">0<" in row
    # the drill score up front shows the re-scored value too
    assert "Re-scored by the instructor" in _section(html, "summary")


# --------------------------------------------------------------------------- terminal summary


def test_terminal_summary_plain_and_coloured(en_session, en_records):
    plain = terminal_summary(en_session, color=False)
    coloured = terminal_summary(en_session, color=True)
    assert "\033[" not in plain and "\033[" in coloured
    assert ANSI.sub("", coloured) == plain
    lines = plain.splitlines()
    assert lines[0].split() == ["Turn", "Cues", "WPM", "Latency", "Calm", "Score"]
    assert "Drill score:" in plain and "Outcome: surrender" in plain
    # every row starts with its turn number; columns line up
    rows = [l for l in lines[2:] if re.match(r"\s+\d+\s", l)]
    assert [int(r.split()[0]) for r in rows] == list(range(1, len(EN_TURNS) + 1))
    score_col = lines[0].index("Score") + len("Score")
    assert all(visible_width(r) == score_col for r in rows)
    assert "−“why” question" in plain and "+emotional label" in plain
    assert "\033[31m−“calm down”" in coloured and "\033[32m+emotional label" in coloured
    # the drill loop's in-memory records give the same table (without the session footer)
    from_records = terminal_summary(en_records, color=False)
    assert from_records == "\n".join(lines[: len(from_records.splitlines())])
    assert "Drill score" not in from_records


def test_terminal_summary_russian(ru_records):
    text = terminal_summary(ru_records, color=False)
    assert text.splitlines()[0].split()[:2] == ["Реплика", "Приёмы"]
    assert "+называние чувства" in text and "1,1 с" in text


class _Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self):
        return self.tty


def test_color_detection(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert supports_color(_Stream(True)) is True
    assert supports_color(_Stream(False)) is False
    monkeypatch.setenv("TERM", "dumb")
    assert supports_color(_Stream(True)) is False
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("NO_COLOR", "")
    assert supports_color(_Stream(True)) is False


def test_terminal_summary_auto_colour_is_plain_when_piped(en_records, capsys):
    assert "\033[" not in terminal_summary(en_records)  # pytest's stdout is not a terminal


# --------------------------------------------------------------------------- language data


def test_language_files_have_the_same_keys():
    def keys(d, prefix=()):
        out = set()
        for k, v in d.items():
            assert isinstance(k, str), f"key {k!r} under {prefix} is not text (quote yes/no/on/off in YAML)"
            out.add(prefix + (k,))
            if isinstance(v, dict):
                out |= keys(v, prefix + (k,))
        return out

    root = Path(__file__).resolve().parent.parent / "voicedrill" / "lang"
    en = yaml.safe_load((root / "en" / "report.yaml").read_text(encoding="utf-8"))
    ru = yaml.safe_load((root / "ru" / "report.yaml").read_text(encoding="utf-8"))
    assert keys(en) == keys(ru)
    from voicedrill.scoring.names import CUE_NAMES

    for lang in (en, ru):
        for name in CUE_NAMES:
            assert "name" in lang["cues"][name], name


def test_placeholders_match_between_languages():
    en, ru = labels_for("en").data, labels_for("ru").data

    def walk(a, b, path=""):
        for k, v in a.items():
            if isinstance(v, dict):
                walk(v, b[k], f"{path}{k}.")
            else:
                assert set(re.findall(r"{(\w+)}", v)) == set(re.findall(r"{(\w+)}", b[k])), path + k

    walk(en, ru)


# --------------------------------------------------------------------------- CLI


def test_cli_report_default_path_and_output(en_session, store, tmp_path, capsys):
    data = str(store.data_dir)
    assert cli_main(["report", en_session.id, "--data-dir", data]) == 0
    default = en_session.path / REPORT_NAME
    assert capsys.readouterr().out.strip() == str(default)
    assert default.is_file() and 'id="coaching"' in default.read_text(encoding="utf-8")
    out = tmp_path / "sub" / "mine.html"
    assert cli_main(["report", en_session.id[:15], "-o", str(out), "--audio", "ogg", "--data-dir", data]) == 0
    assert "data:audio/ogg" in out.read_text(encoding="utf-8")


def test_cli_report_open_uses_the_browser(en_session, store, tmp_path, monkeypatch, capsys):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda uri: opened.append(uri) or False)
    out = tmp_path / "open.html"
    assert cli_main(["report", en_session.id, "-o", str(out), "--open", "--data-dir", str(store.data_dir)]) == 0
    assert opened == [out.resolve().as_uri()]
    assert "no web browser found" in capsys.readouterr().err  # guarded: a note, not a failure


def test_cli_report_unknown_session(store, capsys):
    assert cli_main(["report", "29990101-nope", "--data-dir", str(store.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "no session '29990101-nope'" in err and "voicedrill sessions list" in err
    assert "Traceback" not in err


def test_report_of_a_real_scored_drill(store, tmp_path):
    """The scorer's own TurnScores (score_turn on real espeak-ng replies) go through store and report."""
    from voicedrill.scoring import load_script, score_turn
    from voicedrill.types import TurnContext

    script = load_script()
    records = records_for(EN_TURNS[:2], language="en")
    rescored = []
    for i, r in enumerate(records):
        context = TurnContext("en", tuple(x.line.text for x in records[: i + 1]),
                              tuple(x.transcript.text for x in records[:i]), i)
        rescored.append(replace(r, score=score_turn(r.reply, r.transcript, context, script)))
    session = store_drill(store, rescored)
    html = render_report(session, script=script)
    assert html.count('<article class="turn"') == 2
    for r in rescored:
        assert f">{r.score.score:.0f}</span>" in html
        for sentence in r.score.feedback:
            assert sentence in unescape(html)
    page = write_report(session, tmp_path / "scored.html")
    assert render_dom(page, tmp_path).console == ()


# --------------------------------------------------------------------------- cue placement


def test_highlight_without_word_times_and_with_overlapping_cues():
    from voicedrill.report.transcript import highlight

    labels = labels_for("en")
    # no word times: evidence found by its words (case and punctuation ignored)
    t = Transcript("Why one more time? I hear you.", "en")
    cues = (Cue("why_question", "why one more time", None, None, "harmful"),
            Cue("mirror", "one more time", None, None, "helpful"),
            Cue("paraphrase", "words never said", None, None, "helpful"))
    html = highlight(t, cues, labels)
    # "Why" is only the why question; "one more time?" is both (shown in the stronger colour, red)
    assert '<mark class="cue k-harmful" title="“why” question">Why</mark>' in html
    assert '<mark class="cue k-harmful" title="“why” question, mirror">one more time?</mark>' in html
    assert html.index(">mirror</span>") > html.index("one more time?")
    assert "I hear you." in html and "<mark" not in html.split("one more time?</mark>")[1].split("<ul")[0]
    # evidence that is not in the transcript is listed, not lost
    assert '<ul class="unplaced"><li><span class="cue-tag k-helpful"' in html and "“words never said”" in html


def test_highlight_by_times_and_pauses():
    from voicedrill.report.transcript import highlight

    labels = labels_for("ru")
    words = (Word("Вы", 2.0, 2.2, 0.9), Word("злитесь.", 2.25, 2.8, 0.9), Word("Понимаю.", 4.5, 5.0, 0.9))
    t = Transcript("Вы злитесь. Понимаю.", "ru", words)
    cues = (Cue("emotional_label", "Вы злитесь", 1.98, 2.81, "helpful"),
            Cue("effective_pause", "<pause 1.7 s>", 2.8, 4.5, "helpful"),
            Cue("minimal_encourager", "Понимаю", 4.5, 5.0, "helpful"))
    html = highlight(t, cues, labels)
    assert '<mark class="cue k-helpful" title="называние чувства">Вы злитесь.</mark>' in html
    assert html.index("злитесь.</mark>") < html.index("пауза 1,7 с") < html.index("Понимаю.</mark>")
    assert "<ul" not in html
