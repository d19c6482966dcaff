"""CPU throughput of strife's backends against the Hugging Face pipelines, in one run.

    python benchmarks/throughput.py --checkpoint runs/default/model            # all of it, ~15 min on 2 cores
    python benchmarks/throughput.py --checkpoint runs/default/model --only hf-full --tag sentence-head

Every measurement runs in a fresh subprocess (so its peak RSS is its own) on the same
``--sentences`` real sentences (the first 2,000 of IndiaPoliceEvents_sents test,
read at run time) with ``--threads`` threads:

* ``strife-torch``, ``strife-onnx``, ``strife-int8``: one ``Extractor.extract`` call on the
  sentences as documents (segmentation, windows, model, decoding to character spans),
  as a user holding a list of sentences would call it;
* ``hf-token``: ``pipeline("token-classification", aggregation_strategy="first")`` over
  the first token head converted by ``benchmarks/hf_convert.py`` (pipeline defaults, and
  again with ``batch_size=32``); ``hf-full``: one pipeline per head, as a user with one
  model per task would run them (sentence heads through ``pipeline("text-classification")``;
  ``--extra-heads`` adds the heads of other checkpoints of the same architecture); each
  HF measurement is time-boxed (``--time-box``, over a prefix of the same sentences);
* ``analysis``: the int8 path by batch size, by sentence length, and a timer breakdown
  (segmentation, tokenisation and windows, padding, ONNX Runtime, decoding, the rest);
* ``matmul``: the fp32 (torch) and int8 (ONNX Runtime ``MatMulInteger``) multiply rates
  of this CPU, for the theoretical bound (encoder FLOPs of the sentences / rate);
* ``score``: ``strife score --backend onnx --quantized`` end to end on a slice of raw
  articles (IndiaPoliceEvents documents and MUC-4 stories, repeated), written to
  ``--work``, extrapolated to ``--score-target`` sentences unless ``--score-full``.

The 1-minute load average is recorded before and after each measurement; above
``--max-load`` the run waits (polling every 30 s, up to 5 min, at most 10 min over the
whole run) and records how long and whether the machine was still busy.
Results: ``<output>.json`` and a summary on stdout; ``docs/performance.md`` explains them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "datasets"
SENTENCES = SHARED / "conflibert/IndiaPoliceEvents_sents/test.tsv"
ARTICLES = (SHARED / "indiapoliceevents/docs.jsonl", *(SHARED / f"muc4/{split}.json" for split in ("train", "dev", "test")))
MEASUREMENTS = ("matmul", "strife-torch", "strife-onnx", "strife-int8", "hf-token", "hf-token-b32", "hf-full",
                "analysis", "score")
BATCH_SIZES = (1, 8, 32, 64)
LENGTH_BUCKETS = ((1, 16), (17, 32), (33, 64), (65, 128))
POLL_SECONDS, MAX_WAIT_SECONDS = 30, 300
#: Seconds of waiting for a quiet machine left to the run (``--wait-budget``), so a machine
#: that stays busy cannot stretch the run past ~20 min.
_wait_budget = [600.0]


# ----------------------------------------------------------------------------- parent


def read_sentences(path: Path, count: int) -> list[str]:
    """The first ``count`` non-empty sentences (first TSV column) of ``path``."""
    sentences: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text = line.split("\t")[0].strip()
            if text:
                sentences.append(text)
            if len(sentences) == count:
                break
    return sentences


def wait_for_quiet(max_load: float) -> dict[str, Any]:
    """Wait while the 1-minute load average is above ``max_load`` (at most 5 min)."""
    started, waited = time.monotonic(), 0.0
    while os.getloadavg()[0] > max_load and waited < min(MAX_WAIT_SECONDS, _wait_budget[0]):
        time.sleep(POLL_SECONDS)
        waited = time.monotonic() - started
    _wait_budget[0] -= waited
    load = os.getloadavg()[0]
    return {"load_before": round(load, 2), "waited_s": round(waited), "busy": load > max_load}


def measure(kind: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its JSON result plus load averages."""
    note = wait_for_quiet(args.max_load)
    command = [sys.executable, __file__, "--worker", kind, "--checkpoint", args.checkpoint, "--work", str(work),
               "--threads", str(args.threads), "--count", str(args.count), "--sentences", args.sentences,
               "--score-slice", str(args.score_slice), "--time-box", str(args.time_box)]
    print(f"[{time.strftime('%H:%M:%S')}] {kind} (load {note['load_before']}, waited {note['waited_s']} s)",
          flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result |= note | {"load_after": round(os.getloadavg()[0], 2)}
    print("    " + json.dumps({k: v for k, v in result.items() if not isinstance(v, (dict, list))}), flush=True)
    return result


def prepare(args: argparse.Namespace, work: Path) -> None:
    """Export the checkpoint (fp32 + int8) and convert it to per-head HF models, once per ``--work``."""
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "onnx" / "model.int8.onnx").is_file():
        subprocess.run([sys.executable, "-m", "strife.cli", "export", "--model", args.checkpoint,
                        "--output", str(work / "onnx"), "--quantize", "int8"], check=True, capture_output=True)
    if not (work / "hf").is_dir():
        for checkpoint in (args.checkpoint, *args.extra_heads):
            subprocess.run([sys.executable, str(ROOT / "benchmarks/hf_convert.py"), "--checkpoint", checkpoint,
                            "--output", str(work / "hf")], check=True, capture_output=True)


