"""Command ``analyze``: score one recorded reply and show why.

Loads the reply, finds its onset with the VAD, transcribes it with Whisper (or takes
``--transcript``), scores it with a scoring script and prints cues with evidence,
pacing, vocal calm, the score and feedback. Imports no audio-device or TTS library.
"""

from __future__ import annotations

ORDER = 40


def register(subparsers, parents) -> None:
    p = subparsers.add_parser(
        "analyze",
        parents=parents,
        help="score one recorded reply: cues, pacing, vocal calm, feedback",
        description=(
            "Score one recorded reply against the perpetrator's line, as a drill would: "
            "active-listening cues with their evidence, pacing, vocal calm, the turn score "
            "and feedback. The recording is taken to start when the perpetrator's line ended "
            "(use --line-end when it starts earlier), so latency is the time to the first speech; "
            "a recording that starts with speech has no latency to judge."
        ),
    )
    p.add_argument("reply", metavar="REPLY", help="the reply recording (wav, flac, ogg, mp3, ...)")
    p.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="LINE",
        help="the perpetrator's line the reply answers; repeat for earlier lines "
        "(oldest first, the one answered last) so summaries can be recognised",
    )
    p.add_argument(
        "--script", metavar="FILE", help="scoring script YAML (default: the shipped default script)"
    )
    p.add_argument(
        "--language", choices=["en", "ru"], default="en", help="language of the drill (default: en)"
    )
    p.add_argument(
        "--perpetrator",
        default="",
        metavar="NAME",
        help='the perpetrator\'s name, used in the feedback ("Dan just spoke of dying...")',
    )
    p.add_argument(
        "--gender",
        choices=["male", "female"],
        default="",
        help="the perpetrator's gender, for the feedback's pronouns (default: neutral wording)",
    )
    p.add_argument(
        "--moment",
        action="append",
        default=[],
        choices=["suicide", "weapon", "demand"],
        help="what his line is about, as a scenario node's tag would say; repeatable "
        "(his words are read for it too)",
    )
    p.add_argument(
        "--transcript",
        metavar="TEXT",
        help="what was said, to skip speech recognition (word times are estimated from the audio)",
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="Whisper model name or checkpoint path (default: tiny.en for en, base for ru)",
    )
    p.add_argument(
        "--baseline",
        metavar="FILE",
        help="a calibration recording of the trainee's normal voice, for vocal calm",
    )
    p.add_argument(
        "--line-end",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="where in the recording the perpetrator's line ended (default: 0)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: transcript, cues [{name, evidence, start, end}], "
        "pacing, calm, score, feedback, ...",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    import json

    from ..audio import load_audio
    from ..errors import ParameterError
    from ..scoring import load_script, measure_baseline, score_turn

    script = load_script(args.script) if args.script else load_script()
    if not args.context:
        raise ParameterError('analyze needs the perpetrator\'s line: add --context "what he said".')
    if args.line_end < 0:
        raise ParameterError(f"--line-end must be 0 or more seconds, got {args.line_end}.")
    audio = load_audio(args.reply)
    reply = make_reply(audio, line_end=args.line_end, source=args.reply)
    transcript = get_transcript(audio, args)
    baseline = measure_baseline(load_audio(args.baseline)) if args.baseline else None
    context = _context(args)
    score = score_turn(reply, transcript, context, script, baseline)
    result = to_json(score, transcript, script, reply)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(render(result, args.language, baseline is not None))
    return 0


def _context(args):
    from ..types import TurnContext

    return TurnContext(
        language=args.language,
        perpetrator_lines=tuple(args.context),
        perpetrator=getattr(args, "perpetrator", ""),
        gender=getattr(args, "gender", ""),
        moments=tuple(getattr(args, "moment", ()) or ()),
    )


def make_reply(audio, *, line_end: float = 0.0, source: str = ""):
    """A ``Reply`` from a recording: onset/end from ``vad.speech_spans``, latency from
    ``line_end`` (seconds into the recording) to the onset (None when the recording
    starts with speech and no ``line_end`` is given)."""
    from .. import vad
    from ..types import Reply

    spans = vad.speech_spans(audio)
    if not spans:
        return Reply(audio=audio, onset=None, end=None, latency=None, source=source)
    onset, end = spans[0].start, spans[-1].end
    latency: float | None = round(onset - line_end, 3)
    if line_end == 0 and onset < 0.05:
        latency = None  # the file was cut at the speech: the latency cannot be known
    return Reply(
        audio=audio,
        onset=onset,
        end=end,
        latency=latency,
        interrupted=onset < line_end,
        source=source,
    )


def get_transcript(audio, args):
    from ..scoring.prosody import words_from_text

    if args.transcript is not None:
        return words_from_text(args.transcript, audio, args.language)
    try:
        from .. import asr  # lazily: torch and whisper load only when transcribing
    except ImportError as e:
        from ..errors import AsrError

        raise AsrError(
            f'speech recognition is not available ({e}); pass --transcript "what was said" '
            "to score the reply without it."
        ) from e
    name = args.model or ("tiny.en" if args.language == "en" else "base")
    model = asr.load_model(name)
    return asr.transcribe(model, audio, language=args.language)


def to_json(score, transcript, script, reply) -> dict:
    """The JSON object ``analyze --json`` prints."""
    from dataclasses import asdict

    return {
        "transcript": transcript.text,
        "language": transcript.language,
        "words": [asdict(w) for w in transcript.words],
        "cues": [
            {
                "name": c.name,
                "evidence": c.evidence,
                "start": c.start,
                "end": c.end,
                "kind": c.kind,
                "weight": script.weight(c.name),
                "forbidden": script.is_forbidden(c.name),
            }
            for c in score.cues
        ],
        "pacing": asdict(score.pacing),
        "calm": None if score.calm is None else asdict(score.calm),
        "score": score.score,
        "parts": None if score.parts is None else asdict(score.parts),
        "feedback": list(score.feedback),
        "silent": reply.silent,
        "script": str(script.path) if script.path else script.name,
        "script_hash": score.script_hash,
    }


def _fmt(value, spec: str, unit: str = "", none: str = "-") -> str:
    return none if value is None else f"{value:{spec}}{unit}"


def render(result: dict, language: str, has_baseline: bool) -> str:
    """The readable breakdown ``analyze`` prints."""
    from ..scoring.rubric import cue_label

    lines = [
        f"Transcript: {result['transcript']!r}"
        if result["transcript"]
        else "Transcript: (nothing said)"
    ]
    lines.append("Cues:")
    if not result["cues"]:
        lines.append("  (none)")
    for c in result["cues"]:
        sign = "+" if c["weight"] > 0 else ("-" if c["weight"] < 0 else " ")
        when = f"{c['start']:.2f}-{c['end']:.2f} s" if c["start"] is not None else ""
        flag = "  FORBIDDEN" if c["forbidden"] else ""
        lines.append(
            f"  {sign} {cue_label(c['name'], language):<22} {c['weight']:+.1f}  "
            f"\"{c['evidence']}\"  {when}{flag}"
        )
    p = result["pacing"]
    lines.append(
        f"Pacing: {p['words']} words, {_fmt(p['words_per_minute'], '.0f', ' wpm')} "
        f"(articulation {_fmt(p['articulation_rate'], '.0f', ' wpm')}), "
        f"latency {_fmt(p['latency'], '.2f', ' s')}, speech {p['speech_seconds']:.2f} s, "
        f"pauses {p['pause_count']} (longest {p['longest_pause']:.2f} s), "
        f"fillers {_fmt(p['fillers_per_minute'], '.1f', '/min')}"
    )
    c = result["calm"]
    if c is None:
        lines.append("Calm: - (no speech)")
    else:
        flags = f"  [{', '.join(c['flags'])}]" if c["flags"] else ""
        shift = lambda v, u: f" ({v:+.1f} {u} vs baseline)" if v is not None else ""  # noqa: E731
        lines.append(
            f"Calm: {c['score']:.2f}  pitch {_fmt(c['pitch_median_hz'], '.0f', ' Hz')}"
            f"{shift(c['pitch_shift_st'], 'st')}, spread {_fmt(c['pitch_spread_st'], '.1f', ' st')}; "
            f"loudness {_fmt(c['loudness_db'], '.1f', ' dBFS')}{shift(c['loudness_shift_db'], 'dB')}, "
            f"spread {_fmt(c['loudness_spread_db'], '.1f', ' dB')}{flags}"
        )
        if not has_baseline:
            lines.append(
                "      (no baseline: pass --baseline CALIBRATION.wav to compare with the trainee's normal voice)"
            )
    parts = result["parts"] or {}
    detail = ", ".join(
        f"{k} {_fmt(parts.get(k), '.2f')}" for k in ("cues", "pacing", "latency", "calm")
    )
    if parts.get("harmful_penalty"):
        detail += f"; harmful -{parts['harmful_penalty']:.1f}"
    if parts.get("forbidden"):
        detail += f"; capped (forbidden: {', '.join(parts['forbidden'])})"
    lines.append(f"Score: {result['score']:.1f} / 100  ({detail})")
    lines.append("Feedback:")
    lines.extend(f"  - {s}" for s in result["feedback"])
    lines.append(f"Script: {result['script']} ({result['script_hash']})")
    return "\n".join(lines)
