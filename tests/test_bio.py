"""IOB2 tag helpers (models/bio.py)."""

from __future__ import annotations

import pytest

from strife.models.bio import bio_entity_types, repair_bio


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


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["B-S", "I-S", "O"], ["B-S", "I-S", "O"]),
        (["I-S", "I-S"], ["B-S", "I-S"]),
        (["O", "I-S"], ["O", "B-S"]),
        (["B-S", "I-T", "I-T"], ["B-S", "B-T", "I-T"]),
        (["B-S", "O", "I-S"], ["B-S", "O", "B-S"]),
        (["B-S", "B-S", "I-S"], ["B-S", "B-S", "I-S"]),
        ([], []),
    ],
    ids=["valid-unchanged", "leading-i", "i-after-o", "type-change", "i-after-gap", "adjacent-b", "empty"],
)
def test_repair_bio_turns_an_i_that_starts_an_entity_into_b(tags: list[str], expected: list[str]) -> None:
    assert repair_bio(tags) == expected


def test_repair_bio_does_not_mutate_its_input() -> None:
    tags = ["I-S", "O"]
    repair_bio(tags)
    assert tags == ["I-S", "O"]