def machine(threads: int) -> dict[str, Any]:
    import onnxruntime
    import torch
    import transformers

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpu": model, "cores": os.cpu_count(), "threads": threads, "python": platform.python_version(),
            "torch": torch.__version__, "onnxruntime": onnxruntime.__version__,
            "transformers": transformers.__version__}


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """Ratios against the HF baselines and the distance to the theoretical bound."""
    m = results["measurements"]
    summary: dict[str, Any] = {}
    rate = {k: v["sentences_per_s"] for k, v in m.items() if "sentences_per_s" in v}
    if "strife-int8" in rate:
        for base in ("hf-full", "hf-token", "hf-token-b32"):
            if base in rate:
                summary[f"int8_vs_{base}"] = round(rate["strife-int8"] / rate[base], 2)
    if "matmul" in m and "strife-int8" in m:
        flops = m["strife-int8"]["encoder_flops"]
        for kind, key in (("strife-torch", "fp32_gflops"), ("strife-onnx", "fp32_gflops"),
                          ("strife-int8", "int8_gops")):
            if kind in m:
                bound = m["matmul"][key] * 1e9 / (flops / m[kind]["sentences"])
                summary[f"{kind}_bound_sentences_per_s"] = round(bound, 1)
                summary[f"{kind}_fraction_of_bound"] = round(rate[kind] / bound, 3)
    if "score" in m:
        summary["score_100k_seconds"] = m["score"]["projected_seconds"]
    return summary


