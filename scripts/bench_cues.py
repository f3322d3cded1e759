"""Benchmark of cue reading by meaning, and a spoken evaluation of the cue detector.

1. Speed: the sentence encoder (scoring/meaning.py) in ms per sentence against the
   naive baseline it replaces, word overlap (Jaccard of the words), in the same run;
   then ``detect_cues`` per reply with the encoder and with ``meaning.use_encoder:
   false`` (shared words only), and the encoder's one-time load.
2. Spoken: each reply of a labelled JSONL file is spoken by an espeak-ng voice the
   project does not use (the perpetrator is ``gmw/en-us``, the virtual trainee
   ``gmw/en-us+f5``; default here British ``gmw/en``), transcribed by Whisper
   tiny.en through voicedrill's ASR adapter, and the detector runs on the transcript:
   micro-F1 on the written replies against micro-F1 on the spoken ones. English
   lines only (tiny.en is English only).

    .venv/bin/python scripts/bench.py cues                      (speed + a short spoken run)
    .venv/bin/python scripts/bench_cues.py FILE.jsonl [...]     (spoken run on whole files)
        [--voice gmw/en] [--limit N] [--mistakes] [--save OUT.jsonl] [--speed]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEV = ROOT / "tests" / "data"
# not gmw/en-us (perpetrator) nor gmw/en-us+f5 (virtual trainee). British gmw/en is the most
# intelligible to tiny.en of those tried on 8 dev replies: words missed gmw/en 23 %, en+m7 34 %,
# en-gb-x-rp 38 %, en-gb-scotland 52 %.
VOICE = "gmw/en"
_WORD = re.compile(r"\w+")


def _sentences(n: int) -> list[str]:
    """Distinct replies and lines from the development sets (English and Russian)."""
    from voicedrill.scoring.evaluate import load_labelled

    out: dict[str, None] = {}
    for name in ("cues_en.jsonl", "cues_ru.jsonl"):
        for item in load_labelled(DEV / name):
            out.setdefault(item.reply)
            out.setdefault(item.ctx)
    return list(out)[:n]


def _overlap(a: str, b: str) -> float:
    """The naive baseline: Jaccard similarity of the two sentences' words."""
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


def bench_speed(report) -> None:
    from voicedrill.scoring import meaning
    from voicedrill.scoring.cues import detect_cues
    from voicedrill.scoring.evaluate import load_labelled
    from voicedrill.scoring.script import MeaningRules
    from voicedrill.types import Transcript, TurnContext

    t0 = time.perf_counter()
    meaning.embed(["load the encoder"])
    report("encoder load (first embed)", (time.perf_counter() - t0) * 1000, "ms", "once per process")
    sents = _sentences(400)
    line = "They fired me after twenty years like I was garbage."
    meaning.clear_cache()
    t0 = time.perf_counter()
    for s in sents:  # one sentence at a time, as a reply arrives, against the line (cached after the first)
        meaning.similarity([s], [line])
    per = (time.perf_counter() - t0) / len(sents) * 1000
    meaning.clear_cache()
    t0 = time.perf_counter()
    meaning.embed(sents)
    batch = (time.perf_counter() - t0) / len(sents) * 1000
    t0 = time.perf_counter()
    for _ in range(20):
        for s in sents:
            _overlap(s, line)
    base = (time.perf_counter() - t0) / (20 * len(sents)) * 1000
    report("encoder, one sentence at a time", per, "ms", f"{len(sents)} sentences, en + ru")
    report("encoder, one batch", batch, "ms", "per sentence")
    report("baseline: word overlap (Jaccard)", base, "ms", "per sentence pair")
    report("encoder / word overlap", per / base, "x", "the price of reading meaning")
    t0 = time.perf_counter()
    meaning.similarity(sents[:50], sents[:50])
    report("cached sentences (50 x 50 matrix)", (time.perf_counter() - t0) * 1000, "ms", "all 100 from the LRU cache")

    items = load_labelled(DEV / "cues_en.jsonl")
    words_only = MeaningRules(use_encoder=False)

    def run(rules) -> float:
        t = time.perf_counter()
        for item in items:
            detect_cues(Transcript(item.reply, "en"), TurnContext("en", tuple(item.history) + (item.ctx,)),
                        meaning=rules)
        return (time.perf_counter() - t) / len(items) * 1000

    run(None)  # warm: lexicon, pymorphy, caches of the lines
    meaning.clear_cache()
    with_encoder = run(None)
    without = run(words_only)
    report("detect_cues per reply, with the encoder", with_encoder, "ms", f"{len(items)} replies, cold sentence cache")
    report("detect_cues per reply, shared words only", without, "ms", "meaning.use_encoder: false")
    report("reading by meaning / by words", with_encoder / without, "x")


