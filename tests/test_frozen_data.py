"""Frozen evaluation data: the blind labelled sets in tests/data/blind*/ never change.

They measure how well the cue detector generalises, so they are written once, without
reading the detector's rules, and frozen: each set's SHA256SUMS pins every file, every
written line parses with the blind sets' cue names, the trap files are half harmful, half
model, the counts in the set's README are the files' counts, and each spoken file keeps the
labels of the written file it was voiced from, line by line. New labelled data goes into a
new file with its own line in SHA256SUMS (a new set: a new entry in SETS); the rules are
never tuned in the same commit as labels. See tests/data/blind/README.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from voicedrill.scoring import names

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class FrozenSet:
    """A frozen set: its folder under tests/data/ (with SHA256SUMS and README.md) and its
    written files, in the order of the columns of the README's cue count table."""

    folder: str
    written: tuple[str, ...]
    cue_table: bool = True  # the README has a cue count table (the first set's has none)

    @property
    def path(self) -> Path:
        return DATA / self.folder


# Written out, not globbed: a set that goes missing fails instead of dropping out.
SETS = (
    FrozenSet("blind", ("cues_en_blind.jsonl", "cues_ru_blind.jsonl", "traps_en.jsonl", "traps_ru.jsonl"), cue_table=False),
    FrozenSet("blind2", ("cues_en_blind2.jsonl", "cues_ru_blind2.jsonl", "traps_en_blind2.jsonl", "traps_ru_blind2.jsonl")),
    FrozenSet("blind3", ("cues_en_blind3.jsonl", "cues_ru_blind3.jsonl", "traps_en_blind3.jsonl", "traps_ru_blind3.jsonl")),
    FrozenSet("blind4", ("cues_en_blind4.jsonl", "cues_ru_blind4.jsonl", "traps_en_blind4.jsonl", "traps_ru_blind4.jsonl")),
    FrozenSet("blind5", ("cues_en_blind5.jsonl", "cues_ru_blind5.jsonl", "traps_en_blind5.jsonl", "traps_ru_blind5.jsonl")),
    FrozenSet("blind6", ("cues_en_blind6.jsonl", "cues_ru_blind6.jsonl", "traps_en_blind6.jsonl", "traps_ru_blind6.jsonl")),
    FrozenSet("blind7", ("cues_en_blind7.jsonl", "cues_ru_blind7.jsonl", "traps_en_blind7.jsonl", "traps_ru_blind7.jsonl")),
    FrozenSet("blind8", ("cues_en_blind8.jsonl", "cues_ru_blind8.jsonl", "traps_en_blind8.jsonl", "traps_ru_blind8.jsonl")),
    FrozenSet("blind9", ("cues_en_blind9.jsonl", "cues_ru_blind9.jsonl", "traps_en_blind9.jsonl", "traps_ru_blind9.jsonl")),
    FrozenSet("blind10", ("cues_en_blind10.jsonl", "cues_ru_blind10.jsonl", "traps_en_blind10.jsonl", "traps_ru_blind10.jsonl")),
    FrozenSet("blind11", ("cues_en_blind11.jsonl", "cues_ru_blind11.jsonl", "traps_en_blind11.jsonl", "traps_ru_blind11.jsonl")),
    FrozenSet("blind12", ("cues_en_blind12.jsonl", "cues_ru_blind12.jsonl", "traps_en_blind12.jsonl", "traps_ru_blind12.jsonl")),
)

# The text cues these files may use, with their kinds, written out here on purpose:
# the inventory in voicedrill/scoring/names.py grows with issue 10 (seven new names),
# and a frozen file must stay checkable against the names it was labelled with.
BLIND_CUES = {
    "emotional_label": "helpful",
    "paraphrase": "helpful",
    "mirror": "helpful",
    "minimal_encourager": "helpful",
    "open_question": "helpful",
    "i_message": "helpful",
    "summary": "helpful",
    "suicide_question": "helpful",
    "deferring": "helpful",
    "closed_question": "neutral",
    "why_question": "harmful",
    "calm_down": "harmful",
    "promise": "harmful",
    "arguing": "harmful",
    "minimizing": "harmful",
    "threat": "harmful",
    "commanding": "harmful",
    "dare": "harmful",
    "conceding": "harmful",
    "hollow_empathy": "harmful",
    "blaming": "harmful",
    "insult": "harmful",
}
LABELLED_KEYS = ("ctx", "reply", "cues")  # required, in this order
TRAP_KEYS = ("ctx", "reply", "kind", "cues")
OPTIONAL_KEYS = ("history",)
SPOKEN_KEYS = ("text", "voice")  # a spoken file's keys after the written file's
CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
FROZEN_EDITED = "frozen evaluation data was edited; add new data in a new file instead"


