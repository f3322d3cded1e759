"""End of turn by meaning and prosody (voicedrill/endturn.py with the live listener).

Real parts: the Smart Turn v3.2 model installed from its pinned wheel, real tiny.en,
jfk.flac and espeak-ng speech. The microphone is a recording read block by block
(``FileMicrophone``): the point here is what the listener decides, so stream time,
not the wall clock, is what the tests look at.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.fixtures_asr import JFK, JFK_TEXT, tiny_en_model, wer
from tests.rig import FileMicrophone, speak
from voicedrill import asr, endturn, models
from voicedrill.audio import SAMPLE_RATE, load_audio
from voicedrill.errors import AsrError
from voicedrill.live import LiveListener
from voicedrill.vad import ListenSettings, speech_spans

SR = SAMPLE_RATE


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


@pytest.fixture(scope="module")
def turn_model():
    return endturn.load_turn_model()


def listen(audio, turn_model, *, transcriber=True, silence_s: float = 1.5):
    settings = ListenSettings(end_of_turn_silence=silence_s, no_reply_timeout=5.0)
    listener = LiveListener(settings=settings, key_pressed=lambda: False, microphone=FileMicrophone(audio),
                            turn_model=turn_model)
    if transcriber:
        listener.attach(asr.Transcriber(tiny_en_model(), "en"))
    listener.prepare(None, 0)
    reply = listener.reply(0.0)
    listener.close()  # its worker thread ends; what it heard stays readable
    return listener, reply


def test_features_match_smart_turns_shape_and_range():
    audio = load_audio(JFK)
    feats = endturn.features(audio)
    assert feats.shape == (80, 800) and feats.dtype == np.float32
    assert np.isfinite(feats).all() and feats.max() - feats.min() <= 2.0 + 1e-6  # 8 dB range, /4
    # only the last 8 s count; shorter audio is padded at the start
    assert np.array_equal(endturn.features(np.concatenate([silence(3), audio])), feats)
    assert len(endturn.window(audio[:SR])) == 8 * SR and endturn.window(audio[:SR])[0] == 0.0


def test_the_model_hears_a_finished_sentence_and_a_cut_one(turn_model):
    audio = load_audio(JFK)
    assert turn_model.complete(np.concatenate([silence(0.5), audio]))
    cut = int(4.0 * SR)  # "And so, my fellow Americans, ask not what your ..."
    assert not turn_model.complete(np.concatenate([silence(0.5), audio[:cut], silence(0.3)]))


ASK = "ask not what your country can do for you, ask what you can do for your country"


def ask_not() -> np.ndarray:
    """jfk.flac from "ask not ..." on (its first words, "And so, my fellow Americans," end on
    a falling voice and a 1 s pause that Smart Turn rightly hears as a possible end)."""
    return load_audio(JFK)[int(3.1 * SR):]


def test_a_complete_sentence_ends_the_turn_at_a_short_pause(turn_model):
    audio = np.concatenate([silence(0.6), speak("Tell me what happened today."), silence(4.0)])
    listener, reply = listen(audio, turn_model)
    assert listener.last.reason == "complete"  # at the first short pause, not after the long silence
    assert listener.judged == [(pytest.approx(reply.end, abs=0.05), True)]
    # the final transcript is the one the worker started when speech stopped: one decode
    assert listener.last.decodes == 1 and listener.last.late == 0
    text = asr.normalize(listener.last_transcript.text)
    assert text.startswith("tell me what happened"), text
    # the words are on the reply's time line (the clip starts at the line's end, 0 here)
    assert 0.0 <= listener.last_transcript.words[0].start < 1.0
    assert listener.last_transcript.words[-1].end <= len(reply.audio) / SR + 1e-6


def test_a_pause_before_any_word_was_heard_does_not_end_the_turn(turn_model):
    """Smart Turn may hear a finished thought, but with no words transcribed yet (a lone
    "um" Whisper left out, a cough) the long silence decides, as without the model. The
    transcriber here hears nothing: the test is about the rule, not about Whisper."""
    from voicedrill.types import Transcript

    deaf = SimpleNamespace(language="en", window=lambda audio: Transcript("", "en", ()))
    audio = np.concatenate([silence(0.6), speak("Tell me what happened today."), silence(4.0)])
    settings = ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=5.0)
    listener = LiveListener(settings=settings, key_pressed=lambda: False,
                            microphone=FileMicrophone(audio), turn_model=turn_model)
    listener.attach(deaf)
    listener.prepare(None, 0)
    listener.reply(0.0)
    assert listener.last.reason == "silence"
    assert listener.judged and listener.judged[0][1] is False


def test_a_hesitation_mid_sentence_is_waited_out(turn_model):
    ask = ask_not()
    cut = int(0.83 * SR)  # "ask not" | "what your country can do for you, ..." (a word gap)
    audio = np.concatenate([silence(0.6), ask[:cut], silence(1.0), ask[cut:], silence(4.0)])
    listener, reply = listen(audio, turn_model)
    assert listener.judged[0][1] is False  # the pause inside the sentence was not an end
    assert listener.judged[0][0] < 1.6 and reply.end > 2.8  # the reply went on past the hesitation
    assert asr.normalize(listener.last_transcript.text).startswith("ask")


def test_words_that_leave_a_thought_open_keep_the_turn_going(turn_model):
    audio = np.concatenate([silence(0.6), speak("I hear you, and"), silence(1.0),
                            speak("we will get through this together."), silence(4.0)])
    listener, reply = listen(audio, turn_model)
    assert listener.judged[0][1] is False
    text = asr.normalize(listener.last_transcript.text)
    assert text.startswith("i hear you and") and "together" in text, text
    # the part before the pause was transcribed while he thought; a reply this short is heard
    # whole, so when he spoke on it gave way to the whole reply, decoded when speech stopped
    stream = listener.reply_stream
    assert stream is not None and stream.dropped == 1 and stream.parts == []
    assert listener.last.decodes == 2  # (started at the speech end, or at once if the worker was busy)
    assert endturn.ends_hanging("I hear you and", "en")


def test_enter_ends_the_reply_at_once_with_the_words_so_far(turn_model):
    """Enter mid-sentence: the turn ends there (stream time), and what was said up to then is
    transcribed (the tail the worker did not have yet is decoded at once)."""
    audio = np.concatenate([silence(0.6), speak("You sound really tired of all this, and I want to help "
                                                "you get out of there safely tonight."), silence(4.0)])
    mic = FileMicrophone(audio)
    press = int(2.6 * SR)
    listener = LiveListener(settings=ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=5.0),
                            key_pressed=lambda: mic.pos >= press, microphone=mic, turn_model=turn_model)
    listener.attach(asr.Transcriber(tiny_en_model(), "en"))
    listener.prepare(None, 0)
    reply = listener.reply(0.0)
    listener.close()
    assert listener.last.reason == "key"
    assert reply.end <= press / SR + 0.05  # ended where Enter was pressed, not at the sentence's end
    text = asr.normalize(listener.last_transcript.text)
    assert text.startswith("you sound really") and "safely" not in text, text


def test_a_last_word_whisper_is_unsure_of_leaves_the_thought_open():
    """"I think that..." heard as "I think met." (a swallowed word at a low probability) is not
    a finished thought; a clear last word is; no words at all never are."""
    from voicedrill.types import Transcript, Word

    def heard(*words: tuple[str, float]) -> Transcript:
        return Transcript(" ".join(w for w, _ in words), "en",
                          tuple(Word(w, i, i + 0.3, p) for i, (w, p) in enumerate(words)))

    assert endturn.ends_open(heard(("I", 0.98), ("think", 0.64), ("met.", 0.21)), "en")
    assert not endturn.ends_open(heard(("right", 0.99), ("now?", 0.98)), "en")
    assert endturn.ends_open(heard(("I", 0.98), ("hear", 0.95), ("you,", 0.98), ("and...", 0.9)), "en")
    assert endturn.ends_open(Transcript("", "en", ()), "en")


def test_hanging_words():
    assert endturn.ends_hanging("I think that...", "en")
    assert endturn.ends_hanging("And, um", "en")
    assert not endturn.ends_hanging("I hear you.", "en")
    assert not endturn.ends_hanging("", "en")
    assert endturn.ends_hanging("Я думаю, что", "ru")
    # a stranded preposition, an opener that announces what comes, thinking aloud
    assert endturn.ends_hanging("Tell me about.", "en")
    assert endturn.ends_hanging("It sounds like you are.", "en")
    assert endturn.ends_hanging("You know, I was thinking.", "en")
    # ... but a sentence that ends where he is, or as things are, is finished
    assert not endturn.ends_hanging("Stay where you are.", "en")
    assert not endturn.ends_hanging("Nobody wants to make this any worse than it is.", "en")


def test_without_the_model_the_long_silence_still_ends_the_reply():
    audio = np.concatenate([silence(0.6), load_audio(JFK), silence(4.0)])
    listener, reply = listen(audio, None)
    assert listener.last.reason == "silence" and reply.end > 10.0
    assert wer(JFK_TEXT, listener.last_transcript.text) <= 0.2  # streamed in stretches, joined


def test_a_missing_or_broken_model_file_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEDRILL_MODELS", str(tmp_path))
    with pytest.raises(AsrError, match="voicedrill models install smart-turn"):
        endturn.load_turn_model()
    folder = tmp_path / endturn.TURN_MODEL  # an install whose model file was damaged later
    folder.mkdir()
    (folder / models._INSTALLED_MARK).write_text("test\n")
    (folder / endturn.TURN_MODEL_FILE).write_bytes(b"not an onnx model")
    with pytest.raises(AsrError, match="Reinstall it: voicedrill models install smart-turn"):
        endturn.load_turn_model()


def heard(*words: tuple[str, float]) -> "Transcript":
    from voicedrill.types import Transcript, Word

    return Transcript(" ".join(w for w, _ in words), "en",
                      tuple(Word(w, i, i + 0.3, p) for i, (w, p) in enumerate(words)))


def test_the_words_alone_finish_a_thought_only_when_whisper_is_sure_of_a_sentence_end():
    assert endturn.ends_finished(heard(("What", 0.99), ("do", 0.98), ("you", 0.99), ("need?", 0.95)), "en")
    assert endturn.ends_finished(heard(("Take", 0.99), ("your", 0.98), ("time.", 0.97)), "en")
    # a trailing-off voice, an unsure last word, no sentence mark: not finished
    assert not endturn.ends_finished(heard(("Take", 0.99), ("your", 0.98), ("time...", 0.97)), "en")
    assert not endturn.ends_finished(heard(("Take", 0.99), ("your", 0.98), ("time.", 0.78)), "en")
    assert not endturn.ends_finished(heard(("Take", 0.99), ("your", 0.98), ("time", 0.97)), "en")
    # a hanging word or phrase at the end: "If you come out now, I think ... that the judge ..."
    assert not endturn.ends_finished(heard(("If", 0.99), ("you", 0.99), ("come", 0.98), ("out,", 0.97),
                                           ("I", 0.99), ("think.", 0.97)), "en")
    assert not endturn.ends_finished(heard(("Let", 0.99), ("me", 0.98), ("just.", 0.97)), "en")
    # a word Whisper is not sure of after a hanging phrase: "that" swallowed ("I think met.")
    assert endturn.ends_open(heard(("I", 0.99), ("think", 0.98), ("met.", 0.78)), "en")
    assert not endturn.ends_sentence(heard(("I", 0.99), ("think", 0.98), ("met.", 0.3)), "en")
    assert not endturn.ends_open(heard(("I", 0.99), ("think", 0.98), ("not.", 0.95)), "en")
    assert endturn.ends_sentence(heard(("Tell", 0.99), ("me", 0.98), ("more.", 0.3)), "en")
    assert endturn.ends_hanging("Если выйдешь сейчас, мне кажется.", "ru")
    assert not endturn.ends_hanging("Мне кажется, ты устал.", "ru")
    # less sure (``unsure_pause_seconds``): a sentence end at 0.75 <= p, never a hanging word
    unsure = endturn.FAIR_LAST_WORD
    assert endturn.ends_finished(heard(("Take", 0.99), ("your", 0.98), ("time.", 0.78)), "en", sure=unsure)
    assert not endturn.ends_finished(heard(("I", 0.99), ("hear", 0.98), ("you", 0.9), ("end.", 0.6)), "en",
                                     sure=unsure)  # "and" misheard before a hesitation
    assert not endturn.ends_finished(heard(("Let", 0.99), ("me", 0.98), ("just.", 0.7)), "en", sure=unsure)
    assert not endturn.ends_finished(heard(("Take", 0.9), ("time...", 0.7)), "en", sure=unsure)


def test_a_finished_sentence_in_a_flat_voice_ends_the_turn_at_the_short_pause(turn_model):
    """Smart Turn hears espeak-ng's flat voice as unfinished here; the words (a question,
    a sure last word) end the turn at the short pause all the same."""
    said = speak("You have every right to be upset about what they did to you.", voice="en-gb")
    audio = np.concatenate([silence(0.6), said, silence(4.0)])

    end = int((speech_spans(said, threshold_db=-45)[-1].end + 0.3) * SR)
    assert not turn_model.complete(np.concatenate([silence(0.6), said[:end]]))  # the voice: unfinished
    listener, reply = listen(audio, turn_model)
    assert listener.last.reason == "complete"
    assert listener.judged == [(pytest.approx(reply.end, abs=0.05), True)]
    assert listener.last.by_words
    assert asr.normalize(listener.last_transcript.text).endswith("what they did to you")


class _Voice:
    """A turn model that hears every pause as finished (True) or unfinished (False)."""

    threshold = 0.5  # as ``endturn.TurnModel``'s

    def __init__(self, finished: bool):
        self.finished = finished
        self.asked = 0

    def complete(self, audio) -> bool:
        self.asked += 1
        return self.finished

    def probability(self, audio) -> float:
        return 0.9 if self.complete(audio) else 0.1


def two_sentences() -> list[np.ndarray]:
    """"I hear you." and "Tell me what happened." (espeak-ng), cut to their speech."""
    parts = []
    for text in ("I hear you.", "Tell me what happened."):
        said = speak(text)
        spans = speech_spans(said, threshold_db=-45)
        parts.append(said[int(spans[0].start * SR): int(spans[-1].end * SR)])
    return parts


def listen_with(audio, turn_model, *, block: int = 320, transcriber=None):
    """One reply heard by a listener on ``audio`` (``FileMicrophone``, ``block`` samples a
    read) with ``turn_model`` and, when given, ``transcriber``."""
    listener = LiveListener(settings=ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=5.0),
                            key_pressed=lambda: False, microphone=FileMicrophone(audio, block=block),
                            turn_model=turn_model)
    if transcriber is not None:
        listener.attach(transcriber)
    listener.prepare(None, 0)
    reply = listener.reply(0.0)
    listener.close()
    return listener, reply


def test_speech_that_came_in_while_the_pause_was_judged_cancels_the_end():
    """The judge says "finished" at a 0.3 s pause, but the trainee spoke on in the audio that
    arrived meanwhile (here: read in 0.5 s blocks): the reply goes on. The turn model hears
    every pause as an end: the test is about the listener, not the model."""

    parts = two_sentences()
    audio = np.concatenate([silence(0.6), parts[0], silence(0.45), parts[1], silence(3.0)])
    listener, reply = listen_with(audio, _Voice(True), block=SR // 2)
    assert listener.judged[0][1] is True  # the pause after "I hear you." was judged an end ...
    second_starts = 0.6 + (len(parts[0]) / SR) + 0.45
    assert reply.end > second_starts + 0.5  # ... but he spoke on: the reply holds both sentences
    # and the audio taken in while judging was heard too (the reply's times stay true)
    assert abs(reply.end - (second_starts + len(parts[1]) / SR)) < 0.15, reply.end
    assert listener.last.reason == "complete" and len(listener.judged) == 2, (listener.judged, reply.end)


class _Heard:
    """A transcriber whose every window ends on ``last`` at probability ``p``: the point is
    the listener's table of pauses, not what Whisper hears."""

    language = "en"

    def __init__(self, last: str, p: float):
        self.last, self.p = last, p

    def window(self, audio):
        return heard(("You", 0.99), ("sound", 0.99), ("tired", 0.99), (self.last, self.p))


