"""Run a model over an evaluation set and score every head it has labels for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from strife.models.bio import viterbi_bio
from strife.models.config import HeadSpec
from strife.models.modeling import StrifeModel
from strife.training.collator import Collator, to_device
from strife.training.examples import Example
from strife.training.features import Features
from strife.training.metrics import multi_label_metrics, single_label_metrics, token_metrics, tune_thresholds

#: The metric each head type is selected on unless the config names another.
PRIMARY_METRIC = {"token": "f1_micro", "single_label": "f1_macro", "multi_label": "f1_micro"}


@dataclass
class EvalSet:
    """One dataset's split feeding one head, tokenised."""

    dataset: str
    head: str
    examples: list[Example]
    features: list[Features]

    @property
    def key(self) -> str:
        return f"{self.dataset}/{self.head}"


@torch.inference_mode()
def predict_heads(model: StrifeModel, features: list[Features], batch_size: int) -> list[dict[str, np.ndarray]]:
    """Every head's logits per example (sub-word rows for token heads), in input order;
    batches are sorted by length so that little is padding."""
    model.eval()
    collate = Collator(model.specs, model.pad_token_id)
    order = sorted(range(len(features)), key=lambda i: len(features[i].input_ids))
    out: list[dict[str, np.ndarray]] = [{} for _ in features]
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        batch = to_device(collate([features[i] for i in idx]), model.device)
        for head, logits in model(batch["input_ids"], batch["attention_mask"]).logits.items():
            values = logits.float().cpu().numpy()
            for row, i in enumerate(idx):
                out[i][head] = values[row, : len(features[i].input_ids)] if values.ndim == 3 else values[row]
    return out


class Predictions:
    """The model's logits for evaluation sets, each sentence encoded once for all heads.

    A converted source's dev sentences feed one :class:`EvalSet` per head, sharing the
    same :class:`Features` objects, and a multi-label head's sets are read twice (to tune
    thresholds, then to score). One forward pass gives every head, so scoring set by set
    encoded the hand-annotated dev sentences five times an epoch. Valid for one state of
    the weights: make a new one after training steps (thresholds may change meanwhile;
    they are read from the model when a set is scored).
    """

    def __init__(self, model: StrifeModel, batch_size: int) -> None:
        self.model, self.batch_size = model, batch_size
        self._logits: dict[int, tuple[Features, dict[str, np.ndarray]]] = {}  # by id(); keeps the object alive

    def logits(self, eval_set: EvalSet) -> list[np.ndarray]:
        """``eval_set``'s head's logits per example; encodes only sentences not seen yet."""
        missing = list({id(f): f for f in eval_set.features if id(f) not in self._logits}.values())
        for feature, logits in zip(missing, predict_heads(self.model, missing, self.batch_size)):
            self._logits[id(feature)] = (feature, logits)
        return [self._logits[id(f)][1][eval_set.head] for f in eval_set.features]

    def score(self, eval_set: EvalSet) -> tuple[dict[str, object], np.ndarray | None]:
        """Metrics of ``eval_set`` and, for a multi-label head, its probabilities."""
        return score_logits(self.model.specs[eval_set.head], eval_set, self.logits(eval_set))


def evaluate_sets(model: StrifeModel, sets: list[EvalSet], batch_size: int) -> dict[str, dict[str, object]]:
    """Metrics of every set, keyed ``dataset/head``, with the thresholds stored in the model."""
    predictions = Predictions(model, batch_size)
    return {s.key: predictions.score(s)[0] for s in sets}


def word_tags(logits: np.ndarray, feature: Features, labels: list[str]) -> list[str]:
    """Tags per word decoded as inference decodes them (:func:`viterbi_bio` over the
    first sub-word's log-probabilities), so dev scores and model selection measure what
    users get; words cut by truncation get ``O`` (``labels[0]``)."""
    scores = np.full((feature.n_words, len(labels)), -np.inf)
    scores[:, 0] = 0.0
    previous = None
    for position, word in enumerate(feature.word_ids):
        if word is not None and word != previous:
            row = logits[position].astype(np.float64)
            scores[word] = row - np.logaddexp.reduce(row)
        previous = word
    return viterbi_bio(scores, labels)


def score_logits(spec: HeadSpec, eval_set: EvalSet,
                 logits: list[np.ndarray]) -> tuple[dict[str, object], np.ndarray | None]:
    """Metrics of one head from its logits per example (sub-word rows for token heads),
    whatever produced them: the torch model here, or another runtime (ONNX) in benchmarks."""
    if spec.type == "token":
        gold = [ex.token_labels[eval_set.head] for ex in eval_set.examples]
        pred = [word_tags(lg, f, spec.labels) for lg, f in zip(logits, eval_set.features)]
        return token_metrics(gold, pred), None
    if spec.type == "single_label":
        gold_ids = [f.single_labels[eval_set.head] for f in eval_set.features]
        return single_label_metrics(gold_ids, [int(lg.argmax()) for lg in logits], spec.labels), None
    probs = 1.0 / (1.0 + np.exp(-np.stack(logits)))
    gold_arr = np.array([f.multi_labels[eval_set.head][0] for f in eval_set.features])
    mask = np.array([f.multi_labels[eval_set.head][1] for f in eval_set.features])
    used = spec.thresholds or [0.5] * len(spec.labels)
    return multi_label_metrics(gold_arr, probs, mask, used, spec.labels), probs


def tune_head_thresholds(predictions: Predictions, dev_sets: list[EvalSet]) -> list[float]:
    """Dev-tuned per-label thresholds for a multi-label head (sigmoid first), pooled over
    every dev set of that head: each label is tuned on all dev sentences that annotate it
    (tuning set by set would let the last set's thresholds overwrite the others', and a
    label that set does not annotate would fall back to 0.5)."""
    golds, probs, masks = [], [], []
    for dev in dev_sets:
        _, set_probs = predictions.score(dev)
        probs.append(set_probs)
        golds.append(np.array([f.multi_labels[dev.head][0] for f in dev.features]))
        masks.append(np.array([f.multi_labels[dev.head][1] for f in dev.features]))
    return tune_thresholds(np.concatenate(golds), np.concatenate(probs), np.concatenate(masks))
