"""IOB2 tag helpers (models/bio.py)."""

from __future__ import annotations

import numpy as np
import pytest

from strife.models.bio import bio_entity_types, viterbi_bio


def test_bio_entity_types_lists_types_in_first_seen_order() -> None:
    assert bio_entity_types(["O", "B-T", "I-T", "B-S", "I-S"]) == ["T", "S"]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([], "first label must be 'O'"),
        (["B-S", "I-S", "O"], "first label must be 'O'"),
        (["O", "S"], "'S' is not IOB2"),
        (["O", "E-S", "I-S"], "'E-S' is not IOB2"),
        (["O", "B-"], "'B-' is not IOB2"),
        (["O", "B-S"], r"lacks \['I-S'\]"),
        (["O", "I-S"], r"lacks \['B-S'\]"),
    ],
    ids=["empty", "o-not-first", "no-prefix", "bad-prefix", "no-type", "missing-i", "missing-b"],
)
def test_bio_entity_types_rejects_a_tag_set_that_is_not_iob2(labels: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bio_entity_types(labels)


LABELS = ["O", "B-S", "I-S", "B-T", "I-T"]


def _log_probs(rows: list[dict[str, float]]) -> np.ndarray:
    """Per-word probabilities given for some tags, the rest spread evenly, as logs."""
    out = []
    for row in rows:
        rest = (1.0 - sum(row.values())) / (len(LABELS) - len(row))
        out.append([row.get(tag, rest) for tag in LABELS])
    return np.log(np.array(out))


def _valid(tags: list[str]) -> bool:
    return all(not tag.startswith("I-") or (i > 0 and tags[i - 1][2:] == tag[2:] and tags[i - 1] != "O")
               for i, tag in enumerate(tags))


def test_viterbi_keeps_an_entity_whole_where_arg_max_would_split_it() -> None:
    # the middle word is narrowly "O" by arg-max: arg-max gives two one-word entities
    log_probs = _log_probs([{"B-S": 0.9}, {"O": 0.45, "I-S": 0.44}, {"I-S": 0.8}])
    assert viterbi_bio(log_probs, LABELS) == ["B-S", "I-S", "I-S"]


def test_viterbi_never_starts_with_i_or_switches_type_inside_an_entity() -> None:
    log_probs = _log_probs([{"I-S": 0.9}, {"I-T": 0.9}, {"O": 0.9}, {"I-T": 0.6}])
    tags = viterbi_bio(log_probs, LABELS)
    assert _valid(tags) and tags[2] == "O"


def test_viterbi_agrees_with_arg_max_when_arg_max_is_valid_and_is_always_valid() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        logits = rng.normal(size=(rng.integers(1, 12), len(LABELS))) * 3
        log_probs = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        tags = viterbi_bio(log_probs, LABELS)
        arg_max = [LABELS[i] for i in log_probs.argmax(axis=1)]
        assert _valid(tags)
        if _valid(arg_max):
            assert tags == arg_max
    assert viterbi_bio(np.zeros((0, len(LABELS))), LABELS) == []
