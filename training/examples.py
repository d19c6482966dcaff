"""The one in-memory example type every dataset adapter produces.

Every example is a list of words (so token and sentence tasks share tokenisation)
plus labels for the heads its dataset annotates; heads it does not annotate are
simply absent, which the collator turns into masked losses.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Example:
    """One training or evaluation example.

    ``token_labels`` maps a head to one IOB2 tag per word; ``sentence_labels`` maps a
    head to its gold label names (one name for single-label heads). ``annotated``
    lists, per multi-label head, which labels the source annotates at all.
    """

    id: str
    words: list[str]
    token_labels: dict[str, list[str]] = field(default_factory=dict)
    sentence_labels: dict[str, list[str]] = field(default_factory=dict)
    annotated: dict[str, list[str]] = field(default_factory=dict)