def run_all(args: argparse.Namespace) -> None:
    work = Path(args.work)
    prepare(args, work)
    _wait_budget[0] = args.wait_budget
    output = Path(args.output)
    kinds = args.only or list(MEASUREMENTS)
    results: dict[str, Any] = {"checkpoint": args.checkpoint, "extra_heads": args.extra_heads,
                               "sentences_file": args.sentences, "count": args.count, "time_box_s": args.time_box,
                               "machine": machine(args.threads), "measurements": {},
                               "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    if args.only and output.is_file():  # re-measure some, keep the rest of an earlier run
        results["measurements"] = json.loads(output.read_text(encoding="utf-8"))["measurements"]
    for kind in kinds:
        results["measurements"][kind] = measure(kind, args, work) | {"at": time.strftime("%Y-%m-%d %H:%M:%S")}
        results["summary"] = summarise(results)
        output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")  # after each, for a killed run
    print(json.dumps(results["summary"], indent=2))
    print(f"-> {output}")


# ----------------------------------------------------------------------------- workers


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def encoder_flops(config: dict[str, Any], lengths: list[int]) -> float:
    """Multiply-add FLOPs (2 per MAC) of the encoder over sequences of ``lengths`` tokens:
    per layer and token QKV and output projections 8 H^2, feed-forward 4 H I, and
    attention scores plus weighted sum 4 H n; embeddings and heads are negligible."""
    h, i, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    return float(sum(layers * (n * (8 * h * h + 4 * h * i) + 4 * h * n * n) for n in lengths))


def worker_strife(args: argparse.Namespace, work: Path, backend: str, quantized: bool) -> dict[str, Any]:
    if backend == "torch":  # the ONNX workers never import torch, so their peak RSS is their own
        import torch

        torch.set_num_threads(args.threads)
    from strife.inference.extractor import Extractor

    sentences = read_sentences(Path(args.sentences), args.count)
    started = time.perf_counter()
    path = work / "onnx" if backend == "onnx" else Path(args.checkpoint)
    extractor = Extractor.from_pretrained(path, backend=backend, quantized=quantized, device="cpu",
                                          threads=args.threads)
    load = time.perf_counter() - started
    records = [{"id": str(i), "text": s} for i, s in enumerate(sentences)]
    extractor.extract(records[:64])  # warm-up
    started = time.perf_counter()
    results = extractor.extract(records)
    seconds = time.perf_counter() - started
    lengths = [len(ids) for ids in extractor.tokenizer(sentences)["input_ids"]]
    return {"sentences": len(sentences), "seconds": round(seconds, 2),
            "sentences_per_s": round(len(sentences) / seconds, 1), "load_seconds": round(load, 2),
            "peak_rss_mb": round(peak_rss_mb()), "batch_size": extractor.batch_size,
            "scored_sentences": sum(len(r["sentences"]) for r in results),
            "tokens": sum(lengths), "encoder_flops": encoder_flops(extractor.backend.config.encoder, lengths)}


def worker_hf(args: argparse.Namespace, work: Path, heads: str, batch_size: int | None) -> dict[str, Any]:
    import torch
    from transformers import AutoConfig, pipeline

    torch.set_num_threads(args.threads)
    sentences = read_sentences(Path(args.sentences), args.count)
    folders = sorted(p for p in (work / "hf").iterdir() if p.is_dir())
    token = [p for p in folders if "TokenClassification" in AutoConfig.from_pretrained(p).architectures[0]]
    chosen = token[:1] if heads == "token" else folders
    started = time.perf_counter()
    pipes = []
    for folder in chosen:
        task = "token-classification" if folder in token else "text-classification"
        extra = {"aggregation_strategy": "first"} if folder in token else {}
        if folder not in token and AutoConfig.from_pretrained(folder).problem_type == "multi_label_classification":
            extra = {"top_k": None}
        pipes.append(pipeline(task, model=str(folder), device=-1, **extra))
    load = time.perf_counter() - started
    options = {"batch_size": batch_size} if batch_size else {}
    for pipe in pipes:
        pipe(sentences[:64], **options)  # warm-up
    # Time-boxed: slices of 100 sentences in order until the box is spent, every pipeline on each slice.
    done, started = 0, time.perf_counter()
    while done < len(sentences) and time.perf_counter() - started < args.time_box:
        batch = sentences[done:done + 100]
        for pipe in pipes:
            outputs = pipe(batch, **options)
            assert len(outputs) == len(batch)
        done += len(batch)
    seconds = time.perf_counter() - started
    return {"sentences": done, "seconds": round(seconds, 2), "time_boxed": done < len(sentences),
            "sentences_per_s": round(done / seconds, 1), "load_seconds": round(load, 2),
            "peak_rss_mb": round(peak_rss_mb()), "pipelines": [p.name for p in chosen],
            "batch_size": batch_size or "pipeline default (1)"}


def worker_matmul(args: argparse.Namespace) -> dict[str, Any]:
    """Sustained fp32 GFLOP/s (torch) and int8 GOP/s (ONNX Runtime MatMulInteger) on 2048^3."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch
    from onnx import TensorProto, helper, numpy_helper

    torch.set_num_threads(args.threads)
    n, reps = 2048, 10
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    started = time.perf_counter()
    for _ in range(reps):
        a @ b
    fp32 = 2 * n**3 * reps / (time.perf_counter() - started) / 1e9

    weight = numpy_helper.from_array(np.random.default_rng(0).integers(-127, 127, (n, n), dtype=np.int8), "B")
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["A", "B"], ["Y"])], "mmi",
        [helper.make_tensor_value_info("A", TensorProto.UINT8, [n, n])],
        [helper.make_tensor_value_info("Y", TensorProto.INT32, [n, n])], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    feeds = {"A": np.random.default_rng(1).integers(0, 255, (n, n), dtype=np.uint8)}
    session.run(None, feeds)
    started = time.perf_counter()
    for _ in range(reps):
        session.run(None, feeds)
    int8 = 2 * n**3 * reps / (time.perf_counter() - started) / 1e9
    del onnx
    return {"fp32_gflops": round(fp32, 1), "int8_gops": round(int8, 1), "size": n, "threads": args.threads}


def worker_analysis(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The int8 path: throughput by batch size and by length bucket, and where the time goes."""
    import numpy as np

    from strife.inference import extractor as extractor_module
    from strife.inference.extractor import Extractor

    sentences = read_sentences(Path(args.sentences), args.count)
    records = [{"id": str(i), "text": s} for i, s in enumerate(sentences)]
    extractor = Extractor.from_pretrained(work / "onnx", backend="onnx", quantized=True, threads=args.threads)
    extractor.extract(records[:64])

    by_batch = {}
    for size in BATCH_SIZES:
        extractor.batch_size = size
        subset = records[: 500 if size == 1 else len(records)]
        started = time.perf_counter()
        extractor.extract(subset)
        by_batch[size] = round(len(subset) / (time.perf_counter() - started), 1)
    extractor.batch_size = 32

    tokenizer = extractor.tokenizer
    encoded = tokenizer(sentences)["input_ids"]
    by_length = {}
    for low, high in LENGTH_BUCKETS:
        chosen = [ids for ids in encoded if low <= len(ids) <= high]
        if not chosen:
            continue
        started = time.perf_counter()
        for start in range(0, len(chosen), 32):
            batch = chosen[start:start + 32]
            width = max(map(len, batch))
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, seq in enumerate(batch):
                ids[row, :len(seq)], mask[row, :len(seq)] = seq, 1
            extractor.backend.run(ids, mask)
        seconds = time.perf_counter() - started
        by_length[f"{low}-{high}"] = {"sentences": len(chosen), "sentences_per_s": round(len(chosen) / seconds, 1),
                                      "tokens_per_s": round(sum(map(len, chosen)) / seconds)}

    timers = {"segmentation": 0.0, "tokenise+windows": 0.0, "model": 0.0, "decode": 0.0}

    def timed(name: str, function: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                timers[name] += time.perf_counter() - started
        return wrapper

    extractor_module.split_sentences = timed("segmentation", extractor_module.split_sentences)
    extractor_module.split_words = timed("segmentation", extractor_module.split_words)
    extractor._windows = timed("tokenise+windows", extractor._windows)
    extractor.backend.run = timed("model", extractor.backend.run)
    extractor._sentence_result = timed("decode", extractor._sentence_result)
    started = time.perf_counter()
    extractor.extract(records)
    total = time.perf_counter() - started
    forward = timers["model"]
    breakdown = {k: round(v, 2) for k, v in timers.items()}
    breakdown["padding+batching+rest"] = round(total - sum(timers.values()), 2)
    return {"by_batch_size": by_batch, "by_length": by_length, "breakdown_seconds": breakdown,
            "total_seconds": round(total, 2), "model_share": round(forward / total, 3),
            "padding_fraction": _padding_fraction(encoded, 32)}


def _padding_fraction(encoded: list[list[int]], batch: int) -> float:
    """Share of padded positions when all sequences are length-sorted into batches of ``batch``."""
    lengths = sorted(len(x) for x in encoded)
    real = sum(lengths)
    padded = sum(max(lengths[i:i + batch]) * len(lengths[i:i + batch]) for i in range(0, len(lengths), batch))
    return round(1 - real / padded, 3)


def build_articles(target: int, path: Path) -> int:
    """Write raw articles (id, text) to ``path``, repeating the shared sets until about
    ``target`` sentences (counted by a cheap sentence-end estimate; the run reports the real count)."""
    import re

    texts: list[tuple[str, str]] = []
    for source in ARTICLES:
        with source.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                row = json.loads(line)
                text = row.get("doc_text") or row.get("doctext") or row.get("text") or ""
                if text.strip():
                    texts.append((f"{source.parent.name}-{source.stem}-{number}", text))
    estimate = re.compile(r"[.!?](\s|$)")
    written = repeat = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            for doc_id, text in texts:
                out.write(json.dumps({"id": f"{doc_id}-r{repeat}", "text": text}) + "\n")
                written += max(1, len(estimate.findall(text)))
                if written >= target:
                    break
            repeat += 1
    return written


def worker_score(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    source, output = work / f"articles-{args.score_slice}.jsonl", work / "scored.jsonl"
    build_articles(args.score_slice, source)
    output.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "strife.cli", "score", "--model", str(work / "onnx"), "--backend",
                           "onnx", "--quantized", "--threads", str(args.threads), "--input", str(source),
                           "--output", str(output), "--no-progress"], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    line = done.stdout.strip().splitlines()[-1]
    sentences = int(line.split(" sentences")[0].split(", ")[-1])
    documents = int(line.split(" documents")[0])
    rate = sentences / wall
    return {"documents": documents, "sentences": sentences, "wall_seconds": round(wall, 1),
            "sentences_per_s": round(rate, 1), "projected_seconds": round(100_000 / rate),
            "extrapolated": sentences < 100_000, "summary_line": line,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def worker(args: argparse.Namespace) -> None:
    work, kind = Path(args.work), args.worker
    if kind == "matmul":
        result = worker_matmul(args)
    elif kind.startswith("strife-"):
        backend, quantized = {"strife-torch": ("torch", False), "strife-onnx": ("onnx", False),
                              "strife-int8": ("onnx", True)}[kind]
        result = worker_strife(args, work, backend, quantized)
    elif kind.startswith("hf-"):
        result = worker_hf(args, work, "all" if kind == "hf-full" else "token", 32 if kind.endswith("b32") else None)
    elif kind == "analysis":
        result = worker_analysis(args, work)
    else:
        result = worker_score(args, work)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=str(ROOT / "runs/default/model"), help="strife checkpoint folder")
    parser.add_argument("--sentences", default=str(SENTENCES), help="TSV whose first column holds sentences")
    parser.add_argument("--count", type=int, default=2000, help="sentences timed (default: 2000)")
    parser.add_argument("--threads", type=int, default=2, help="torch / ONNX Runtime threads (default: 2)")
    parser.add_argument("--work", default="/tmp/strife-throughput", help="exports, HF models, articles (not the repo)")
    parser.add_argument("--output", default=str(ROOT / "docs/performance.json"))
    parser.add_argument("--only", nargs="+", choices=MEASUREMENTS, help="run only these measurements")
    parser.add_argument("--extra-heads", nargs="*", default=[], metavar="CHECKPOINT",
                        help="checkpoints (same encoder architecture) whose heads join the hf-full baseline, "
                             "to stand in for heads --checkpoint lacks")
    parser.add_argument("--score-slice", type=int, default=10_000,
                        help="sentences of raw articles scored end to end; below 100,000 the time is extrapolated")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait while the 1-min load is above this")
    parser.add_argument("--wait-budget", type=float, default=600, help="seconds of waiting allowed over the run")
    parser.add_argument("--time-box", type=float, default=120,
                        help="seconds per HF measurement: the pipelines stop after the 100-sentence slice that "
                             "passes it (the rate is over the sentences done)")
    parser.add_argument("--worker", choices=MEASUREMENTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
    else:
        run_all(args)


if __name__ == "__main__":
    main()
