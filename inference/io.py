"""Streaming readers and crash-safe writers for ``strife score``.

Readers
-------
:func:`read_records` yields ``{"id": str, "text": str}`` one record at a time, with
memory bounded by one record (one row group for Parquet), whatever the input size:

* a ``.txt`` file (one document, id = file stem) or a folder of ``.txt`` files
  (sorted by name, one document each);
* ``.jsonl`` / ``.ndjson`` (one JSON object per line);
* ``.csv`` (header row required; fields may hold newlines; no field size limit);
* ``.parquet`` (read batch by batch, only the id and text columns);
* any of the text formats gzip-compressed (``.jsonl.gz``, ``.csv.gz``, ``.txt.gz``).

Every input record gets a stable id: the value of the id field converted to ``str``
when the record has one, else ``line<N>`` (the line of the file where the record
starts, counting from 1, for JSONL and CSV) or ``row<N>`` (the row counting from 1,
for Parquet). Blank JSONL lines and blank CSV lines are skipped (they are not
records). A record that cannot be scored (invalid JSON, not an object, missing or
null text field, text that is not a string or is blank, bytes that are not UTF-8)
becomes ``{"id", "text": None, "error": "<file>:<line>: <what is wrong>"}`` in
its place, so the output keeps one record per input record and the run goes on.

Bytes that are not valid UTF-8 give such an error record by default
(``decode_errors="strict"``); with ``decode_errors="replace"`` they are replaced by
U+FFFD and the record is scored. A file-level problem (missing input, unknown
suffix, a CSV header or Parquet schema without the text column, an empty folder)
raises :class:`~strife.errors.DataError` before anything is scored.

Writers
-------
:class:`JsonlWriter` appends one line per record and flushes it, so a killed
process leaves at most one torn last line; it fsyncs every few seconds and on
close. On resume a line counts only if it ends with a newline and parses as a JSON
object with an ``id``; the file is truncated before the first line that does not.

:class:`ParquetWriter` writes a *folder* ``<output>.parquet/`` of numbered parts
``part-00000.parquet``, ``part-00001.parquet``, ... of ``part_size`` records each
(the last may be shorter; a run over an empty input writes one empty part). Each
part is written under a hidden temporary name ``.part-NNNNN.parquet.tmp``, fsynced
and renamed into place, so a crash loses at most the unfinished part. Columns:
``id`` (string), ``error`` (string, null when the record was scored) and
``record`` (string: the full result record as JSON, the same object the JSONL
output holds on one line). Record order is part number, then row order within a
part; ``pyarrow.parquet.read_table(folder)`` and ``pandas.read_parquet(folder)``
read the parts in that order (names sort by number up to part 99999).

Both writers implement :meth:`resume`, which walks the records already written
alongside the input, checks that their ids are the first ids of the input, and
leaves the input iterator positioned after them.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from strife.errors import DataError

#: Input suffixes :func:`read_records` understands (a folder of ``.txt`` files too).
INPUT_FORMATS = (".txt", ".jsonl", ".ndjson", ".csv", ".parquet", ".pq")
#: Output suffixes :func:`open_writer` understands.
OUTPUT_FORMATS = (".jsonl", ".parquet")

_SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, under "surrogateescape"
_BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------- readers


def input_format(path: Path) -> tuple[str, bool]:
    """``(suffix, gzipped)`` of an input file, e.g. ``(".jsonl", True)`` for ``x.jsonl.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), gzipped


def read_records(path: str | Path, id_field: str = "id", text_field: str = "text",
                 decode_errors: str = "strict") -> Iterator[dict[str, Any]]:
    """Stream ``{"id", "text"}`` records (or error records) from ``path``; see the module doc.

    The input is checked when this is called, so a missing file, an unknown suffix or
    a CSV/Parquet input without the text column raises :class:`DataError` at once.
    """
    if decode_errors not in ("strict", "replace"):
        raise DataError(f"decode_errors must be 'strict' or 'replace', got {decode_errors!r}")
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: input not found")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
        if not files:
            raise DataError(f"{path}: folder holds no .txt files")
        return _read_txt_files(files, decode_errors)
    suffix, gzipped = input_format(path)
    if suffix == ".txt":
        return _read_txt_files([path], decode_errors)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path, gzipped, id_field, text_field, decode_errors)
    if suffix == ".csv":
        return _read_csv(path, gzipped, id_field, text_field, decode_errors)
    if suffix in (".parquet", ".pq") and not gzipped:
        return _read_parquet(path, id_field, text_field, decode_errors)
    raise DataError(f"{path}: expected a .txt file, a folder of .txt files, or a .jsonl, .csv or .parquet "
                    f"file (text formats may be gzipped, e.g. .jsonl.gz); got {''.join(path.suffixes) or 'no suffix'}")


