"""Save and restore the full training state without pickle.

Tensors (model weights, optimizer moments, the torch RNG) go to safetensors and
everything else (step counters, scheduler state, history) to JSON, so resuming an
interrupted run never unpickles anything.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from strife.errors import CheckpointError

STATE_FILES = ("weights.safetensors", "optimizer.safetensors", "state.json")


def save_state(
    directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any, progress: dict[str, Any]
) -> None:
    """Write the state to a temporary folder, then swap it in, so a crash mid-write
    leaves the previous state intact."""
    tmp = directory.with_name(directory.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp / "weights.safetensors"))
    opt = optimizer.state_dict()
    tensors = {"rng": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, cuda_state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"cuda_rng.{i}"] = cuda_state
    for index, slots in opt["state"].items():
        for key, value in slots.items():
            tensors[f"{index}.{key}"] = value if torch.is_tensor(value) else torch.tensor(value)
    save_file(tensors, str(tmp / "optimizer.safetensors"))
    meta = {"param_groups": opt["param_groups"], "scheduler": scheduler.state_dict(), "progress": progress}
    (tmp / "state.json").write_text(json.dumps(meta, default=str), encoding="utf-8")
    old = directory.with_name(directory.name + ".old")
    if directory.exists():
        os.replace(directory, old)
    os.replace(tmp, directory)
    if old.exists():
        for child in old.iterdir():
            child.unlink()
        old.rmdir()


def load_state(
    directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any
) -> dict[str, Any]:
    """Restore what :func:`save_state` wrote; returns the saved progress dict."""
    missing = [name for name in STATE_FILES if not (directory / name).is_file()]
    if missing:
        raise CheckpointError(f"{directory}: cannot resume, missing {missing}; start without --resume")
    model.load_state_dict(load_file(str(directory / "weights.safetensors")))
    tensors = load_file(str(directory / "optimizer.safetensors"))
    meta = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key == "rng" or key.startswith("cuda_rng."):
            continue
        index, _, slot = key.partition(".")
        state.setdefault(int(index), {})[slot] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    scheduler.load_state_dict(meta["scheduler"])
    torch.set_rng_state(tensors["rng"])
    cuda_keys = sorted((k for k in tensors if k.startswith("cuda_rng.")), key=lambda k: int(k.split(".")[1]))
    cuda_states = [tensors[k] for k in cuda_keys]
    if cuda_states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda_states[: torch.cuda.device_count()])
    return meta["progress"]
