"""IOB2 tag helpers shared by training (scoring) and inference (decoding)."""

from __future__ import annotations


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


def repair_bio(tags: list[str]) -> list[str]:
    """Make a predicted tag sequence valid IOB2: an ``I-X`` that does not continue an
    ``X`` entity starts one (``B-X``), as the CoNLL evaluation script reads it.

    >>> repair_bio(["I-S", "I-S", "I-T", "O", "I-T"])
    ['B-S', 'I-S', 'B-T', 'O', 'B-T']
    """
    repaired: list[str] = []
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        repaired.append(tag)
        previous = tag
    return repaired