@pytest.mark.parametrize("voice, last, p, pause, asked, by_words", [
    # a sure sentence end: the words alone (the sentence pause is the complete pause)
    (True, "today.", 0.95, "sentence_pause_seconds", False, True),
    (False, "today.", 0.95, "sentence_pause_seconds", False, True),
    (True, "today.", 0.8, "complete_pause_seconds", True, False),
    # a finished voice, a doubtful last word ("I think met." for "I think that"): the longer pause
    (True, "today.", 0.6, "unsure_pause_seconds", True, False),
    (True, "and", 0.95, None, False, False),  # a hanging word: the long silence, whatever the voice
    (False, "today.", 0.8, "unsure_pause_seconds", True, True),
    # a sentence end on a doubtful last word in an unfinished voice: the longer pause too
    (False, "today.", 0.6, "unsure_pause_seconds", True, True),
    (False, "today", 0.6, None, True, False),  # ... without a sentence mark: the long silence
    # an unsure last word: the voice, when fairly sure it finished, names the longer pause
    (True, "today.", 0.3, "unsure_pause_seconds", True, False),
    (False, "today.", 0.3, None, True, False),
    (True, "today...", 0.3, None, False, False),  # trailing off: the long silence, not asked
    (True, "end.", 0.6, None, False, False),  # "and" heard as "end." before a hesitation
    (False, "today", 0.95, None, True, False),  # no sentence mark
])
def test_the_voice_and_the_words_name_the_pause_that_ends_the_turn(voice, last, p, pause, asked, by_words):
    """The words are read first (transcribed ahead); Smart Turn is asked only where they
    leave the verdict to the voice."""
    audio = np.concatenate([silence(0.6), speak("You sound tired today."), silence(3.0)])
    model = _Voice(voice)
    listener, _ = listen_with(audio, model, transcriber=_Heard(last, p))
    settings = listener.settings
    ep, wait = listener._ep, getattr(settings, pause) if pause else settings.end_of_turn_silence
    assert ep.reason == ("complete" if pause else "silence")
    assert wait <= ep.position - ep.end < wait + 0.05, (ep.position - ep.end, wait)
    assert listener.last.by_words == by_words
    assert (model.asked > 0) == asked