def read_sums(sums_file: Path) -> dict[str, str]:
    """SHA256SUMS (``sha256sum`` format: hash, two spaces, file name) -> {name: hash}."""
    sums = {}
    for n, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"([0-9a-f]{64}) [ *]([^/\s]+)", line)
        assert m, f"{sums_file}:{n}: expected '<sha256>  <file name>', got {line!r}"
        assert m.group(2) not in sums, f"{sums_file}:{n}: {m.group(2)} is listed twice"
        sums[m.group(2)] = m.group(1)
    return sums


SUMS = {s.folder: read_sums(s.path / "SHA256SUMS") for s in SETS}


def frozen(select=lambda name: True) -> list:
    """pytest params (set, file name) of every file in the sets' SHA256SUMS that ``select`` keeps."""
    return [pytest.param(s, name, id=f"{s.folder}/{name}") for s in SETS for name in sorted(SUMS[s.folder]) if select(name)]


def by_set(sets=SETS) -> list:
    return [pytest.param(s, id=s.folder) for s in sets]


def spoken(name: str) -> bool:
    return name.startswith("spoken_")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path) -> list[tuple[int, dict]]:
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert raw.strip(), f"{path.name}:{n}: empty line"
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            pytest.fail(f"{path.name}:{n}: not valid JSON ({e.msg})")
        assert isinstance(obj, dict), f"{path.name}:{n}: expected a JSON object"
        out.append((n, obj))
    return out


@pytest.mark.parametrize("s", by_set())
def test_the_frozen_files_are_listed(s):
    assert set(s.written) <= set(SUMS[s.folder]), f"{s.path}/SHA256SUMS lacks {sorted(set(s.written) - set(SUMS[s.folder]))}"
    unlisted = sorted(p.name for p in s.path.glob("*.jsonl") if p.name not in SUMS[s.folder])
    assert not unlisted, f"{', '.join(unlisted)}: file in {s.path} without a line in SHA256SUMS; freeze it with `sha256sum NAME >> SHA256SUMS`"


@pytest.mark.parametrize("s,name", frozen())
def test_frozen_file_is_unchanged(s, name):
    path = s.path / name
    assert path.is_file(), f"{path}: listed in SHA256SUMS but missing; {FROZEN_EDITED}"
    assert sha256(path) == SUMS[s.folder][name], f"{path}: SHA-256 differs from SHA256SUMS: {FROZEN_EDITED}"


def test_an_edit_is_caught(tmp_path):
    """The check can fail: one changed character gives another hash."""
    s = SETS[0]
    name = sorted(SUMS[s.folder])[0]
    copy = tmp_path / name
    data = (s.path / name).read_bytes()
    copy.write_bytes(data.replace(b'"cues": [', b'"cues":  [', 1))
    assert sha256(copy) != SUMS[s.folder][name]


def test_blind_cue_list_agrees_with_the_inventory():
    # Every text cue the project knows is one these files may use, with the same kind;
    # the new names of issue 10 may not be in names.py yet (added on another branch).
    for cue in names.TEXT_CUES:
        assert cue in BLIND_CUES, f"'{cue}' is a text cue in names.py but unknown to the blind sets"
        assert names.cue_kind(cue) == BLIND_CUES[cue], f"'{cue}': kind differs from names.py"
    assert not set(BLIND_CUES) & set(names.AUDIO_CUES)


@pytest.mark.parametrize("s,name", frozen(lambda name: not spoken(name)))
def test_every_written_line_parses_with_known_cues(s, name):
    check_labelled(name, rows(s.path / name))


