"""The gold set's stand-off loader and scorer, and the annotation batch checker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from strife.errors import DataError
from strife.training.gold import count_scores, iob_tags, load_gold, score

REPO = Path(__file__).resolve().parent.parent
SENTENCES = [
    "Militants killed 27 soldiers and three police in Kupwara.",
    "Police arrested two men on Monday.",
    "Ministers said talks would continue.",
]
DATASET = "conflibert/satp_relevant"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / DATASET
    folder.mkdir(parents=True)
    (folder / "test.tsv").write_text("".join(f"{s}\t1\t0\t0\t0\n" for s in SENTENCES), encoding="utf-8")
    return tmp_path / "data"


def _line(n: int, head: str, label: str, quote: str | None = None) -> dict:
    text = SENTENCES[n]
    start, end = (text.index(quote), text.index(quote) + len(quote)) if quote else (0, len(text))
    return {"dataset": DATASET, "split": "test", "record_id": f"{DATASET}:test:{n + 1}", "sentence_start": 0,
            "start": start, "end": end, "head": head, "label": label}


GOLD_LINES = [
    _line(0, "actors", "SOURCE", "Militants"),
    _line(0, "actors", "TARGET", "27 soldiers and three police"),
    _line(0, "casualties", "KILLED", "27 soldiers and three police"),
    _line(0, "event_types", "attack"),
    _line(0, "pentaclass", "material_conflict"),
    _line(1, "actors", "SOURCE", "Police"),
    _line(1, "casualties", "CAPTURED", "two men"),
    _line(1, "event_types", "arrest"),
    _line(1, "pentaclass", "material_conflict"),
    _line(2, "pentaclass", "statement"),
]


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_load_gold_resolves_texts_and_relative_spans(tmp_path: Path, root: Path) -> None:
    gold = load_gold(_write(tmp_path / "gold.jsonl", GOLD_LINES), root)
    assert [g.text for g in gold] == SENTENCES
    assert gold[0].spans["casualties"] == [{"start": 17, "end": 45, "label": "KILLED",
                                            "text": "27 soldiers and three police"}]
    assert gold[1].event_types == ["arrest"] and gold[2].pentaclass == "statement"


@pytest.mark.parametrize("change, message", [
    ({"label": "DEAD"}, "field 'label' is 'DEAD'"),
    ({"head": "victims"}, "field 'head' is 'victims'"),
    ({"start": 1}, "does not start and end on words"),
    ({"sentence_start": 3}, "no sentence of the segmenter starts at 3"),
    ({"record_id": f"{DATASET}:test:9"}, "no record"),
])
def test_load_gold_names_the_bad_line(tmp_path: Path, root: Path, change: dict, message: str) -> None:
    lines = [dict(GOLD_LINES[0]), *GOLD_LINES[1:]]
    lines[0].update(change)
    with pytest.raises(DataError, match=message) as error:
        load_gold(_write(tmp_path / "gold.jsonl", lines), root)
    assert "gold.jsonl:1" in str(error.value)


def test_sentence_without_pentaclass_is_not_done(tmp_path: Path, root: Path) -> None:
    with pytest.raises(DataError, match="no pentaclass line"):
        load_gold(_write(tmp_path / "gold.jsonl", GOLD_LINES[:4]), root)


def test_load_gold_notices_a_changed_dataset(tmp_path: Path, root: Path) -> None:
    gold_file = _write(tmp_path / "gold.jsonl", GOLD_LINES)
    (root / DATASET / "test.tsv").write_text("Short.\t1\t0\t0\t0\n" * 3, encoding="utf-8")
    with pytest.raises(DataError):
        load_gold(gold_file, root)


def test_iob_tags_cover_whole_words() -> None:
    text = "Police arrested two men on Monday."
    assert iob_tags(text, [{"start": 16, "end": 23, "label": "CAPTURED"}]) == \
        ["O", "O", "B-CAPTURED", "I-CAPTURED", "O", "O", "O"]


def test_perfect_predictions_score_one_and_misses_lower_it(tmp_path: Path, root: Path) -> None:
    gold = load_gold(_write(tmp_path / "gold.jsonl", GOLD_LINES), root)
    perfect = [{"spans": g.spans, "event_types": g.event_types, "pentaclass": g.pentaclass} for g in gold]
    scores = score(gold, perfect)
    assert scores["casualties"]["f1_micro"] == 1.0 and scores["actors"]["f1_micro"] == 1.0
    assert scores["counts"]["killed"]["exact_accuracy"] == 1.0 and scores["pentaclass"]["accuracy"] == 1.0
    short = [dict(p, spans={**p["spans"], "casualties": [
        {**s, "start": s["start"] + 3} for s in p["spans"]["casualties"]]}) for p in perfect]
    worse = score(gold, short)
    assert worse["casualties"]["f1_micro"] == 0.0
    assert worse["counts"]["killed"]["exact_accuracy"] == 0.0  # "soldiers and three police" counts 3, not 30


def test_count_scores_sum_spans_and_skip_sentences_without_counts(tmp_path: Path, root: Path) -> None:
    gold = load_gold(_write(tmp_path / "gold.jsonl", GOLD_LINES), root)
    predicted = [[{"start": 17, "end": 28, "label": "KILLED", "text": "27 soldiers"}], [], []]
    killed = count_scores(gold, predicted)["killed"]
    assert killed == {"sentences_with_gold_count": 1, "exact_accuracy": 0.0, "mae": 3.0,
                      "exact_accuracy_all_sentences": pytest.approx(2 / 3)}


def test_build_gold_turns_quotes_into_lines_that_load(tmp_path: Path, root: Path) -> None:
    work = [{"uid": f"g{n}", "dataset": DATASET, "split": "test", "record_id": f"{DATASET}:test:{n + 1}",
             "sentence_start": 0, "sentence_end": len(s), "text": s} for n, s in enumerate(SENTENCES)]
    batch = [{"uid": "g0", "actors": [["Militants", "SOURCE"]], "casualties": [["27 soldiers and three police", "KILLED"]],
              "event_types": ["attack"], "pentaclass": "material_conflict"},
             {"uid": "g1", "casualties": [["two men", "CAPTURED"]], "pentaclass": "material_conflict"},
             {"uid": "g2", "pentaclass": "statement"}]
    args = [sys.executable, str(REPO / "annotations" / "build_gold.py"), "--worklist", str(_write(tmp_path / "w.jsonl", work)),
            "--batch", str(_write(tmp_path / "b.jsonl", batch)), "--output", str(tmp_path / "gold.jsonl")]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert "'count': 30" in done.stdout
    assert [g.spans["casualties"][0]["text"] for g in load_gold(tmp_path / "gold.jsonl", root)[:2]] == \
        ["27 soldiers and three police", "two men"]
    batch[0]["casualties"] = [["27 soldier", "KILLED"]]
    _write(tmp_path / "b.jsonl", batch)
    failed = subprocess.run(args, capture_output=True, text=True)
    assert failed.returncode == 1 and "inside a word" in failed.stdout


def test_build_gold_widens_spans_to_whole_strife_words() -> None:
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_gold", REPO / "annotations" / "build_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    text = "The location of Michael Brown's death was cordoned off."
    work = {"uid": "g0", "dataset": DATASET, "split": "test", "record_id": "r", "sentence_start": 100, "text": text,
            "sentence_end": 100 + len(text)}
    problems, lines, counts = module.check_sentence(
        work, {"uid": "g0", "casualties": [["Michael Brown", "KILLED"]], "pentaclass": "statement"})
    assert not problems
    assert [(line["start"], line["end"]) for line in lines if line["head"] == "casualties"] == [(116, 131)]
    assert "'Michael Brown\\'s'" in counts[0] or "Michael Brown's" in counts[0]


def test_benchmark_breaks_scores_down_by_source(tmp_path: Path, root: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("conflict_benchmark", REPO / "benchmarks" / "conflict.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    gold = load_gold(_write(tmp_path / "gold.jsonl", GOLD_LINES), root)
    perfect = [{"spans": g.spans, "event_types": g.event_types, "pentaclass": g.pentaclass} for g in gold]
    empty = [{"spans": {"casualties": []}} for _ in gold]
    per_source = benchmark.by_source(gold, {"model": perfect, "rules": empty})
    assert per_source == {DATASET: {"sentences": 3, "model": {"actors": 1.0, "casualties": 1.0},
                                    "rules": {"casualties": 0.0}}}
    assert "| conflibert/satp_relevant | 3 | 1.000 | 1.000 | 0.000 |" in benchmark.source_table(per_source)
