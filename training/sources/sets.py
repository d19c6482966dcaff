"""A recipe's ``- {source: ...}`` entry as training and dev sets.

A converted sentence may carry labels for several heads, so the training set holds
each sentence once (with every head the entry feeds), while dev is split into one
:class:`EvalSet` per head, keyed ``source/head``, so that dev metrics, threshold
tuning and early stopping work per head as they do for single-head datasets.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from transformers import PreTrainedTokenizerBase

from strife.models.config import HeadSpec
from strife.training.adapters import CARVE_SEED
from strife.training.config import DataConfig
from strife.training.evaluation import EvalSet
from strife.training.examples import Example
from strife.training.features import encode
from strife.training.sources import get_converter
from strife.training.sources import annotated
from strife.training.sources.base import TRAIN_SPLITS


def restrict(example: Example, heads: list[str]) -> Example | None:
    """The example with labels for ``heads`` only; ``None`` if none is left."""
    kept = Example(example.id, example.words,
                   {h: t for h, t in example.token_labels.items() if h in heads},
                   {h: v for h, v in example.sentence_labels.items() if h in heads},
                   {h: v for h, v in example.annotated.items() if h in heads})
    return kept if kept.token_labels or kept.sentence_labels else None


def sample(examples: list[Example], limit: int | None) -> list[Example]:
    """At most ``limit`` examples, drawn with a fixed seed and kept in source order."""
    if not limit or len(examples) <= limit:
        return examples
    chosen = set(random.Random(CARVE_SEED).sample(range(len(examples)), limit))
    return [ex for i, ex in enumerate(examples) if i in chosen]


def is_positive(example: Example) -> bool:
    """Whether the example has any span or any positive sentence label."""
    return any(tag != "O" for tags in example.token_labels.values() for tag in tags) or \
        any(example.sentence_labels.values())


def balance(examples: list[Example], ratio: float | None) -> list[Example]:
    """All positive examples and at most ``ratio`` negatives per positive (fixed seed,
    source order kept)."""
    if ratio is None:
        return examples
    negatives = [i for i, ex in enumerate(examples) if not is_positive(ex)]
    limit = int(ratio * (len(examples) - len(negatives)))
    if len(negatives) <= limit:
        return examples
    dropped = set(negatives) - set(random.Random(CARVE_SEED).sample(negatives, limit))
    return [ex for i, ex in enumerate(examples) if i not in dropped]


def source_sets(entry: DataConfig, root: Path, specs: dict[str, HeadSpec], tokenizer: PreTrainedTokenizerBase,
                max_length: int) -> dict[str, list[EvalSet]]:
    """Train (one set, every head) and dev (one set per head) of a source entry; never test."""
    converter = get_converter(entry.source or "")
    heads = list(entry.heads or converter.heads)
    sets: dict[str, list[EvalSet]] = {"train": [], "dev": [], "test": []}
    for split in TRAIN_SPLITS:
        examples = [ex for ex in map(lambda e: restrict(e, heads), converter.convert(root, split).examples) if ex]
        if split == "train":
            examples = balance(examples, entry.negatives_per_positive)
        examples = sample(examples, entry.max_train_examples if split == "train" else entry.max_eval_examples)
        features = encode(examples, tokenizer, specs, max_length)
        if split == "train":
            sets["train"].append(EvalSet(converter.name, "+".join(heads), examples * entry.repeat, features * entry.repeat))
            continue
        for head in heads:
            rows = [i for i, ex in enumerate(examples) if head in ex.token_labels or head in ex.sentence_labels]
            if rows:
                sets["dev"].append(EvalSet(converter.name, head, [examples[i] for i in rows],
                                           [features[i] for i in rows]))
    return sets


def text_key(words: list[str]) -> str:
    """A sentence's letters and digits, lower-cased: the same sentence tokenised by two
    sources (M2E2's tokens, CAMEO-NER's spaced punctuation, strife's segmenter) gets the
    same key."""
    return re.sub(r"[\W_]+", "", "".join(words)).lower()


def drop_annotated(sets: dict[str, list[EvalSet]]) -> int:
    """Remove from every other training set the sentences the hand-annotated set holds
    (its train and dev part), so that no sentence is trained with two different sets of
    labels (a converter's or the rules' beside the guidelines'). Sentences are matched by
    :func:`text_key`, which works across sources whatever their ids; a converted text
    that holds an annotated sentence among others is kept. Returns how many were removed."""
    keys = {text_key(ex.words) for split in ("train", "dev") for s in sets[split]
            if s.dataset == annotated.NAME for ex in s.examples}
    removed = 0
    for i, train in enumerate(sets["train"]):
        if train.dataset == annotated.NAME:
            continue
        kept = [j for j, ex in enumerate(train.examples) if text_key(ex.words) not in keys]
        removed += len(train.examples) - len(kept)
        sets["train"][i] = EvalSet(train.dataset, train.head, [train.examples[j] for j in kept],
                                   [train.features[j] for j in kept])
    return removed