def check_labelled(name: str, items: list[tuple[int, dict]]) -> None:
    """Every line of a written blind file: its keys, language, known cues and cue rules."""
    trap = name.startswith("traps_")
    required = TRAP_KEYS if trap else LABELLED_KEYS
    russian = "_ru" in name
    assert len(items) >= 50, f"{name}: only {len(items)} replies"
    for n, obj in items:
        where = f"{name}:{n}"
        keys = [k for k in obj if k not in OPTIONAL_KEYS]
        assert keys == list(required), f"{where}: keys {keys}, expected {list(required)} (+ optional history)"
        assert isinstance(obj["ctx"], str) and obj["ctx"].strip(), f"{where}: 'ctx' must be non-empty text"
        assert isinstance(obj["reply"], str) and obj["reply"].strip(), f"{where}: 'reply' must be non-empty text"
        assert bool(CYRILLIC.search(obj["reply"])) == russian, f"{where}: reply in the wrong language for {name}"
        hist = obj.get("history", [])
        assert isinstance(hist, list) and all(isinstance(h, str) and h.strip() for h in hist), f"{where}: 'history' must be a list of lines"
        cues = obj["cues"]
        assert isinstance(cues, list) and len(set(cues)) == len(cues), f"{where}: 'cues' must be a list without repeats"
        unknown = [c for c in cues if c not in BLIND_CUES]
        assert not unknown, f"{where}: unknown cue {unknown[0]!r}; choose from: {', '.join(BLIND_CUES)}"
        assert "suicide_question" not in cues or "closed_question" not in cues, f"{where}: a direct suicide question is not also a closed question"
        if "summary" in cues:
            assert len(hist) >= 2, f"{where}: a summary needs at least two earlier lines in 'history'"
        if trap:
            kinds = {BLIND_CUES[c] for c in cues}
            if obj["kind"] == "harmful":
                assert "harmful" in kinds, f"{where}: a harmful trap reply needs a harmful cue"
            else:
                assert obj["kind"] == "model", f"{where}: kind must be 'harmful' or 'model'"
                assert "helpful" in kinds and "harmful" not in kinds, f"{where}: a model answer needs a helpful cue and no harmful one"


@pytest.mark.parametrize("s,name", frozen(lambda name: name.startswith("cues_")))
def test_every_text_cue_has_enough_examples(s, name):
    """At least 8 positives of every cue, and some replies without any cue."""
    items = rows(s.path / name)
    counts = {c: 0 for c in BLIND_CUES}
    for _, obj in items:
        for c in obj["cues"]:
            counts[c] += 1
    thin = {c: k for c, k in counts.items() if k < 8}
    assert not thin, f"{name}: fewer than 8 positives for {thin}"
    assert sum(not obj["cues"] for _, obj in items) >= len(items) // 20, f"{name}: too few replies without any cue"


@pytest.mark.parametrize("s,name", frozen(lambda name: name.startswith("traps_")))
def test_traps_are_half_harmful_half_model(s, name):
    kinds = [obj["kind"] for _, obj in rows(s.path / name)]
    assert kinds.count("harmful") == kinds.count("model"), f"{name}: {kinds.count('harmful')} harmful vs {kinds.count('model')} model"


def readme_tables(text: str) -> tuple[dict[str, int], dict[str, list[int]]]:
    """README.md -> ({file: replies}, {cue: [count per written file]}). A file row starts with
    a `*.jsonl` name; its replies are its first cell that is a number (the file tables, and
    the spoken tables with their `from` column). A cue row is a cue name and numbers only."""
    replies, counts = {}, {}
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        numbers = [c for c in cells[1:] if c.isdigit()]
        if re.fullmatch(r"`[\w.]+\.jsonl`", cells[0]) and numbers:
            replies[cells[0].strip("`")] = int(numbers[0])
        elif cells[0] in BLIND_CUES and len(cells) > 1 and all(c.isdigit() for c in cells[1:]):
            counts[cells[0]] = [int(c) for c in cells[1:]]
    return replies, counts


def check_readme(s: FrozenSet, text: str) -> None:
    """The README's file table gives every written file with its number of replies (and any
    other frozen file it lists, its own); its cue table, one count per written file."""
    readme = s.path / "README.md"
    replies, counts = readme_tables(text)
    assert set(s.written) <= set(replies), f"{readme}: the file table misses {sorted(set(s.written) - set(replies))}"
    strangers = sorted(set(replies) - set(SUMS[s.folder]))
    assert not strangers, f"{readme}: lists {strangers}, which are not in {s.folder}/SHA256SUMS"
    for name, said in replies.items():
        n = len(rows(s.path / name))
        assert said == n, f"{readme}: {name} has {n} replies, README says {said}"
    if not s.cue_table:
        assert not counts, f"{readme}: has a cue count table; set cue_table=True for {s.folder} in SETS"
        return
    assert set(counts) == set(BLIND_CUES), f"{readme}: cue table misses {sorted(set(BLIND_CUES) - set(counts))}"
    for col, name in enumerate(s.written):
        found = Counter(c for _, obj in rows(s.path / name) for c in obj["cues"])
        for cue, per_file in counts.items():
            assert len(per_file) == len(s.written), f"{readme}: row '{cue}' needs {len(s.written)} counts"
            assert per_file[col] == found[cue], f"{readme}: '{cue}' in {name} is {found[cue]}, README says {per_file[col]}"


