"""``strife score --engine ray``: the same records as the local engine, scored by a Ray cluster.

::

    strife score --engine ray --model runs/default/model --input news.jsonl.gz --output events.parquet \\
        --concurrency 8 --num-cpus 2                    # 8 actors of 2 cores each
    strife score --engine ray --ray-address ray://head:10001 --num-gpus 1 --concurrency 4 ...

Ray Data is the standard engine for distributed batch inference (streaming reads,
actor pools, back-pressure, retries), so strife only supplies the two pieces that
are its own:

* :class:`RecordsDatasource` reads JSONL (gzip allowed) and Parquet files, local or
  on any filesystem pyarrow knows (``s3://``, ``gs://``, ...), one read task per
  file, through the same record checks as :func:`strife.inference.io.read_records`:
  a record that cannot be scored becomes an error record with the same id and
  message as on the local engine, and the job goes on.
* :class:`BatchScorer` is the callable class ``map_batches`` runs in each actor:
  the :class:`~strife.inference.Extractor` is loaded once per actor (through
  ``fn_constructor_kwargs``), and a batch it fails on is retried document by
  document exactly as :func:`strife.inference.score.score_chunk` does locally.

The scored dataset has the columns of the local Parquet output: ``id``, ``error``
and ``record`` (the ``strife.events/1`` record as JSON text). Keeping the record as
JSON text is deliberate: as Arrow structs, spans of different heads would be widened
to one struct type (keys such as ``count`` filled with nulls), so records would no
longer equal the local ones. :func:`score_with_ray` streams that dataset back in
input order and writes it with the local writers, so ``events.jsonl`` and
``events.parquet/`` are laid out exactly as ``--engine local`` lays them out.
To write somewhere only the cluster reaches (object storage), build the dataset
with :func:`score_dataset` and call ``write_parquet`` on it.

Needs the optional extra: ``pip install 'strife[ray]'``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strife.errors import ConfigError, DataError, DependencyError
from strife.inference.batches import to_records
from strife.inference.io import input_format, jsonl_records, open_writer, parquet_records, read_records
from strife.inference.score import TABLE_MAX_DOCUMENTS, summary_table, tally

if TYPE_CHECKING:
    import pyarrow as pa
    import ray.data

#: Input suffixes the Ray engine reads (a folder of such files too); ``.gz`` allowed for JSONL.
RAY_INPUT_FORMATS = (".jsonl", ".ndjson", ".parquet", ".pq")
_EXTENSIONS = ["jsonl", "ndjson", "jsonl.gz", "ndjson.gz", "parquet", "pq"]


def _ray() -> Any:
    """The ``ray`` module, or an error that says how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401 - the [data] extra, not only ray core
    except ImportError as exc:
        raise _missing_ray(exc) from exc
    return ray


def _missing_ray(exc: ImportError) -> DependencyError:
    return DependencyError(f"--engine ray needs Ray Data, which is not installed ({exc}); "
                       "install it with `pip install 'strife[ray]'` or score with --engine local")


def _output_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([("id", pa.string()), ("error", pa.string()), ("record", pa.string())])


def _input_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([("id", pa.string()), ("text", pa.string()), ("error", pa.string())])


# --------------------------------------------------------------------------- reading


def _datasource_base() -> type:
    try:
        from ray.data.datasource import FileBasedDatasource
    except ImportError as exc:
        raise _missing_ray(exc) from exc
    return FileBasedDatasource


def _records_datasource() -> type:
    """``RecordsDatasource``, a subclass of Ray's ``FileBasedDatasource``.

    Built on first use so that this module (and the CLI's error message) import without Ray.
    """
    base = _datasource_base()

    class RecordsDatasource(base):  # type: ignore[misc, valid-type]
        """JSONL and Parquet files read through strife's record checks; see the module doc.

        ``name`` replaces the path in error messages when one local file is read, so
        they read exactly as the local engine's (which names the path as given).
        """

        def __init__(self, paths: str | list[str], id_field: str, text_field: str, decode_errors: str,
                     block_rows: int, name: str | None = None) -> None:
            super().__init__(paths, file_extensions=_EXTENSIONS)
            self.id_field, self.text_field, self.decode_errors = id_field, text_field, decode_errors
            self.block_rows, self.name = block_rows, name

        def _open_input_source(self, filesystem: Any, path: str, **open_args: Any) -> Any:
            if _is_parquet(path):  # Parquet needs random access; JSONL streams (gunzipped by pyarrow)
                return filesystem.open_input_file(path)
            return super()._open_input_source(filesystem, path, **open_args)

        def _read_stream(self, f: Any, path: str) -> Iterator[pa.Table]:
            name = self.name or path
            if _is_parquet(path):
                records = parquet_records(f, name, self.id_field, self.text_field, self.decode_errors)
            else:
                records = jsonl_records(io.BufferedReader(f), name, self.id_field, self.text_field,
                                        self.decode_errors)
            yield from _blocks(records, self.block_rows)

    return RecordsDatasource


