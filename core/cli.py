"""The ``strife`` command: train, evaluate, score, render, export and data subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from strife.errors import StrifeError


def _train(args: argparse.Namespace) -> None:
    from strife.training.config import load_config
    from strife.training.run import train_run

    overrides = list(args.set or [])
    for key, value in (("output_dir", args.output_dir), ("training.seed", args.seed),
                       ("training.epochs", args.epochs), ("encoder", args.encoder)):
        if value is not None:
            overrides.append(f"{key}={value}")
    config = load_config(args.config, overrides)
    metrics = train_run(config, data_dir=args.data_dir, resume=args.resume)
    print(json.dumps({"output_dir": config.output_dir, "test": _headline(metrics["test"])}, indent=2))


def _headline(metrics: dict[str, dict[str, object]]) -> dict[str, dict[str, float]]:
    return {key: {k: round(v, 4) for k, v in values.items() if isinstance(v, float)} for key, values in metrics.items()}


def _evaluate(args: argparse.Namespace) -> None:
    from strife.training.evaluate import evaluate_checkpoint

    metrics = evaluate_checkpoint(args.model, args.config, data_dir=args.data_dir, splits=args.split)
    if args.output:
        Path(args.output).write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    print(json.dumps({split: _headline(values) for split, values in metrics.items()}, indent=2))


def _data(args: argparse.Namespace) -> None:
    from strife.training.data_root import find_data_root
    from strife.training.fetch import default_cache_dir, fetch

    if args.data_command == "fetch":
        dest = Path(args.dest) if args.dest else default_cache_dir()
        paths = fetch(dest, only=args.only, base_url=args.base_url)
        print(f"{len(paths)} files in {dest}")
    else:
        print(find_data_root(args.data_dir))


def _score(args: argparse.Namespace) -> None:
    from strife.inference.score import score_command

    score_command(args)


def _render(args: argparse.Namespace) -> None:
    from strife.inference.render import render_file

    count = render_file(args.input, args.output, title=args.title)
    print(f"{count} documents -> {args.output}")


def _export(args: argparse.Namespace) -> None:
    from strife.inference.export import export_onnx

    path = export_onnx(args.model, args.output, quantize=args.quantize)
    print(f"exported {args.model} -> {path}" + (" (+ model.int8.onnx)" if args.quantize else ""))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="strife", description="Conflict news to event data.")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model from a YAML recipe")
    train.add_argument("--config", required=True, help="YAML recipe, e.g. configs/benchmarks/cameo_ner.yaml")
    train.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)")
    train.add_argument("--output-dir", help="run directory (overrides output_dir)")
    train.add_argument("--seed", type=int, help="random seed (overrides training.seed)")
    train.add_argument("--epochs", type=int, help="epochs (overrides training.epochs)")
    train.add_argument("--encoder", help="encoder alias, hub id or path (overrides encoder)")
    train.add_argument("--data-dir", help="dataset root (default: $STRIFE_DATA_DIR, ../shared/datasets, cache)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run from its last state")
    train.set_defaults(func=_train)

    evaluate = sub.add_parser("evaluate", help="score a checkpoint on the dev/test splits of a recipe")
    evaluate.add_argument("--model", required=True, help="checkpoint directory (a run's model/ folder)")
    evaluate.add_argument("--config", required=True, help="the recipe the model was trained with")
    evaluate.add_argument("--split", action="append", choices=["dev", "test"], help="splits (default: test)")
    evaluate.add_argument("--data-dir", help="dataset root")
    evaluate.add_argument("--output", help="write the full metrics JSON here")
    evaluate.set_defaults(func=_evaluate)

    score = sub.add_parser(
        "score", help="extract events from raw articles (streams; resumable)",
        description="Score documents into event records, one output record per input record, in input order. "
                    "Inputs: a .txt file, a folder of .txt files, .jsonl, .csv or .parquet (text formats may be "
                    ".gz). Outputs: .jsonl (one JSON record per line) or .parquet (a folder of part files). "
                    "A record that cannot be scored gets 'error' set; the run goes on.")
    score.add_argument("--model", required=True, help="checkpoint directory (a run's model/ folder); with "
                       "--backend onnx a `strife export` folder or a .onnx file")
    score.add_argument("--input", required=True,
                       help="a .txt file, a folder of .txt files, or .jsonl/.csv/.parquet records (.gz allowed)")
    score.add_argument("--output", required=True,
                       help="events.jsonl, or events.parquet (written as a folder of part-NNNNN.parquet files)")
    score.add_argument("--id-field", default="id", help="input field or column holding the record id "
                       "(default: id; records without one get line<N> / row<N>)")
    score.add_argument("--text-field", default="text", help="input field or column holding the text (default: text)")
    score.add_argument("--resume", action="store_true",
                       help="continue an interrupted run from the records already in --output")
    score.add_argument("--device", default="auto", help="auto (a GPU when present), cpu, cuda or cuda:N")
    score.add_argument("--backend", choices=["torch", "onnx"], default="torch",
                       help="torch runs a checkpoint; onnx runs a `strife export` folder in ONNX Runtime, "
                            "without torch (needs the [onnx] extra) (default: torch)")
    score.add_argument("--quantized", action="store_true",
                       help="with --backend onnx: run the folder's model.int8.onnx (`strife export --quantize "
                            "int8`) instead of model.onnx")
    score.add_argument("--threads", type=int, help="CPU threads for torch or ONNX Runtime "
                       "(default: all usable cores)")
    score.add_argument("--chunk-size", type=int, default=64,
                       help="documents per extractor call; their sentences are batched together (default: 64)")
    score.add_argument("--batch-size", type=int, help="sentence windows per forward pass (default: 32 on CPU, "
                       "128 on GPU)")
    score.add_argument("--part-size", type=int, default=1000,
                       help="records per Parquet part file; a crash loses at most one part (default: 1000)")
    score.add_argument("--decode-errors", choices=["strict", "replace"], default="strict",
                       help="bytes that are not UTF-8: strict gives the record an error (default), "
                            "replace substitutes U+FFFD and scores it")
    score.add_argument("--rule-types", action=argparse.BooleanOptionalAction, default=True,
                       help="check each casualty span's type against the rule labeller (default: on); "
                            "--no-rule-types keeps the tagger's own types")
    score.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                       help="show a progress bar on stderr (default: on)")
    ray = score.add_argument_group("Ray engine (--engine ray; needs the [ray] extra; see docs/scaling.md)")
    ray.add_argument("--engine", choices=["local", "ray"], default="local",
                     help="local: this process (default); ray: an actor pool on a Ray cluster, reading "
                          ".jsonl(.gz)/.parquet files or a folder of them (--chunk-size documents per batch)")
    ray.add_argument("--ray-address", help="cluster to join, e.g. ray://head:10001 or auto "
                     "(default: $RAY_ADDRESS, else start a local Ray)")
    ray.add_argument("--concurrency", type=int, default=1, help="scoring actors (default: 1)")
    ray.add_argument("--num-cpus", type=float, default=1.0,
                     help="CPUs reserved per actor; torch uses that many threads (default: 1)")
    ray.add_argument("--num-gpus", type=float, default=0.0, help="GPUs reserved per actor (default: 0)")
    score.set_defaults(func=_score)

    render = sub.add_parser("render", help="render scored events as a self-contained HTML report")
    render.add_argument("--input", required=True, help="JSONL event records written by `strife score`")
    render.add_argument("--output", required=True, help="HTML file to write")
    render.add_argument("--title", help="page title (default: the input file name)")
    render.set_defaults(func=_render)

    export = sub.add_parser("export", help="export a checkpoint to ONNX (needs the [onnx] extra)")
    export.add_argument("--model", required=True, help="checkpoint directory")
    export.add_argument("--output", required=True, help="folder for model.onnx, config.json and the tokenizer")
    export.add_argument("--format", choices=["onnx"], default="onnx")
    export.add_argument("--quantize", choices=["int8"], help="also write model.int8.onnx (dynamic int8 MatMul weights)")
    export.set_defaults(func=_export)

    data = sub.add_parser("data", help="find or download the public datasets")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    fetch = data_sub.add_parser("fetch", help="download the datasets from their pinned upstream commits")
    fetch.add_argument("--dest", help="target folder (default: the strife cache)")
    fetch.add_argument("--only", action="append", help="dataset folder prefix, e.g. conflibert/cameo_ner")
    fetch.add_argument("--base-url", help="mirror serving the same layout instead of GitHub")
    where = data_sub.add_parser("where", help="print the dataset root strife would use")
    where.add_argument("--data-dir")
    data.set_defaults(func=_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except StrifeError as exc:
        print(f"strife: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
