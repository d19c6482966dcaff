"""Run the ConfliBERT benchmark recipes over several seeds and summarise them.

    python benchmarks/suite.py run --seeds 1 2 3 --jobs 3          # train every recipe
    python benchmarks/suite.py report --runs runs/benchmarks        # docs/benchmarks.{json,md} figures

``run`` starts one ``strife train`` process per (task, seed) so runs can share a
machine; ``report`` reads each run's ``metrics.json`` and prints the table that
``docs/benchmarks.md`` carries, beside the published BERT-base and ConfliBERT figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: task -> (dataset/head key in metrics.json, metric, published BERT-base uncased, ConfliBERT best range)
#: Published figures: ConfliBERT (Hu et al., NAACL 2022) Table 3 and its authors' same-split re-run.
TASKS: dict[str, tuple[str, str, float, str]] = {
    "cameo_ner": ("conflibert/cameo_ner/actors", "f1_micro", 72.3, "74.0–74.5"),
    "cameo_class": ("conflibert/cameo_class/pentaclass", "f1_macro", 86.4, "87.9–89.5"),
    "re3d": ("conflibert/re3d/entities", "f1_micro", 63.4, "66.4–68.4"),
    "IndiaPoliceEvents_sents": ("conflibert/IndiaPoliceEvents_sents/police_events", "example_f1", 64.9, "66.1–67.3"),
    "satp_relevant": ("conflibert/satp_relevant/attack_types", "example_f1", 87.8, "89.1–89.4"),
    "insightCrime": ("conflibert/insightCrime/crime_types", "example_f1", 68.6, "68.2–69.5"),
}


def run_one(task: str, seed: int, runs: Path, extra: list[str]) -> tuple[str, int, int]:
    out = runs / task / f"seed{seed}"
    cmd = [sys.executable, "-m", "strife.cli", "train", "--config", str(ROOT / "configs/benchmarks" / f"{task}.yaml"),
           "--seed", str(seed), "--output-dir", str(out)] + extra
    out.mkdir(parents=True, exist_ok=True)
    with (out / "stdout.log").open("w") as log:
        code = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
    print(f"{task} seed {seed}: exit {code}", flush=True)
    return task, seed, code


def run(args: argparse.Namespace) -> int:
    extra = [f"--set={item}" for item in (args.set or [])]
    jobs = [(task, seed) for task in (args.tasks or list(TASKS)) for seed in args.seeds]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda job: run_one(job[0], job[1], Path(args.runs), extra), jobs))
    return 1 if any(code for _, _, code in results) else 0


def collect(runs: Path) -> dict[str, dict[str, object]]:
    """``{task: {metric, mean, std, seeds, train_seconds, ...}}`` over the finished runs.

    A recipe other than the task's own (a variant, or a multi-task recipe) that
    reports the task's metric appears as ``task@recipe``.
    """
    table: dict[str, dict[str, object]] = {}
    for recipe_dir in sorted(p for p in runs.iterdir() if p.is_dir()):
        results = [json.loads(p.read_text()) | {"_seed": p.parent.name, "_epochs": epochs_run(p.parent)}
                   for p in sorted(recipe_dir.glob("seed*/metrics.json"))]
        for task, (key, metric, bert, conflibert) in TASKS.items():
            rows = [r for r in results if key in r["test"]]
            if not rows:
                continue
            scores = [100 * float(r["test"][key][metric]) for r in rows]
            dev = [100 * float(r["dev"][key][metric]) for r in rows]
            name = task if recipe_dir.name == task else f"{task}@{recipe_dir.name}"
            table[name] = {
                "metric": metric,
                "mean": round(statistics.mean(scores), 2),
                "std": round(statistics.stdev(scores), 2) if len(scores) > 1 else 0.0,
                "scores": [round(s, 2) for s in scores],
                "dev_mean": round(statistics.mean(dev), 2),
                "seeds": [int(r["_seed"].removeprefix("seed")) for r in rows],
                "run_train_seconds": round(statistics.mean(float(r["train_seconds"]) for r in rows), 1),
                "epochs_run": round(statistics.mean(r["_epochs"] for r in rows), 1),
                "bert_base_uncased": bert,
                "conflibert_best": conflibert,
            }
    return table


def epochs_run(run_dir: Path) -> int:
    """Epochs a run trained (early stopping included), counted from its log."""
    return sum('"dev_score"' in line for line in (run_dir / "log.jsonl").read_text().splitlines())


def full_train_size(recipe: str) -> int:
    """Training examples of a recipe at full size (after the dev carve-out)."""
    from strife.training.adapters import dataset_spec, load_splits
    from strife.training.config import load_config
    from strife.training.data_root import find_data_root

    config = load_config(ROOT / "configs/benchmarks" / f"{recipe}.yaml")
    root = find_data_root()
    return sum(len(load_splits(dataset_spec(e.dataset), root, e.dev_fraction)["train"]) for e in config.data)


def add_cpu_estimates(table: dict[str, dict[str, object]], cpu_runs: Path) -> None:
    """``train_seconds`` on this machine, estimated from a short CPU timing run.

    The timing run trains one epoch on a slice of train; its seconds per example times
    the full train size gives seconds per epoch, times the epochs the seeded runs
    trained gives seconds per run. Tasks without a timing run keep ``train_seconds: null``.
    """
    for name, row in table.items():
        recipe = name.split("@")[-1]
        path = cpu_runs / recipe / "seed1" / "metrics.json"
        if not path.is_file():
            row["train_seconds"] = None
            continue
        timing = json.loads(path.read_text())
        per_epoch = float(timing["train_seconds"]) / int(timing["train_examples"]) * full_train_size(recipe)
        row["cpu_seconds_per_epoch"] = round(per_epoch, 1)
        row["train_seconds"] = round(per_epoch * float(row["epochs_run"]))  # type: ignore[arg-type]
        row["train_seconds_basis"] = (f"estimate: {timing['train_examples']}-example CPU timing run on 2 cores, "
                                      "scaled to the full train split and the mean epochs run")


def report(args: argparse.Namespace) -> int:
    table = collect(Path(args.runs))
    if args.cpu_epoch_runs:
        add_cpu_estimates(table, Path(args.cpu_epoch_runs))
    print(json.dumps(table, indent=2))
    print("\n| task | metric | strife MiniLM test (mean ± std, n) | dev mean | BERT-base | ConfliBERT | epochs | "
          "s/run (as run) | CPU s/epoch | CPU s/run (est.) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for task, row in table.items():
        print(f"| {task} | {row['metric']} | {row['mean']:.1f} ± {row['std']:.1f} ({len(row['seeds'])}) | "
              f"{row['dev_mean']:.1f} | {row['bert_base_uncased']} | {row['conflibert_best']} | {row['epochs_run']} | "
              f"{row['run_train_seconds']:.0f} | {row.get('cpu_seconds_per_epoch', '–')} | {row.get('train_seconds') or '–'} |")
    if args.output:
        Path(args.output).write_text(json.dumps(table, indent=2) + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--tasks", nargs="*", choices=sorted(p.stem for p in (ROOT / "configs/benchmarks").glob("*.yaml")),
                   help="recipes to run (default: the six benchmark tasks)")
    r.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    r.add_argument("--jobs", type=int, default=1)
    r.add_argument("--runs", default="runs/benchmarks")
    r.add_argument("--set", action="append", help="config override passed to every run")
    r.set_defaults(func=run)
    p = sub.add_parser("report")
    p.add_argument("--runs", default="runs/benchmarks")
    p.add_argument("--output", help="write the JSON table here (docs/benchmarks.json)")
    p.add_argument("--cpu-epoch-runs", help="timing runs on this machine (see docs/benchmarks.md)")
    p.set_defaults(func=report)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
