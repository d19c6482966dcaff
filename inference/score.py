"""``strife score``: stream documents through the extractor, one output record per input record.

::

    strife score --model runs/default/model --input news.jsonl.gz --output events.jsonl
    strife score --model runs/default/model --input news.parquet --output events.parquet \\
        --text-field body --id-field url --device cuda --resume

Inputs and outputs are described in :mod:`strife.inference.io`. The run streams:
it holds one chunk of ``--chunk-size`` documents (whose sentences the extractor
batches together, sorted by length) and, for Parquet output, one unfinished part,
whatever the size of the input. Every input record gives exactly one output record
in input order; one that cannot be scored gives a record with ``error`` set and no
sentences, and the run goes on.

``--resume`` continues an interrupted run: the records already written are checked
against the first ids of the input (a mismatch is an error, never a silent mix),
a torn last line or an unfinished part is dropped, and scoring starts right after
the last complete record, so the finished output has neither duplicates nor gaps.
Without ``--resume`` an existing non-empty output is an error.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from strife.errors import ConfigError, DataError
from strife.inference.batches import chunked
from strife.inference.extractor import SCHEMA, Extractor
from strife.inference.io import JsonlWriter, ParquetWriter, count_records, open_writer, read_records
from strife.models.device import resolve_device

#: Documents scored in a run up to which the per-sentence table is printed.
TABLE_MAX_DOCUMENTS = 20

def tally(result: dict[str, Any], stats: dict[str, Any], preview: list[dict[str, Any]]) -> None:
    """Count one written record into the run's summary; keep the first few for the table."""
    stats["documents"] += 1
    stats["sentences"] += len(result["sentences"])
    stats["errors"] += result["error"] is not None
    if len(preview) <= TABLE_MAX_DOCUMENTS:
        preview.append(result)


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
                if key == "totals":  # casualty totals: {"killed": 41, ...}
                    found += [f"{kind}={count}" for kind, count in value.items() if count]
                elif isinstance(value, dict):
                    found.append(f"{key}={value['label']}")
                elif value and "text" in value[0]:
                    found.append(", ".join(f"{v['label']}:{v['text']!r}" for v in value))
                elif value:
                    found.append(f"{key}=" + "|".join(v["label"] for v in value))
            lines.append(f"  [{sentence['index']:>2}] {sentence['text'][:60]!r:<64} {'; '.join(found)}")
    return "\n".join(lines)


def available_cores() -> int:
    """CPU cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _failed(extractor: Extractor, record: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    return {"id": record.get("id"), "schema": SCHEMA, "model": extractor.model_info, "sentences": [],
            "error": f"extractor failed: {type(exc).__name__}: {exc}"}


def score_chunk(extractor: Extractor, chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results for a chunk; if the extractor fails on it, retry one document at a time.

    A document the extractor still fails on (e.g. out of GPU memory) gets an error
    record, so one pathological input never stops a corpus run.
    """
    try:
        results = extractor.extract(chunk)
    except Exception as exc:  # noqa: BLE001 - any failure becomes error records, never a stopped run
        if len(chunk) == 1:
            return [_failed(extractor, chunk[0], exc)]
        _free_accelerator_memory()
        return [result for record in chunk for result in score_chunk(extractor, [record])]
    if len(results) != len(chunk):  # the extractor's contract; a break here would shift every later id
        raise RuntimeError(f"extractor returned {len(results)} results for {len(chunk)} documents")
    return results


def _free_accelerator_memory() -> None:
    torch = sys.modules.get("torch")  # only when the torch backend loaded it; the ONNX path stays torch-free
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM (what batch schedulers send first) into SystemExit, so outputs are closed cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _option(args: argparse.Namespace, name: str, default: Any) -> Any:
    value = getattr(args, name, None)
    return default if value is None else value


