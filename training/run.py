"""A training run end to end: data, model, loop, best checkpoint, metrics, curves.

A run directory holds ``model/`` (the best checkpoint, Hugging Face style),
``state/`` (the last training state, for ``--resume``), ``metrics.json`` (every head
on dev and test), ``log.jsonl``, ``learning_curves.png`` and ``config.yaml``.
"""

from __future__ import annotations

import json
import random
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import yaml
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from strife.models.card import render_card
from strife.models.config import HeadSpec
from strife.models.device import resolve_device
from strife.models.encoders import resolve_encoder
from strife.models.modeling import StrifeModel
from strife.training.adapters import DatasetSpec, HeadBinding, dataset_spec, load_splits, to_examples
from strife.training.config import DataConfig, RunConfig
from strife.training.curves import plot_curves
from strife.training.data_root import find_data_root
from strife.training.evaluation import EvalSet, evaluate_sets
from strife.training.features import encode
from strife.training.sources.sets import drop_annotated, source_sets
from strife.training.trainer import Trainer


def seed_everything(seed: int) -> None:
    """Seed every RNG and ask torch for deterministic kernels (CPU runs repeat exactly)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def data_spec(entry: DataConfig, index: int, recipe_dir: Path) -> DatasetSpec:
    """The built-in spec, or one made from the entry's own files (relative to the recipe)."""
    if entry.dataset is not None:
        return dataset_spec(entry.dataset)
    files = {split: str(recipe_dir / path) for split, path in (entry.files or {}).items()}
    return DatasetSpec(f"data[{index}]", entry.kind, entry.format, files, tuple(entry.labels or ()))  # type: ignore[arg-type]


def build_sets(config: RunConfig, specs: dict[str, HeadSpec], tokenizer: PreTrainedTokenizerBase,
               data_dir: str | None) -> dict[str, list[EvalSet]]:
    """Every split of every dataset entry as tokenised :class:`EvalSet` lists."""
    # Files of custom entries are absolute (resolved against the recipe), so root only serves built-ins.
    root = find_data_root(data_dir) if any(e.dataset or e.source for e in config.data) else Path.cwd()
    recipe_dir = Path(config.source).resolve().parent if Path(config.source).is_file() else Path.cwd()
    sets: dict[str, list[EvalSet]] = {"train": [], "dev": [], "test": []}
    for index, entry in enumerate(config.data):
        if entry.source is not None:
            for split, converted in source_sets(entry, root, specs, tokenizer, config.max_length).items():
                sets[split].extend(converted)
            continue
        spec = data_spec(entry, index, recipe_dir)
        binding = HeadBinding(entry.head, specs[entry.head], entry.label_map)
        for split, records in load_splits(spec, root, entry.dev_fraction).items():
            limit = entry.max_train_examples if split == "train" else entry.max_eval_examples
            records = records[:limit] if limit else records
            examples = to_examples(records, spec, binding)
            sets[split].append(EvalSet(spec.name, entry.head, examples, encode(examples, tokenizer, specs, config.max_length)))
    removed = drop_annotated(sets)
    if removed:
        print(f"left out {removed} training sentences of other sources that the hand-annotated set holds")
    return sets


def save_checkpoint(model: StrifeModel, tokenizer: PreTrainedTokenizerBase, directory: Path, config: RunConfig,
                    metrics: dict[str, dict[str, object]], command: str) -> None:
    """Write model, tokenizer and model card into ``directory``."""
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    card = render_card(model.config, encoder=config.encoder, datasets=[e.source or e.dataset or str(e.files) for e in config.data],
                       command=command, metrics=metrics, notes=config.model_card_text())
    (directory / "README.md").write_text(card, encoding="utf-8")


def resolved_recipe(config: RunConfig) -> dict[str, object]:
    """The recipe as run, loadable again (``strife evaluate --config run/config.yaml``):
    without the loader's ``source`` field, the model-card notes as an absolute path."""
    data = asdict(config)
    del data["source"]
    if config.model_card:
        data["model_card"] = str((Path(config.source).parent / config.model_card).resolve())
    return data


def train_run(config: RunConfig, data_dir: str | None = None, resume: bool = False) -> dict[str, object]:
    """Train, select on dev, evaluate the best checkpoint on dev and test; return metrics."""
    if config.training.threads:
        torch.set_num_threads(config.training.threads)
    seed_everything(config.training.seed)
    run_dir = Path(config.output_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(yaml.safe_dump(resolved_recipe(config), sort_keys=False), encoding="utf-8")
    command = "strife " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    specs = config.head_specs()
    tokenizer = AutoTokenizer.from_pretrained(resolve_encoder(config.encoder))
    sets = build_sets(config, specs, tokenizer, data_dir)
    device = torch.device(resolve_device(config.training.device))
    model = StrifeModel.from_encoder(config.encoder, specs, max_seq_length=config.max_length).to(device)
    best_dir = run_dir / "model"

    def on_best(best: StrifeModel, dev_metrics: dict[str, object]) -> None:
        save_checkpoint(best, tokenizer, best_dir, config, {}, command)

    train = [f for s in sets["train"] for f in s.features]
    trainer = Trainer(model, train, sets["dev"], config.training, run_dir, on_best)
    if resume and trainer.resume():
        print(f"resuming {run_dir} at epoch {trainer.history.epoch}, step {trainer.history.step}")
    history = trainer.train()
    best = StrifeModel.from_pretrained(best_dir).to(device)
    metrics = evaluate_splits(best, sets, config.training.eval_batch_size)
    metrics["train_seconds"] = history.train_seconds
    metrics["train_examples"] = len(train)
    metrics["epochs_run"] = history.epoch
    metrics["best_epoch"] = history.best_epoch
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    save_checkpoint(best, tokenizer, best_dir, config, metrics["test"], command)  # type: ignore[arg-type]
    plot_curves(history.log, run_dir / "learning_curves.png")
    return metrics


def evaluate_splits(model: StrifeModel, sets: dict[str, list[EvalSet]], batch_size: int) -> dict[str, object]:
    """Metrics of every dev and test set, keyed ``dataset/head``."""
    return {split: evaluate_sets(model, sets[split], batch_size) for split in ("dev", "test")}
