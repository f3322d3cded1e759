"""Word error rate: the one measure of how closely a transcript matches what was said
(used by the tests and the benchmarks). English text goes through Whisper's English
normaliser (numbers, spellings, contractions), other languages through voicedrill's
``asr.normalize`` (lower case, ё as е, no punctuation)."""

from __future__ import annotations


def word_errors(reference: str, hypothesis: str, *, language: str = "en") -> tuple[int, int]:
    """(substitutions + deletions + insertions, words in the reference), after normalising."""
    if language == "en":
        from whisper.normalizers import EnglishTextNormalizer  # heavy: only where WER is measured

        norm = EnglishTextNormalizer()
    else:
        from .asr import normalize as norm
    ref, hyp = norm(reference).split(), norm(hypothesis).split()
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)], len(ref)


def wer(reference: str, hypothesis: str, *, language: str = "en") -> float:
    """Word error rate (0 = identical; can exceed 1 when the hypothesis adds words)."""
    errors, words = word_errors(reference, hypothesis, language=language)
    return errors / max(1, words)
