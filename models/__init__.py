"""The multi-task model: one shared encoder, named token and sentence heads.

Names are imported on first use (PEP 562), so ``strife.models.config`` and the other
torch-free modules load without torch: the ONNX inference path needs only
onnxruntime and a tokenizer.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "HeadSpec": "strife.models.config",
    "StrifeConfig": "strife.models.config",
    "StrifeModel": "strife.models.modeling",
    "StrifeOutput": "strife.models.modeling",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