def test_a_longer_sentence_pause_than_the_complete_one_asks_the_voice_again():
    """An instructor who sets the sentence pause above the complete pause gets the voice
    back into it: a finished voice ends at the complete pause, a flat one at the longer."""
    audio = np.concatenate([silence(0.6), speak("You sound tired today."), silence(3.0)])
    for voice, pause in ((True, 0.4), (False, 0.7)):
        model = _Voice(voice)
        listener = LiveListener(
            settings=ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=5.0,
                                    complete_pause_seconds=0.4, sentence_pause_seconds=0.7),
            key_pressed=lambda: False, microphone=FileMicrophone(audio, block=320), turn_model=model)
        listener.attach(_Heard("today.", 0.95))
        listener.prepare(None, 0)
        listener.reply(0.0)
        listener.close()
        ep = listener._ep
        assert ep.reason == "complete" and model.asked > 0
        assert pause <= ep.position - ep.end < pause + 0.05, (voice, ep.position - ep.end)


def test_a_second_sentence_after_a_short_gap_is_not_cut_when_the_voice_sounds_finished():
    """The judge is asked 0.2 s into the pause after "I hear you." and says finished, but
    the reply ends only once the pause lasts ``complete_pause_seconds``; the 0.34 s
    espeak-ng leaves between two sentences is shorter, so the second one is heard."""
    parts = two_sentences()
    audio = np.concatenate([silence(0.6), parts[0], silence(0.34), parts[1], silence(3.0)])
    listener, reply = listen_with(audio, _Voice(True))
    assert [ok for _, ok in listener.judged] == [True, True]
    assert abs(reply.end - (0.6 + (len(parts[0]) + len(parts[1])) / SR + 0.34)) < 0.15, reply.end
    # the pause went on from is kept; judged by the voice alone, it teaches no rhythm
    ((end, again),) = listener._ep.resumed
    assert again - end == pytest.approx(0.34, abs=0.1) and listener.rhythm.longest == 0.0


