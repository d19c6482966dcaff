"""IOB2 tag helpers shared by training (scoring) and inference (decoding)."""

from __future__ import annotations

import numpy as np


def bio_entity_types(labels: list[str]) -> list[str]:
    """Entity types of an IOB2 tag set; raise ``ValueError`` if it is not one.

    >>> bio_entity_types(["O", "B-S", "I-S"])
    ['S']
    """
    if not labels or labels[0] != "O":
        raise ValueError(f"a token head's first label must be 'O', got {labels[:1]!r}")
    types: list[str] = []
    for tag in labels[1:]:
        prefix, sep, etype = tag.partition("-")
        if prefix not in ("B", "I") or not sep or not etype:
            raise ValueError(f"tag {tag!r} is not IOB2 (expected B-TYPE or I-TYPE)")
        if etype not in types:
            types.append(etype)
    missing = [f"{p}-{t}" for t in types for p in ("B", "I") if f"{p}-{t}" not in labels]
    if missing:
        raise ValueError(f"IOB2 tag set lacks {missing}")
    return types


def _may_follow(previous: str, tag: str) -> bool:
    """IOB2's one rule: an ``I-X`` continues a ``B-X`` or ``I-X``; a sentence starts
    as if after ``O``."""
    return not tag.startswith("I-") or (previous != "O" and previous[2:] == tag[2:])


def _is_valid_bio(tags: list[str]) -> bool:
    return all(_may_follow(previous, tag) for previous, tag in zip(["O", *tags], tags))


def viterbi_bio(log_probs: np.ndarray, labels: list[str]) -> list[str]:
    """The most probable valid IOB2 tag sequence under per-word log-probabilities
    (rows: words, columns: ``labels``).

    Arg-max tags (an ``I-X`` that starts an entity read as ``B-X``) cut an entity
    wherever one inner word's ``I-X`` loses narrowly to ``O`` or to another type; strict
    span scoring counts such a split as two errors. The best sequence in which every ``I-X`` continues an ``X``
    keeps the entity whole when the evidence for it as a whole is stronger.

    >>> import numpy as np
    >>> labels = ["O", "B-S", "I-S"]
    >>> viterbi_bio(np.log(np.array([[0.1, 0.8, 0.1], [0.45, 0.1, 0.45], [0.2, 0.1, 0.7]])), labels)
    ['B-S', 'I-S', 'I-S']
    """
    n, size = log_probs.shape
    if n == 0:
        return []
    best_each = [labels[i] for i in log_probs.argmax(axis=1)]
    if _is_valid_bio(best_each):
        return best_each  # the unconstrained best is valid, so it is the constrained best: most sentences
    transition = np.array([[0.0 if _may_follow(previous, tag) else -np.inf for tag in labels] for previous in labels])
    start = np.array([0.0 if _may_follow("O", tag) else -np.inf for tag in labels])
    score = start + log_probs[0]
    back = np.zeros((n, size), dtype=int)
    for t in range(1, n):
        candidates = score[:, None] + transition
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probs[t]
    best = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return [labels[i] for i in reversed(best)]
