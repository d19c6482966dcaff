"""Readers for the two file formats of the benchmark data: CoNLL and TSV.

Both read line by line so that every error names the file and the line. Text is
decoded as UTF-8 with replacement characters, because some sources carry mojibake
that must not stop a training run; stray carriage returns are stripped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strife.errors import DataError, at


@dataclass
class TaggedSentence:
    """Words with one tag each, and the line the sentence started on."""

    words: list[str]
    tags: list[str]
    line: int


@dataclass
class LabelledText:
    """A text with its label columns, and its line number."""

    text: str
    labels: list[str]
    line: int


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if not any(line.strip() for line in lines):
        raise DataError(f"{path}: file is empty; expected at least one example")
    return lines


def read_conll(path: Path) -> list[TaggedSentence]:
    """Read ``word tag`` lines (space or tab separated), sentences split by blank lines.

    The tag is the last column; a line with a single column is an error rather than a
    silently dropped word, since it would shift every later label.
    """
    sentences: list[TaggedSentence] = []
    words: list[str] = []
    tags: list[str] = []
    start = 1
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            if words:
                sentences.append(TaggedSentence(words, tags, start))
            words, tags, start = [], [], number + 1
            continue
        parts = line.split()
        if len(parts) < 2:
            raise DataError(
                f"{at(path, number)}: expected 'word tag', got {line!r}; every non-blank line of a "
                f"CoNLL file needs a word and a tag"
            )
        words.append(parts[0])
        tags.append(parts[-1])
    if words:
        sentences.append(TaggedSentence(words, tags, start))
    return sentences


def _unquote(field: str) -> str:
    """Undo CSV-style quoting (``"a ""b"" c"``) that some TSV sources use."""
    if len(field) >= 2 and field.startswith('"') and field.endswith('"'):
        return field[1:-1].replace('""', '"')
    return field


def read_tsv(path: Path, label_columns: int) -> list[LabelledText]:
    """Read ``text<TAB>label...`` lines with exactly ``label_columns`` label columns."""
    rows: list[LabelledText] = []
    expected = label_columns + 1
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != expected:
            raise DataError(
                f"{at(path, number)}: expected {expected} tab-separated columns (text and "
                f"{label_columns} label(s)), got {len(parts)}"
            )
        text = _unquote(parts[0]).strip()
        # An empty text is kept: benchmark test sets contain a few, and dropping them
        # would make our scores incomparable with published ones.
        rows.append(LabelledText(text, [p.strip() for p in parts[1:]], number))
    return rows
