"""Pad a list of :class:`Features` into the tensors ``StrifeModel.forward`` takes.

Heads an example has no labels for are filled with ``-100`` (token and single-label
heads) or a zero mask (multi-label heads), so mixed-dataset batches train each head
only on the examples that annotate it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from strife.models.config import HeadSpec
from strife.models.heads import IGNORE_INDEX
from strife.training.features import Features


@dataclass
class Collator:
    """Callable batcher for a fixed set of heads."""

    heads: dict[str, HeadSpec]
    pad_token_id: int

    def __call__(self, batch: list[Features]) -> dict[str, object]:
        width = max(len(f.input_ids) for f in batch)
        input_ids = torch.full((len(batch), width), self.pad_token_id, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, feature in enumerate(batch):
            input_ids[row, : len(feature.input_ids)] = torch.tensor(feature.input_ids)
            attention[row, : len(feature.input_ids)] = 1
        labels: dict[str, torch.Tensor] = {}
        masks: dict[str, torch.Tensor] = {}
        for name, spec in self.heads.items():
            if spec.type == "token" and any(name in f.token_labels for f in batch):
                labels[name] = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
                for row, feature in enumerate(batch):
                    ids = feature.token_labels.get(name)
                    if ids is not None:
                        labels[name][row, : len(ids)] = torch.tensor(ids)
            elif spec.type == "single_label" and any(name in f.single_labels for f in batch):
                labels[name] = torch.tensor([f.single_labels.get(name, IGNORE_INDEX) for f in batch])
            elif spec.type == "multi_label" and any(name in f.multi_labels for f in batch):
                empty = ([0.0] * len(spec.labels), [0.0] * len(spec.labels))
                pairs = [f.multi_labels.get(name, empty) for f in batch]
                labels[name] = torch.tensor([p[0] for p in pairs])
                masks[name] = torch.tensor([p[1] for p in pairs])
        return {"input_ids": input_ids, "attention_mask": attention, "labels": labels, "label_masks": masks}


def to_device(batch: dict[str, object], device: torch.device) -> dict[str, object]:
    """Move a collated batch (tensors and dicts of tensors) to ``device``."""
    moved: dict[str, object] = {}
    for key, value in batch.items():
        if isinstance(value, dict):
            moved[key] = {k: v.to(device) for k, v in value.items()}
        else:
            moved[key] = value.to(device)  # type: ignore[union-attr]
    return moved