# --------------------------------------------------------------------------- spoken


def spoken_evaluation(files: list[str], *, voice: str = VOICE, limit: int | None = None, say=print):
    """(written Evaluation, spoken Evaluation, seconds of audio) for the English lines of ``files``."""
    from voicedrill import asr, tts
    from voicedrill.scoring.evaluate import evaluate, load_labelled, reply_language

    items = [i for f in files for i in load_labelled(f) if reply_language(i) == "en"]
    if limit:
        items = items[:limit]
    if not items:
        raise SystemExit("no English replies in " + ", ".join(files))
    model = asr.load_model("tiny.en")
    spoken, seconds = [], 0.0
    with tempfile.TemporaryDirectory(prefix="voicedrill-bench-cues-") as cache:
        for n, item in enumerate(items, 1):
            audio = tts.render(item.reply, language="en", voice=voice, cache_dir=cache)
            seconds += len(audio) / 16000
            heard = asr.transcribe(model, audio, language="en").text.strip()
            spoken.append(dataclasses.replace(item, reply=heard or "..."))
            if n % 10 == 0:
                say(f"  spoken {n}/{len(items)}")
    return evaluate(items), evaluate(spoken), seconds, spoken


def bench_cues(report) -> None:
    bench_speed(report)
    # a short spoken check; whole files: scripts/bench_cues.py FILE.jsonl (about 10 s a reply on 2 busy cores)
    written, heard, seconds, _ = spoken_evaluation([str(DEV / "cues_meaning_en.jsonl")], limit=12, say=lambda m: None)
    report("micro-F1 written (cues_meaning_en.jsonl, 12)", written.micro_f1, "", f"{written.replies} replies")
    report(f"micro-F1 spoken ({VOICE}, tiny.en)", heard.micro_f1, "", f"{seconds:.0f} s of speech")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="Spoken evaluation of the cue detector: micro-F1 on written "
                                "replies against the same replies spoken by espeak-ng and transcribed by tiny.en.")
    p.add_argument("files", nargs="*", metavar="FILE.jsonl", help="labelled replies (eval-cues format)")
    p.add_argument("--voice", default=VOICE, help=f"espeak-ng voice (default {VOICE}: not one the project uses)")
    p.add_argument("--limit", type=int, help="only the first N English replies")
    p.add_argument("--mistakes", action="store_true", help="list the transcripts whose judgement changed")
    p.add_argument("--speed", action="store_true", help="also run the speed benchmark")
    p.add_argument("--save", metavar="OUT.jsonl", help="write the transcribed replies as a labelled file "
                   "(same labels), to run eval-cues on them with other rules")
    args = p.parse_args(argv)
    if args.speed or not args.files:
        bench_speed(lambda name, value, unit, note="": print(f"  {name:<48} {value:>10.3f} {unit:<6} {note}"))
    if not args.files:
        return 0
    t0 = time.perf_counter()
    written, heard, seconds, spoken = spoken_evaluation(args.files, voice=args.voice, limit=args.limit,
                                                        say=lambda m: print(m, file=sys.stderr))
    print(f"\n{written.replies} English replies, {seconds:.0f} s of speech ({args.voice} -> tiny.en), "
          f"{time.perf_counter() - t0:.0f} s")
    print(f"{'cue':<20} {'written P/R/F1':>18} {'spoken P/R/F1':>18} {'support':>8}")
    for name, w in written.per_cue.items():
        s = heard.per_cue[name]
        if w.support or w.found or s.found:
            print(f"{name:<20} {w.precision:>6.2f}{w.recall:>6.2f}{w.f1:>6.2f} {s.precision:>6.2f}{s.recall:>6.2f}"
                  f"{s.f1:>6.2f} {w.support:>8}")
    print(f"micro-F1 written {written.micro_f1:.3f}   spoken {heard.micro_f1:.3f}")
    if args.save:
        import json

        with open(args.save, "w", encoding="utf-8") as f:
            for item in spoken:
                row = {"ctx": item.ctx, "reply": item.reply, "cues": list(item.cues), "language": "en"}
                if item.history:
                    row["history"] = list(item.history)
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.mistakes:
        wrong = {m.where: m for m in heard.mistakes}
        right = {m.where for m in written.mistakes}
        for item in spoken:
            m = wrong.get(item.where)
            if m and item.where not in right:
                print(f"  {item.where}: heard {item.reply!r}: missed {list(m.missed)}, extra {list(m.extra)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
