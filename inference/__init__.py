"""Raw articles to event records: segmentation, windowed scoring, span decoding.

``Extractor`` is imported on first use (PEP 562) so that importing a submodule such as
``strife.inference.io`` stays cheap and torch is only loaded by the torch backend.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Extractor"]


def __getattr__(name: str) -> Any:
    if name == "Extractor":
        from strife.inference.extractor import Extractor

        return Extractor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
