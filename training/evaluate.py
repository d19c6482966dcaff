"""``strife evaluate``: rebuild a recipe's splits and score a saved checkpoint."""

from __future__ import annotations


from transformers import AutoTokenizer

from strife.errors import CheckpointError
from strife.models.modeling import load_checkpoint
from strife.training.config import load_config
from strife.training.evaluation import evaluate_sets
from strife.training.run import build_sets


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
    return {split: evaluate_sets(model, sets[split], config.training.eval_batch_size) for split in (splits or ["test"])}
