"""Accuracy of the int8 ONNX graph against the torch fp32 checkpoint, on one evaluation set.

    python benchmarks/quantization.py --checkpoint runs/default/model           # configs/cameo.yaml, test
    python benchmarks/quantization.py --checkpoint runs/benchmarks/cameo_ner/model \
        --source recipe:configs/benchmarks/cameo_ner.yaml
    python benchmarks/quantization.py --checkpoint runs/default/model --source gold    # the issue-3 gold set

For every head the chosen source annotates it prints, per backend (torch fp32, ONNX
fp32, ONNX int8), span F1 for token heads (seqeval, strict IOB2, micro) and macro F1
for sentence heads, and the int8 - fp32 delta. The checkpoint is exported to a
temporary folder unless ``--onnx`` names an existing ``strife export --quantize int8``
folder.

Evaluation data come from a pluggable *source* (``--source KIND[:ARG]``):

* ``recipe:PATH`` (default ``configs/cameo.yaml``): the ``--split`` of every data entry of a recipe whose head
  the checkpoint has, tokenised exactly as ``strife evaluate`` does; every backend gets
  the same sub-word batches, so the delta is the runtime's and nothing else.
* ``gold[:PATH]``: the hand-checked conflict gold set (``training/gold.py``); each gold
  sentence goes through the full :class:`~strife.inference.Extractor` of each backend
  and is scored by ``training.gold.score``.

A new source is a function ``(checkpoint, args) -> Callable[[str, bool], dict]`` in
:data:`SOURCES`: given a backend name and ``quantized`` it returns ``{head: metrics}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: The figure reported per head type: span F1 (micro) for token heads, macro F1 otherwise.
PRIMARY = {"token": "f1_micro", "single_label": "f1_macro", "multi_label": "f1_macro"}
#: (label, backend, quantized) of every runtime compared; the first is the reference.
RUNTIMES = (("torch fp32", "torch", False), ("onnx fp32", "onnx", False), ("onnx int8", "onnx", True))

Evaluate = Callable[[str, bool], dict[str, dict[str, Any]]]


def recipe_source(checkpoint: Path, onnx_dir: Path, arg: str | None, args: argparse.Namespace) -> Evaluate:
    """Logits of each backend on a recipe's split, scored by ``training.evaluation.score_logits``."""
    from transformers import AutoTokenizer

    from strife.inference.backends import load_backend
    from strife.models.config import load_config as load_checkpoint_config
    from strife.training.config import load_config
    from strife.training.evaluation import score_logits
    from strife.training.run import build_sets

    recipe = Path(arg) if arg else ROOT / "configs/cameo.yaml"
    specs = load_checkpoint_config(checkpoint).head_specs
    config = load_config(recipe)
    config.data = [entry for entry in config.data if entry.head in specs]
    if not config.data:
        raise SystemExit(f"{recipe}: no data entry feeds a head of {checkpoint} ({sorted(specs)})")
    sets = build_sets(config, specs, AutoTokenizer.from_pretrained(checkpoint), args.data_dir)[args.split]
    print(f"source: {recipe} ({args.split}): " + ", ".join(f"{s.key} ({len(s.features)})" for s in sets))

    def evaluate(backend: str, quantized: bool) -> dict[str, dict[str, Any]]:
        runtime = load_backend(onnx_dir if backend == "onnx" else checkpoint, backend, device="cpu",
                               quantized=quantized, threads=args.threads)
        pad = runtime.config.encoder_pad_token_id
        results = {}
        for eval_set in sets:
            logits = _logits(runtime.run, [f.input_ids for f in eval_set.features], eval_set.head, pad, args.batch_size)
            results[eval_set.key] = score_logits(specs[eval_set.head], eval_set, logits)[0] | {
                "type": specs[eval_set.head].type}
        return results

    return evaluate


