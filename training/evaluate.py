"""``strife evaluate``: rebuild a recipe's splits and score a saved checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

from transformers import AutoTokenizer

from strife.errors import CheckpointError
from strife.models.modeling import StrifeModel
from strife.training.config import load_config
from strife.training.evaluation import evaluate_set
from strife.training.run import build_sets


def load_checkpoint(path: str | Path) -> StrifeModel:
    """Load a strife checkpoint, failing with the fix when the folder is not one."""
    path = Path(path)
    if not (path / "config.json").is_file():
        raise CheckpointError(f"{path}: no config.json; expected a strife checkpoint folder (a run's model/)")
    model_type = json.loads((path / "config.json").read_text(encoding="utf-8")).get("model_type")
    if model_type != "strife":
        raise CheckpointError(
            f"{path}/config.json: model_type is {model_type!r}, not 'strife'; this is a plain encoder, not a "
            f"strife checkpoint. Train one with `strife train --config ...` (encoder: {path}) or build it with "
            f"StrifeModel.from_encoder({str(path)!r}, heads)"
        )
    if not (path / "model.safetensors").is_file():
        raise CheckpointError(f"{path}: no model.safetensors; strife loads safetensors weights only")
    return StrifeModel.from_pretrained(path, use_safetensors=True)


def evaluate_checkpoint(model_dir: str, config_path: str, data_dir: str | None = None,
                        splits: list[str] | None = None) -> dict[str, dict[str, dict[str, object]]]:
    """Metrics per split and ``dataset/head`` with the thresholds stored in the checkpoint."""
    model = load_checkpoint(model_dir)
    config = load_config(config_path)
    missing = sorted(set(config.heads) - set(model.specs))
    if missing:
        raise CheckpointError(f"{model_dir}: the checkpoint has no head(s) {missing} that {config_path} trains")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    sets = build_sets(config, model.specs, tokenizer, data_dir)
    return {split: {s.key: evaluate_set(model, s, config.training.eval_batch_size)[0] for s in sets[split]}
            for split in (splits or ["test"])}
