"""``strife score``: read documents, extract, write one JSON record per document.

Inputs: a ``.txt`` file (one document), a folder of ``.txt`` files, or JSONL
records with an id and a text field. The output is written to a temporary file and
renamed when complete, so an interrupted run never leaves a truncated file behind.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from strife.errors import DataError
from strife.inference.extractor import Extractor


def read_documents(path: Path, id_field: str = "id", text_field: str = "text") -> Iterator[dict[str, Any]]:
    """Yield ``{"id", "text"}`` records; a bad JSONL line becomes a record with ``error``."""
    if not path.exists():
        raise DataError(f"{path}: input not found")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".txt")
        if not files:
            raise DataError(f"{path}: folder holds no .txt files")
        for file in files:
            yield {"id": file.stem, "text": file.read_bytes().decode("utf-8", errors="replace")}
    elif path.suffix == ".txt":
        yield {"id": path.stem, "text": path.read_bytes().decode("utf-8", errors="replace")}
    elif path.suffix == ".jsonl":
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw.decode("utf-8", errors="replace"))
                    yield {"id": data.get(id_field, f"line{number}"), "text": data.get(text_field)}
                except (json.JSONDecodeError, AttributeError) as exc:
                    yield {"id": f"line{number}", "text": None, "error": f"{path}:{number}: invalid JSON: {exc}"}
    else:
        raise DataError(f"{path}: expected a .txt file, a folder of .txt files or a .jsonl file")


def summary_table(results: list[dict[str, Any]]) -> str:
    """A short human-readable table: per sentence, the spans and labels found."""
    lines = []
    for result in results:
        lines.append(f"== {result['id']}" + (f"  ERROR: {result['error']}" if result["error"] else ""))
        for sentence in result["sentences"]:
            found = []
            for key, value in sentence.items():
                if key in ("index", "start", "end", "text", "windows"):
                    continue
                if isinstance(value, dict):
                    found.append(f"{key}={value['label']}")
                elif value and "text" in value[0]:
                    found.append(", ".join(f"{v['label']}:{v['text']!r}" for v in value))
                elif value:
                    found.append(f"{key}=" + "|".join(v["label"] for v in value))
            lines.append(f"  [{sentence['index']:>2}] {sentence['text'][:60]!r:<64} {'; '.join(found)}")
    return "\n".join(lines)


def score_command(args: argparse.Namespace) -> None:
    """Run the extractor over ``args.input`` and write JSONL to ``args.output``."""
    extractor = Extractor.from_pretrained(args.model, batch_size=args.batch_size)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".partial")
    started, results = time.perf_counter(), []
    documents = read_documents(Path(args.input), args.id_field, args.text_field)
    with tmp.open("w", encoding="utf-8") as handle:
        for result in tqdm(extractor.extract_iter(documents), desc="documents", unit="doc"):
            handle.write(json.dumps(result, ensure_ascii=False) + "\n")
            results.append(result)
    os.replace(tmp, output)
    elapsed = time.perf_counter() - started
    n_sentences = sum(len(r["sentences"]) for r in results)
    print(summary_table(results) if len(results) <= 20 else "")
    print(f"{len(results)} documents, {n_sentences} sentences, "
          f"{sum(1 for r in results if r['error'])} errors in {elapsed:.1f} s -> {output}")
