"""Dataset adapters: files on disk to :class:`Example` lists for one head.

Each benchmark dataset is described once, declaratively (:data:`DATASETS`); users'
own CoNLL or TSV files use the same description with their own paths. Mapping into
a head renames labels (``label_map``), checks them against the head's label set and
records which multi-label labels the source annotates, so the rest stay unsupervised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from strife.errors import DataError, LabelError, at
from strife.models.config import HeadSpec
from strife.training.examples import Example
from strife.training.readers import read_conll, read_tsv

Kind = Literal["token", "single_label", "multi_label"]
SPLITS = ("train", "dev", "test")
#: Seed of the dev carve-out, fixed so that every training seed sees the same dev set.
CARVE_SEED = 20220710


@dataclass(frozen=True)
class DatasetSpec:
    """Where a dataset's files are and what its labels mean.

    ``labels`` are entity types for token datasets, class names in column order for
    sentence datasets (a single-label column holds the class index).
    """

    name: str
    kind: Kind
    format: Literal["conll", "tsv"]
    files: dict[str, str]
    labels: tuple[str, ...]
    citation: str = ""

    @property
    def label_columns(self) -> int:
        return len(self.labels) if self.kind == "multi_label" else 1


_CONFLIBERT = "Hu et al., ConfliBERT, NAACL 2022 (eventdata/ConfliBERT)"
DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        DatasetSpec("conflibert/cameo_ner", "token", "conll",
                    {"train": "conflibert/cameo_ner/train.txt", "test": "conflibert/cameo_ner/test.txt"},
                    ("S", "T", "R"), _CONFLIBERT),
        DatasetSpec("conflibert/cameo_class", "single_label", "tsv",
                    {"train": "conflibert/cameo_class/train.tsv", "test": "conflibert/cameo_class/test.tsv"},
                    ("statement", "verbal_cooperation", "material_cooperation", "verbal_conflict",
                     "material_conflict"), _CONFLIBERT),
        DatasetSpec("conflibert/re3d", "token", "conll",
                    {s: f"conflibert/re3d/{s}.txt" for s in SPLITS},
                    ("Person", "Organisation", "Location", "Nationality", "Weapon", "MilitaryPlatform",
                     "Quantity", "Temporal", "Money", "DocumentReference"), _CONFLIBERT),
        DatasetSpec("conflibert/IndiaPoliceEvents_sents", "multi_label", "tsv",
                    {s: f"conflibert/IndiaPoliceEvents_sents/{s}.tsv" for s in SPLITS},
                    ("KILL", "ARREST", "ANY_ACTION", "FAIL", "FORCE"),
                    "Halterman et al., IndiaPoliceEvents, Findings of ACL 2021"),
        DatasetSpec("conflibert/satp_relevant", "multi_label", "tsv",
                    {s: f"conflibert/satp_relevant/{s}.tsv" for s in SPLITS},
                    ("armed_assault", "bombing", "kidnapping", "other"), _CONFLIBERT),
        DatasetSpec("conflibert/insightCrime", "multi_label", "tsv",
                    {s: f"conflibert/insightCrime/{s}.tsv" for s in SPLITS},
                    ("drug_trafficking", "corruption", "security_policy", "criminal_groups",
                     "kidnapping_extortion", "illicit_economies", "arms_contraband_smuggling"), _CONFLIBERT),
    ]
}


@dataclass
class Record:
    """One example in the source's own label vocabulary, with its file and first line
    (a CoNLL sentence's word ``i`` is on line ``line + i``)."""

    id: str
    words: list[str]
    labels: list[str]
    path: Path
    line: int


def dataset_spec(name: str) -> DatasetSpec:
    """Look up a built-in dataset by name."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; built-in datasets are {sorted(DATASETS)}")
    return DATASETS[name]


def read_split(spec: DatasetSpec, root: Path, split: str) -> list[Record]:
    """Read one split of ``spec`` from ``root`` into source-vocabulary records."""
    path = root / spec.files[split]
    if spec.format == "conll":
        return [Record(f"{spec.name}:{split}:{s.line}", s.words, s.tags, path, s.line) for s in read_conll(path)]
    records = []
    for row in read_tsv(path, spec.label_columns):
        labels = _sentence_labels(spec, row.labels, path, row.line)
        records.append(Record(f"{spec.name}:{split}:{row.line}", row.text.split(), labels, path, row.line))
    return records


def _sentence_labels(spec: DatasetSpec, columns: list[str], path: Path, line: int) -> list[str]:
    if spec.kind == "single_label":
        value = columns[0]
        if value in spec.labels:
            return [value]
        if not value.isdigit() or int(value) >= len(spec.labels):
            raise LabelError(
                f"{at(path, line)}: label {value!r} is neither a class name nor a class index "
                f"0..{len(spec.labels) - 1} of {list(spec.labels)}"
            )
        return [spec.labels[int(value)]]
    if any(value not in ("0", "1") for value in columns):
        raise LabelError(f"{at(path, line)}: multi-label columns must be 0 or 1, got {columns}")
    return [label for label, value in zip(spec.labels, columns) if value == "1"]


def load_splits(spec: DatasetSpec, root: Path, dev_fraction: float = 0.1) -> dict[str, list[Record]]:
    """All splits of ``spec``; a missing dev split is carved from train, deterministically."""
    splits = {split: read_split(spec, root, split) for split in SPLITS if split in spec.files}
    if "train" not in splits:
        raise DataError(f"dataset {spec.name}: no train split is configured")
    if "dev" not in splits:
        train = splits["train"]
        order = list(range(len(train)))
        random.Random(CARVE_SEED).shuffle(order)
        n_dev = max(1, int(round(len(train) * dev_fraction)))
        dev_ids = set(order[:n_dev])
        splits["dev"] = [r for i, r in enumerate(train) if i in dev_ids]
        splits["train"] = [r for i, r in enumerate(train) if i not in dev_ids]
    return splits


@dataclass
class HeadBinding:
    """How one dataset feeds one head: the head's name, spec and a label renaming."""

    head: str
    spec: HeadSpec
    label_map: dict[str, str | None] = field(default_factory=dict)


def to_examples(records: list[Record], spec: DatasetSpec, binding: HeadBinding) -> list[Example]:
    """Turn source records into examples for ``binding.head``, checking every label."""
    if spec.kind != binding.spec.type:
        raise DataError(
            f"dataset {spec.name} is a {spec.kind} dataset and cannot feed head {binding.head!r}, "
            f"which is a {binding.spec.type} head"
        )
    if spec.kind == "token":
        return [_token_example(r, binding) for r in records]
    mapping = _sentence_label_mapping(spec, binding)
    annotated = [label for label in binding.spec.labels if label in mapping.values()]
    examples = []
    for record in records:
        labels = [mapping[label] for label in record.labels if mapping.get(label)]
        example = Example(record.id, record.words, sentence_labels={binding.head: labels})
        if spec.kind == "multi_label":
            example.annotated[binding.head] = annotated
        elif not labels:
            raise LabelError(f"{at(record.path, record.line)}: label {record.labels} is mapped to nothing")
        examples.append(example)
    return examples


def _sentence_label_mapping(spec: DatasetSpec, binding: HeadBinding) -> dict[str, str | None]:
    """Source label to head label; ``None`` (``null`` in YAML) drops a source label.

    A multi-label source annotates exactly the head labels its mapping reaches; the
    head's other labels stay unsupervised for its examples.
    """
    mapping = {label: binding.label_map.get(label, label) for label in spec.labels}
    unknown = sorted({v for v in mapping.values() if v is not None and v not in binding.spec.labels})
    if unknown:
        raise LabelError(
            f"dataset {spec.name}: label(s) {unknown} are not in head {binding.head!r} "
            f"(labels {binding.spec.labels}); add them to the head or map them with label_map"
        )
    return mapping


def _token_example(record: Record, binding: HeadBinding) -> Example:
    tags = []
    for offset, tag in enumerate(record.labels):
        if tag == "O":
            tags.append(tag)
            continue
        prefix, _, etype = tag.partition("-")
        target = binding.label_map.get(etype, etype)
        if target is None:
            tags.append("O")
            continue
        renamed = f"{prefix}-{target}"
        if renamed not in binding.spec.labels:
            raise LabelError(
                f"{at(record.path, record.line + offset)}: tag {tag!r} (as {renamed!r}) is not in head "
                f"{binding.head!r}, whose tags are {binding.spec.labels}"
            )
        tags.append(renamed)
    return Example(record.id, record.words, token_labels={binding.head: tags})