def _logits(run: Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]], inputs: list[list[int]], head: str,
            pad: int, batch_size: int) -> list[np.ndarray]:
    """One head's logits per example, batches sorted by length (as ``training.evaluation.predict_heads`` does)."""
    order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
    out: list[np.ndarray] = [np.empty(0)] * len(inputs)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        width = max(len(inputs[i]) for i in idx)
        ids = np.full((len(idx), width), pad, dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, i in enumerate(idx):
            ids[row, :len(inputs[i])], mask[row, :len(inputs[i])] = inputs[i], 1
        values = run(ids, mask)[head]
        for row, i in enumerate(idx):
            out[i] = values[row, :len(inputs[i])] if values.ndim == 3 else values[row]
    return out


def gold_source(checkpoint: Path, onnx_dir: Path, arg: str | None, args: argparse.Namespace) -> Evaluate:
    """Full-pipeline predictions of each backend on the gold sentences, scored by ``training.gold``."""
    from strife.inference.extractor import Extractor
    from strife.training.gold import GOLD_PATH, load_gold, score

    gold = load_gold(Path(arg) if arg else GOLD_PATH, args.data_dir)
    print(f"source: gold set {arg or GOLD_PATH}: {len(gold)} sentences")

    def evaluate(backend: str, quantized: bool) -> dict[str, dict[str, Any]]:
        extractor = Extractor.from_pretrained(onnx_dir if backend == "onnx" else checkpoint, backend=backend,
                                              device="cpu", quantized=quantized, threads=args.threads)
        predictions = [_gold_prediction(extractor, result) for result in extractor.extract([g.text for g in gold])]
        scores = score(gold, predictions)
        types = {"actors": "token", "casualties": "token", "pentaclass": "single_label", "event_types": "multi_label"}
        return {head: value | {"type": types[head]} for head, value in scores.items() if head in types}

    return evaluate


def _gold_prediction(extractor: Any, result: dict[str, Any]) -> dict[str, Any]:
    """A gold-scorer prediction from an extractor record of one gold sentence."""
    prediction: dict[str, Any] = {"spans": {}}
    for name, spec in extractor.specs.items():
        values = [sentence[name] for sentence in result["sentences"]]
        if spec.type == "token":
            prediction["spans"][name] = [span for spans in values for span in spans]
        elif spec.type == "single_label" and values:
            prediction[name] = values[0]["label"]
        elif spec.type == "multi_label":
            prediction["event_types" if name == "events" else name] = sorted({x["label"] for v in values for x in v})
    return prediction


SOURCES: dict[str, Callable[[Path, Path, str | None, argparse.Namespace], Evaluate]] = {
    "recipe": recipe_source,
    "gold": gold_source,
}


def compare(evaluate: Evaluate) -> dict[str, Any]:
    """Metrics of every runtime and each head's delta against torch fp32."""
    by_runtime = {label: evaluate(backend, quantized) for label, backend, quantized in RUNTIMES}
    reference = RUNTIMES[0][0]
    table: dict[str, Any] = {}
    for key, metrics in by_runtime[reference].items():
        metric = PRIMARY[metrics["type"]]
        row = {label: by_runtime[label][key][metric] for label, _, _ in RUNTIMES}
        row |= {f"delta {label}": row[label] - row[reference] for label, _, _ in RUNTIMES[1:]}
        table[key] = {"metric": metric, **row}
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=str(ROOT / "runs/default/model"), help="strife checkpoint folder")
    parser.add_argument("--onnx", help="existing `strife export --quantize int8` folder of that checkpoint "
                        "(default: export to a temporary folder)")
    parser.add_argument("--source", default="recipe", help="KIND[:ARG] with KIND in " + ", ".join(SOURCES))
    parser.add_argument("--split", default="test", choices=["dev", "test"], help="recipe split (default: test)")
    parser.add_argument("--data-dir", help="dataset root (default: strife's usual search)")
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads (default: 2)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--output", help="write the table as JSON here")
    args = parser.parse_args(argv)

    checkpoint = Path(args.checkpoint)
    if not (checkpoint / "model.safetensors").is_file():
        print(f"quantization: {checkpoint} holds no trained checkpoint (model.safetensors); train it or pass "
              "--checkpoint", file=sys.stderr)
        return 2
    kind, _, arg = args.source.partition(":")
    if kind not in SOURCES:
        parser.error(f"--source {args.source!r}: kind must be one of {list(SOURCES)}")
    with tempfile.TemporaryDirectory(prefix="strife-quant-") as scratch:
        onnx_dir = Path(args.onnx) if args.onnx else Path(scratch) / "onnx"
        if not args.onnx:
            from strife.inference.export import export_onnx

            export_onnx(checkpoint, onnx_dir, quantize="int8")
        table = compare(SOURCES[kind](checkpoint, onnx_dir, arg or None, args))
    labels = [label for label, _, _ in RUNTIMES]
    print(f"{'head':<44} {'metric':<9}" + "".join(f"{x:>12}" for x in labels) + f"{'int8 delta':>12}")
    for key, row in table.items():
        print(f"{key:<44} {row['metric']:<9}" + "".join(f"{row[x]:>12.4f}" for x in labels)
              + f"{row['delta onnx int8']:>+12.4f}")
    if args.output:
        Path(args.output).write_text(json.dumps({"checkpoint": str(checkpoint), "source": args.source,
                                                 "split": args.split, "heads": table}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
