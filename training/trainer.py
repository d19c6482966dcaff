"""The training loop: mixed-dataset batches, dev selection, early stopping, resume.

Small on purpose (flair's lesson): it owns the optimisation loop and nothing else.
Data building, metrics files and model cards live in :mod:`strife.training.run`.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from tqdm.auto import tqdm
from transformers import get_scheduler

from strife.models.modeling import StrifeModel
from strife.training.collator import Collator, to_device
from strife.training.config import TrainingConfig
from strife.training.evaluation import PRIMARY_METRIC, EvalSet, Predictions, tune_head_thresholds
from strife.training.features import Features
from strife.training.state import load_state, save_state


@dataclass
class History:
    """What happened so far; saved with the state so a resumed run continues it."""

    epoch: int = 0
    step: int = 0
    best_score: float = -math.inf
    best_epoch: int = -1
    bad_epochs: int = 0
    train_seconds: float = 0.0
    log: list[dict[str, object]] = field(default_factory=list)


def build_optimizer(model: StrifeModel, cfg: TrainingConfig) -> torch.optim.Optimizer:
    """AdamW without decay on biases and LayerNorm; heads may get their own learning rate."""
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = {}
    for name, param in model.named_parameters():
        if param.requires_grad:
            is_head = name.startswith("heads.")
            no_decay = name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name
            groups.setdefault((is_head, no_decay), []).append(param)
    head_lr = cfg.head_learning_rate or cfg.learning_rate
    return torch.optim.AdamW(
        [
            {"params": params, "lr": head_lr if is_head else cfg.learning_rate,
             "weight_decay": 0.0 if no_decay else cfg.weight_decay}
            for (is_head, no_decay), params in sorted(groups.items())
        ]
    )


def select_score(dev_metrics: dict[str, dict[str, object]], sets: list[EvalSet], model: StrifeModel,
                 select_metric: str | None) -> float:
    """The dev score that picks the best epoch: a named metric, or the mean primary metric."""
    if select_metric:
        key, _, metric = select_metric.rpartition("/")
        return float(dev_metrics[key][metric])  # type: ignore[arg-type]
    scores = [float(dev_metrics[s.key][PRIMARY_METRIC[model.specs[s.head].type]]) for s in sets]  # type: ignore[arg-type]
    return sum(scores) / len(scores)


#: Batches per length group of ``group_by_length`` (transformers uses 50 as well).
GROUP_BATCHES = 50


class Trainer:
    """Train ``model`` on ``train`` features, select on ``dev`` sets, save to ``run_dir``.

    ``on_best`` is called with the model whenever the dev score improves, so the
    caller decides how a best checkpoint is written.
    """

    def __init__(self, model: StrifeModel, train: list[Features], dev: list[EvalSet], cfg: TrainingConfig,
                 run_dir: Path, on_best: Callable[[StrifeModel, dict[str, object]], None]) -> None:
        self.model, self.train_features, self.dev, self.cfg = model, train, dev, cfg
        self.run_dir, self.on_best = run_dir, on_best
        self.collate = Collator(model.specs, model.pad_token_id)
        self.steps_per_epoch = math.ceil(len(train) / cfg.batch_size)
        self.optimizer = build_optimizer(model, cfg)
        total = self.steps_per_epoch * cfg.epochs
        self.scheduler = get_scheduler(cfg.scheduler, self.optimizer, int(cfg.warmup_ratio * total), total)
        self.history = History()
        self.state_dir = run_dir / "state"

    def resume(self) -> bool:
        """Continue from the last saved state, if there is one."""
        if not (self.state_dir / "state.json").is_file():
            return False
        progress = load_state(self.state_dir, self.model, self.optimizer, self.scheduler)
        self.history = History(**progress)
        return True

    def _epoch_order(self, epoch: int) -> list[int]:
        generator = torch.Generator().manual_seed(self.cfg.seed * 1000 + epoch)
        order = torch.randperm(len(self.train_features), generator=generator).tolist()
        return self._grouped_by_length(order, generator) if self.cfg.group_by_length else order

    def _grouped_by_length(self, order: list[int], generator: torch.Generator) -> list[int]:
        """Sort each random group of 50 batches by length, cut it into batches and shuffle
        the batches, so a batch pads to a near neighbour's length, not to the epoch's longest."""
        size = self.cfg.batch_size
        batches: list[list[int]] = []
        for start in range(0, len(order), size * GROUP_BATCHES):
            group = sorted(order[start:start + size * GROUP_BATCHES],
                           key=lambda i: len(self.train_features[i].input_ids), reverse=True)
            batches += [group[b:b + size] for b in range(0, len(group), size)]
        shuffled = torch.randperm(len(batches), generator=generator).tolist()
        shuffled.sort(key=lambda b: len(batches[b]) < size)  # a short batch stays last: steps slice by size
        return [i for b in shuffled for i in batches[b]]

    def train(self) -> History:
        """Run the remaining epochs; stops early when dev stops improving."""
        h = self.history
        log_path = self.run_dir / "log.jsonl"
        while h.epoch < self.cfg.epochs and not self._patience_spent():
            order = self._epoch_order(h.epoch)
            skip = h.step - h.epoch * self.steps_per_epoch
            bar = tqdm(total=self.steps_per_epoch, initial=skip, desc=f"epoch {h.epoch + 1}/{self.cfg.epochs}")
            started = time.perf_counter()
            self.model.train()
            for b in range(skip, self.steps_per_epoch):
                loss, head_losses = self._step([self.train_features[i] for i in order[b * self.cfg.batch_size:(b + 1) * self.cfg.batch_size]])
                h.step += 1
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4f}")
                if h.step % self.cfg.log_every_steps == 0:
                    self._log(log_path, {"step": h.step, "epoch": h.epoch, "loss": loss, **head_losses})
                if self.cfg.checkpoint_every_steps and h.step % self.cfg.checkpoint_every_steps == 0:
                    h.train_seconds += time.perf_counter() - started
                    started = time.perf_counter()
                    save_state(self.state_dir, self.model, self.optimizer, self.scheduler, h.__dict__)
            bar.close()
            h.train_seconds += time.perf_counter() - started
            h.epoch += 1
            self._end_of_epoch(log_path)
            save_state(self.state_dir, self.model, self.optimizer, self.scheduler, h.__dict__)
        return h

    def _patience_spent(self) -> bool:
        patience = self.cfg.early_stopping_patience
        return patience is not None and self.history.bad_epochs >= patience

    def _step(self, batch_features: list[Features]) -> tuple[float, dict[str, float]]:
        batch = to_device(self.collate(batch_features), self.model.device)
        out = self.model(**batch)
        if out.loss is None:
            return 0.0, {}
        out.loss.backward()
        if self.cfg.grad_clip:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return float(out.loss.detach()), {f"loss/{k}": v for k, v in (out.head_losses or {}).items()}

    def _end_of_epoch(self, log_path: Path) -> None:
        h = self.history
        predictions = Predictions(self.model, self.cfg.eval_batch_size)
        for head in sorted({s.head for s in self.dev if self.model.specs[s.head].type == "multi_label"}):
            self.model.set_thresholds(head, tune_head_thresholds(predictions, [s for s in self.dev if s.head == head]))
        metrics = {s.key: predictions.score(s)[0] for s in self.dev}
        score = select_score(metrics, self.dev, self.model, self.cfg.select_metric)
        summary = {s.key: {k: v for k, v in metrics[s.key].items() if isinstance(v, float)} for s in self.dev}
        self._log(log_path, {"step": h.step, "epoch": h.epoch, "dev_score": score, "dev": summary})
        tqdm.write(f"epoch {h.epoch}: dev score {score:.4f} (best {max(h.best_score, score):.4f})")
        if score > h.best_score:
            h.best_score, h.best_epoch, h.bad_epochs = score, h.epoch, 0
            self.on_best(self.model, metrics)
        else:
            h.bad_epochs += 1

    def _log(self, path: Path, entry: dict[str, object]) -> None:
        self.history.log.append(entry)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
