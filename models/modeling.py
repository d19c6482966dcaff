"""``StrifeModel``: one encoder forward pass feeding every head.

Built like SpanMarker's model: the encoder comes from ``AutoModel.from_config`` so
the Hugging Face loader fills its weights from ``model.safetensors``, and the heads
live in an ``nn.ModuleDict`` keyed by head name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModel, PreTrainedModel
from transformers.utils import ModelOutput

from strife.errors import CheckpointError
from strife.models.config import HeadSpec, StrifeConfig, load_config
from strife.models.encoders import resolve_encoder
from strife.models.heads import SentenceHead, TokenHead, multi_label_loss, single_label_loss, token_loss


@dataclass
class StrifeOutput(ModelOutput):
    """``loss`` sums the weighted losses of the heads that had labels in the batch."""

    loss: torch.Tensor | None = None
    logits: dict[str, torch.Tensor] | None = None
    head_losses: dict[str, float] | None = None


class StrifeModel(PreTrainedModel):
    """A shared encoder with named token and sentence heads.

    >>> from strife.models import HeadSpec
    >>> model = StrifeModel.from_encoder("minilm", {"actors": HeadSpec.token(["S", "T"])})  # doctest: +SKIP
    """

    config_class = StrifeConfig
    base_model_prefix = "strife"
    main_input_name = "input_ids"

    def __init__(self, config: StrifeConfig, encoder: PreTrainedModel | None = None) -> None:
        super().__init__(config)
        self.encoder = encoder if encoder is not None else AutoModel.from_config(config.encoder_config())
        hidden = self.encoder.config.hidden_size
        dropout = float(getattr(self.encoder.config, "hidden_dropout_prob", 0.1))
        self.heads = nn.ModuleDict()
        for name, spec in config.head_specs.items():
            head_cls = TokenHead if spec.type == "token" else SentenceHead
            self.heads[name] = head_cls(hidden, len(spec.labels), dropout)
        self.specs = config.head_specs
        for head in self.heads.values():
            nn.init.normal_(head.classifier.weight, std=0.02)
            nn.init.zeros_(head.classifier.bias)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        """Heads are initialised in ``__init__``; the encoder keeps its own weights."""

    @property
    def pad_token_id(self) -> int:
        """The encoder's padding id (0 for BERT vocabularies that do not name one)."""
        return self.config.encoder_pad_token_id

    def set_thresholds(self, head: str, thresholds: list[float]) -> None:
        """Store dev-tuned decision thresholds of a multi-label head in the config."""
        self.config.heads[head]["thresholds"] = [float(t) for t in thresholds]
        self.config.validate_strife()
        self.specs = self.config.head_specs

    @classmethod
    def from_encoder(
        cls, encoder: str, heads: dict[str, HeadSpec], max_seq_length: int = 256, **encoder_kwargs: object
    ) -> StrifeModel:
        """Start a new model from a pretrained encoder (alias, hub id or local path)."""
        path = resolve_encoder(encoder)
        backbone = AutoModel.from_pretrained(path, **encoder_kwargs)
        encoder_dict = backbone.config.to_dict()
        for key in ("architectures", "transformers_version", "_name_or_path", "dtype", "torch_dtype"):
            encoder_dict.pop(key, None)
        config = StrifeConfig(encoder=encoder_dict, heads=heads, max_seq_length=max_seq_length)
        config.encoder_name = encoder
        return cls(config, encoder=backbone)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        labels: dict[str, torch.Tensor] | None = None,
        label_masks: dict[str, torch.Tensor] | None = None,
    ) -> StrifeOutput:
        """Run the encoder once and every head on its output.

        ``labels`` maps head names to label tensors (``-100`` where absent);
        ``label_masks`` gives multi-label heads a 0/1 mask of annotated cells.
        """
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**kwargs).last_hidden_state
        logits = {name: head(hidden, attention_mask) for name, head in self.heads.items()}
        if not labels:
            return StrifeOutput(logits=logits)
        total: torch.Tensor | None = None
        head_losses: dict[str, float] = {}
        for name, head_labels in labels.items():
            loss = self._head_loss(name, logits[name], head_labels, (label_masks or {}).get(name))
            if loss is None:
                continue
            head_losses[name] = float(loss.detach())
            weighted = self.specs[name].loss_weight * loss
            total = weighted if total is None else total + weighted
        return StrifeOutput(loss=total, logits=logits, head_losses=head_losses)

    def _head_loss(
        self, name: str, logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor | None
    ) -> torch.Tensor | None:
        head_type = self.specs[name].type
        if head_type == "token":
            return token_loss(logits, labels)
        if head_type == "single_label":
            return single_label_loss(logits, labels)
        return multi_label_loss(logits, labels, mask if mask is not None else torch.ones_like(labels))


def load_checkpoint(path: str | Path) -> StrifeModel:
    """Load a strife checkpoint folder, failing with the fix when it is not one."""
    path = Path(path)
    load_config(path)  # the config checks, with their messages, before any weights are read
    if not (path / "model.safetensors").is_file():
        raise CheckpointError(f"{path}: no model.safetensors; strife loads safetensors weights only")
    return StrifeModel.from_pretrained(path, use_safetensors=True)


AutoModel.register(StrifeConfig, StrifeModel)
