"""Batch containers in and out of :class:`~strife.inference.Extractor`.

Distributed engines hand a batch as a list of records, a dict of columns (Ray
Data's default, values may be numpy arrays), a pandas DataFrame or a pyarrow
Table, and expect the same kind back. Columnar results are flat and schema-stable:
``id``, ``error`` and ``record`` (the full ``strife.events/1`` record as JSON).
pandas and pyarrow are only touched when the caller passes their objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

COLUMNS = ("id", "error", "record")


def chunked(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Consecutive lists of ``size`` records (the last may be shorter), streaming."""
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def batch_kind(batch: Any) -> str:
    """``records``, ``columns``, ``pandas`` or ``arrow``."""
    module = type(batch).__module__
    if module.startswith("pandas"):
        return "pandas"
    if module.startswith("pyarrow"):
        return "arrow"
    if isinstance(batch, dict):
        return "columns"
    return "records"


def to_records(batch: Any, id_field: str = "id", text_field: str = "text") -> list[dict[str, Any]]:
    """Any supported batch as ``[{"id", "text"}]``; row numbers stand in for missing ids."""
    kind = batch_kind(batch)
    if kind == "pandas":
        columns = {name: batch[name].tolist() for name in batch.columns}
    elif kind == "arrow":
        columns = batch.to_pydict()
    elif kind == "columns":
        columns = {name: list(values) for name, values in batch.items()}
    else:
        rows = [{text_field: row} if isinstance(row, str) else row for row in batch]
        return [_record(row, i, id_field, text_field) for i, row in enumerate(rows)]
    size = len(next(iter(columns.values()), []))
    rows = [{name: values[i] for name, values in columns.items()} for i in range(size)]
    return [_record(row, i, id_field, text_field) for i, row in enumerate(rows)]


def _record(row: Any, index: int, id_field: str, text_field: str) -> dict[str, Any]:
    if not isinstance(row, dict):
        return {"id": str(index), "text": None, "error": f"record {index} is a {type(row).__name__}, not a mapping"}
    record = {"id": row.get(id_field, str(index)), "text": row.get(text_field)}
    if row.get("error"):  # a reader already failed on this record; keep its message
        record["error"] = row["error"]
    elif text_field not in row:
        record["error"] = f"record {index} has no {text_field!r} field"
    if hasattr(record["id"], "item"):  # numpy scalars from columnar batches
        record["id"] = record["id"].item()
    return record


def from_results(results: list[dict[str, Any]], kind: str) -> Any:
    """Results in the container kind the batch came in."""
    if kind == "records":
        return results
    columns = {
        "id": [r["id"] for r in results],
        "error": [r["error"] for r in results],
        "record": [json.dumps(r, ensure_ascii=False) for r in results],
    }
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(columns)
    if kind == "arrow":
        import pyarrow as pa

        return pa.table(columns)
    return columns
