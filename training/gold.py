"""The hand-checked conflict gold set: loading its stand-off lines and scoring against it.

The gold set (``annotations/gold/conflict-gold.jsonl``) stores no text, only
``(dataset, split, record_id, sentence_start, start, end, head, label)`` lines that
point into the shared datasets (format: ``docs/annotation-guidelines.md``, "Stand-off
storage"). Loading re-reads the documents, checks that every sentence is still a
sentence of strife's segmenter and every span lies on word boundaries inside it, and
fails loudly, naming the line, if a dataset file changed under the annotations.

Scoring takes predictions in the record schema of the extractor (sentence-relative
``spans`` with ``label``, start and end; sentence labels) from any labeller, so the
neural model, its ONNX export and the rule baseline are scored by one function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from strife.errors import DataError, at
from strife.inference.segment import Span, split_sentences, split_words
from strife.inference.totals import CASUALTY_TYPES, add_counts, sentence_totals
from strife.training.documents import document_text, json_lines
from strife.training.metrics import binary_f1, single_label_metrics, token_metrics

GOLD_PATH = Path(__file__).resolve().parent.parent / "annotations" / "gold" / "conflict-gold.jsonl"
TOKEN_HEADS = {"actors": ("SOURCE", "TARGET", "RECIPROCAL"), "casualties": ("KILLED", "INJURED", "CAPTURED")}
EVENT_TYPES = ("attack", "arrest", "abduction", "protest", "talks", "aid")
PENTACLASS = ("statement", "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
_FIELDS = ("dataset", "split", "record_id", "sentence_start", "start", "end", "head", "label")


@dataclass
class GoldSentence:
    """One gold sentence; span offsets are relative to the sentence text."""

    dataset: str
    split: str
    record_id: str
    start: int
    text: str
    spans: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {h: [] for h in TOKEN_HEADS})
    event_types: list[str] = field(default_factory=list)
    pentaclass: str | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return self.dataset, self.record_id, self.start


def _check_line(row: dict[str, Any], where: str) -> None:
    missing = [name for name in _FIELDS if name not in row]
    if missing:
        raise DataError(f"{where}: missing field(s) {missing}")
    head, label = row["head"], row["label"]
    allowed = {**TOKEN_HEADS, "event_types": EVENT_TYPES, "pentaclass": PENTACLASS}
    if head not in allowed:
        raise DataError(f"{where}: field 'head' is {head!r}, expected one of {sorted(allowed)}")
    if label not in allowed[head]:
        raise DataError(f"{where}: field 'label' is {label!r}, not a label of head {head!r} {allowed[head]}")


def _sentence(text: str, start: int, where: str) -> Span:
    for sentence in split_sentences(text):
        if sentence.start == start:
            return sentence
    raise DataError(f"{where}: no sentence of the segmenter starts at {start}; did the dataset file or "
                    f"strife.inference.segment change?")


def load_gold(path: str | Path = GOLD_PATH, root: str | Path | None = None) -> list[GoldSentence]:
    """Every gold sentence, in file order, checked against the documents under ``root``."""
    from strife.training.data_root import find_data_root

    path, root = Path(path), find_data_root(root)
    if not path.is_file():
        raise DataError(f"{path}: gold file not found")
    sentences: dict[tuple[str, str, int], GoldSentence] = {}
    for number, row in json_lines(path):
        where = at(path, number)
        _check_line(row, where)
        key = (row["dataset"], row["record_id"], int(row["sentence_start"]))
        if key not in sentences:
            try:
                text = document_text(row["dataset"], row["record_id"], root, row["split"])
            except DataError as exc:
                raise DataError(f"{where}: {exc}") from None
            sentence = _sentence(text, key[2], where)
            sentences[key] = GoldSentence(row["dataset"], row["split"], row["record_id"], sentence.start, sentence.text)
        gold = sentences[key]
        _add(gold, row, where)
    for gold in sentences.values():
        if gold.pentaclass is None:
            raise DataError(f"{path}: sentence {gold.key} has no pentaclass line, so it is not marked done")
    return list(sentences.values())


def _add(gold: GoldSentence, row: dict[str, Any], where: str) -> None:
    head, label = row["head"], row["label"]
    if head == "pentaclass":
        if gold.pentaclass is not None:
            raise DataError(f"{where}: second pentaclass line for sentence {gold.key}")
        gold.pentaclass = label
    elif head == "event_types":
        gold.event_types.append(label)
    else:
        start, end = int(row["start"]) - gold.start, int(row["end"]) - gold.start
        if not 0 <= start < end <= len(gold.text):
            raise DataError(f"{where}: span {row['start']}-{row['end']} is outside its sentence")
        words = split_words(Span(gold.text, 0, len(gold.text)))
        if not any(w.start == start for w in words) or not any(w.end == end for w in words):
            raise DataError(f"{where}: span {row['start']}-{row['end']} does not start and end on words")
        span = {"start": start, "end": end, "label": label, "text": gold.text[start:end]}
        gold.spans[head].append(span)


def iob_tags(text: str, spans: list[dict[str, Any]]) -> list[str]:
    """IOB2 tags over strife's words of ``text`` for character spans (a word belongs to
    the first span that covers it entirely; spans off word boundaries shrink to them)."""
    words = split_words(Span(text, 0, len(text)))
    tags = ["O"] * len(words)
    for span in sorted(spans, key=lambda s: s["start"]):
        inside = [i for i, w in enumerate(words) if w.start >= span["start"] and w.end <= span["end"]]
        inside = [i for i in inside if tags[i] == "O"]
        for n, i in enumerate(inside):
            tags[i] = ("B-" if n == 0 or inside[n - 1] != i - 1 else "I-") + span["label"]
    return tags


def count_scores(gold: list[GoldSentence], predicted: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Exact-count accuracy and mean absolute error of sentence totals per casualty type,
    over the sentences whose gold total is above zero, and exact accuracy over all."""
    scores: dict[str, Any] = {}
    gold_totals = [sentence_totals(_counted(g.text, g.spans["casualties"]), g.text) for g in gold]
    pred_totals = [sentence_totals(_counted(g.text, p), g.text) for g, p in zip(gold, predicted)]
    for kind in CASUALTY_TYPES.values():
        g = np.array([t[kind] for t in gold_totals])
        p = np.array([t[kind] for t in pred_totals])
        with_count = g > 0
        scores[kind] = {
            "sentences_with_gold_count": int(with_count.sum()),
            "exact_accuracy": float(np.mean(g[with_count] == p[with_count])) if with_count.any() else None,
            "mae": float(np.mean(np.abs(g[with_count] - p[with_count]))) if with_count.any() else None,
            "exact_accuracy_all_sentences": float(np.mean(g == p)),
        }
    return scores


