"""Tokenisation and label alignment (training/features.py) and batching (training/collator.py)."""

from __future__ import annotations

import torch

from strife.models.config import HeadSpec
from strife.models.heads import IGNORE_INDEX
from strife.training.collator import Collator
from strife.training.examples import Example
from strife.training.features import align_labels, encode


def test_align_labels_puts_the_label_on_the_first_sub_word_only() -> None:
    assert align_labels([None, 0, 0, 1, 2, 2, 2, None], [5, 6, 7]) == [-100, 5, -100, 6, 7, -100, -100, -100]


def test_align_labels_ignores_special_tokens_only_sequence() -> None:
    assert align_labels([None, None], []) == [IGNORE_INDEX, IGNORE_INDEX]


def test_encode_aligns_token_labels_to_sub_words(tiny_tokenizer, head_specs) -> None:
    # "xyz" is not in the tiny vocab, so it splits into x ##y ##z.
    example = Example("e", ["Police", "xyz", "rebels"], token_labels={"actors": ["B-S", "B-T", "I-T"]})
    [feature] = encode([example], tiny_tokenizer, head_specs, max_length=32)
    assert tiny_tokenizer.convert_ids_to_tokens(feature.input_ids)[2:5] == ["x", "##y", "##z"]
    ids = head_specs["actors"].label2id
    assert feature.token_labels["actors"] == [-100, ids["B-S"], ids["B-T"], -100, -100, ids["I-T"], -100]
    assert len(feature.token_labels["actors"]) == len(feature.input_ids)
    assert feature.word_ids == [None, 0, 1, 1, 1, 2, None]
    assert feature.n_words == 3 and feature.words_kept == 3


def test_encode_truncates_and_reports_the_words_kept(tiny_tokenizer, head_specs) -> None:
    words = ["police"] * 20
    example = Example("e", words, token_labels={"actors": ["O"] * 20})
    [feature] = encode([example], tiny_tokenizer, head_specs, max_length=8)
    assert len(feature.input_ids) == 8 == len(feature.token_labels["actors"])
    assert feature.words_kept == 6 and feature.n_words == 20


def test_encode_single_label_gives_the_class_id(tiny_tokenizer, head_specs) -> None:
    example = Example("e", ["talks"], sentence_labels={"event": ["verbal_conflict"]})
    [feature] = encode([example], tiny_tokenizer, head_specs, max_length=16)
    assert feature.single_labels == {"event": 3}
    assert feature.token_labels == {} and feature.multi_labels == {}


def test_encode_multi_label_gives_targets_and_annotation_mask(tiny_tokenizer, head_specs) -> None:
    narrowed = Example("a", ["police"], sentence_labels={"police": ["ARREST"]},
                       annotated={"police": ["KILL", "ARREST"]})
    full = Example("b", ["police"], sentence_labels={"police": ["KILL", "FORCE"]})
    first, second = encode([narrowed, full], tiny_tokenizer, head_specs, max_length=16)
    assert first.multi_labels["police"] == ([0.0, 1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0, 0.0])
    assert second.multi_labels["police"] == ([1.0, 0.0, 0.0, 0.0, 1.0], [1.0] * 5)


def test_encode_of_nothing_is_nothing(tiny_tokenizer, head_specs) -> None:
    assert encode([], tiny_tokenizer, head_specs, max_length=16) == []


def test_collator_masks_heads_an_example_does_not_annotate(tiny_tokenizer, head_specs) -> None:
    tagged = Example("a", ["police", "arrested", "rebels"], token_labels={"actors": ["B-S", "O", "B-T"]})
    classified = Example("b", ["talks"], sentence_labels={"event": ["statement"]})
    features = encode([tagged, classified], tiny_tokenizer, head_specs, max_length=16)
    batch = Collator(head_specs, pad_token_id=tiny_tokenizer.pad_token_id)(features)
    assert batch["input_ids"].shape == (2, 5)
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]
    assert batch["input_ids"][1, 3:].tolist() == [tiny_tokenizer.pad_token_id] * 2
    assert batch["labels"]["actors"][1].tolist() == [IGNORE_INDEX] * 5
    assert batch["labels"]["event"].tolist() == [IGNORE_INDEX, 0]
    assert "police" not in batch["labels"] and "police" not in batch["label_masks"]


def test_collator_gives_unannotated_multi_label_rows_a_zero_mask(tiny_tokenizer) -> None:
    heads = {"police": HeadSpec("multi_label", ["a", "b"])}
    labelled = Example("a", ["police"], sentence_labels={"police": ["b"]})
    unlabelled = Example("b", ["police"])
    batch = Collator(heads, 0)(encode([labelled, unlabelled], tiny_tokenizer, heads, max_length=16))
    assert torch.equal(batch["labels"]["police"], torch.tensor([[0.0, 1.0], [0.0, 0.0]]))
    assert torch.equal(batch["label_masks"]["police"], torch.tensor([[1.0, 1.0], [0.0, 0.0]]))
