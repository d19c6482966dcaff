"""Run a model over an evaluation set and score every head it has labels for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

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
def predict_logits(
    model: StrifeModel, features: list[Features], batch_size: int, head: str, progress: bool = False
) -> list[np.ndarray]:
    """Logits of one head per example, in input order (batches sorted by length)."""
    model.eval()
    collate = Collator(model.specs, model.pad_token_id)
    order = sorted(range(len(features)), key=lambda i: len(features[i].input_ids))
    out: list[np.ndarray | None] = [None] * len(features)
    starts = range(0, len(order), batch_size)
    for start in tqdm(starts, desc=f"predict {head}", disable=not progress, leave=False):
        idx = order[start : start + batch_size]
        batch = to_device(collate([features[i] for i in idx]), model.device)
        logits = model(batch["input_ids"], batch["attention_mask"]).logits[head].float().cpu().numpy()
        for row, i in enumerate(idx):
            out[i] = logits[row, : len(features[i].input_ids)] if logits.ndim == 3 else logits[row]
    return out  # type: ignore[return-value]


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


def evaluate_set(
    model: StrifeModel, eval_set: EvalSet, batch_size: int, thresholds: list[float] | None = None
) -> tuple[dict[str, object], np.ndarray | None]:
    """Score ``eval_set``; returns metrics and, for multi-label heads, the probabilities."""
    logits = predict_logits(model, eval_set.features, batch_size, eval_set.head)
    return score_logits(model.specs[eval_set.head], eval_set, logits, thresholds)


def score_logits(
    spec: HeadSpec, eval_set: EvalSet, logits: list[np.ndarray], thresholds: list[float] | None = None
) -> tuple[dict[str, object], np.ndarray | None]:
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
    used = thresholds or spec.thresholds or [0.5] * len(spec.labels)
    return multi_label_metrics(gold_arr, probs, mask, used, spec.labels), probs


def tune_head_thresholds(model: StrifeModel, dev_sets: list[EvalSet], batch_size: int) -> list[float]:
    """Dev-tuned per-label thresholds for a multi-label head (sigmoid first), pooled over
    every dev set of that head: each label is tuned on all dev sentences that annotate it
    (tuning set by set would let the last set's thresholds overwrite the others', and a
    label that set does not annotate would fall back to 0.5)."""
    golds, probs, masks = [], [], []
    for dev in dev_sets:
        _, set_probs = evaluate_set(model, dev, batch_size)
        probs.append(set_probs)
        golds.append(np.array([f.multi_labels[dev.head][0] for f in dev.features]))
        masks.append(np.array([f.multi_labels[dev.head][1] for f in dev.features]))
    return tune_thresholds(np.concatenate(golds), np.concatenate(probs), np.concatenate(masks))