def _is_parquet(path: str) -> bool:
    return input_format(Path(path))[0] in (".parquet", ".pq")


def _blocks(records: Iterator[dict[str, Any]], size: int) -> Iterator[pa.Table]:
    """Arrow tables of ``size`` records with a fixed schema (``text`` null on error records)."""
    import pyarrow as pa

    schema = _input_schema()
    rows: list[dict[str, Any]] = []
    for record in records:
        rows.append(record)
        if len(rows) == size:
            yield pa.Table.from_pylist(rows, schema=schema)
            rows = []
    if rows:
        yield pa.Table.from_pylist(rows, schema=schema)


def _is_local(path: str) -> bool:
    """A plain path (resolved and checked on the driver), not a URI that Ray's filesystems open."""
    return "://" not in path


def _check_input(source: str, id_field: str, text_field: str, decode_errors: str) -> str | None:
    """Fail before starting Ray on a local input the local engine would also reject.

    Returns the name error messages use for a single local file (the path as given,
    as locally), or None where Ray's path is the better name (folders, remote files).
    """
    if decode_errors not in ("strict", "replace"):
        raise DataError(f"decode_errors must be 'strict' or 'replace', got {decode_errors!r}")
    if not _is_local(source):
        return None
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path}: input not found")
    if path.is_dir():
        if not any(p.is_file() and input_format(p)[0] in RAY_INPUT_FORMATS for p in path.iterdir()):
            raise DataError(f"{path}: folder holds no .jsonl, .jsonl.gz or .parquet files; the Ray engine reads "
                            "those (score .txt and .csv inputs with --engine local)")
        return None
    suffix, gzipped = input_format(path)
    if suffix not in RAY_INPUT_FORMATS or (gzipped and suffix in (".parquet", ".pq")):
        raise DataError(f"{path}: the Ray engine reads .jsonl (optionally .gz) and .parquet files or a folder of "
                        f"them; got {''.join(path.suffixes) or 'no suffix'} (score it with --engine local)")
    read_records(path, id_field, text_field, decode_errors)  # the local checks: a Parquet text column
    return str(path)


def read_dataset(source: str | Path, id_field: str = "id", text_field: str = "text",
                 decode_errors: str = "strict", block_rows: int = 64) -> ray.data.Dataset:
    """A Ray dataset of ``{"id", "text", "error"}`` rows from a JSONL/Parquet file or folder of them.

    Ids and error records are those of :func:`strife.inference.io.read_records`.

    >>> ds = read_dataset("news.jsonl.gz")  # doctest: +SKIP
    """
    ray = _ray()
    name = _check_input(str(source), id_field, text_field, decode_errors)
    # Read tasks run in workers whose working directory is not the driver's: resolve here.
    where = str(Path(source).resolve()) if _is_local(str(source)) else str(source)
    datasource = _records_datasource()(where, id_field, text_field, decode_errors, block_rows, name)
    # Read tasks reserve no CPU: they only parse JSON next to the model's work, and an actor
    # pool sized to the cluster's CPUs (concurrency x num_cpus) would otherwise leave no CPU
    # for them and the job would wait forever. Ray Data's back-pressure still bounds them.
    return ray.data.read_datasource(datasource, num_cpus=0)


# --------------------------------------------------------------------------- scoring


class BatchScorer:
    """The callable class each Ray actor runs: an Extractor loaded once, batches of rows scored.

    Failures follow the local engine: a batch the extractor fails on is retried one
    document at a time, and a document that still fails gets an error record.
    ``threads`` is torch's process-wide thread count (an actor is its own process)
    or ONNX Runtime's intra-op threads, so an actor uses the CPUs it reserved.
    """

    def __init__(self, model: str, device: str = "auto", batch_size: int | None = None, threads: int = 1,
                 backend: str = "torch", quantized: bool = False, model_label: str | None = None,
                 rule_types: bool = True) -> None:
        from strife.inference.extractor import Extractor

        if backend == "torch":  # torch's threads are per process: one actor, `threads` cores
            import torch

            torch.set_num_threads(threads)
        self.extractor = Extractor.from_pretrained(model, device=device, batch_size=batch_size, backend=backend,
                                                   quantized=quantized, threads=threads, rule_types=rule_types)
        if model_label is not None:  # records name the model as the user gave it, as locally
            self.extractor.model_info["path"] = model_label

    def __call__(self, batch: pa.Table) -> pa.Table:
        """Rows ``id``, ``text``, ``error`` in; columns ``id``, ``error``, ``record`` (JSON) out."""
        import pyarrow as pa

        from strife.inference.score import score_chunk

        records = to_records(batch, "id", "text")
        results = score_chunk(self.extractor, records) if records else []
        return pa.table({"id": [str(r["id"]) for r in results], "error": [r["error"] for r in results],
                         "record": [json.dumps(r, ensure_ascii=False) for r in results]}, schema=_output_schema())


