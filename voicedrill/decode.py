"""One window's Whisper decode with word times (at most ``stretches.WINDOW_SECONDS``).

What ``whisper.transcribe`` does for a reply that fits one 30 s window, without its seek
loop: one log-mel (``window_mel``), ``whisper.decode`` with the temperature fallback and
the no-speech skip of ``transcribe`` (``decode``), the tokens cut into segments at their
timestamp pairs, and word times from the cross-attention alignment
(``whisper.timing.add_word_timestamps``) on the same mel. The segment dicts have the
keys ``whisper.transcribe`` gives (``text``, ``start``, ``end``, ``tokens``, ``words``,
``avg_logprob``, ``compression_ratio``, ``no_speech_prob``, ``temperature``).

Every decode and the alignment of a window pass the same mel to the model, so the
encoder memo in ``asr._cache_encoder`` encodes it once (on the audio's length when
``asr.ENCODER_ON_LENGTH``). Unlike ``transcribe``, no window is decoded twice: where
Whisper would end its text on a timestamp pair before the sound ends ("more in the next
window", frequent with the encoder on the audio's length), the end of text is refused
(``_NoEarlyEnd``) and the same decode goes on with the next segment.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

# With the encoder on the audio's length Whisper often ends its text early, on a timestamp,
# as if the window ended there (whisper.transcribe then decodes the rest as a new window).
# The end of text is refused while the last timestamp is more than END_SLACK_SECONDS
# before the end of the sound (SOUND_RANGE_DB below the loudest frame counts as quiet).
END_SLACK_SECONDS = 0.6
SOUND_RANGE_DB = 35.0


@dataclass(frozen=True)
class Window:
    """One window's log-mel, padded with zeros to Whisper's 30 s (as ``transcribe`` pads)."""

    mel: Any  # torch.Tensor (n_mels, N_FRAMES)
    frames: int  # mel frames of the audio itself (100 a second)
    sound_end: float  # seconds: the end of the last 20 ms frame near the loudest's level


@dataclass(frozen=True)
class Decoded:
    """One decode of a window: its segments (none when skipped as no speech) and the
    no-speech probability of its first step (behind the prompt it was given)."""

    segments: list[dict]
    no_speech_prob: float


def window_mel(audio: np.ndarray, n_mels: int) -> Window:
    """The log-mel of ``audio`` (mono float32 16 kHz, at most 30 s) as ``whisper.transcribe``
    makes its first window: the same frames, then zeros to 30 s."""
    from whisper.audio import N_FFT, N_FRAMES, log_mel_spectrogram, pad_or_trim

    # transcribe pads 30 s of zeros before the STFT; the audio's frames only see N_FFT // 2
    # samples past its end, so N_FFT of zeros gives the very same frames, for less work.
    mel = log_mel_spectrogram(audio, n_mels, padding=N_FFT)
    frames = min(N_FRAMES, len(audio) // 160)  # HOP_LENGTH: transcribe's content frames
    return Window(pad_or_trim(mel[:, :frames], N_FRAMES), frames, sound_end(audio))


def sound_end(audio: np.ndarray) -> float:
    """Where the sound of ``audio`` ends, seconds: the last 20 ms frame within
    ``SOUND_RANGE_DB`` of the loudest and above ``audio.SILENCE_DBFS`` (0 when none)."""
    from .audio import SILENCE_DBFS
    from .vad import FRAME_SECONDS, frame_levels_db

    levels = frame_levels_db(audio)
    if levels.size == 0:
        return 0.0
    loud = np.flatnonzero(levels > max(SILENCE_DBFS, float(levels.max()) - SOUND_RANGE_DB))
    return float((loud[-1] + 1) * FRAME_SECONDS) if loud.size else 0.0


def decode(
    model,
    window: Window,
    *,
    language: str,
    prompt: str | None,
    temperatures: tuple[float, ...],
    sample_len: int,
    compression_ratio: float,
    logprob: float,
    no_speech: float,
) -> Decoded:
    """``whisper.transcribe`` of one window with ``word_timestamps=True``: decode at each
    temperature until the text is neither too repetitive (``compression_ratio``) nor too
    improbable (``logprob``), unless it is probably silence; skip it as no speech when
    ``no_speech`` is passed and the text is improbable."""
    import whisper
    from whisper.decoding import DecodingTask
    from whisper.timing import add_word_timestamps
    from whisper.tokenizer import get_tokenizer

    result = None
    for t in temperatures:
        options = whisper.DecodingOptions(
            language=language,
            temperature=t,
            prompt=prompt or None,
            sample_len=sample_len,
            fp16=False,
        )
        task = DecodingTask(model, options)
        end = _NoEarlyEnd(task.tokenizer, task.sample_begin, window.sound_end - END_SLACK_SECONDS)
        task.logit_filters.append(end)
        result = task.run(window.mel.unsqueeze(0))[0]
        improbable = result.avg_logprob < logprob
        silence = result.no_speech_prob > no_speech and improbable
        if silence or not (result.compression_ratio > compression_ratio or improbable):
            break
    assert result is not None, "at least one temperature"
    nsp = float(result.no_speech_prob)
    if nsp > no_speech and result.avg_logprob < logprob:
        return Decoded([], nsp)  # transcribe's "no voice activity" skip
    tokenizer = get_tokenizer(
        model.is_multilingual, num_languages=model.num_languages, language=language
    )
    segments = _segments(result, tokenizer, window.frames)
    with keep_threads():  # the first alignment in a process compiles dtw with numba
        add_word_timestamps(
            segments=segments,
            model=model,
            tokenizer=tokenizer,
            mel=window.mel,
            num_frames=window.frames,
            last_speech_timestamp=0.0,
        )
    for seg in segments:  # transcribe clears instantaneous or empty segments
        if seg["start"] == seg["end"] or not seg["text"].strip():
            seg.update(text="", tokens=[], words=[])
    return Decoded(segments, nsp)


class _NoEarlyEnd:
    """A ``whisper.decoding.LogitFilter``: no end of text right after a timestamp pair (a
    segment's end and the next one's start: "the window ends here, more follows") before
    ``until`` seconds, so the next segment is decoded in this pass. (``transcribe`` would
    decode it as a new window; a single timestamp before the end means no more speech.)"""

    def __init__(self, tokenizer, sample_begin: int, until: float):
        self.eot, self.begin, self.sample_begin = (
            tokenizer.eot,
            tokenizer.timestamp_begin,
            sample_begin,
        )
        self.until = round(until / 0.02)  # timestamp steps

    def apply(self, logits, tokens) -> None:
        if tokens.shape[1] < self.sample_begin + 2:
            return
        for k in range(tokens.shape[0]):
            last, before = int(tokens[k, -1]), int(tokens[k, -2])
            if before >= self.begin and last - self.begin < self.until and last >= self.begin:
                logits[k, self.eot] = -np.inf


@contextmanager
def keep_threads() -> Iterator[None]:
    """Restore torch's intra-op thread count after the block: numba compiling Whisper's
    ``dtw_cpu`` (its first call in a process) sets it to the number of cores, undoing
    ``asr.default_threads`` (one thread on two cores holds up under load)."""
    import torch

    threads = torch.get_num_threads()
    try:
        yield
    finally:
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def _segments(result, tokenizer, frames: int) -> list[dict]:
    """The decoded tokens cut into segments at consecutive timestamp tokens, as
    ``whisper.transcribe`` cuts a window's; text after the last pair (no closing
    timestamp) is a segment to the end of the audio."""
    import torch

    tokens = torch.tensor(result.tokens)
    begin = tokenizer.timestamp_begin
    precision = 0.02  # seconds per timestamp step
    duration = frames * 160 / 16000

    def segment(start: float, end: float, part) -> dict:
        part = part.tolist()
        return {
            "seek": 0,
            "start": start,
            "end": end,
            "text": tokenizer.decode([t for t in part if t < tokenizer.eot]),
            "tokens": part,
            "temperature": result.temperature,
            "avg_logprob": result.avg_logprob,
            "compression_ratio": result.compression_ratio,
            "no_speech_prob": result.no_speech_prob,
        }

    is_time = tokens.ge(begin)
    pairs = (torch.where(is_time[:-1] & is_time[1:])[0] + 1).tolist()
    if not pairs:
        times = tokens[is_time]
        end = duration
        if len(times) and int(times[-1]) != begin:
            end = (int(times[-1]) - begin) * precision
        return [segment(0.0, end, tokens)]
    out, last = [], 0
    for cut in pairs:
        part = tokens[last:cut]
        out.append(
            segment((int(part[0]) - begin) * precision, (int(part[-1]) - begin) * precision, part)
        )
        last = cut
    rest = tokens[last:]
    if bool((rest < tokenizer.eot).any()):  # words after the last pair
        start = (int(rest[0]) - begin) * precision if bool(rest[0] >= begin) else out[-1]["end"]
        # a closing timestamp ends it there; unfinished (transcribe would decode the rest
        # again as a new window), it runs to the end of the audio
        end = (int(rest[-1]) - begin) * precision if bool(rest[-1] >= begin) else duration
        out.append(segment(start, max(start, end), rest))
    return out
