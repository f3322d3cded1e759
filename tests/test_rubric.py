"""Turn score, drill score, feedback, score_turn end to end, and ``voicedrill analyze``."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys

import numpy as np
import pytest

from tests.fixtures_scoring import espeak, reply_for
from voicedrill import lang
from voicedrill.audio import SAMPLE_RATE, save_audio
from voicedrill.cli import main
from voicedrill.scoring import drill_score, load_script, prosody, rubric, score_turn
from voicedrill.scoring.result import Calm, Cue, Pacing, ScoreParts, TurnScore
from voicedrill.types import Reply, Transcript, TurnContext

SCRIPT = load_script()
LINE = "Nobody in this place ever listens to a single word I say!"
CONTEXT = TurnContext("en", (LINE,))


def _pacing(**kw) -> Pacing:
    base = dict(words=14, words_per_minute=130.0, articulation_rate=150.0, latency=1.0, speech_seconds=6.0,
                pause_count=1, longest_pause=0.5, mean_pause=0.5, fillers_per_minute=0.0)
    base.update(kw)
    return Pacing(**base)


CALM = Calm(0.95, 110.0, 0.2, 2.0, -20.0, 0.5, 5.0)


def _cue(name: str, evidence: str = "words", kind: str = "helpful") -> Cue:
    return Cue(name, evidence, 0.5, 1.5, kind)


def _score(cues, script=SCRIPT, pacing=None, calm=CALM, interrupted=False) -> tuple[float, ScoreParts]:
    parts = rubric.turn_parts(cues, pacing or _pacing(), calm, interrupted=interrupted, script=script)
    return rubric.turn_score(parts, script), parts


def _script(tmp_path, text: str):
    path = tmp_path / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return load_script(path)


# ---------------------------------------------------------------- turn score


def test_helpful_cues_raise_and_harmful_cues_lower_the_score():
    none, _ = _score([])
    label, _ = _score([_cue("emotional_label")])
    both, parts = _score([_cue("emotional_label"), _cue("open_question")])
    assert none < label == both <= 100  # one well-placed label is a complete reply: stacking adds nothing
    assert parts.cues == 1.0  # 1.0 + 0.8 points is over full credit
    assert none < _score([_cue("minimal_encourager")])[0] < _score([_cue("open_question")])[0] < label
    harmful, hparts = _score([_cue("emotional_label"), _cue("calm_down", kind="harmful")])
    assert hparts.harmful_penalty == pytest.approx(15.0)
    assert harmful == pytest.approx(label - 15.0, abs=0.01)
    assert 0 <= _score([_cue("threat", kind="harmful"), _cue("arguing", kind="harmful")])[0] < none


def test_a_cue_counts_once_per_reply():
    once, _ = _score([_cue("mirror")])
    twice, _ = _score([_cue("mirror"), _cue("mirror", "other words")])
    assert once == twice


def test_pacing_latency_and_calm_move_the_score():
    good, _ = _score([_cue("paraphrase")])
    assert _score([_cue("paraphrase")], pacing=_pacing(words_per_minute=230.0))[0] < good
    assert _score([_cue("paraphrase")], pacing=_pacing(latency=9.0))[0] < good
    assert _score([_cue("paraphrase")], pacing=_pacing(fillers_per_minute=20.0))[0] < good
    assert _score([_cue("paraphrase")], pacing=_pacing(longest_pause=9.0))[0] < good
    agitated = Calm(0.2, 180.0, 6.0, 4.0, -10.0, 9.0, 8.0)
    assert _score([_cue("paraphrase")], calm=agitated)[0] < good
    interrupted, parts = _score([_cue("paraphrase")], interrupted=True)
    assert parts.latency == 0.0 and interrupted < good


def test_parts_that_cannot_be_measured_are_left_out():
    no_voice = Calm(0.0, None, None, None, None, None, None, ("no_voiced_frames",))
    score, parts = _score([_cue("paraphrase")], pacing=_pacing(latency=None), calm=no_voice)
    assert parts.calm is None and parts.latency is None
    w = SCRIPT.turn.parts
    expected = 100 * (w["cues"] * parts.cues + w["pacing"] * parts.pacing) / (w["cues"] + w["pacing"])
    assert score == pytest.approx(expected, abs=0.01)


def test_few_words_are_not_judged_on_rate():
    # "Mm-hmm." over 0.6 s is 100 wpm or 20 wpm: neither says anything about pace
    short = _pacing(words=1, words_per_minute=20.0)
    assert rubric.pacing_part(short, SCRIPT) == 1.0


def test_a_forbidden_cue_caps_the_turn_and_leads_the_feedback(tmp_path):
    script = _script(tmp_path, "cues:\n  forbidden: [promise]\n  forbidden_cap: 10\n")
    cues = [_cue("emotional_label", "you sound exhausted"), _cue("paraphrase", "you waited all day"),
            _cue("promise", "I promise you will get it", "harmful")]
    score, parts = _score(cues, script=script)
    assert parts.forbidden == ("promise",) and score <= 10
    unforbidden, _ = _score(cues)
    assert unforbidden > 10
    fb = rubric.feedback_for(cues, _pacing(), CALM, parts, script, language="en", line=LINE)
    assert "does not allow a promise" in fb[0] and "I promise you will get it" in fb[0]
    assert "10 points" in fb[0]


def test_mirror_weight_zero_lowers_a_mirroring_reply_only(tmp_path):
    """The scoring script at work: mirror at 0 points. A reply that mirrors loses;
    a reply without a mirror keeps its score. (End to end, through the cue detector.)"""
    no_mirror = _script(tmp_path, "cues:\n  weights:\n    mirror: 0\n")
    audio = espeak("A single word you say?")
    mirroring = (reply_for(audio), prosody.words_from_text("A single word you say?", audio, "en"))
    audio2 = espeak("You sound exhausted and angry.")
    other = (reply_for(audio2), prosody.words_from_text("You sound exhausted and angry.", audio2, "en"))
    m_default = score_turn(*mirroring, CONTEXT, SCRIPT)
    m_zero = score_turn(*mirroring, CONTEXT, no_mirror)
    assert "mirror" in m_default.cue_names()
    assert "emotional_label" in score_turn(*other, CONTEXT, SCRIPT).cue_names()
    assert m_zero.score < m_default.score
    assert m_zero.parts.cues < m_default.parts.cues
    o_default, o_zero = score_turn(*other, CONTEXT, SCRIPT), score_turn(*other, CONTEXT, no_mirror)
    assert "mirror" not in o_default.cue_names()
    assert o_zero.score == o_default.score
    assert m_zero.script_hash == no_mirror.hash != m_default.script_hash


def test_an_effective_pause_earns_credit():
    assert _score([_cue("open_question"), _cue("effective_pause", "<pause 2.0 s>")])[0] > _score([_cue("open_question")])[0]
    fb = rubric.feedback_for([Cue("effective_pause", "<pause 2.0 s>", 1.0, 3.0)], _pacing(), CALM,
                             _score([])[1], SCRIPT, language="en")
    assert "a 2.0 s pause" in fb[0]


def test_mirror_weight_zero_at_rubric_level(tmp_path):
    no_mirror = _script(tmp_path, "cues:\n  weights:\n    mirror: 0\n")
    assert _score([_cue("mirror")], script=no_mirror)[0] < _score([_cue("mirror")])[0]
    assert _score([_cue("summary")], script=no_mirror)[0] == _score([_cue("summary")])[0]


def test_score_turn_is_pure():
    audio = espeak("It sounds like you feel nobody listens. What happened today?")
    reply = reply_for(audio, latency=1.1)
    t = prosody.words_from_text("It sounds like you feel nobody listens. What happened today?", audio, "en")
    first = score_turn(reply, t, CONTEXT, SCRIPT)
    again = score_turn(reply, t, CONTEXT, SCRIPT)
    assert first == again and first.to_dict() == again.to_dict()
    assert first.script_hash == SCRIPT.hash
    assert TurnScore.from_dict(json.loads(json.dumps(first.to_dict()))) == first
    assert 0 <= first.score <= 100 and 2 <= len(first.feedback) <= 3


def test_a_reply_without_onset_but_with_words_finds_its_span():
    audio = np.concatenate([np.zeros(SAMPLE_RATE, np.float32), espeak("Tell me more about that.")])
    reply = Reply(audio, None, None, None, source="file")
    score = score_turn(reply, Transcript("Tell me more about that.", "en"), CONTEXT, SCRIPT)
    assert score.pacing.speech_seconds > 0.5 and score.pacing.words == 5


# ---------------------------------------------------------------- drill score


def test_drill_score_blends_mean_and_worst(tmp_path):
    assert drill_score([80.0, 60.0, 100.0], SCRIPT) == pytest.approx(0.75 * 80 + 0.25 * 60)
    plain = _script(tmp_path, "drill:\n  worst_turn_share: 0\n")
    assert drill_score([80.0, 60.0, 100.0], plain) == pytest.approx(80.0)
    assert drill_score([], SCRIPT) == 0.0
    ts = TurnScore(50.0, (), _pacing(), None, ())
    assert drill_score([ts, ts], SCRIPT) == 50.0


# ---------------------------------------------------------------- feedback


def test_feedback_praises_the_best_cue_and_names_a_better_phrase():
    cues = [_cue("minimal_encourager", "I see"), _cue("emotional_label", "you sound exhausted"),
            _cue("why_question", "why did you lock the door", "harmful")]
    _, parts = _score(cues)
    fb = rubric.feedback_for(cues, _pacing(), CALM, parts, SCRIPT, language="en", line=LINE)
    assert 2 <= len(fb) <= 3
    assert "why-question" in fb[0] and "What happened" in fb[0] and "why did you lock the door" in fb[0]
    assert "emotional label" in fb[1] and "you sound exhausted" in fb[1]


def test_feedback_without_helpful_cues_suggests_one_and_gives_delivery_advice():
    _, parts = _score([], pacing=_pacing(words_per_minute=220.0, latency=0.1))
    fb = rubric.feedback_for([], _pacing(words_per_minute=220.0, latency=0.1), CALM, parts, SCRIPT,
                             language="en", line="They took my kids away from the house")
    # a whole clause of his to mirror, his "my" turned round, ready to say
    assert '"They took your kids away from the house?"' in fb[0]
    assert any("220 words per minute" in f for f in fb)
    fb = rubric.feedback_for([], _pacing(), CALM, parts, SCRIPT, language="en", line="Nobody listens to me. Nobody!")
    assert '"Nobody listens to you?"' in fb[0]
    # a clause that holds "you" is not offered; with nothing to mirror, the general advice
    fb = rubric.feedback_for([], _pacing(), CALM, parts, SCRIPT, language="en", line="You don't care!")
    assert "open question" in fb[0]


def test_feedback_in_russian():
    ctx = TurnContext("ru", ("Меня никто не слушает!",))
    cues = [_cue("emotional_label", "вы очень сердитесь"), _cue("calm_down", "успокойтесь", "harmful")]
    _, parts = _score(cues)
    fb = rubric.feedback_for(cues, _pacing(latency=0.1), CALM, parts, SCRIPT, language="ru", line=ctx.line)
    assert len(fb) >= 2
    assert all(re.search("[а-яё]", f) for f in fb)
    assert "успокойтесь" in fb[0] and "вы очень сердитесь" in " ".join(fb)
    assert any("0,1 с" in f for f in fb)  # Russian decimal comma
    silent = rubric.feedback_for([], _pacing(), None, parts, SCRIPT, language="ru", silent=True)
    assert silent == (lang.load("ru", "feedback")["silent"],)


# ---------------------------------------------------------------- doctrine rules in the script


def test_delivery_alone_never_passes():
    """Perfect pace, latency and calm with no helpful cue stay below the pass mark, even
    when an instructor gives delivery most of the weight (no_helpful_cap)."""
    score, parts = _score([])
    assert parts.cap == SCRIPT.turn.no_helpful_cap and score <= SCRIPT.turn.no_helpful_cap < SCRIPT.turn.pass_mark
    assert _score([_cue("closed_question", kind="neutral")])[0] < SCRIPT.turn.pass_mark
    assert _score([_cue("minimal_encourager")])[0] < SCRIPT.turn.pass_mark  # "Mm-hmm" alone is not a reply
    assert _score([_cue("emotional_label")])[0] >= SCRIPT.turn.pass_mark


def test_no_helpful_cap_must_stay_below_the_pass_mark(tmp_path):
    with pytest.raises(Exception, match="no_helpful_cap"):
        _script(tmp_path, "turn_score:\n  no_helpful_cap: 70\n")


def _in_moment(cues, line, moments=(), language="en"):
    ctx = TurnContext(language, (line,), moments=tuple(moments))
    parts = rubric.turn_parts(cues, _pacing(), CALM, interrupted=False, script=SCRIPT, context=ctx)
    return rubric.turn_score(parts, SCRIPT), parts


def test_a_harmful_cue_in_a_suicide_or_weapon_moment_weighs_more():
    cues = [_cue("emotional_label"), _cue("arguing", kind="harmful")]
    plain, p0 = _in_moment(cues, "The bank sent another letter.")
    suicide, p1 = _in_moment(cues, "Maybe I just end it here.")
    weapon, p2 = _in_moment(cues, "I have the knife right here.")
    tagged, p3 = _in_moment(cues, "Leave me alone.", moments=("suicide",))  # the scenario node's tag
    assert p1.moments == ("suicide",) and p2.moments == ("weapon",) and p3.moments == ("suicide",)
    assert p1.harmful_penalty == pytest.approx(2 * p0.harmful_penalty)
    assert suicide <= SCRIPT.moments["suicide"].harmful_cap < plain
    assert weapon <= SCRIPT.moments["weapon"].harmful_cap < plain
    assert tagged == suicide
    # a style slip (a long reply, a closed question) costs less than a harmful cue there
    long_reply, _ = _score([_cue("emotional_label")], pacing=_pacing(words=40))
    assert long_reply > plain > suicide
    # Russian words make the moment too
    assert _in_moment(cues, "Я прыгну, слышите?", language="ru")[1].moments == ("suicide",)


def test_a_long_stacked_reply_is_not_rewarded_over_one_label():
    label, _ = _score([_cue("emotional_label")], pacing=_pacing(words=6))
    stacked, parts = _score([_cue(n) for n in ("emotional_label", "paraphrase", "open_question", "i_message",
                                                 "minimal_encourager")], pacing=_pacing(words=48))
    assert parts.length_penalty > 0 and stacked < label
    fb = rubric.feedback_for([_cue("emotional_label")], _pacing(words=48), CALM, parts, SCRIPT, language="en")
    assert any("48 words" in f for f in fb)


def test_feedback_uses_the_scenario_name_and_gender():
    ctx = TurnContext("en", ("I can't feel anything anymore.",), perpetrator="Claire", gender="female")
    cues = [_cue("paraphrase", "you can't feel anything")]
    parts = rubric.turn_parts(cues, _pacing(), CALM, interrupted=False, script=SCRIPT, context=ctx)
    text = " ".join(rubric.feedback_for(cues, _pacing(), CALM, parts, SCRIPT, language="en", context=ctx))
    assert "tells her" in text and " him" not in text and " his " not in text
    ctx = TurnContext("ru", ("Я не могу так больше.",), perpetrator="Ирина", gender="female")
    cues = [_cue("open_question", "что случилось")]
    text = " ".join(rubric.feedback_for(cues, _pacing(), CALM, parts, SCRIPT, language="ru", context=ctx))
    assert "даёт ей" in text and "ему" not in text


def test_feedback_answers_the_moment_with_his_name():
    ctx = TurnContext("en", ("You want it to end? Fine! I'll end it myself!",), perpetrator="Dan", gender="male")
    cues = [_cue("closed_question", "Are you okay", "neutral")]
    parts = rubric.turn_parts(cues, _pacing(), CALM, interrupted=False, script=SCRIPT, context=ctx)
    fb = rubric.feedback_for(cues, _pacing(), CALM, parts, SCRIPT, language="en", context=ctx)
    assert "Dan just spoke of dying" in fb[0] and '"Dan, are you thinking about killing yourself?"' in fb[0]
    ctx = TurnContext("en", ("Two million by Saturday or she's dead.",))
    parts = rubric.turn_parts([], _pacing(), CALM, interrupted=False, script=SCRIPT, context=ctx)
    fb = rubric.feedback_for([], _pacing(), CALM, parts, SCRIPT, language="en", context=ctx)
    assert any("made a demand" in f and "not my decision" in f for f in fb)


def test_evidence_is_quoted_as_a_whole_phrase():
    cues = [_cue("emotional_label", "you feel")]
    _, parts = _score(cues)
    fb = rubric.feedback_for(cues, _pacing(), CALM, parts, SCRIPT, language="en", line=LINE,
                             reply="Okay. I know exactly how you feel. Tell me.")
    assert '"I know exactly how you feel"' in fb[0]


def test_praise_is_recognised_and_units_agree_with_numbers():
    assert rubric.is_praise(lang.load("en", "feedback")["steady"], "en")
    assert rubric.is_praise('Good mirroring: "Two million?". Hearing her own words invites her to say more.', "en")
    assert not rubric.is_praise('You spoke at 220 words per minute. Slow down to 100-160: a slow, low voice calms him.', "en")
    assert rubric.with_unit(1.0, "semitones", "ru") == ("1", "полутон")
    assert rubric.with_unit(3.0, "semitones", "ru") == ("3", "полутона")
    assert rubric.with_unit(5.0, "semitones", "ru") == ("5", "полутонов")
    assert rubric.with_unit(2.5, "semitones", "ru") == ("2,5", "полутона")
    assert rubric.with_unit(1.0, "semitones", "en") == ("1", "semitone")
    assert rubric.with_unit(2.4, "semitones", "en") == ("2.4", "semitones")


def _templates(data, prefix=""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _templates(value, f"{prefix}{key}.")
        elif isinstance(value, str):
            yield f"{prefix}{key}", value


@pytest.mark.parametrize("code", lang.LANGUAGES)
def test_feedback_files_match_english_keys_and_placeholders(code):
    own = ("pronouns.", "mirror_turn.")  # per-language data: each language its own forms
    en = {k: v for k, v in _templates(lang.load("en", "feedback")) if not k.startswith(own)}
    other = {k: v for k, v in _templates(lang.load(code, "feedback")) if not k.startswith(own)}
    assert set(other) == set(en)
    fmt = string.Formatter()
    # pronoun placeholders are the language's own ({him_dat} in Russian); every other must match
    forms = set()
    for lc in ("en", code):
        for g in lang.load(lc, "feedback")["pronouns"].values():
            forms |= set(g) | {k[:1].upper() + k[1:] for k in g}
    forms |= {"name", "Name", "name_comma", "Name_comma"}
    for key, text in en.items():
        names = {f for _, f, _, _ in fmt.parse(text) if f} - forms
        assert {f for _, f, _, _ in fmt.parse(other[key]) if f} - forms == names, key
    for gender in ("male", "female", "unknown"):
        assert set(lang.load(code, "feedback")["pronouns"][gender]) == set(lang.load(code, "feedback")["pronouns"]["male"])
    data = lang.load(code, "feedback")
    from voicedrill.scoring.names import CUE_NAMES, HARMFUL, HELPFUL

    assert set(data["cue_labels"]) == set(CUE_NAMES)
    assert set(HELPFUL) <= set(data["praise"]) and set(HARMFUL) <= set(data["harmful"])
    assert data["fillers"] and rubric.fillers_for(code)


# ---------------------------------------------------------------- voicedrill analyze


@pytest.fixture(scope="module")
def reply_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("analyze") / "reply.wav"
    audio = np.concatenate([np.zeros(int(0.9 * SAMPLE_RATE), np.float32),
                            espeak("It sounds like you feel nobody listens to you. What happened today?")])
    save_audio(path, audio)
    return path


def test_analyze_json_with_a_typed_transcript(reply_wav, capsys):
    rc = main(["analyze", str(reply_wav), "--context", LINE, "--json",
               "--transcript", "It sounds like you feel nobody listens to you. What happened today?"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert {"transcript", "cues", "pacing", "calm", "score", "feedback"} <= set(data)
    assert data["transcript"].startswith("It sounds like")
    for cue in data["cues"]:
        assert {"name", "evidence", "start", "end"} <= set(cue)
    assert data["pacing"]["latency"] == pytest.approx(0.9, abs=0.06)
    assert data["pacing"]["words"] == 12
    assert 0 <= data["score"] <= 100 and data["feedback"]
    assert "no_baseline" in data["calm"]["flags"]


def test_analyze_readable_output_with_baseline(reply_wav, tmp_path, capsys):
    base = tmp_path / "calibration.wav"
    save_audio(base, espeak("My name is Alex and I am here to listen. Take your time, we can talk."))
    rc = main(["analyze", str(reply_wav), "--context", LINE, "--baseline", str(base),
               "--transcript", "It sounds like you feel nobody listens to you. What happened today?"])
    out = capsys.readouterr().out
    assert rc == 0
    for heading in ("Transcript:", "Cues:", "Pacing:", "Calm:", "Score:", "Feedback:"):
        assert heading in out
    assert "vs baseline" in out and re.search(r"Score: \d+\.\d / 100", out)


def test_analyze_with_whisper(reply_wav, capsys):
    """Real speech recognition with the installed tiny.en weights."""
    rc = main(["analyze", str(reply_wav), "--context", LINE, "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert "nobody listens" in data["transcript"].lower()
    assert data["words"] and data["cues"]
    starts = [c["start"] for c in data["cues"] if c["start"] is not None]
    assert starts and all(0.0 <= s <= 5.5 for s in starts)  # Whisper's word times, inside the clip
    assert data["pacing"]["latency"] == pytest.approx(0.9, abs=0.06)  # onset from the VAD, not Whisper


def test_analyze_user_mistakes_are_one_clear_message(reply_wav, tmp_path, capsys):
    assert main(["analyze", str(reply_wav), "--transcript", "hi"]) != 0
    assert "--context" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "missing.wav"), "--context", LINE, "--transcript", "hi"]) != 0
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("cues:\n  wieghts: {}\n", encoding="utf-8")
    assert main(["analyze", str(reply_wav), "--context", LINE, "--transcript", "hi", "--script", str(bad)]) != 0
    assert f"{bad}:2:3: unknown key 'wieghts'" in capsys.readouterr().err


def test_analyze_silent_recording(tmp_path, capsys):
    path = tmp_path / "silence.wav"
    save_audio(path, np.zeros(2 * SAMPLE_RATE, np.float32))
    assert main(["analyze", str(path), "--context", LINE, "--transcript", "", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["silent"] and data["calm"] is None and data["score"] == SCRIPT.turn.silent_reply_score


def test_analyze_does_not_import_device_tts_or_model_libraries(reply_wav):
    code = (
        "import sys; from voicedrill.cli import main; "
        f"rc = main(['analyze', {str(reply_wav)!r}, '--context', 'x', '--transcript', 'I hear you.', '--json']); "
        "heavy = [m for m in ('sounddevice', 'pyttsx3', 'torch', 'whisper', 'librosa') if m in sys.modules]; "
        "print('HEAVY', heavy); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout


def test_words_over_a_silent_file_are_scored_on_cues_alone():
    silence = np.zeros(SAMPLE_RATE, np.float32)
    score = score_turn(Reply(silence, None, None, None), Transcript("You sound exhausted.", "en"), CONTEXT, SCRIPT)
    assert "emotional_label" in score.cue_names()
    assert score.parts.pacing is None and score.parts.calm is None and score.parts.latency is None
    assert score.score == pytest.approx(100 * score.parts.cues, abs=0.01)


def test_a_russian_reply_end_to_end():
    text = "Вы очень злы. Расскажите, что случилось."
    audio = espeak(text, voice="ru", rate=130)
    ctx = TurnContext("ru", ("Мне надоело, что меня никто не слушает!",))
    score = score_turn(reply_for(audio), prosody.words_from_text(text, audio, "ru"), ctx, SCRIPT)
    assert {"emotional_label", "open_question"} & set(score.cue_names())
    assert score.feedback and all(re.search("[а-яё]", f) for f in score.feedback)
    bad = "Успокойтесь! Почему вы это сделали?"
    audio = espeak(bad, voice="ru", rate=130)
    worse = score_turn(reply_for(audio), prosody.words_from_text(bad, audio, "ru"), ctx, SCRIPT)
    assert {"calm_down", "why_question"} <= set(worse.cue_names())
    assert worse.score < score.score
    assert "Успокойтесь" in worse.feedback[0] or "Почему" in worse.feedback[0]


def test_analyze_takes_the_perpetrators_name_gender_and_moment(reply_wav, capsys):
    rc = main(["analyze", str(reply_wav), "--context", "Leave me alone.", "--json", "--transcript", "Okay.",
               "--perpetrator", "Claire", "--gender", "female", "--moment", "suicide"])
    assert rc == 0
    feedback = " ".join(json.loads(capsys.readouterr().out)["feedback"])
    assert '"Claire, are you thinking about killing yourself?"' in feedback
    assert " him" not in feedback and " his " not in feedback


def test_a_suggested_mirror_is_a_whole_clause_of_his_line():
    """Never his line's last words cut mid-phrase ("up in cuffs?"): a whole clause, with only
    his first-person words turned round. Checked on every line of every shipped scenario."""
    from voicedrill.scenario import SHIPPED_DIR, load_scenario
    from voicedrill.scoring import moments

    assert moments.mirror_phrase("And then I end up in cuffs?", "en") == "And then you end up in cuffs"
    checked = 0
    for path in SHIPPED_DIR.glob("*.yaml"):
        s = load_scenario(path.stem)
        turn = {k.lower() for k in lang.load(s.language, "feedback")["mirror_turn"]}
        turn |= {w for k in turn for w in k.split()}
        for line in (t for n in s.nodes for t in n.lines.all()):
            mirror = moments.mirror_phrase(line, s.language)
            if not mirror:
                continue
            checked += 1
            said = [re.findall(r"[\w'’-]+", c) for c in moments._CLAUSE_RE.findall(line)]
            got = re.findall(r"[\w'’-]+", mirror)
            # the mirror is one clause word for word, except his own first-person words
            assert any(len(c) == len(got) and all(w.lower() == o.lower() or o.lower() in turn for w, o in zip(got, c))
                       for c in said), (line, mirror)
    assert checked > 100