def count_records(path: str | Path) -> int | None:
    """The number of input records when it is known without reading the data, else None."""
    path = Path(path)
    try:
        if path.is_dir():
            return sum(1 for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
        suffix, gzipped = input_format(path)
        if suffix == ".txt":
            return 1
        if suffix in (".parquet", ".pq") and not gzipped:
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - a count is only a progress-bar nicety
        return None
    return None


def _open_binary(path: Path, gzipped: bool) -> BinaryIO:
    return gzip.open(path, "rb") if gzipped else path.open("rb")  # type: ignore[return-value]


def _decode(raw: bytes, decode_errors: str) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, reason)`` for bytes that are not UTF-8 in strict mode."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        if decode_errors == "replace":
            return raw.decode("utf-8", errors="replace"), None
        return None, f"not valid UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 4]!r})"


def _unescape(value: str, decode_errors: str) -> tuple[str | None, str | None]:
    """Undo ``surrogateescape`` decoding for one field: replace the bad bytes or report them."""
    match = _SURROGATE.search(value)
    if match is None:
        return value, None
    raw = value.encode("utf-8", errors="surrogateescape")
    return _decode(raw, decode_errors)


def _error(record_id: str, where: str, message: str) -> dict[str, Any]:
    return {"id": record_id, "text": None, "error": f"{where}: {message}"}


def _checked(record_id: str, where: str, text: Any, text_field: str, decode_errors: str) -> dict[str, Any]:
    """A scoreable record, or an error record saying what is wrong with ``text``."""
    if isinstance(text, (bytes, bytearray)):
        text, problem = _decode(bytes(text), decode_errors)
        if problem:
            return _error(record_id, where, f"field {text_field!r} is {problem}")
    if text is None:
        return _error(record_id, where, f"field {text_field!r} is null")
    if not isinstance(text, str):
        return _error(record_id, where, f"field {text_field!r} is {type(text).__name__}, expected a string")
    if not text.strip():
        return _error(record_id, where, f"field {text_field!r} is empty")
    return {"id": record_id, "text": text}


def _read_txt_files(files: list[Path], decode_errors: str) -> Iterator[dict[str, Any]]:
    for file in files:
        _, gzipped = input_format(file)
        record_id = file.name[: -len(".txt.gz")] if gzipped else file.stem
        with _open_binary(file, gzipped) as handle:
            raw = handle.read()
        if raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        text, problem = _decode(raw, decode_errors)
        if problem:
            yield _error(record_id, str(file), problem)
        else:
            yield _checked(record_id, str(file), text, "text", decode_errors)


def _read_jsonl(path: Path, gzipped: bool, id_field: str, text_field: str,
                decode_errors: str) -> Iterator[dict[str, Any]]:
    with _open_binary(path, gzipped) as handle:
        yield from jsonl_records(handle, str(path), id_field, text_field, decode_errors)


def jsonl_records(lines: Iterable[bytes], name: str, id_field: str = "id", text_field: str = "text",
                  decode_errors: str = "strict") -> Iterator[dict[str, Any]]:
    """Records of JSONL ``lines`` (raw bytes, already decompressed); ``name`` starts error locations.

    Split from the file reader so that the Ray engine's readers, which get an open
    stream of a possibly remote file, give the same ids and errors as the local path.
    """
    for number, raw in enumerate(lines, start=1):
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        if not raw.strip():
            continue
        fallback, where = f"line{number}", f"{name}:{number}"
        line, problem = _decode(raw, decode_errors)
        if problem:
            yield _error(_salvage_id(raw, id_field) or fallback, where, problem)
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _error(fallback, where, f"invalid JSON: {exc}")
            continue
        if not isinstance(data, dict):
            yield _error(fallback, where, f"expected a JSON object, got {type(data).__name__}")
            continue
        record_id = fallback if data.get(id_field) is None else str(data[id_field])
        if text_field not in data:
            fields = ", ".join(map(str, list(data)[:10])) or "none"
            yield _error(record_id, where, f"no {text_field!r} field (fields: {fields}); see --text-field")
            continue
        yield _checked(record_id, where, data[text_field], text_field, decode_errors)


def _salvage_id(raw: bytes, id_field: str) -> str | None:
    """The id of a JSONL line that is not UTF-8, when it can be found without decoding it all."""
    pattern = re.compile(rb'"' + re.escape(id_field.encode()) + rb'"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')
    match = pattern.search(raw)
    if not match:
        return None
    try:
        value = json.loads(match.group(1).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return str(value)


def _raise_csv_field_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long is 32 bits on Windows
            limit //= 10


def _read_csv(path: Path, gzipped: bool, id_field: str, text_field: str,
              decode_errors: str) -> Iterator[dict[str, Any]]:
    _raise_csv_field_limit()
    binary = _open_binary(path, gzipped)
    handle = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}: empty CSV file, expected a header row with a {text_field!r} column")
        header = [(_unescape(h, "replace")[0] or "").strip() for h in header]
        if text_field not in header:
            raise DataError(f"{path}: the header has no {text_field!r} column (columns: {', '.join(header)}); "
                            "pass --text-field to name the text column")
    except BaseException:
        handle.close()
        raise
    return _csv_rows(path, handle, reader, header, id_field, text_field, decode_errors)


