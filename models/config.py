"""The checkpoint config: encoder config, head specs, package version.

One ``PretrainedConfig`` subclass, validated on construction, so a checkpoint whose
``config.json`` was edited by hand or written by another tool fails at load time
with a message that names the field, instead of failing later inside a forward pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from transformers import AutoConfig, PretrainedConfig

from strife import __version__
from strife.errors import CheckpointError
from strife.models.bio import bio_entity_types

HeadType = Literal["token", "single_label", "multi_label"]
HEAD_TYPES: tuple[str, ...] = ("token", "single_label", "multi_label")


@dataclass
class HeadSpec:
    """What one head predicts.

    ``labels`` is the head's full output vocabulary in id order: BIO tags for token
    heads (``O`` first), class names for sentence heads. ``thresholds`` (multi-label
    only) are the per-label decision thresholds tuned on dev; 0.5 until tuned.
    """

    type: HeadType
    labels: list[str]
    loss_weight: float = 1.0
    thresholds: list[float] | None = None
    entity_types: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.entity_types = bio_entity_types(self.labels) if self.type == "token" else []

    @classmethod
    def token(cls, entity_types: list[str], loss_weight: float = 1.0) -> HeadSpec:
        """A token head tagging ``entity_types`` in IOB2."""
        labels = ["O"] + [f"{p}-{t}" for t in entity_types for p in ("B", "I")]
        return cls("token", labels, loss_weight)

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.labels))

    @property
    def label2id(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "id2label": {str(i): label for i, label in enumerate(self.labels)},
            "loss_weight": self.loss_weight,
        }
        if self.type == "multi_label":
            out["thresholds"] = self.thresholds or [0.5] * len(self.labels)
        return out

    @classmethod
    def from_dict(cls, name: str, data: Any, source: str = "config.json") -> HeadSpec:
        """Build and validate a head spec; errors name the head, the field and the file."""
        where = f"{source}: heads.{name}"
        if not isinstance(data, dict):
            raise CheckpointError(f"{where}: expected a mapping, got {type(data).__name__}")
        unknown = set(data) - {"type", "id2label", "loss_weight", "thresholds"}
        if unknown:
            raise CheckpointError(f"{where}: unknown field(s) {sorted(unknown)}")
        head_type = data.get("type")
        if head_type not in HEAD_TYPES:
            raise CheckpointError(f"{where}.type: expected one of {list(HEAD_TYPES)}, got {head_type!r}")
        labels = _labels_from_id2label(data.get("id2label"), f"{where}.id2label")
        weight = data.get("loss_weight", 1.0)
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise CheckpointError(f"{where}.loss_weight: expected a positive number, got {weight!r}")
        thresholds = data.get("thresholds")
        if thresholds is not None:
            if head_type != "multi_label":
                raise CheckpointError(f"{where}.thresholds: only multi_label heads have thresholds")
            if not isinstance(thresholds, list) or len(thresholds) != len(labels) or not all(
                isinstance(t, (int, float)) and 0.0 < t < 1.0 for t in thresholds
            ):
                raise CheckpointError(
                    f"{where}.thresholds: expected {len(labels)} numbers in (0, 1), got {thresholds!r}"
                )
        try:
            return cls(head_type, labels, float(weight), thresholds)
        except ValueError as exc:
            raise CheckpointError(f"{where}.id2label: {exc}") from exc


def _labels_from_id2label(id2label: Any, where: str) -> list[str]:
    if not isinstance(id2label, dict) or not id2label:
        raise CheckpointError(f"{where}: expected a non-empty mapping of id to label, got {id2label!r}")
    try:
        ids = sorted(int(k) for k in id2label)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{where}: ids must be integers, got {sorted(id2label)!r}") from exc
    if ids != list(range(len(ids))):
        raise CheckpointError(f"{where}: ids must run 0..{len(ids) - 1} without gaps, got {ids}")
    labels = [id2label[str(i)] if str(i) in id2label else id2label[i] for i in ids]
    if not all(isinstance(label, str) and label for label in labels):
        raise CheckpointError(f"{where}: every label must be a non-empty string, got {labels!r}")
    if len(set(labels)) != len(labels):
        raise CheckpointError(f"{where}: duplicate labels in {labels!r}")
    return labels


class StrifeConfig(PretrainedConfig):
    """Config of a :class:`~strife.models.StrifeModel`.

    ``encoder`` is the wrapped encoder's own config as a dict (so any BERT-style
    encoder works), ``heads`` maps head names to :class:`HeadSpec` dicts.
    """

    model_type = "strife"

    def __init__(
        self,
        encoder: dict[str, Any] | None = None,
        heads: dict[str, Any] | None = None,
        max_seq_length: int = 256,
        strife_version: str = __version__,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.encoder = dict(encoder or {})
        self.heads = {name: _as_dict(spec) for name, spec in (heads or {}).items()}
        self.max_seq_length = int(max_seq_length)
        self.strife_version = strife_version
        self.validate_strife()

    def validate_strife(self, source: str = "config.json") -> None:
        """Check every field a StrifeModel relies on; raise :class:`CheckpointError`."""
        if self.encoder and "model_type" not in self.encoder:
            raise CheckpointError(f"{source}: encoder.model_type is missing; the encoder config must name its type")
        for name, spec in self.heads.items():
            if not name.isidentifier():
                raise CheckpointError(f"{source}: head name {name!r} must be a Python identifier")
            HeadSpec.from_dict(name, spec, source)

    @property
    def head_specs(self) -> dict[str, HeadSpec]:
        return {name: HeadSpec.from_dict(name, spec) for name, spec in self.heads.items()}

    @property
    def encoder_pad_token_id(self) -> int:
        """The encoder's padding id (0 for BERT vocabularies that do not name one)."""
        return int(self.encoder.get("pad_token_id") or 0)

    def encoder_config(self) -> PretrainedConfig:
        """The encoder's config object, rebuilt from its dict."""
        if not self.encoder:
            raise CheckpointError(
                "config.json: encoder is missing, so this is not a strife checkpoint; to start a new model "
                "from a plain encoder use StrifeModel.from_encoder(path, heads)"
            )
        data = dict(self.encoder)
        return AutoConfig.for_model(data.pop("model_type"), **data)


def load_config(path: str | Path) -> StrifeConfig:
    """Read and validate a checkpoint folder's ``config.json`` without touching weights.

    Torch-free, so the ONNX backend (whose export folder carries the same config.json)
    shares the checks and messages of :func:`~strife.models.modeling.load_checkpoint`.
    """
    path = Path(path)
    if not (path / "config.json").is_file():
        raise CheckpointError(f"{path}: no config.json; expected a strife checkpoint folder (a run's model/)")
    model_type = json.loads((path / "config.json").read_text(encoding="utf-8")).get("model_type")
    if model_type != "strife":
        raise CheckpointError(
            f"{path}/config.json: model_type is {model_type!r}, not 'strife'; this is a plain encoder, not a "
            f"strife checkpoint. Train one with `strife train --config ...` (encoder: {path}) or build it with "
            f"StrifeModel.from_encoder({str(path)!r}, heads)"
        )
    return StrifeConfig.from_pretrained(path)


def _as_dict(spec: Any) -> Any:
    """Head specs as plain dicts; anything else passes through for validation to reject."""
    if isinstance(spec, HeadSpec):
        return spec.to_dict()
    return dict(spec) if isinstance(spec, dict) else spec


AutoConfig.register("strife", StrifeConfig)
