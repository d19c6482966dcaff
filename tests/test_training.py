"""A training run end to end on the tiny encoder and data root (training/run.py,
training/trainer.py, training/evaluate.py, cli.py).

The mini recipe trains three heads (token, single-label, multi-label) for two epochs
with a constant learning rate, so that a run resumed after its first epoch must end
exactly where an uninterrupted run ends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file

from strife.cli import main
from strife.training.config import parse_config
from strife.training.evaluate import evaluate_checkpoint, load_checkpoint
from strife.training.run import train_run
from strife.training.trainer import Trainer

from conftest import CAMEO_CLASS, CAMEO_NER, IPE, recipe_dict

KEYS = {f"{CAMEO_NER}/actors", f"{CAMEO_CLASS}/event", f"{IPE}/police"}


def _config(encoder: Path, output_dir: Path, **training: object):
    return parse_config(recipe_dict(encoder, output_dir, scheduler="constant", **training))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, tiny_encoder_dir: Path, tiny_data_root: Path):
    """One uninterrupted two-epoch run: its directory and returned metrics."""
    run_dir = tmp_path_factory.mktemp("trained") / "run"
    metrics = train_run(_config(tiny_encoder_dir, run_dir), data_dir=str(tiny_data_root))
    return run_dir, metrics


def _same_final_weights(a: Path, b: Path) -> bool:
    """Whether two runs ended with identical weights (their last saved training state)."""
    first, second = load_file(str(a / "state" / "weights.safetensors")), load_file(str(b / "state" / "weights.safetensors"))
    return first.keys() == second.keys() and all(torch.equal(first[k], second[k]) for k in first)


def _log(run_dir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (run_dir / "log.jsonl").read_text(encoding="utf-8").splitlines()]


def test_train_run_writes_a_loadable_checkpoint_with_tokenizer_and_card(trained) -> None:
    run_dir, _ = trained
    model_dir = run_dir / "model"
    names = {p.name for p in model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md"} <= names
    assert not [n for n in names if n.endswith((".bin", ".pt", ".pth", ".pkl"))]
    model = load_checkpoint(model_dir)
    assert set(model.specs) == {"actors", "event", "police"}
    assert model.specs["police"].thresholds is not None  # tuned on dev
    card = (model_dir / "README.md").read_text(encoding="utf-8")
    assert f"| {CAMEO_NER}/actors | f1_micro |" in card


def test_train_run_writes_metrics_for_dev_and_test_of_every_dataset(trained) -> None:
    run_dir, metrics = trained
    saved = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert set(saved["dev"]) == set(saved["test"]) == KEYS
    assert saved["test"] == metrics["test"]
    assert 0.0 <= saved["test"][f"{CAMEO_NER}/actors"]["f1_micro"] <= 1.0
    assert "accuracy" in saved["test"][f"{CAMEO_CLASS}/event"]
    assert "example_f1" in saved["test"][f"{IPE}/police"]
    assert saved["best_epoch"] in (1, 2)


def test_train_run_logs_each_epoch_and_plots_curves(trained) -> None:
    run_dir, _ = trained
    epochs = [entry["epoch"] for entry in _log(run_dir) if "dev_score" in entry]
    assert epochs == [1, 2]
    png = (run_dir / "learning_curves.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    assert yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))["training"]["epochs"] == 2
    assert sorted(p.name for p in (run_dir / "state").iterdir()) == [
        "optimizer.safetensors", "state.json", "weights.safetensors"]


def test_train_run_with_the_same_seed_repeats_exactly(trained, tiny_encoder_dir, tiny_data_root,
                                                     tmp_path: Path) -> None:
    first_dir, first = trained
    second = train_run(_config(tiny_encoder_dir, tmp_path / "again"), data_dir=str(tiny_data_root))
    assert _same_final_weights(first_dir, tmp_path / "again")
    assert second["test"] == first["test"]
    assert second["dev"] == first["dev"]


def test_train_run_with_another_seed_ends_with_other_weights(trained, tiny_encoder_dir, tiny_data_root,
                                                             tmp_path: Path) -> None:
    first_dir, _ = trained
    train_run(_config(tiny_encoder_dir, tmp_path / "other", seed=8), data_dir=str(tiny_data_root))
    assert not _same_final_weights(first_dir, tmp_path / "other")


def test_resumed_run_continues_the_history_and_matches_an_uninterrupted_run(
        trained, tiny_encoder_dir, tiny_data_root, tmp_path: Path, capsys) -> None:
    uninterrupted_dir, uninterrupted = trained
    run_dir = tmp_path / "run"
    train_run(_config(tiny_encoder_dir, run_dir, epochs=1), data_dir=str(tiny_data_root))
    assert [e["epoch"] for e in _log(run_dir) if "dev_score" in e] == [1]
    resumed = train_run(_config(tiny_encoder_dir, run_dir, epochs=2), data_dir=str(tiny_data_root), resume=True)
    assert "resuming" in capsys.readouterr().out
    assert [e["epoch"] for e in _log(run_dir) if "dev_score" in e] == [1, 2]
    assert json.loads((run_dir / "state" / "state.json").read_text())["progress"]["epoch"] == 2
    assert _same_final_weights(run_dir, uninterrupted_dir)
    assert resumed["test"] == uninterrupted["test"]


class _Crash(Exception):
    """Stands in for a job killed in the middle of an epoch."""


def test_run_interrupted_mid_epoch_resumes_from_its_last_step_checkpoint(
        trained, tiny_encoder_dir, tiny_data_root, tmp_path: Path, monkeypatch) -> None:
    uninterrupted_dir, uninterrupted = trained
    run_dir = tmp_path / "run"
    step = Trainer._step

    def crash_at_step_ten(self: Trainer, batch):
        if self.history.step == 9:
            raise _Crash
        return step(self, batch)

    monkeypatch.setattr(Trainer, "_step", crash_at_step_ten)
    # 25 training examples in batches of 4: 7 steps an epoch; state saved at steps 4, 7 and 8.
    with pytest.raises(_Crash):
        train_run(_config(tiny_encoder_dir, run_dir, checkpoint_every_steps=4), data_dir=str(tiny_data_root))
    progress = json.loads((run_dir / "state" / "state.json").read_text())["progress"]
    assert (progress["epoch"], progress["step"]) == (1, 8)
    monkeypatch.undo()
    resumed = train_run(_config(tiny_encoder_dir, run_dir, checkpoint_every_steps=4),
                        data_dir=str(tiny_data_root), resume=True)
    assert [e["epoch"] for e in _log(run_dir) if "dev_score" in e] == [1, 2]
    assert _same_final_weights(run_dir, uninterrupted_dir)
    assert resumed["test"] == uninterrupted["test"]


def test_evaluate_checkpoint_reproduces_the_run_test_metrics(trained, tiny_encoder_dir, tiny_data_root,
                                                             tmp_path: Path) -> None:
    run_dir, metrics = trained
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(recipe_dict(tiny_encoder_dir, run_dir, scheduler="constant")), encoding="utf-8")
    scores = evaluate_checkpoint(str(run_dir / "model"), str(recipe), data_dir=str(tiny_data_root))
    assert scores["test"] == metrics["test"]


def test_cli_train_with_an_unknown_key_exits_2_with_a_clear_message(write_recipe, capsys) -> None:
    data = recipe_dict("tiny", "runs/never")
    data["training"]["warmup_steps"] = 100  # type: ignore[index]
    path = write_recipe(data)
    assert main(["train", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("strife: error: ")
    assert "warmup_steps" in err and str(path) in err
    assert "Traceback" not in err


def test_cli_train_runs_the_recipe_with_the_data_dir_from_the_environment(
        recipe: Path, tiny_data_root: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("STRIFE_DATA_DIR", str(tiny_data_root))
    out_dir = tmp_path / "cli_run"
    assert main(["train", "--config", str(recipe), "--epochs", "1", "--output-dir", str(out_dir)]) == 0
    out = capsys.readouterr().out
    printed = json.loads(out[out.index('{\n  "output_dir"'):])
    assert printed["output_dir"] == str(out_dir)
    assert set(printed["test"]) == KEYS
    assert (out_dir / "model" / "model.safetensors").is_file()
    assert yaml.safe_load((out_dir / "config.yaml").read_text())["training"]["epochs"] == 1


def test_cli_reports_a_missing_data_dir_with_exit_code_2(tmp_path: Path, capsys) -> None:
    assert main(["data", "where", "--data-dir", str(tmp_path / "absent")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_group_by_length_keeps_every_example_and_cuts_padding() -> None:
    from types import SimpleNamespace

    import torch

    from strife.training.trainer import Trainer

    lengths = [(7 * i) % 97 + 3 for i in range(1003)]
    fake = SimpleNamespace(cfg=SimpleNamespace(batch_size=16),
                           train_features=[SimpleNamespace(input_ids=[0] * n) for n in lengths])
    order = torch.randperm(len(lengths), generator=torch.Generator().manual_seed(1)).tolist()
    grouped = Trainer._grouped_by_length(fake, order, torch.Generator().manual_seed(2))
    assert sorted(grouped) == list(range(len(lengths)))

    def padded(o: list[int]) -> int:
        return sum(16 * max(lengths[i] for i in o[b:b + 16]) for b in range(0, len(o), 16))

    assert padded(grouped) < 0.75 * padded(order)
    last_group = order[16 * 50:]  # 203 examples: 12 full batches and one of 11, which must come last
    assert set(grouped[-11:]) <= set(last_group)


def test_the_run_config_yaml_loads_again(trained) -> None:
    from strife.training.config import load_config

    run_dir, _ = trained
    again = load_config(run_dir / "config.yaml")
    assert set(again.heads) == {"actors", "event", "police"} and len(again.data) == 3
