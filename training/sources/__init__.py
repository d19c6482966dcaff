"""Converters from the shared datasets to the default conflict model's heads.

Each module converts one source (train and dev splits only; test documents are the
project's gold material) into sentence examples for several heads at once.
:data:`CONVERTERS` is the registry a recipe names with ``- {source: m2e2}``; what each
source supervises and masks, and why, is in ``docs/conflict-data.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from strife.errors import DataError
from strife.training.sources import annotated, m2e2, wikievents
from strife.training.sources.labelled_texts import IPE, SATP
from strife.training.sources.base import HEAD_LABELS, Converted, check_split
from strife.training.silver import load_silver


@dataclass(frozen=True)
class Converter:
    """A registered source: the heads it can feed, its converter and its citation."""

    name: str
    heads: tuple[str, ...]
    convert: Callable[[Path, str], Converted]
    citation: str

    def head_type(self, head: str) -> str:
        return {"actors": "token", "casualties": "token", "pentaclass": "single_label"}.get(head, "multi_label")

    def labels(self, head: str) -> tuple[str, ...]:
        return HEAD_LABELS[head]


CONVERTERS: dict[str, Converter] = {
    **{module.NAME: Converter(module.NAME, module.HEADS, module.convert, module.CITATION)
       for module in (annotated, m2e2, wikievents)},
    **{texts.name: Converter(texts.name, texts.heads, texts.convert, texts.citation) for texts in (SATP, IPE)},
}


def _silver(root: Path, split: str) -> Converted:
    """Rule-labelled casualty spans (``annotations/silver``): train only, because dev
    must measure against real annotations, not against the rules. Hand-annotated
    sentences are left out when a run assembles its sets (``sets.drop_annotated``)."""
    check_split("silver", split)
    examples = load_silver(root=root) if split == "train" else []
    stats = Counter(f"casualties:{tag[2:]}" for example in examples
                    for tag in example.token_labels["casualties"] if tag.startswith("B-"))
    stats["sentences"] = len(examples)
    return Converted(examples=examples, stats=stats)


CONVERTERS["silver"] = Converter("silver", ("casualties",), _silver,
                                 "strife rule-based casualty labeller over train splits of satp_relevant, "
                                 "IndiaPoliceEvents and MUC-4 (strife.training.silver)")


def get_converter(name: str) -> Converter:
    """Look up a converted source by name; the error lists the known ones."""
    if name not in CONVERTERS:
        raise DataError(f"unknown source {name!r}; converted sources are {sorted(CONVERTERS)}")
    return CONVERTERS[name]
