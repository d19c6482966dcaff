"""Training state save/restore without pickle (training/state.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import get_scheduler

from strife.errors import CheckpointError
from strife.models.modeling import StrifeModel
from strife.training.config import TrainingConfig
from strife.training.state import STATE_FILES, load_state, save_state
from strife.training.trainer import build_optimizer


def _setup(encoder_dir: Path, heads, seed: int):
    torch.manual_seed(seed)
    model = StrifeModel.from_encoder(str(encoder_dir), heads)
    optimizer = build_optimizer(model, TrainingConfig(learning_rate=1e-3, head_learning_rate=1e-2))
    scheduler = get_scheduler("linear", optimizer, num_warmup_steps=1, num_training_steps=10)
    return model, optimizer, scheduler


def _step(model, optimizer, scheduler, tokenizer) -> None:
    model.train()
    enc = tokenizer(["police arrested rebels", "talks"], padding=True, return_tensors="pt")
    out = model(enc["input_ids"], enc["attention_mask"], labels={"event": torch.tensor([0, 3])})
    out.loss.backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)


def _params(optimizer) -> list[torch.nn.Parameter]:
    """Parameters in param-group order, which both optimizers share (state dict order may differ)."""
    return [p for group in optimizer.param_groups for p in group["params"] if p in optimizer.state]


def _weights(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_save_and_load_state_restore_weights_optimizer_scheduler_and_rng(
        tiny_encoder_dir, head_specs, tiny_tokenizer, tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup(tiny_encoder_dir, head_specs, seed=1)
    _step(model, optimizer, scheduler, tiny_tokenizer)
    state_dir = tmp_path / "state"
    save_state(state_dir, model, optimizer, scheduler, {"epoch": 0, "step": 1, "best_score": float("-inf")})
    saved_rng = torch.get_rng_state()
    saved_weights = _weights(model)
    saved_moments = [{k: v.clone() for k, v in optimizer.state[p].items()} for p in _params(optimizer)]

    fresh, fresh_opt, fresh_sched = _setup(tiny_encoder_dir, head_specs, seed=2)
    torch.rand(10)  # move the global RNG on
    progress = load_state(state_dir, fresh, fresh_opt, fresh_sched)

    assert progress == {"epoch": 0, "step": 1, "best_score": float("-inf")}
    assert all(torch.equal(saved_weights[k], v) for k, v in fresh.state_dict().items())
    restored_moments = [fresh_opt.state[p] for p in _params(fresh_opt)]
    assert len(restored_moments) == len(saved_moments) > 0
    for saved, restored in zip(saved_moments, restored_moments):
        for key in ("exp_avg", "exp_avg_sq", "step"):
            assert torch.equal(saved[key], restored[key]), key
    assert any(bool(m["exp_avg"].abs().sum() > 0) for m in restored_moments)
    assert fresh_sched.last_epoch == scheduler.last_epoch == 1
    assert fresh_sched.get_last_lr() == scheduler.get_last_lr()
    assert [g["lr"] for g in fresh_opt.param_groups] == [g["lr"] for g in optimizer.param_groups]
    assert torch.equal(torch.get_rng_state(), saved_rng)


def test_a_resumed_step_matches_an_uninterrupted_one(tiny_encoder_dir, head_specs, tiny_tokenizer,
                                                    tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup(tiny_encoder_dir, head_specs, seed=1)
    _step(model, optimizer, scheduler, tiny_tokenizer)
    save_state(tmp_path / "state", model, optimizer, scheduler, {})
    _step(model, optimizer, scheduler, tiny_tokenizer)  # uses dropout, so the RNG must match too

    resumed, resumed_opt, resumed_sched = _setup(tiny_encoder_dir, head_specs, seed=3)
    load_state(tmp_path / "state", resumed, resumed_opt, resumed_sched)
    _step(resumed, resumed_opt, resumed_sched, tiny_tokenizer)
    assert all(torch.equal(v, resumed.state_dict()[k]) for k, v in model.state_dict().items())


def test_save_state_replaces_the_previous_state_and_leaves_no_temporary_folders(
        tiny_encoder_dir, head_specs, tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup(tiny_encoder_dir, head_specs, seed=1)
    state_dir = tmp_path / "state"
    save_state(state_dir, model, optimizer, scheduler, {"step": 1})
    save_state(state_dir, model, optimizer, scheduler, {"step": 2})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]
    assert sorted(p.name for p in state_dir.iterdir()) == sorted(STATE_FILES)
    assert not list(state_dir.glob("*.pt")) and not list(state_dir.glob("*.bin"))
    assert load_state(state_dir, model, optimizer, scheduler) == {"step": 2}


@pytest.mark.parametrize("removed", STATE_FILES)
def test_load_state_with_a_missing_file_is_a_checkpoint_error(tiny_encoder_dir, head_specs, tmp_path: Path,
                                                              removed: str) -> None:
    model, optimizer, scheduler = _setup(tiny_encoder_dir, head_specs, seed=1)
    save_state(tmp_path / "state", model, optimizer, scheduler, {})
    (tmp_path / "state" / removed).unlink()
    with pytest.raises(CheckpointError, match=f"cannot resume, missing \\['{removed}'\\]"):
        load_state(tmp_path / "state", model, optimizer, scheduler)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_load_state_restores_the_cuda_rng(tiny_encoder_dir, head_specs, tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup(tiny_encoder_dir, head_specs, seed=1)
    torch.cuda.manual_seed_all(5)
    save_state(tmp_path / "state", model, optimizer, scheduler, {})
    saved = torch.cuda.get_rng_state()
    torch.rand(100, device="cuda")
    load_state(tmp_path / "state", model, optimizer, scheduler)
    assert torch.equal(torch.cuda.get_rng_state(), saved)
