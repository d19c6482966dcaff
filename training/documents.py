"""Source documents by stable record id: the text every stand-off label points into.

Stand-off annotations (the gold set, converted labels) store only ``(dataset,
record_id, offsets)``; this module is the one place that turns a record id back into
its document text, so that converters, the gold loader and the gold-set selection all
agree on what offset 0 means. The document text of each source is defined in
``docs/annotation-guidelines.md`` ("Stand-off storage"): the text field of JSON
sources, the tokens joined by single spaces for tokenised JSON sources, the text
column of TSV sources and the words joined by single spaces for CoNLL sources.

M2E2 ships without splits; its held-out split is every document whose id hashes to
0 modulo 5 (:func:`m2e2_split`), so it is the same on every machine.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from strife.errors import DataError, at
from strife.training.adapters import DATASETS, read_split
from strife.training.hashing import hash_bucket
from strife.training.readers import read_tsv


@dataclass(frozen=True)
class Document:
    """One record of a source: its id and its text."""

    dataset: str
    record_id: str
    text: str


def json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    """``(line number, object)`` of a JSON Lines file; errors name the file and line."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{at(path, number)}: not valid JSON ({exc.msg})") from None


def _joined(tokens: list[list[str]] | list[str]) -> str:
    if tokens and isinstance(tokens[0], list):
        return " ".join(word for sentence in tokens for word in sentence)
    return " ".join(tokens)


M2E2_ZIP = "m2e2/m2e2_annotations.zip"
M2E2_MEMBER = "m2e2_annotations/text_only_event.json"


@lru_cache(maxsize=2)
def m2e2_items(root: Path) -> list[dict]:
    """The sentence items of M2E2's ``text_only_event.json`` (read from the zip)."""
    path = root / M2E2_ZIP
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(M2E2_MEMBER))


def m2e2_document_id(sentence_id: str) -> str:
    """``VOA_EN_NW_2016.04.19.3291980_0`` -> ``VOA_EN_NW_2016.04.19.3291980``."""
    return sentence_id.rsplit("_", 1)[0]


def m2e2_split(sentence_id: str) -> str:
    """``test`` for one document in five (by a hash of its id), else ``train``."""
    return "test" if hash_bucket(m2e2_document_id(sentence_id), 5) == 0 else "train"


def _m2e2(root: Path, split: str) -> Iterator[Document]:
    for item in m2e2_items(root):
        if m2e2_split(item["sentence_id"]) == split:
            yield Document("m2e2", item["sentence_id"], item["sentence"])


def _wikievents(root: Path, split: str) -> Iterator[Document]:
    path = root / f"wikievents/{split}_info.jsonl" if split != "train" else root / "wikievents/wiki-train-human.jsonl"
    for _, row in json_lines(path):
        yield Document("wikievents", row.get("doc_id") or row["docid"], _joined(row["tokens"]))


def _muc4(root: Path, split: str) -> Iterator[Document]:
    for _, row in json_lines(root / f"muc4/{split}.json"):
        yield Document("muc4", row["docid"], row["doctext"])


def _gvdb(root: Path, split: str) -> Iterator[Document]:
    for _, row in json_lines(root / f"gvdb/{split}.json"):
        yield Document("gvdb", str(row["doc_key"]), _joined(row["full_text"]))


def _rams(root: Path, split: str) -> Iterator[Document]:
    for _, row in json_lines(root / f"rams/{split}.jsonlines"):
        yield Document("rams", row["doc_key"], _joined(row["sentences"]))


def _adapter_dataset(name: str) -> Callable[[Path, str], Iterator[Document]]:
    spec = DATASETS[name]

    def documents(root: Path, split: str) -> Iterator[Document]:
        if spec.format == "tsv":
            path = root / spec.files[split]
            for row in read_tsv(path, spec.label_columns):
                yield Document(name, f"{name}:{split}:{row.line}", row.text)
        else:
            for record in read_split(spec, root, split):
                yield Document(name, record.id, " ".join(record.words))

    return documents


#: Every source whose documents can carry stand-off labels, with its reader.
SOURCES: dict[str, Callable[[Path, str], Iterator[Document]]] = {
    "m2e2": _m2e2,
    "wikievents": _wikievents,
    "muc4": _muc4,
    "gvdb": _gvdb,
    "rams": _rams,
    **{name: _adapter_dataset(name) for name in DATASETS},
}


def iter_documents(dataset: str, split: str, root: Path) -> Iterator[Document]:
    """Documents of one split of ``dataset`` under the data root ``root``."""
    if dataset not in SOURCES:
        raise DataError(f"unknown source {dataset!r}; known sources are {sorted(SOURCES)}")
    return SOURCES[dataset](Path(root), split)


@lru_cache(maxsize=64)
def _index(dataset: str, split: str, root: Path) -> dict[str, str]:
    return {doc.record_id: doc.text for doc in iter_documents(dataset, split, root)}


def record_split(dataset: str, record_id: str) -> str:
    """The split a record id belongs to, for sources whose ids do not say it."""
    if dataset == "m2e2":
        return m2e2_split(record_id)
    if dataset in DATASETS:
        return record_id.split(":")[-2]
    raise DataError(f"{dataset}: the split of record {record_id!r} must be given explicitly")


def document_text(dataset: str, record_id: str, root: Path, split: str | None = None) -> str:
    """The text of one record; a :class:`DataError` names the record if it is gone."""
    split = split or record_split(dataset, record_id)
    texts = _index(dataset, split, Path(root))
    if record_id not in texts:
        raise DataError(f"{dataset} {split}: no record {record_id!r} under {root}; has the file changed?")
    return texts[record_id]
