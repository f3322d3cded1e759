"""Spoken versions of labelled reply files: each written reply is voiced by an espeak-ng
voice the project does not use, transcribed by Whisper through voicedrill's ASR adapter
(as ``voicedrill analyze`` does), and written out with the same labels, so the cue
detector can be measured on real recognition slips and missing punctuation (issue 10).

    .venv/bin/python scripts/make_spoken.py IN.jsonl OUT.jsonl [IN2.jsonl OUT2.jsonl ...]
        [--language en|ru] [--voices V1,V2] [--model NAME] [--rate WPM] [--limit N]

Each output line keeps the input's keys and order (``ctx``, ``history``, ``reply``,
``kind``, ``cues``) with ``reply`` replaced by the transcript, and adds ``text`` (the
written reply) and ``voice`` (the espeak-ng voice that spoke it). Voices alternate line by
line. Defaults: English ``gmw/en-GB-scotland`` and ``gmw/en-029`` (reserved for blind
spoken data: the perpetrator is ``gmw/en-us``, the virtual trainee ``gmw/en-us+f5``,
scripts/bench_cues.py uses ``gmw/en``) with Whisper tiny.en; Russian ``zle/ru-LV`` with
Whisper base. Speaking rate 140 words a minute: a negotiator's slow, low pace.

A stopped run resumes: rows are kept in OUT.jsonl.partial until the file is whole.

The script prints only counts and the word error rate of the transcripts against the
written replies (``voicedrill.wer``), never the lines themselves: it is how the blind
sets are voiced without anyone reading them. One transcription at a time, one torch
thread, so the machine stays usable.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VOICES = {"en": ("gmw/en-GB-scotland", "gmw/en-029"), "ru": ("zle/ru-LV",)}
MODELS = {"en": "tiny.en", "ru": "base"}
RATE_WPM = 140

from voicedrill.errors import ParameterError, VoicedrillError  # noqa: E402


def read_rows(path: Path) -> list[dict]:
    rows = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise ParameterError(f"{path}:{n}: not valid JSON ({e.msg}); fix the line.") from e
        if not isinstance(obj, dict) or not isinstance(obj.get("reply"), str):
            raise ParameterError(f"{path}:{n}: expected an object with a 'reply' text.")
        rows.append(obj)
    return rows


def spoken_row(row: dict, transcript: str, voice: str) -> dict:
    """The input row with ``reply`` = transcript, plus ``text`` and ``voice`` at the end."""
    out = {k: (transcript if k == "reply" else v) for k, v in row.items()}
    out["text"] = row["reply"]
    out["voice"] = voice
    return out


def make(src: Path, dst: Path, *, model, language: str, voices, delivery, cache, limit):
    """Voice and transcribe ``src`` into ``dst``. Rows go first to ``dst`` + ``.partial``
    (one flushed line each), so a stopped run resumes where it was; ``dst`` appears, whole,
    at the end."""
    from voicedrill import asr, tts
    from voicedrill.fsutil import write_atomic
    from voicedrill.wer import word_errors

    rows = read_rows(src)[: limit or None]
    partial = dst.with_name(dst.name + ".partial")
    done = read_rows(partial) if partial.is_file() else []
    if any(d.get("text") != r["reply"] for d, r in zip(done, rows, strict=False)) or len(
        done
    ) > len(rows):
        raise VoicedrillError(f"{partial}: left by a run on other input; delete it and run again.")
    errors, words, empty, t_tts, t_asr = 0, 0, 0, 0.0, 0.0
    for d in done:
        e, w = word_errors(d["text"], d["reply"], language=language)
        errors, words, empty = errors + e, words + w, empty + (not d["reply"])
    with partial.open("a", encoding="utf-8") as out:
        for i in range(len(done), len(rows)):
            row, voice = rows[i], voices[i % len(voices)]
            t0 = time.perf_counter()
            audio = tts.render(
                row["reply"], language=language, voice=voice, delivery=delivery, cache_dir=cache
            )
            t1 = time.perf_counter()
            text = asr.transcribe(model, audio, language=language).text.strip()
            t_tts, t_asr = t_tts + t1 - t0, t_asr + time.perf_counter() - t1
            empty += not text
            e, w = word_errors(row["reply"], text, language=language)
            errors, words = errors + e, words + w
            out.write(json.dumps(spoken_row(row, text, voice), ensure_ascii=False) + "\n")
            out.flush()
            if (i + 1) % 25 == 0:
                print(f"  {src.name}: {i + 1}/{len(rows)}", file=sys.stderr, flush=True)
    write_atomic(dst, partial.read_text(encoding="utf-8"))
    partial.unlink()
    print(
        f"{src.name} -> {dst.name}: {len(rows)} replies ({len(done)} resumed), "
        f"WER {errors / max(1, words):.3f} ({errors} errors / {words} words), "
        f"{empty} empty transcripts; this run: speech {t_tts:.0f} s, recognition {t_asr:.0f} s"
    )
    return errors, words


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", help="pairs: IN.jsonl OUT.jsonl ...")
    p.add_argument("--language", default="en", choices=sorted(VOICES))
    p.add_argument("--voices", help="comma-separated espeak-ng voices, alternating by line")
    p.add_argument("--model", help="Whisper model name or checkpoint (default by language)")
    p.add_argument("--rate", type=int, default=RATE_WPM, help="words per minute")
    p.add_argument("--limit", type=int, default=0, help="only the first N lines of each file")
    p.add_argument("--cache", help="TTS cache folder (default: a temporary one)")
    p.add_argument("--threads", type=int, default=1, help="torch threads for Whisper (default 1)")
    args = p.parse_args(argv)
    if len(args.files) % 2:
        p.error("give files in pairs: IN.jsonl OUT.jsonl")
    from voicedrill import asr, tts

    try:
        voices = tuple(args.voices.split(",")) if args.voices else VOICES[args.language]
        voices = tuple(tts.check_voice(v) for v in voices)
        delivery = tts.Delivery(rate_wpm=args.rate)
        model = asr.load_model(args.model or MODELS[args.language], threads=args.threads)
        pairs = [
            (Path(a), Path(b)) for a, b in zip(args.files[::2], args.files[1::2], strict=False)
        ]
        for src, _ in pairs:
            if not src.is_file():
                raise VoicedrillError(f"{src}: no such file; give an existing labelled JSONL.")
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(args.cache) if args.cache else Path(tmp)
            total_e = total_w = 0
            for src, dst in pairs:
                e, w = make(
                    src,
                    dst,
                    model=model,
                    language=args.language,
                    voices=voices,
                    delivery=delivery,
                    cache=cache,
                    limit=args.limit,
                )
                total_e, total_w = total_e + e, total_w + w
        print(f"all: WER {total_e / max(1, total_w):.3f} ({total_e} / {total_w} words)")
    except VoicedrillError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