def _csv_rows(path: Path, handle: io.TextIOWrapper, reader: Any, header: list[str], id_field: str,
              text_field: str, decode_errors: str) -> Iterator[dict[str, Any]]:
    text_at = header.index(text_field)
    id_at = header.index(id_field) if id_field in header else None
    with handle:
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a NUL byte; the reader can go on with the next line
                yield _error(f"line{start}", f"{path}:{start}", f"invalid CSV: {exc}")
                start = reader.line_num + 1
                continue
            number, start = start, reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            where = f"{path}:{number}"
            record_id = f"line{number}"
            if id_at is not None and id_at < len(row) and row[id_at] != "":
                record_id = _unescape(row[id_at], "replace")[0] or record_id
            if text_at >= len(row):
                yield _error(record_id, where, f"row has {len(row)} fields, the header {len(header)}; "
                                               f"no {text_field!r} value")
                continue
            text, problem = _unescape(row[text_at], decode_errors)
            if problem:
                yield _error(record_id, where, f"field {text_field!r} is {problem}")
                continue
            yield _checked(record_id, where, text, text_field, decode_errors)


def _read_parquet(path: Path, id_field: str, text_field: str, decode_errors: str) -> Iterator[dict[str, Any]]:
    return parquet_records(path, str(path), id_field, text_field, decode_errors)


def parquet_records(source: Any, name: str, id_field: str = "id", text_field: str = "text",
                    decode_errors: str = "strict") -> Iterator[dict[str, Any]]:
    """Records of a Parquet file (a path or an open random-access file); ``name`` starts error locations.

    The schema is checked at once (a :class:`DataError` without the text column); the
    Ray engine's readers call this on files they open themselves.
    """
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise DataError(f"{name}: not a readable Parquet file: {exc}") from exc
    names = parquet.schema_arrow.names
    if text_field not in names:
        raise DataError(f"{name}: no {text_field!r} column (columns: {', '.join(names)}); "
                        "pass --text-field to name the text column")
    columns = [text_field] + ([id_field] if id_field in names and id_field != text_field else [])
    return _parquet_rows(name, parquet, columns, id_field, text_field, decode_errors)


def _parquet_rows(path: str, parquet: Any, columns: list[str], id_field: str, text_field: str,
                  decode_errors: str) -> Iterator[dict[str, Any]]:
    number = 0
    for batch in parquet.iter_batches(batch_size=1024, columns=columns):
        texts = batch.column(text_field).to_pylist()
        ids = batch.column(id_field).to_pylist() if id_field in columns else [None] * len(texts)
        for record_id, text in zip(ids, texts):
            number += 1
            rid = f"row{number}" if record_id is None else str(record_id)
            yield _checked(rid, f"{path}: row {number}", text, text_field, decode_errors)


# --------------------------------------------------------------------------- writers


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _next_input(records: Iterator[dict[str, Any]], output: Path, written: int) -> dict[str, Any]:
    try:
        return next(records)
    except StopIteration:
        raise DataError(f"{output} holds more records ({written + 1} or more) than the input; it was written "
                        "from another input. Remove it or pick another --output.") from None


def _check_id(output: Path, where: str, expected: dict[str, Any], found: Any) -> None:
    if found != expected["id"]:
        raise DataError(f"{where}: holds id {found!r} where the input's next record has id {expected['id']!r}; "
                        f"{output} was written from another input (or other --id-field). "
                        "Remove it or pick another --output.")


