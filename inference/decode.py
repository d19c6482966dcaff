"""Model outputs to plain results: token tags to character spans, sentence labels."""

from __future__ import annotations

import numpy as np

from strife.inference.segment import Span
from strife.models.bio import viterbi_bio
from strife.models.config import HeadSpec


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def token_spans(words: list[Span], probs: np.ndarray, spec: HeadSpec, source: str) -> list[dict[str, object]]:
    """Entity spans from per-word tag probabilities (one row per word).

    Tags are the most probable valid IOB2 sequence (:func:`viterbi_bio`); a span's
    score is the mean over its words of the probability that the word is inside an
    entity of its type (``B-`` plus ``I-``); ``source[start:end] == text`` always holds.
    """
    tags = viterbi_bio(np.log(np.clip(probs, 1e-12, None)), spec.labels)
    inside = {label: [i for i, tag in enumerate(spec.labels) if tag[2:] == label] for label in spec.entity_types}
    spans: list[dict[str, object]] = []
    current: list[int] = []
    for index, tag in enumerate([*tags, "O"]):
        if current and not (tag.startswith("I-") and tags[current[0]][2:] == tag[2:]):
            first, last = words[current[0]], words[current[-1]]
            spans.append({
                "label": tags[current[0]][2:],
                "text": source[first.start:last.end],
                "start": first.start,
                "end": last.end,
                "score": round(float(np.mean([probs[i, inside[tags[current[0]][2:]]].sum() for i in current])), 4),
            })
            current = []
        if tag.startswith("B-"):
            current = [index]
        elif tag.startswith("I-") and current:
            current.append(index)
    return spans


def sentence_labels(logits: np.ndarray, spec: HeadSpec) -> dict[str, object] | list[dict[str, object]]:
    """Arg-max label with its probability, or every multi-label label over its threshold."""
    if spec.type == "single_label":
        probs = softmax(logits)
        best = int(probs.argmax())
        return {"label": spec.labels[best], "score": round(float(probs[best]), 4)}
    probs = 1.0 / (1.0 + np.exp(-logits))
    thresholds = spec.thresholds or [0.5] * len(spec.labels)
    return [
        {"label": label, "score": round(float(p), 4)}
        for label, p, t in zip(spec.labels, probs, thresholds)
        if p >= t
    ]
