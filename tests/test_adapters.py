"""Dataset adapters (training/adapters.py): splits, dev carve-out and label mapping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from strife.errors import DataError, LabelError
from strife.models.config import HeadSpec
from strife.training.adapters import (
    DatasetSpec,
    HeadBinding,
    dataset_spec,
    load_splits,
    read_split,
    to_examples,
)

from conftest import CAMEO_CLASS, CAMEO_CLASSES, CAMEO_NER, IPE, IPE_LABELS


def _spec(kind: str, fmt: str, labels: tuple[str, ...], **files: str) -> DatasetSpec:
    return DatasetSpec("mine", kind, fmt, files or {"train": "train.tsv"}, labels)  # type: ignore[arg-type]


def _write(tmp_path: Path, name: str, content: str) -> Path:
    (tmp_path / name).write_text(content, encoding="utf-8")
    return tmp_path / name


def test_dataset_spec_unknown_name_lists_the_built_in_ones() -> None:
    with pytest.raises(DataError, match="conflibert/cameo_ner"):
        dataset_spec("conflibert/nope")


def test_read_split_maps_single_label_indices_to_class_names(tiny_data_root: Path) -> None:
    records = read_split(dataset_spec(CAMEO_CLASS), tiny_data_root, "train")
    assert records[0].labels == ["statement"] and records[4].labels == ["material_conflict"]
    assert records[0].words[:2] == ["The", "president"]
    assert records[1].id == f"{CAMEO_CLASS}:train:2"


def test_read_split_accepts_a_single_label_class_name(tmp_path: Path) -> None:
    _write(tmp_path, "train.tsv", "some text\tb\n")
    assert read_split(_spec("single_label", "tsv", ("a", "b")), tmp_path, "train")[0].labels == ["b"]


@pytest.mark.parametrize("value", ["2", "-1", "c"], ids=["index-too-large", "negative", "unknown-name"])
def test_read_split_single_label_out_of_range_is_a_label_error_naming_file_and_line(tmp_path: Path,
                                                                                    value: str) -> None:
    path = _write(tmp_path, "train.tsv", f"ok\t0\nbad\t{value}\n")
    with pytest.raises(LabelError, match=re.escape(f"{path}:2: label '{value}'")):
        read_split(_spec("single_label", "tsv", ("a", "b")), tmp_path, "train")


def test_read_split_multi_label_keeps_the_labels_set_to_one(tmp_path: Path) -> None:
    _write(tmp_path, "train.tsv", "x y\t1\t0\t1\n")
    assert read_split(_spec("multi_label", "tsv", ("a", "b", "c")), tmp_path, "train")[0].labels == ["a", "c"]


@pytest.mark.parametrize("value", ["2", "yes", "0.5", ""])
def test_read_split_multi_label_value_other_than_0_or_1_is_a_label_error(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, "train.tsv", f"fine\t0\t1\nbad\t1\t{value}\n")
    with pytest.raises(LabelError, match=re.escape(f"{path}:2: multi-label columns must be 0 or 1")):
        read_split(_spec("multi_label", "tsv", ("a", "b")), tmp_path, "train")


def test_load_splits_carves_dev_from_train_deterministically_and_disjointly(tiny_data_root: Path) -> None:
    spec = dataset_spec(CAMEO_NER)
    first, second = load_splits(spec, tiny_data_root, 0.25), load_splits(spec, tiny_data_root, 0.25)
    assert [r.id for r in first["dev"]] == [r.id for r in second["dev"]]
    assert [r.id for r in first["train"]] == [r.id for r in second["train"]]
    dev_ids, train_ids = {r.id for r in first["dev"]}, {r.id for r in first["train"]}
    assert not dev_ids & train_ids
    all_train = read_split(spec, tiny_data_root, "train")
    assert dev_ids | train_ids == {r.id for r in all_train}
    assert len(dev_ids) == round(len(all_train) * 0.25)
    assert len(first["test"]) == 4


def test_load_splits_carves_at_least_one_dev_example(tmp_path: Path) -> None:
    _write(tmp_path, "train.tsv", "a\t0\nb\t1\nc\t0\n")
    splits = load_splits(_spec("single_label", "tsv", ("x", "y")), tmp_path, 0.01)
    assert len(splits["dev"]) == 1 and len(splits["train"]) == 2


def test_load_splits_keeps_a_shipped_dev_split(tiny_data_root: Path) -> None:
    splits = load_splits(dataset_spec(IPE), tiny_data_root)
    assert len(splits["dev"]) == 3 and len(splits["train"]) == 8


def test_load_splits_without_a_train_file_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "test.tsv", "a\t0\n")
    with pytest.raises(DataError, match="no train split"):
        load_splits(_spec("single_label", "tsv", ("x",), test="test.tsv"), tmp_path)


def _token_head() -> HeadBinding:
    return HeadBinding("actors", HeadSpec.token(["SRC", "TGT"]), {"S": "SRC", "T": "TGT", "R": None})


def test_to_examples_renames_token_types_with_label_map_and_drops_null(tiny_data_root: Path) -> None:
    spec = dataset_spec(CAMEO_NER)
    examples = to_examples(read_split(spec, tiny_data_root, "train"), spec, _token_head())
    assert examples[0].token_labels["actors"] == ["B-SRC", "O", "B-TGT", "O", "O", "O", "O"]
    # "Government and opposition leaders met ." is all R, mapped to nothing.
    assert examples[2].token_labels["actors"] == ["O"] * 6
    assert examples[0].words == ["Police", "arrested", "rebels", "in", "the", "city", "."]


def test_to_examples_unknown_token_tag_is_a_label_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "train.txt", "Police B-S\narrested O\n\nRebels B-X\nfled O\n")
    spec = _spec("token", "conll", ("S", "X"), train="train.txt")
    records = read_split(spec, tmp_path, "train")
    binding = HeadBinding("actors", HeadSpec.token(["S"]))
    with pytest.raises(LabelError, match=re.escape(f"{path}:4: tag 'B-X'")):
        to_examples(records, spec, binding)


def test_to_examples_multi_label_narrowing_annotates_only_mapped_labels(tiny_data_root: Path) -> None:
    spec = dataset_spec(IPE)
    head = HeadSpec("multi_label", ["killing", "arrest", "bombing"])
    binding = HeadBinding("police", head, {"KILL": "killing", "ARREST": "arrest", "ANY_ACTION": None,
                                           "FAIL": None, "FORCE": None})
    examples = to_examples(read_split(spec, tiny_data_root, "train"), spec, binding)
    assert all(ex.annotated["police"] == ["killing", "arrest"] for ex in examples)
    assert examples[0].sentence_labels["police"] == ["arrest"]  # 0 1 1 0 0
    assert examples[1].sentence_labels["police"] == ["killing"]  # 1 0 1 0 1


def test_to_examples_without_label_map_annotates_every_source_label(tiny_data_root: Path) -> None:
    spec = dataset_spec(IPE)
    binding = HeadBinding("police", HeadSpec("multi_label", list(IPE_LABELS) + ["EXTRA"]))
    example = to_examples(read_split(spec, tiny_data_root, "train"), spec, binding)[0]
    assert example.annotated["police"] == list(IPE_LABELS)
    assert example.sentence_labels["police"] == ["ARREST", "ANY_ACTION"]


def test_to_examples_sentence_label_outside_the_head_is_a_label_error(tiny_data_root: Path) -> None:
    spec = dataset_spec(CAMEO_CLASS)
    binding = HeadBinding("event", HeadSpec("single_label", CAMEO_CLASSES[:4]))
    with pytest.raises(LabelError, match="material_conflict"):
        to_examples(read_split(spec, tiny_data_root, "train"), spec, binding)


def test_to_examples_single_label_mapped_to_nothing_is_a_label_error(tiny_data_root: Path) -> None:
    spec = dataset_spec(CAMEO_CLASS)
    binding = HeadBinding("event", HeadSpec("single_label", CAMEO_CLASSES), {"statement": None})
    path = tiny_data_root / spec.files["train"]
    with pytest.raises(LabelError, match=re.escape(f"{path}:1: label ['statement'] is mapped to nothing")):
        to_examples(read_split(spec, tiny_data_root, "train"), spec, binding)


@pytest.mark.parametrize(("dataset", "head"), [
    (CAMEO_NER, HeadSpec("single_label", ["a"])),
    (CAMEO_CLASS, HeadSpec.token(["S"])),
    (IPE, HeadSpec("single_label", IPE_LABELS)),
], ids=["token-into-single", "single-into-token", "multi-into-single"])
def test_to_examples_kind_and_head_type_mismatch_is_a_data_error(tiny_data_root: Path, dataset: str,
                                                                  head: HeadSpec) -> None:
    spec = dataset_spec(dataset)
    records = read_split(spec, tiny_data_root, "train")
    with pytest.raises(DataError, match=f"{spec.kind} dataset and cannot feed head 'h'"):
        to_examples(records, spec, HeadBinding("h", head))
