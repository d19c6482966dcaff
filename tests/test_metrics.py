"""Scores of every head type (training/metrics.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from strife.training.metrics import (
    example_based_f1,
    multi_label_metrics,
    single_label_metrics,
    token_metrics,
    tune_thresholds,
)


def test_token_metrics_exact_match_scores_one() -> None:
    gold = [["B-S", "I-S", "O", "B-T"]]
    scores = token_metrics(gold, gold)
    assert scores["f1_micro"] == 1.0 and scores["f1_macro"] == 1.0
    assert set(scores["per_type"]) == {"S", "T"}


def test_token_metrics_counts_a_wrong_boundary_as_an_error() -> None:
    scores = token_metrics([["B-S", "I-S", "O"]], [["B-S", "O", "O"]])
    assert scores["f1_micro"] == 0.0
    assert scores["precision_micro"] == 0.0 and scores["recall_micro"] == 0.0


def test_token_metrics_is_strict_about_an_entity_without_b() -> None:
    gold = [["B-S", "I-S", "O"]]
    assert token_metrics(gold, [["I-S", "I-S", "O"]])["f1_micro"] == 0.0
    assert token_metrics(gold, [["B-S", "I-S", "O"]])["f1_micro"] == 1.0


def test_token_metrics_micro_and_macro_average_differently() -> None:
    gold = [["B-S", "O", "B-T"], ["B-S", "O"]]
    pred = [["B-S", "O", "O"], ["B-S", "O"]]
    scores = token_metrics(gold, pred)
    # S: 2/2 found, f1 1; T: missed, f1 0. Micro: precision 1, recall 2/3.
    assert scores["f1_macro"] == pytest.approx(0.5)
    assert scores["f1_micro"] == pytest.approx(0.8)
    assert scores["recall_micro"] == pytest.approx(2 / 3)
    assert scores["per_type"]["T"]["f1-score"] == 0.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_token_metrics_without_any_entity_gives_finite_scores() -> None:
    scores = token_metrics([["O", "O"]], [["O", "O"]])
    assert all(math.isfinite(scores[k]) for k in ("f1_micro", "f1_macro", "precision_micro", "recall_micro"))


def test_single_label_metrics_accuracy_and_f1() -> None:
    scores = single_label_metrics([0, 0, 1, 2], [0, 1, 1, 2], ["a", "b", "c"])
    assert scores["accuracy"] == pytest.approx(0.75)
    assert scores["f1_micro"] == pytest.approx(0.75)
    # a: p 1 r .5 f 2/3; b: p .5 r 1 f 2/3; c: 1.
    assert scores["f1_macro"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert scores["per_label"]["a"] == {"f1": pytest.approx(2 / 3), "support": 2}


def test_example_based_f1_matches_a_hand_computed_value() -> None:
    gold = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 1, 0]])
    pred = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0], [0, 0, 1]])
    # rows: 2*1/3, 2*1/3, dropped (both empty), 0/3 -> mean over three rows.
    assert example_based_f1(gold, pred) == pytest.approx(4 / 9)


def test_example_based_f1_drops_rows_where_gold_and_prediction_are_empty() -> None:
    gold = np.array([[1, 0], [0, 0], [0, 0]])
    pred = np.array([[1, 0], [0, 0], [0, 0]])
    assert example_based_f1(gold, pred) == 1.0


def test_example_based_f1_of_only_empty_rows_is_zero() -> None:
    assert example_based_f1(np.zeros((2, 3)), np.zeros((2, 3))) == 0.0


def test_tune_thresholds_picks_a_separating_threshold_closest_to_one_half() -> None:
    gold = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 0], [0, 0, 1], [0, 0, 0]], dtype=float)
    probs = np.array([[0.90, 0.30, 0.9], [0.85, 0.25, 0.1], [0.70, 0.10, 0.5], [0.60, 0.05, 0.5],
                      [0.99, 0.90, 0.5]])
    mask = np.array([[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0], [0, 0, 0]], dtype=float)
    # label 0 separates in (0.70, 0.85], label 1 in (0.10, 0.25]; the masked last row
    # (a confident false positive) must not matter; label 2 is never annotated.
    assert tune_thresholds(gold, probs, mask) == [0.75, 0.25, 0.5]


def test_multi_label_metrics_ignore_masked_cells() -> None:
    gold = np.array([[1, 0, 0], [0, 1, 0]], dtype=float)
    probs = np.array([[0.9, 0.1, 0.9], [0.2, 0.8, 0.9]])
    mask = np.array([[1, 1, 0], [1, 1, 0]], dtype=float)
    scores = multi_label_metrics(gold, probs, mask, [0.5, 0.5, 0.5], ["a", "b", "c"])
    assert scores["f1_micro"] == 1.0 and scores["f1_macro"] == 1.0
    assert set(scores["per_label"]) == {"a", "b"}
    assert scores["thresholds"] == {"a": 0.5, "b": 0.5, "c": 0.5}


def test_multi_label_metrics_apply_per_label_thresholds() -> None:
    gold = np.array([[1, 1]], dtype=float)
    probs = np.array([[0.4, 0.4]])
    scores = multi_label_metrics(gold, probs, np.ones((1, 2)), [0.3, 0.5], ["a", "b"])
    assert scores["per_label"]["a"]["f1"] == 1.0 and scores["per_label"]["b"]["f1"] == 0.0
    assert scores["example_f1"] == pytest.approx(2 / 3)


def test_multi_label_example_f1_uses_the_labels_the_dataset_annotates() -> None:
    gold = np.array([[1, 0, 0], [0, 1, 0]], dtype=float)
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0]])
    mask = np.array([[1, 1, 0], [1, 1, 0]], dtype=float)
    assert multi_label_metrics(gold, probs, mask, [0.5] * 3, ["a", "b", "c"])["example_f1"] == 1.0


def test_head_thresholds_are_tuned_on_every_dev_set_of_the_head_pooled() -> None:
    """Two dev sets of one head, each annotating one label: each label's threshold must
    come from the set that annotates it (set-by-set tuning let the last set win)."""
    from strife.training.evaluation import EvalSet, tune_head_thresholds
    from strife.training.features import Features

    def dev(name: str, gold: list[list[float]], mask: list[float], probs: list[list[float]]) -> tuple[EvalSet, np.ndarray]:
        features = [Features([0], [None], 0, multi_labels={"events": (g, mask)}) for g in gold]
        return EvalSet(name, "events", [], features), np.array(probs)

    first = dev("a", [[1, 0], [0, 0]], [1, 0], [[0.3, 0.9], [0.1, 0.9]])    # label 0 separable at 0.2-0.3
    second = dev("b", [[0, 1], [0, 0]], [0, 1], [[0.9, 0.8], [0.9, 0.6]])   # label 1 separable at 0.65-0.8
    probs = {"a": first[1], "b": second[1]}

    class Stored:  # stands in for Predictions: these probabilities, no model
        def score(self, eval_set: EvalSet) -> tuple[dict[str, object], np.ndarray]:
            return {}, probs[eval_set.dataset]

    low, high = tune_head_thresholds(Stored(), [first[0], second[0]])  # type: ignore[arg-type]
    assert 0.1 < low <= 0.3 and 0.6 < high <= 0.8