def _counted(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Spans with counts derived from the sentence text at their offsets."""
    copies = [{**span, "text": text[span["start"]:span["end"]]} for span in spans]
    add_counts(copies)
    return copies


def score(gold: list[GoldSentence], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Scores of one labeller; ``predictions[i]`` belongs to ``gold[i]`` and holds ``spans``
    (head -> sentence-relative spans) and optionally ``event_types`` and ``pentaclass``.
    A head missing from every prediction is not scored."""
    if len(predictions) != len(gold):
        raise ValueError(f"{len(predictions)} predictions for {len(gold)} gold sentences")
    result: dict[str, Any] = {"sentences": len(gold)}
    for head in TOKEN_HEADS:
        if any(head in p.get("spans", {}) for p in predictions):
            result[head] = token_metrics([iob_tags(g.text, g.spans[head]) for g in gold],
                                         [iob_tags(g.text, p["spans"].get(head, [])) for g, p in zip(gold, predictions)])
    if any("casualties" in p.get("spans", {}) for p in predictions):
        result["counts"] = count_scores(gold, [p["spans"].get("casualties", []) for p in predictions])
    if any("event_types" in p for p in predictions):
        result["event_types"] = _multi_label(gold, predictions)
    if any("pentaclass" in p for p in predictions):
        result["pentaclass"] = single_label_metrics([PENTACLASS.index(g.pentaclass) for g in gold],
                                                    [PENTACLASS.index(p["pentaclass"]) for p in predictions],
                                                    list(PENTACLASS))
    return result


def _multi_label(gold: list[GoldSentence], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-label and macro F1 over the gold set's six event types."""
    g = np.array([[label in s.event_types for label in EVENT_TYPES] for s in gold], dtype=float)
    p = np.array([[label in x.get("event_types", []) for label in EVENT_TYPES] for x in predictions], dtype=float)
    per_label = {}
    for j, label in enumerate(EVENT_TYPES):
        per_label[label] = {"f1": binary_f1(g[:, j], p[:, j]), "support": int(g[:, j].sum())}
    supported = [v["f1"] for v in per_label.values() if v["support"]]
    return {"f1_macro": float(np.mean(supported)) if supported else 0.0,
            "f1_micro": binary_f1(g, p), "per_label": per_label}