class JsonlWriter:
    """One JSON record per line, appended and flushed one by one; see the module doc."""

    def __init__(self, path: str | Path, fsync_seconds: float = 5.0) -> None:
        self.path = Path(path)
        self.fsync_seconds = fsync_seconds
        self._handle: BinaryIO | None = None
        self._synced = time.monotonic()
        self.dropped_bytes = 0

    def exists(self) -> bool:
        """Whether the output already holds something (a non-empty file)."""
        if self.path.is_dir():
            raise DataError(f"{self.path}: is a folder, expected a .jsonl file path")
        return self.path.exists() and self.path.stat().st_size > 0

    def resume(self, records: Iterator[dict[str, Any]]) -> int:
        """Check the complete lines against the input, drop a torn tail; return how many were kept."""
        if not self.path.exists():
            return 0
        kept, offset = 0, 0
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    break
                try:
                    data = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    break
                if not isinstance(data, dict) or "id" not in data:
                    break
                expected = _next_input(records, self.path, kept)
                _check_id(self.path, f"{self.path}:{number}", expected, data["id"])
                kept += 1
                offset += len(raw)
        size = self.path.stat().st_size
        if offset < size:
            self.dropped_bytes = size - offset
            with self.path.open("r+b") as handle:
                handle.truncate(offset)
                handle.flush()
                os.fsync(handle.fileno())
        return kept

    def open(self, append: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("ab" if append else "wb")
        self._synced = time.monotonic()

    def write(self, record: dict[str, Any]) -> None:
        assert self._handle is not None, "open() the writer first"
        self._handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        self._handle.flush()  # a killed process loses nothing that write() returned
        if time.monotonic() - self._synced > self.fsync_seconds:
            os.fsync(self._handle.fileno())  # a lost machine loses at most a few seconds
            self._synced = time.monotonic()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None


class ParquetWriter:
    """A folder of numbered Parquet parts, each renamed into place when complete; see the module doc."""

    PART = re.compile(r"part-(\d+)\.parquet")

    def __init__(self, path: str | Path, part_size: int = 1000) -> None:
        if part_size < 1:
            raise DataError(f"part_size must be at least 1, got {part_size}")
        self.path = Path(path)
        self.part_size = part_size
        self._rows: list[tuple[str, str | None, str]] = []
        self._next_part = 0
        self._wrote_any = False
        self.dropped_bytes = 0

    def parts(self) -> list[Path]:
        """Complete parts in order; a gap in the numbering is an error."""
        if not self.path.is_dir():
            return []
        found = sorted((int(m.group(1)), p) for p in self.path.iterdir() if (m := self.PART.fullmatch(p.name)))
        for expected, (number, part) in enumerate(found):
            if number != expected:
                raise DataError(f"{self.path}: part {expected:05d} is missing before {part.name}; "
                                "the folder was changed by hand. Remove it or pick another --output.")
        return [p for _, p in found]

    def exists(self) -> bool:
        if self.path.exists() and not self.path.is_dir():
            raise DataError(f"{self.path}: is a file; Parquet output is a folder of part files "
                            "(remove the file or pick another --output)")
        return self.path.is_dir() and any(self.path.iterdir())

    def resume(self, records: Iterator[dict[str, Any]]) -> int:
        """Check the ids of the complete parts against the input; return how many records they hold."""
        import pyarrow.parquet as pq

        kept = 0
        for part in self.parts():
            try:
                ids = pq.read_table(part, columns=["id"]).column("id").to_pylist()
            except Exception as exc:  # noqa: BLE001
                raise DataError(f"{part}: unreadable part ({exc}); remove it and the parts after it, "
                                "then resume") from exc
            for row, found in enumerate(ids):
                expected = _next_input(records, self.path, kept)
                _check_id(self.path, f"{part}: row {row}", expected, found)
                kept += 1
            self._next_part += 1
        self._wrote_any = self._next_part > 0
        return kept

    def open(self, append: bool) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        for stale in self.path.glob(".part-*.parquet.tmp"):  # an unfinished part of a killed run
            self.dropped_bytes += stale.stat().st_size
            stale.unlink()
        if not append:
            self._next_part, self._wrote_any = 0, False

    def write(self, record: dict[str, Any]) -> None:
        self._rows.append((str(record["id"]), record.get("error"), json.dumps(record, ensure_ascii=False)))
        if len(self._rows) >= self.part_size:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("id", pa.string()), ("error", pa.string()), ("record", pa.string())])
        ids, errors, payloads = (list(column) for column in zip(*self._rows)) if self._rows else ([], [], [])
        table = pa.table([ids, errors, payloads], schema=schema)
        name = f"part-{self._next_part:05d}.parquet"
        tmp = self.path / f".{name}.tmp"
        pq.write_table(table, tmp, compression="zstd")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path / name)
        _fsync_dir(self.path)
        self._rows = []
        self._next_part += 1
        self._wrote_any = True

    def close(self) -> None:
        if self._rows or not self._wrote_any:  # an empty input still gives a readable dataset
            self._flush()


def open_writer(path: str | Path, part_size: int = 1000) -> JsonlWriter | ParquetWriter:
    """The writer for an output path, chosen by its suffix (``.jsonl`` or ``.parquet``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return JsonlWriter(path)
    if suffix == ".parquet":
        return ParquetWriter(path, part_size=part_size)
    raise DataError(f"{path}: output must end in .jsonl (one JSON record per line) or .parquet "
                    f"(a folder of Parquet parts); got {''.join(path.suffixes) or 'no suffix'}")
