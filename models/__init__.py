"""The multi-task model: one shared encoder, named token and sentence heads."""

from strife.models.config import HeadSpec, StrifeConfig
from strife.models.modeling import StrifeModel, StrifeOutput

__all__ = ["HeadSpec", "StrifeConfig", "StrifeModel", "StrifeOutput"]