@pytest.mark.parametrize("s", by_set())
def test_readme_counts_are_the_files_counts(s):
    check_readme(s, (s.path / "README.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("s", by_set())
def test_a_wrong_readme_count_is_caught(s):
    """The README check can fail: one reply count, and one cue count, changed by one."""
    text = (s.path / "README.md").read_text(encoding="utf-8")
    name = re.escape(s.written[0])
    wrong = re.sub(rf"(\|\s*`{name}`\s*\|\s*)(\d+)", lambda m: f"{m[1]}{int(m[2]) + 1}", text, count=1)
    assert wrong != text
    with pytest.raises(AssertionError, match="README says"):
        check_readme(s, wrong)
    if s.cue_table:
        wrong = re.sub(r"(\|\s*dare\s*\|\s*)(\d+)", lambda m: f"{m[1]}{int(m[2]) + 1}", text, count=1)
        assert wrong != text
        with pytest.raises(AssertionError, match="'dare' in .* README says"):
            check_readme(s, wrong)


def source_of(name: str, folder: Path) -> Path:
    """spoken_X.jsonl (or spoken_neural_X.jsonl, voiced by the neural voice) was voiced from
    X.jsonl in its own folder, else from the first set's blind/X.jsonl."""
    written = name.removeprefix("spoken_").removeprefix("neural_")
    return folder / written if (folder / written).is_file() else DATA / "blind" / written


@pytest.mark.parametrize("s,name", frozen(spoken))
def test_spoken_files_keep_the_written_labels(s, name):
    """Line N of spoken_X is line N of X, voiced: same context, history, kind and cues;
    `text` is the written reply, `reply` what Whisper heard, `voice` who spoke it."""
    source = source_of(name, s.path)
    assert source.is_file(), f"{name}: its written file {source} is missing"
    said, written = rows(s.path / name), rows(source)
    assert len(said) == len(written), f"{name}: {len(said)} lines, {source.name} has {len(written)}"
    neural = name.startswith("spoken_neural_")
    voices = ("piper",) if neural else ("gmw", "zle")  # spoken_neural_*: the neural voice
    for (n, line), (_, w) in zip(said, written, strict=True):
        where = f"{name}:{n}"
        assert list(line) == [*w, *SPOKEN_KEYS], f"{where}: keys {list(line)}, expected {[*w, *SPOKEN_KEYS]}"
        assert line["text"] == w["reply"], f"{where}: 'text' is not line {n} of {source.name}"
        assert {k: v for k, v in line.items() if k not in ("reply", *SPOKEN_KEYS)} == {k: v for k, v in w.items() if k != "reply"}, f"{where}: labels differ from {source.name}"
        assert isinstance(line["reply"], str), f"{where}: 'reply' (the transcript) must be text"
        assert isinstance(line["voice"], str) and line["voice"].replace(":", "/").split("/")[0] in voices, f"{where}: 'voice' must be one of {voices}"


# A second annotator's blind labels of blind8's cue replies (tests/data/relabel8/README.md):
# scripts/agreement.py measures how far two labellers agree. Frozen like the sets above.
RELABEL = DATA / "relabel8"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_second_annotator_labels_are_frozen_and_match_blind8_line_by_line(lang):
    name = f"labels_{lang}.jsonl"
    assert sha256(RELABEL / name) == read_sums(RELABEL / "SHA256SUMS")[name], f"relabel8/{name}: {FROZEN_EDITED}"
    second, first = rows(RELABEL / name), rows(DATA / "blind8" / f"cues_{lang}_blind8.jsonl")
    assert len(second) == len(first), f"relabel8/{name}: {len(second)} lines, blind8 has {len(first)}"
    for (n, line), (_, w) in zip(second, first, strict=True):
        assert {k: v for k, v in line.items() if k != "cues"} == {k: v for k, v in w.items() if k != "cues"}, f"relabel8/{name}:{n}: not blind8's reply"
        assert set(line["cues"]) <= set(BLIND_CUES), f"relabel8/{name}:{n}: unknown cue in {line['cues']}"
