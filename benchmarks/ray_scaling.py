"""Throughput of ``strife score --engine ray`` with 1 and 2 actors, beside the local engine.

::

    python benchmarks/ray_scaling.py                      # runs/default/model, MUC-4 test documents
    python benchmarks/ray_scaling.py --model runs/smoke/model --sentences 2000 --output docs/scaling.json

Documents are taken in file order from the MUC-4 test split (read where it lies,
never copied into the repository) until they hold ``--sentences`` sentences by
strife's own segmenter. The same corpus is scored by the local engine (1 torch
thread) and by Ray with ``concurrency`` 1 and 2 (``num_cpus=1`` each, so each actor
runs torch on one thread). Every run must give the same records; the script checks
that and fails otherwise. Seconds are from the start of scoring to the last record
written; Ray's include starting the actors and loading the model in each, the
local engine's exclude its single model load. The load average at start and end
is recorded, because on a shared machine other jobs take cores too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from argparse import Namespace
from pathlib import Path
from typing import Any

import ray

from strife.inference.ray_engine import score_with_ray
from strife.inference.score import score_command
from strife.inference.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "datasets" / "muc4" / "test.json"


def build_corpus(source: Path, sentences: int, target: Path) -> dict[str, int]:
    """Write MUC-4 documents (``docid``, ``doctext``) as strife JSONL until they hold ``sentences`` sentences."""
    documents = found = characters = 0
    with source.open(encoding="utf-8") as handle, target.open("w", encoding="utf-8") as out:
        for line in handle:
            if found >= sentences:
                break
            if not line.strip():
                continue
            doc = json.loads(line)
            out.write(json.dumps({"id": doc["docid"], "text": doc["doctext"]}) + "\n")
            documents += 1
            found += len(split_sentences(doc["doctext"]))
            characters += len(doc["doctext"])
    return {"documents": documents, "sentences": found, "characters": characters}


def measure(model: Path, corpus: Path, folder: Path, batch_size: int) -> list[dict[str, Any]]:
    """Local engine, then Ray with 1 and 2 actors; every run's records must be the local ones."""
    runs: list[dict[str, Any]] = []
    local_out = folder / "local.jsonl"
    stats = score_command(Namespace(model=str(model), input=str(corpus), output=str(local_out), device="cpu",
                                    threads=1, chunk_size=batch_size, progress=False))
    runs.append(_row("local engine, 1 torch thread", stats))
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        for concurrency in (1, 2):
            out = folder / f"ray{concurrency}.jsonl"
            stats = score_with_ray(model, corpus, out, device="cpu", concurrency=concurrency, batch_size=batch_size,
                                   num_cpus=1, progress=False)
            if out.read_bytes() != local_out.read_bytes():
                raise SystemExit(f"Ray with {concurrency} actors gave other records than the local engine")
            runs.append(_row(f"ray, {concurrency} actor{'s' * (concurrency > 1)} x 1 CPU", stats))
    finally:
        ray.shutdown()
    return runs


def _row(name: str, stats: dict[str, Any]) -> dict[str, Any]:
    seconds = stats["seconds"]
    return {"run": name, "documents": stats["documents"], "sentences": stats["sentences"],
            "seconds": round(seconds, 2), "wall_seconds": round(stats["wall_seconds"], 2),
            "sentences_per_second": round(stats["sentences"] / seconds, 1),
            "documents_per_second": round(stats["documents"] / seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "runs" / "default" / "model")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="MUC-4 JSON lines (docid, doctext)")
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=16, help="documents per Ray batch and local chunk")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "scaling.json")
    args = parser.parse_args()
    if not (args.model / "config.json").exists():
        raise SystemExit(f"{args.model}: no checkpoint; train one (make demo) or pass --model")

    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = folder / "muc4.jsonl"
        shape = build_corpus(args.corpus, args.sentences, corpus)
        started = time.time()
        runs = measure(args.model, corpus, folder, args.batch_size)
    load_end = os.getloadavg()
    base = next(r for r in runs if r["run"].startswith("ray, 1"))["sentences_per_second"]
    for row in runs:
        row["speedup_vs_1_actor"] = round(row["sentences_per_second"] / base, 2)
    report = {
        "model": str(args.model), "corpus": str(args.corpus), **shape, "batch_size": args.batch_size,
        "machine": {"cores": len(os.sched_getaffinity(0)), "cpu": platform.processor() or platform.machine(),
                    "python": platform.python_version(), "ray": ray.__version__,
                    "torch": __import__("torch").__version__, "gpu": "none"},
        "loadavg_start": [round(x, 2) for x in load_start], "loadavg_end": [round(x, 2) for x in load_end],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)), "runs": runs,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{shape['documents']} documents, {shape['sentences']} sentences; {args.model}")
    print(f"load average (1, 5, 15 min): start {report['loadavg_start']}, end {report['loadavg_end']}")
    print(f"{'run':<32} {'seconds':>8} {'sent/s':>8} {'docs/s':>8} {'x 1 actor':>10}")
    for row in runs:
        print(f"{row['run']:<32} {row['seconds']:>8.1f} {row['sentences_per_second']:>8.1f} "
              f"{row['documents_per_second']:>8.2f} {row['speedup_vs_1_actor']:>10.2f}")
    print(f"-> {args.output}")


if __name__ == "__main__":
    main()