def score_dataset(dataset: ray.data.Dataset, model: str | Path, *, backend: str = "torch", quantized: bool = False,
                  device: str = "auto", concurrency: int | tuple[int, int] = 1, batch_size: int = 64,
                  num_cpus: float = 1.0, num_gpus: float = 0.0,
                  forward_batch_size: int | None = None, rule_types: bool = True) -> ray.data.Dataset:
    """Map :class:`BatchScorer` over ``dataset`` (rows from :func:`read_dataset`) with an actor pool.

    ``concurrency`` actors (or an autoscaling ``(min, max)``) each reserve ``num_cpus``
    cores (torch uses that many threads) and ``num_gpus`` GPUs, and score
    ``batch_size`` documents per call; ``forward_batch_size`` is the number of
    sentence windows per forward pass (the extractor's ``batch_size``); ``rule_types``
    is the extractor's casualty type check. A local model
    path is resolved here, on the driver: a Ray worker's working directory is not
    the driver's, so every node must see the model at that absolute path.

    >>> scored = score_dataset(read_dataset("news.jsonl"), "runs/default/model", concurrency=4)  # doctest: +SKIP
    >>> scored.write_parquet("s3://bucket/events/")  # doctest: +SKIP
    """
    _check_resources(batch_size, num_cpus, num_gpus, device)
    ray = _ray()
    pool = (ray.data.ActorPoolStrategy(min_size=concurrency[0], max_size=concurrency[1])
            if isinstance(concurrency, tuple) else ray.data.ActorPoolStrategy(size=concurrency))
    return dataset.map_batches(
        BatchScorer,
        fn_constructor_kwargs={"model": str(Path(model).resolve()) if _is_local(str(model)) else str(model),
                               "model_label": str(Path(model)) if _is_local(str(model)) else str(model),
                               "device": device, "batch_size": forward_batch_size,
                               "threads": max(1, int(num_cpus)), "backend": backend, "quantized": quantized,
                               "rule_types": rule_types},
        batch_size=batch_size, batch_format="pyarrow", compute=pool,
        num_cpus=num_cpus, num_gpus=num_gpus or None,
    )


def _check_resources(batch_size: int, num_cpus: float, num_gpus: float, device: str) -> None:
    if batch_size < 1 or num_cpus <= 0 or num_gpus < 0:
        raise ConfigError(f"batch_size must be at least 1, num_cpus above 0 and num_gpus at least 0; "
                          f"got {batch_size}, {num_cpus} and {num_gpus}")
    if num_gpus > 0 and device == "cpu":
        raise ConfigError("num_gpus > 0 reserves GPUs that device='cpu' would leave idle; "
                          "use device='auto' or 'cuda'")


@contextmanager
def _ray_session(address: str | None, progress: bool) -> Iterator[Any]:
    """Connect to ``address`` (else ``RAY_ADDRESS``, else start a local Ray) with ordered, optionally quiet output.

    A Ray that this process already runs is reused; one started here is shut down at the end.
    """
    ray = _ray()
    started = not ray.is_initialized()
    if started:
        address = address or os.environ.get("RAY_ADDRESS") or None
        if address:
            ray.init(address=address)
        else:  # a local Ray on this machine's cores; no dashboard for a one-off job
            ray.init(include_dashboard=False)
    context = ray.data.DataContext.get_current()
    previous = (context.execution_options.preserve_order, context.enable_progress_bars)
    context.execution_options.preserve_order = True  # records come back in input order, as locally
    context.enable_progress_bars = progress
    try:
        yield ray
    finally:
        context.execution_options.preserve_order, context.enable_progress_bars = previous
        if started:
            ray.shutdown()