def score_command(args: argparse.Namespace) -> dict[str, Any]:
    """Score ``args.input`` into ``args.output``; print a summary and return its numbers.

    ``args`` holds the ``strife score`` options; any left out take their defaults.
    ``engine="ray"`` hands the run to :mod:`strife.inference.ray_engine`.
    """
    if _option(args, "engine", "local") == "ray":
        from strife.inference.ray_engine import ray_score_command

        return ray_score_command(args)
    wall_started = time.perf_counter()
    source, output = Path(args.input), Path(args.output)
    chunk_size = int(_option(args, "chunk_size", 64))
    threads = int(_option(args, "threads", available_cores()))
    resume = bool(_option(args, "resume", False))
    progress = bool(_option(args, "progress", True))
    if chunk_size < 1 or threads < 1:
        raise ConfigError(f"--chunk-size and --threads must be at least 1, got {chunk_size} and {threads}")

    # Check input and output before the (slow) model load, so mistakes fail in a second.
    writer = open_writer(output, part_size=int(_option(args, "part_size", 1000)))
    records = read_records(source, _option(args, "id_field", "id"), _option(args, "text_field", "text"),
                           decode_errors=_option(args, "decode_errors", "strict"))
    if writer.exists() and not resume:
        raise DataError(f"{output} already exists; pass --resume to continue that run, "
                        "or remove it to start over")
    done = writer.resume(records) if resume else 0

    backend = str(_option(args, "backend", "torch"))
    rule_types = bool(_option(args, "rule_types", True))
    batch_size = _option(args, "batch_size", None)  # None: the backend's default (32 on CPU, 128 on CUDA)
    if backend != "torch":  # ONNX Runtime sets threads per session, and torch is never imported
        extractor = Extractor.from_pretrained(args.model, device=_option(args, "device", "auto"),
                                              batch_size=batch_size, backend=backend, threads=threads,
                                              quantized=bool(_option(args, "quantized", False)),
                                              rule_types=rule_types)
        return _score(extractor, records, writer, source, output, done, resume, chunk_size, progress,
                      extractor.backend.device, threads, wall_started)

    import torch

    device = resolve_device(_option(args, "device", "auto"), allowed=("cpu", "cuda"))
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        extractor = Extractor.from_pretrained(args.model, device=device, batch_size=batch_size,
                                              quantized=bool(_option(args, "quantized", False)),
                                              rule_types=rule_types)
        return _score(extractor, records, writer, source, output, done, resume, chunk_size, progress,
                      device, threads, wall_started)
    finally:
        torch.set_num_threads(previous_threads)  # a library caller keeps its own setting


def _score(extractor: Extractor, records: Iterator[dict[str, Any]], writer: JsonlWriter | ParquetWriter,
           source: Path, output: Path, done: int, resume: bool, chunk_size: int, progress: bool,
           device: str, threads: int, wall_started: float) -> dict[str, Any]:
    """The scoring loop: chunks in, records out, a progress bar and the closing summary."""
    total = count_records(source)
    stats = {"documents": 0, "sentences": 0, "errors": 0, "resumed": done}
    preview: list[dict[str, Any]] = []  # bounded: only needed when the run is small enough to print
    started = time.perf_counter()
    with _sigterm_as_exit():
        writer.open(append=resume)
        if writer.dropped_bytes:
            print(f"strife: dropped {writer.dropped_bytes} bytes of an unfinished record or part at the end of "
                  f"{output}; those documents are scored again", file=sys.stderr)
        bar = tqdm(total=None if total is None else max(total - done, 0), unit="doc", desc="scoring",
                   disable=not progress, dynamic_ncols=True, file=sys.stderr)
        try:
            for chunk in chunked(records, chunk_size):
                for result in score_chunk(extractor, chunk):
                    writer.write(result)
                    tally(result, stats, preview)
                bar.update(len(chunk))
                elapsed = max(time.perf_counter() - started, 1e-9)
                bar.set_postfix_str(f"{stats['sentences'] / elapsed:.1f} sent/s, {stats['errors']} errors",
                                    refresh=False)
        finally:
            bar.close()
            writer.close()  # complete records reach the output even on Ctrl-C or SIGTERM
    elapsed = max(time.perf_counter() - started, 1e-9)
    wall = time.perf_counter() - wall_started
    stats.update(seconds=elapsed, wall_seconds=wall, device=device, threads=threads, backend=extractor.backend.name)

    if 0 < stats["documents"] <= TABLE_MAX_DOCUMENTS:
        print(summary_table(preview))
    if stats["documents"] == 0 and done == 0:
        print(f"strife: warning: {source} holds no records", file=sys.stderr)
    resumed = f" (+{done} from the earlier run)" if resume else ""
    print(f"{stats['documents']} documents{resumed}, {stats['sentences']} sentences, {stats['errors']} errors "
          f"in {elapsed:.1f} s ({stats['documents'] / elapsed:.1f} docs/s, {stats['sentences'] / elapsed:.1f} "
          f"sentences/s; {extractor.backend.name} on {device}, {threads} threads; wall time {wall:.1f} s with "
          f"model load) -> {output}")
    return stats
