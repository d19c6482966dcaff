"""One rule for choosing the torch device, shared by training and inference."""

from __future__ import annotations

from strife.errors import ConfigError


def resolve_device(name: str, allowed: tuple[str, ...] = ("cpu", "cuda", "mps")) -> str:
    """``auto`` takes a GPU when torch sees one, else the CPU (a GPU is never required);
    asking for ``cuda`` without one is a :class:`ConfigError` rather than a crash later."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.split(":")[0] not in allowed:
        raise ConfigError(f"device must be auto or one of {', '.join(allowed)} (cuda:N allowed), got {name!r}")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {name!r} asked for, but torch sees no CUDA GPU; use cpu or auto")
    return name