def score_with_ray(model: str | Path, source: str | Path, output: str | Path, *, id_field: str = "id",
                   text_field: str = "text", backend: str = "torch", quantized: bool = False, device: str = "auto",
                   concurrency: int | tuple[int, int] = 1, batch_size: int = 64, num_cpus: float = 1.0,
                   num_gpus: float = 0.0, forward_batch_size: int | None = None, address: str | None = None,
                   decode_errors: str = "strict", part_size: int = 1000, progress: bool = True,
                   rule_types: bool = True) -> dict[str, Any]:
    """Score ``source`` into ``output`` on Ray; print a summary and return its numbers.

    Output is the local engine's (:mod:`strife.inference.io`): ``.jsonl``, or a
    ``.parquet`` folder of parts, one record per input record in input order; an
    existing non-empty output is an error (the Ray engine does not resume).

    >>> score_with_ray("runs/default/model", "news.jsonl", "events.jsonl", concurrency=2)  # doctest: +SKIP
    """
    wall_started = time.perf_counter()
    _check_resources(batch_size, num_cpus, num_gpus, device)
    output = Path(output)
    writer = open_writer(output, part_size=part_size)
    if writer.exists():
        raise DataError(f"{output} already exists; the Ray engine does not resume, "
                        "remove it or pick another --output")
    if not Path(model).exists() and _is_local(str(model)):
        raise DataError(f"{model}: model folder not found")
    stats = {"documents": 0, "sentences": 0, "errors": 0}
    preview: list[dict[str, Any]] = []
    with _ray_session(address, progress):
        dataset = read_dataset(source, id_field, text_field, decode_errors, block_rows=batch_size)
        scored = score_dataset(dataset, model, backend=backend, quantized=quantized, device=device,
                               concurrency=concurrency,
                               batch_size=batch_size, num_cpus=num_cpus, num_gpus=num_gpus,
                               forward_batch_size=forward_batch_size, rule_types=rule_types)
        started = time.perf_counter()
        writer.open(append=False)
        try:
            for batch in scored.iter_batches(batch_size=None, batch_format="pyarrow"):
                for text in batch.column("record").to_pylist():
                    result = json.loads(text)
                    writer.write(result)
                    tally(result, stats, preview)
        finally:
            writer.close()
    elapsed = max(time.perf_counter() - started, 1e-9)
    wall = time.perf_counter() - wall_started
    stats.update(seconds=elapsed, wall_seconds=wall, engine="ray", concurrency=concurrency,
                 num_cpus=num_cpus, num_gpus=num_gpus)
    _print_summary(stats, preview, source, output)
    return stats


def _print_summary(stats: dict[str, Any], preview: list[dict[str, Any]], source: str | Path,
                   output: Path) -> None:
    """The local engine's closing lines: the per-sentence table for small runs, then the totals."""
    if 0 < stats["documents"] <= TABLE_MAX_DOCUMENTS:
        print(summary_table(preview))
    if stats["documents"] == 0:
        print(f"strife: warning: {source} holds no records", file=sys.stderr)
    elapsed = stats["seconds"]
    gpus = f" + {stats['num_gpus']:g} GPUs" if stats["num_gpus"] else ""
    print(f"{stats['documents']} documents, {stats['sentences']} sentences, {stats['errors']} errors "
          f"in {elapsed:.1f} s ({stats['documents'] / elapsed:.1f} docs/s, {stats['sentences'] / elapsed:.1f} "
          f"sentences/s; ray, {stats['concurrency']} actors x {stats['num_cpus']:g} CPUs{gpus}; "
          f"wall time {stats['wall_seconds']:.1f} s with Ray start and model loads) -> {output}")


def ray_score_command(args: argparse.Namespace) -> dict[str, Any]:
    """``strife score --engine ray``: the CLI options mapped onto :func:`score_with_ray`.

    ``--chunk-size`` (documents per extractor call) is Ray's batch size, ``--batch-size``
    stays the sentence windows per forward pass, and torch threads follow ``--num-cpus``.
    """
    _ray()  # a missing extra fails before anything else, with the install command
    if getattr(args, "resume", False):
        raise ConfigError("--resume is not supported with --engine ray; remove the output and run again, "
                          "or resume with --engine local")
    if getattr(args, "threads", None) is not None:
        raise ConfigError("--threads applies to --engine local; with --engine ray each actor uses --num-cpus threads")

    def option(name: str, default: Any) -> Any:
        value = getattr(args, name, None)
        return default if value is None else value

    concurrency = int(option("concurrency", 1))
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1, got {concurrency}")
    return score_with_ray(
        args.model, args.input, args.output, id_field=option("id_field", "id"), text_field=option("text_field", "text"),
        backend=option("backend", "torch"), quantized=bool(option("quantized", False)),
        device=option("device", "auto"), concurrency=concurrency, batch_size=int(option("chunk_size", 64)),
        num_cpus=float(option("num_cpus", 1.0)), num_gpus=float(option("num_gpus", 0.0)),
        forward_batch_size=option("batch_size", None), address=option("ray_address", None),
        decode_errors=option("decode_errors", "strict"), part_size=int(option("part_size", 1000)),
        progress=bool(option("progress", True)), rule_types=bool(option("rule_types", True)))
