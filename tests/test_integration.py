"""Integration: the real default encoder (all-MiniLM-L6-v2) trained for a few steps.

Uses a small slice of the shared cameo_ner/cameo_class data; checks the loss falls,
the checkpoint reloads to identical predictions, and the seed article scores end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from strife.errors import DataError
from strife.inference.extractor import Extractor
from strife.models.modeling import load_checkpoint
from strife.training.config import load_config
from strife.training.data_root import find_data_root
from strife.training.run import train_run

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        find_data_root()
    except DataError as exc:
        pytest.skip(f"shared datasets not available: {exc}")
    out = tmp_path_factory.mktemp("integration") / "run"
    config = load_config(ROOT / "configs/cameo.yaml", [
        f"output_dir={out}", "training.epochs=3", "training.batch_size=8", "training.device=cpu",
        "training.eval_batch_size=32", "training.checkpoint_every_steps=0",
        "training.log_every_steps=4", "data.0.max_train_examples=96", "data.1.max_train_examples=96",
        "data.0.max_eval_examples=64", "data.1.max_eval_examples=64", "max_length=64",
    ])
    train_run(config)
    return out


def test_loss_falls(trained: Path) -> None:
    losses = [json.loads(line)["loss"] for line in (trained / "log.jsonl").read_text().splitlines()
              if '"loss"' in line]
    assert len(losses) >= 4
    assert sum(losses[-2:]) / 2 < sum(losses[:2]) / 2


def test_checkpoint_reloads_to_identical_predictions(trained: Path) -> None:
    first, second = load_checkpoint(trained / "model").eval(), load_checkpoint(trained / "model").eval()
    ids = torch.tensor([[101, 7273, 2730, 2676, 3548, 1012, 102]])
    with torch.inference_mode():
        a, b = first(ids, torch.ones_like(ids)).logits, second(ids, torch.ones_like(ids)).logits
    assert set(a) == {"actors", "pentaclass"}
    assert all(torch.equal(a[k], b[k]) for k in a)
    card = (trained / "model" / "README.md").read_text()
    assert "conflibert/cameo_ner" in card and "f1_micro" in card
    metrics = json.loads((trained / "metrics.json").read_text())
    assert set(metrics["test"]) == {"conflibert/cameo_ner/actors", "conflibert/cameo_class/pentaclass"}


def test_seed_article_scores_end_to_end(trained: Path) -> None:
    text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    results = Extractor.from_pretrained(trained / "model", device="cpu").extract([{"id": "seed", "text": text}])
    assert len(results) == 1 and results[0]["error"] is None
    sentences = results[0]["sentences"]
    assert len(sentences) >= 15
    for sentence in sentences:
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]
        assert all(text[s["start"]:s["end"]] == s["text"] for s in sentence["actors"])
        assert sentence["pentaclass"]["label"] in {"statement", "verbal_cooperation", "material_cooperation",
                                                   "verbal_conflict", "material_conflict"}
