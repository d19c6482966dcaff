"""Tokenise examples and align word labels to sub-words.

As in transformers' ``run_ner.py``: the first sub-word of each word carries the
word's label, later sub-words and special tokens get ``-100`` so the loss and the
metrics ignore them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transformers import PreTrainedTokenizerBase

from strife.models.config import HeadSpec
from strife.models.heads import IGNORE_INDEX
from strife.training.examples import Example


@dataclass
class Features:
    """Model inputs and label ids of one example."""

    input_ids: list[int]
    word_ids: list[int | None]
    n_words: int
    token_labels: dict[str, list[int]] = field(default_factory=dict)
    single_labels: dict[str, int] = field(default_factory=dict)
    multi_labels: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)

    @property
    def words_kept(self) -> int:
        """How many words survived truncation (the rest have no prediction)."""
        kept = [w for w in self.word_ids if w is not None]
        return (max(kept) + 1) if kept else 0


def align_labels(word_ids: list[int | None], word_label_ids: list[int]) -> list[int]:
    """Label ids per sub-word: the word's label on its first sub-word, else ``-100``.

    >>> align_labels([None, 0, 0, 1, None], [3, 4])
    [-100, 3, -100, 4, -100]
    """
    aligned: list[int] = []
    previous: int | None = None
    for word in word_ids:
        aligned.append(IGNORE_INDEX if word is None or word == previous else word_label_ids[word])
        previous = word
    return aligned


def encode(
    examples: list[Example], tokenizer: PreTrainedTokenizerBase, heads: dict[str, HeadSpec], max_length: int
) -> list[Features]:
    """Tokenise ``examples`` (truncating at ``max_length``) and attach label ids."""
    if not examples:
        return []
    encoded = tokenizer(
        [ex.words for ex in examples], is_split_into_words=True, truncation=True, max_length=max_length
    )
    features = []
    for i, example in enumerate(examples):
        word_ids = encoded.word_ids(i)
        feature = Features(encoded["input_ids"][i], word_ids, len(example.words))
        for head, tags in example.token_labels.items():
            label2id = heads[head].label2id
            feature.token_labels[head] = align_labels(word_ids, [label2id[t] for t in tags])
        for head, labels in example.sentence_labels.items():
            spec = heads[head]
            if spec.type == "single_label":
                feature.single_labels[head] = spec.label2id[labels[0]]
            else:
                annotated = set(example.annotated.get(head, spec.labels))
                feature.multi_labels[head] = (
                    [1.0 if label in labels else 0.0 for label in spec.labels],
                    [1.0 if label in annotated else 0.0 for label in spec.labels],
                )
        features.append(feature)
    return features
