"""Scores for every head type, defined so they compare with published numbers.

Token heads: seqeval in strict IOB2 mode (an entity counts only if its type and both
boundaries match). Sentence heads: accuracy and F1. Multi-label heads: per-label,
micro and macro F1 at per-label thresholds tuned on dev, plus the example-based F1
of ConfliBERT's ``example_based.py`` (examples where gold and prediction are both
empty are dropped), so the benchmark table is like for like.
"""

from __future__ import annotations

import numpy as np
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)


def token_metrics(gold: list[list[str]], pred: list[list[str]]) -> dict[str, object]:
    """Strict IOB2 span scores: micro and macro F1, precision, recall, per-type report."""
    report = classification_report(gold, pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    per_type = {
        name: {k: float(v) for k, v in row.items()}
        for name, row in report.items()
        if not name.endswith(" avg")
    }
    micro, macro = report.get("micro avg", {}), report.get("macro avg", {})
    return {
        "f1_micro": _finite(micro.get("f1-score")),
        "f1_macro": _finite(macro.get("f1-score")),
        "precision_micro": _finite(micro.get("precision")),
        "recall_micro": _finite(micro.get("recall")),
        "per_type": per_type,
    }


def _finite(value: object) -> float:
    """seqeval averages over zero entity types give NaN; report 0.0 (valid JSON) instead."""
    number = float(value) if value is not None else 0.0  # type: ignore[arg-type]
    return number if np.isfinite(number) else 0.0


def single_label_metrics(gold: list[int], pred: list[int], labels: list[str]) -> dict[str, object]:
    """Accuracy, macro and micro F1 and per-class F1 of a softmax head."""
    ids = list(range(len(labels)))
    _, _, f1, support = precision_recall_fscore_support(gold, pred, labels=ids, zero_division=0)
    return {
        "accuracy": float(accuracy_score(gold, pred)),
        "f1_macro": float(f1_score(gold, pred, labels=ids, average="macro", zero_division=0)),
        "f1_micro": float(f1_score(gold, pred, labels=ids, average="micro", zero_division=0)),
        "per_label": {labels[i]: {"f1": float(f1[i]), "support": int(support[i])} for i in ids},
    }


def example_based_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Mean per-example F1, dropping examples where gold and prediction are both empty.

    >>> example_based_f1(np.array([[1, 0], [0, 0], [1, 1]]), np.array([[1, 0], [0, 0], [1, 0]]))
    0.8333333333333334
    """
    keep = (gold.sum(axis=1) + pred.sum(axis=1)) > 0
    if not keep.any():
        return 0.0
    gold, pred = gold[keep], pred[keep]
    both = np.logical_and(gold, pred).sum(axis=1)
    return float(np.mean(2 * both / (gold.sum(axis=1) + pred.sum(axis=1))))


def binary_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """F1 of 0/1 arrays (all cells pooled); 0.0 when neither has a positive."""
    tp = float(np.sum(gold * pred))
    denominator = float(np.sum(gold) + np.sum(pred))
    return 2 * tp / denominator if denominator else 0.0


def tune_thresholds(gold: np.ndarray, probs: np.ndarray, mask: np.ndarray) -> list[float]:
    """Per-label threshold from a fixed grid that maximises that label's F1 on dev.

    Only annotated cells count; ties go to the threshold closest to 0.5.
    """
    thresholds = []
    for j in range(gold.shape[1]):
        rows = mask[:, j] > 0
        if not rows.any():
            thresholds.append(0.5)
            continue
        scores = [(binary_f1(gold[rows, j], (probs[rows, j] >= t).astype(float)), -abs(t - 0.5), t)
                  for t in THRESHOLD_GRID]
        thresholds.append(float(max(scores)[2]))
    return thresholds


def multi_label_metrics(
    gold: np.ndarray, probs: np.ndarray, mask: np.ndarray, thresholds: list[float], labels: list[str]
) -> dict[str, object]:
    """Per-label, micro and macro F1 and example-based F1 over annotated cells."""
    pred = (probs >= np.asarray(thresholds)[None, :]).astype(float)
    per_label = {}
    for j, label in enumerate(labels):
        rows = mask[:, j] > 0
        if rows.any():
            per_label[label] = {"f1": binary_f1(gold[rows, j], pred[rows, j]), "support": int(gold[rows, j].sum())}
    # Example-based F1 over the labels this data annotates, on rows annotated on all of them.
    columns = mask.max(axis=0) > 0
    rows = mask[:, columns].min(axis=1) > 0 if columns.any() else np.zeros(len(mask), dtype=bool)
    return {
        "f1_micro": binary_f1(gold * mask, pred * mask),
        "f1_macro": float(np.mean([v["f1"] for v in per_label.values()])) if per_label else 0.0,
        "example_f1": example_based_f1(gold[rows][:, columns], pred[rows][:, columns]),
        "per_label": per_label,
        "thresholds": dict(zip(labels, thresholds)),
    }
