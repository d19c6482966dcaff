"""CoNLL and TSV readers (training/readers.py): every error names the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from strife.errors import DataError
from strife.training.readers import read_conll, read_tsv


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_read_conll_splits_sentences_on_blank_lines_and_keeps_start_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Police B-S\narrested O\n\n\nRebels B-S\nfled O\n")
    sentences = read_conll(path)
    assert [s.words for s in sentences] == [["Police", "arrested"], ["Rebels", "fled"]]
    assert [s.tags for s in sentences] == [["B-S", "O"], ["B-S", "O"]]
    assert [s.line for s in sentences] == [1, 5]


def test_read_conll_parses_crlf_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Police B-S\r\narrested O\r\n\r\nRebels B-T\r\n")
    sentences = read_conll(path)
    assert [s.tags for s in sentences] == [["B-S", "O"], ["B-T"]]
    assert all("\r" not in w for s in sentences for w in s.words)


def test_read_conll_takes_the_last_column_as_the_tag(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Police\tNNP\tB-NP\tB-S\n")
    assert read_conll(path)[0].tags == ["B-S"]


def test_read_conll_single_column_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Police B-S\narrested\n")
    with pytest.raises(DataError, match=re.escape(f"{path}:2: expected 'word tag'")):
        read_conll(path)


def test_read_conll_keeps_a_last_sentence_without_trailing_blank_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Police B-S")
    assert read_conll(path)[0].words == ["Police"]


def test_read_conll_decodes_invalid_utf8_with_replacement(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", b"caf\xe9 O\n")
    assert read_conll(path)[0].words == ["caf\ufffd"]


@pytest.mark.parametrize("content", ["", "\n\n", "  \r\n\t\r\n"], ids=["empty", "blank-lines", "whitespace"])
def test_readers_reject_an_empty_file(tmp_path: Path, content: str) -> None:
    path = _write(tmp_path, "a.tsv", content)
    with pytest.raises(DataError, match="file is empty"):
        read_tsv(path, 1)
    with pytest.raises(DataError, match="file is empty"):
        read_conll(path)


def test_readers_report_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_tsv(tmp_path / "absent.tsv", 1)


def test_read_tsv_reads_text_and_label_columns_with_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.tsv", "Police arrested rebels\t1\t0\r\n\r\nTalks held\t0\t0\r\n")
    rows = read_tsv(path, 2)
    assert [(r.text, r.labels, r.line) for r in rows] == [
        ("Police arrested rebels", ["1", "0"], 1), ("Talks held", ["0", "0"], 3)]


def test_read_tsv_wrong_column_count_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.tsv", "ok text\t1\t0\nshort\t1\n")
    with pytest.raises(DataError, match=re.escape(f"{path}:2: expected 3 tab-separated columns") + ".* got 2"):
        read_tsv(path, 2)


def test_read_tsv_unquotes_csv_style_quoted_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.tsv", '"He said ""no"" twice"\t3\n')
    assert read_tsv(path, 1)[0].text == 'He said "no" twice'


def test_read_tsv_leaves_inner_quotes_of_unquoted_text_alone(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.tsv", 'He said "no"\t3\n')
    assert read_tsv(path, 1)[0].text == 'He said "no"'


def test_read_tsv_keeps_a_row_with_empty_text_so_test_sets_stay_comparable(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.tsv", "ok\t1\n  \t2\n")
    rows = read_tsv(path, 1)
    assert [(r.text, r.labels, r.line) for r in rows] == [("ok", ["1"], 1), ("", ["2"], 2)]
