"""The ``strife`` command: train, evaluate, score and data subcommands."""

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

    score = sub.add_parser("score", help="extract events from raw articles")
    score.add_argument("--model", required=True, help="checkpoint directory")
    score.add_argument("--input", required=True, help="a .txt file, a folder of .txt files, or JSONL with id/text")
    score.add_argument("--output", required=True, help="JSONL output, one record per input document")
    score.add_argument("--batch-size", type=int, default=32)
    score.add_argument("--id-field", default="id")
    score.add_argument("--text-field", default="text")
    score.set_defaults(func=_score)

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