class StreamMicrophone(FileMicrophone):
    """A ``FileMicrophone`` whose recording runs on across turns, as a sound card's does:
    each turn's samples are counted from where it was armed."""

    def arm(self) -> None:
        self.base = self.pos

    def time_at(self, index: float) -> float:
        return (self.base + index) / SR

    def index_at(self, t: float) -> int:
        return int(round(t * SR)) - self.base


def test_the_rhythm_waits_the_longest_pause_between_his_sentences_plus_a_margin():
    rhythm = endturn.Rhythm(floor=0.4, cap=0.8)
    assert rhythm.pause == 0.4  # nothing heard yet: the script's pause
    rhythm.heard(0.3)
    assert rhythm.pause == 0.4  # shorter pauses never shorten it
    rhythm.heard(0.55)
    assert rhythm.pause == pytest.approx(0.55 + endturn.RHYTHM_MARGIN)
    rhythm.heard(1.4)  # a long one counts up to the unsure pause
    assert rhythm.pause == 0.8


def test_a_trainee_who_pauses_longer_between_sentences_is_cut_once_then_waited_for():
    """He leaves 0.6 s between "I hear you." and "Tell me what happened.": his first reply
    is taken at the 0.4 s pause after a sure sentence end, he goes on, and the listener
    learns his pause; the next time the same two sentences are one reply. The words end a
    sentence surely at every pause: the test is about the listener's rhythm, not Whisper."""
    parts = two_sentences()
    said = [silence(0.6), parts[0], silence(0.6), parts[1], silence(2.0)]
    mic = StreamMicrophone(np.concatenate(said * 2 + [silence(3.0)]))
    listener = LiveListener(settings=ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=5.0),
                            key_pressed=lambda: False, microphone=mic, turn_model=_Voice(True))
    listener.attach(_Heard("today.", 0.95))
    replies, heard = [], []
    for turn in range(3):
        listener.prepare(None, turn)
        replies.append(listener.reply(mic.time_at(0)))
        heard.append(listener.last)
    listener.close()
    first, rest = len(parts[0]) / SR, len(parts[1]) / SR
    assert heard[0].reason == "complete" and abs(replies[0].end - replies[0].onset - first) < 0.15  # cut
    assert heard[1].went_on == pytest.approx(0.6, abs=0.12)  # he went on: learned
    assert replies[1].latency is None and not replies[1].interrupted  # our cut, not his
    assert heard[2].pause > 0.6 > heard[1].pause == heard[0].pause == 0.4  # from the next turn
    assert abs(replies[1].end - replies[1].onset - rest) < 0.15
    # the same two sentences again: one reply now, nothing learned from a cut
    assert abs(replies[2].end - replies[2].onset - (first + 0.6 + rest)) < 0.15, replies[2]
    assert heard[2].reason == "complete" and heard[2].went_on is None
    assert heard[0].by_words and listener.rhythm.longest == pytest.approx(0.6, abs=0.12)


def test_a_cut_hesitation_teaches_no_rhythm():
    """Taken by the voice at a pause inside a sentence (Whisper unsure of the words), he
    goes on: that pause was no pause between sentences, and the short pause stays."""
    parts = two_sentences()
    mic = StreamMicrophone(np.concatenate([silence(0.6), parts[0], silence(0.6), parts[1], silence(3.0)]))
    listener = LiveListener(settings=ListenSettings(end_of_turn_silence=1.5, no_reply_timeout=5.0),
                            key_pressed=lambda: False, microphone=mic, turn_model=_Voice(True))
    listener.attach(_Heard("today.", 0.8))  # a fairly sure word, no sure sentence end: the voice decides
    heard = []
    for turn in range(2):
        listener.prepare(None, turn)
        listener.reply(mic.time_at(0))
        heard.append(listener.last)
    listener.close()
    assert heard[0].reason == "complete" and not heard[0].by_words  # cut, by the voice
    assert heard[1].went_on is None and listener.rhythm.pause == 0.4


def test_a_trailing_off_voice_leaves_the_thought_open(turn_model):
    """Whisper writes "..." for a voice trailing off: open, as the judge's table says, even
    with a fairly sure last word ("The reason I ask is..." p 0.71, then 1.2 s of pause), and
    in a voice Smart Turn hears as finished."""
    said = heard(("The", 0.99), ("reason", 0.99), ("I", 0.99), ("ask", 0.98), ("is...", 0.71))
    assert endturn.ends_open(said, "en")
    assert not endturn.ends_open(heard(("The", 0.99), ("reason", 0.99), ("is", 0.99), ("simple.", 0.71)), "en")
    audio = np.concatenate([silence(0.6), speak("You sound tired today."), silence(3.0)])
    model = _Voice(True)
    listener, _ = listen_with(audio, model, transcriber=_Heard("today...", 0.71))
    assert listener.last.reason == "silence" and model.asked == 0
