"""Training recipes: YAML sections loaded into typed dataclasses.

Unknown keys are errors that name the key and the file (GLiNER's silent
``warmup_steps`` bug is what this guards against). ``--set section.key=value`` on the
command line overrides any field, with the value parsed as YAML.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from strife.errors import ConfigError
from strife.models.config import HeadSpec
from strife.models.encoders import DEFAULT_ENCODER


@dataclass
class HeadConfig:
    """A head: ``type`` token (``labels`` are entity types) or single_label / multi_label."""

    type: str
    labels: list[str]
    loss_weight: float = 1.0

    def to_spec(self) -> HeadSpec:
        if self.type == "token":
            return HeadSpec.token(self.labels, self.loss_weight)
        return HeadSpec(self.type, list(self.labels), self.loss_weight)  # type: ignore[arg-type]


@dataclass
class DataConfig:
    """One dataset feeding one head, or one converted source feeding several.

    ``dataset`` names a built-in adapter; for your own files give ``files``
    (split to path), ``format`` (conll or tsv), ``kind`` and source ``labels`` instead.
    ``source`` names a converter of :mod:`strife.training.sources` instead of
    ``dataset`` + ``head``; it feeds ``heads`` (default: every recipe head it supervises).
    """

    head: str | None = None
    source: str | None = None
    heads: list[str] | None = None
    dataset: str | None = None
    files: dict[str, str] | None = None
    format: str | None = None
    kind: str | None = None
    labels: list[str] | None = None
    label_map: dict[str, str | None] = field(default_factory=dict)
    dev_fraction: float = 0.1
    max_train_examples: int | None = None
    max_eval_examples: int | None = None
    #: Source entries only: keep at most this many training sentences without any label
    #: per sentence with one. Event corpora annotate few sentences, and a token head fed
    #: mostly empty sentences learns to tag nothing.
    negatives_per_positive: float | None = None
    #: Source entries only: each training sentence is seen this many times an epoch. A small
    #: hand-annotated set in the test set's style otherwise weighs little beside large
    #: converted sources.
    repeat: int = 1


@dataclass
class TrainingConfig:
    """Optimisation settings."""

    epochs: int = 10
    batch_size: int = 16
    eval_batch_size: int = 64
    learning_rate: float = 5e-5
    head_learning_rate: float | None = None
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    scheduler: str = "linear"
    grad_clip: float = 1.0
    seed: int = 13
    early_stopping_patience: int | None = 3
    select_metric: str | None = None
    checkpoint_every_steps: int = 500
    log_every_steps: int = 20
    #: Batch sentences of similar length (within random groups of 50 batches), as
    #: transformers' ``group_by_length``: far less padding, so CPU epochs run faster.
    group_by_length: bool = False
    threads: int | None = None
    device: str = "auto"


@dataclass
class RunConfig:
    """A whole recipe: encoder, heads, data and training."""

    heads: dict[str, HeadConfig]
    data: list[DataConfig]
    encoder: str = DEFAULT_ENCODER
    max_length: int = 128
    output_dir: str = "runs/default"
    training: TrainingConfig = field(default_factory=TrainingConfig)
    #: Markdown (path relative to the recipe) added to every checkpoint's model card:
    #: the label mapping, known failure modes, anything a user must read before use.
    model_card: str | None = None
    source: str = "<dict>"

    def model_card_text(self) -> str:
        """The recipe's extra model-card Markdown, or nothing."""
        return (Path(self.source).parent / self.model_card).read_text(encoding="utf-8") if self.model_card else ""

    def head_specs(self) -> dict[str, HeadSpec]:
        return {name: head.to_spec() for name, head in self.heads.items()}


def _build(cls: type, data: Any, where: str) -> Any:
    """Instantiate dataclass ``cls`` from ``data``, rejecting unknown keys and bad types."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    # RunConfig.source is the recipe's file name, set by the loader, never a YAML key
    names = {f.name for f in dataclasses.fields(cls) if f.init and not (cls is RunConfig and f.name == "source")}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; valid keys are {sorted(names)}")
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [name for name in required if name not in data]
    if missing:
        raise ConfigError(f"{where}: missing required key(s) {missing}")
    return cls(**{key: _coerce(hints[key], value, f"{where}.{key}") for key, value in data.items()})


def _coerce(hint: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, where)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return [_coerce(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return {str(k): _coerce(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    if hint in (int, str, bool, float) and not (isinstance(value, hint) and not (hint is int and isinstance(value, bool))):
        raise ConfigError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b=value`` overrides (value parsed as YAML) to a config mapping.

    A numeric part indexes a list: ``data.0.max_train_examples=200``.
    """
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. training.epochs=3")
        node: Any = data
        parts = key.split(".")
        for part in parts[:-1]:
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict):
                node = node.setdefault(part, {})
            else:
                raise ConfigError(f"--set {item!r}: cannot descend into {part!r}")
        last = parts[-1]
        if isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = yaml.safe_load(raw)
        elif isinstance(node, dict):
            node[last] = yaml.safe_load(raw)
        else:
            raise ConfigError(f"--set {item!r}: cannot set {last!r}")
    return data


def load_config(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Read, override and validate a recipe; every error names the key and the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_config(apply_overrides(data or {}, overrides or []), str(path))


def parse_config(data: dict[str, Any], source: str = "<dict>") -> RunConfig:
    """Validate a recipe mapping (cross-field checks included)."""
    config: RunConfig = _build(RunConfig, data, source)
    config.source = source
    _check(config)
    return config


def _check(config: RunConfig) -> None:
    where = config.source
    if not config.heads:
        raise ConfigError(f"{where}: heads: at least one head is required")
    for name, head in config.heads.items():
        try:
            head.to_spec()
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: heads.{name}: {exc}") from exc
        if head.type not in ("token", "single_label", "multi_label"):
            raise ConfigError(f"{where}: heads.{name}.type: expected token, single_label or multi_label, got {head.type!r}")
        if not head.labels or len(set(head.labels)) != len(head.labels):
            raise ConfigError(f"{where}: heads.{name}.labels: expected distinct labels, got {head.labels!r}")
    if config.model_card and not (Path(config.source).parent / config.model_card).is_file():
        raise ConfigError(f"{where}: model_card: {config.model_card} not found beside the recipe")
    if not config.data:
        raise ConfigError(f"{where}: data: at least one dataset is required")
    for i, entry in enumerate(config.data):
        if entry.source is not None:
            _check_source(config, i, entry)
            continue
        if entry.heads is not None:
            raise ConfigError(f"{where}: data[{i}].heads: only a source entry feeds several heads; use head")
        if entry.negatives_per_positive is not None:
            raise ConfigError(f"{where}: data[{i}].negatives_per_positive: only source entries take it")
        if entry.repeat != 1:
            raise ConfigError(f"{where}: data[{i}].repeat: only source entries take it")
        if entry.head is None:
            raise ConfigError(f"{where}: data[{i}]: give head (the head a dataset feeds), or source for a converted source")
        if entry.head not in config.heads:
            raise ConfigError(f"{where}: data[{i}].head: {entry.head!r} is not one of heads {sorted(config.heads)}")
        if (entry.dataset is None) == (entry.files is None):
            raise ConfigError(f"{where}: data[{i}]: give either dataset (built-in) or files (your own)")
        if entry.files is not None:
            if not (entry.format and entry.kind and entry.labels):
                raise ConfigError(f"{where}: data[{i}]: files need format, kind and labels too")
            if entry.format not in ("conll", "tsv"):
                raise ConfigError(f"{where}: data[{i}].format: expected conll or tsv, got {entry.format!r}")
            if entry.kind not in ("token", "single_label", "multi_label"):
                raise ConfigError(
                    f"{where}: data[{i}].kind: expected token, single_label or multi_label, got {entry.kind!r}"
                )
            bad_splits = sorted(set(entry.files) - {"train", "dev", "test"})
            if bad_splits or "train" not in entry.files:
                raise ConfigError(
                    f"{where}: data[{i}].files: expected keys train (required), dev and test, got {sorted(entry.files)}"
                )
        if not 0.0 < entry.dev_fraction < 1.0:
            raise ConfigError(f"{where}: data[{i}].dev_fraction: expected a number in (0, 1), got {entry.dev_fraction}")
    t = config.training
    checks = [
        (t.epochs >= 1, "training.epochs", "an integer >= 1", t.epochs),
        (t.batch_size >= 1, "training.batch_size", "an integer >= 1", t.batch_size),
        (t.learning_rate > 0, "training.learning_rate", "a positive number", t.learning_rate),
        (0 <= t.warmup_ratio < 1, "training.warmup_ratio", "a number in [0, 1)", t.warmup_ratio),
        (t.scheduler in ("linear", "cosine", "constant"), "training.scheduler", "linear, cosine or constant", t.scheduler),
        (8 <= config.max_length <= 512, "max_length", "an integer in [8, 512]", config.max_length),
        (t.device == "auto" or t.device.split(":")[0] in ("cpu", "cuda", "mps"), "training.device",
         "auto, cpu, cuda[:N] or mps", t.device),
    ]
    for ok, key, expected, got in checks:
        if not ok:
            raise ConfigError(f"{where}: {key}: expected {expected}, got {got!r}")


def _check_source(config: RunConfig, i: int, entry: DataConfig) -> None:
    """A converted source: known name, no single-dataset keys, heads it can feed, matching labels."""
    from strife.training.sources import CONVERTERS  # the converters import this package's readers

    where = f"{config.source}: data[{i}]"
    if entry.source not in CONVERTERS:
        raise ConfigError(f"{where}.source: unknown source {entry.source!r}; converted sources are {sorted(CONVERTERS)}")
    clashing = [key for key in ("head", "dataset", "files", "format", "kind", "labels") if getattr(entry, key) is not None]
    if clashing or entry.label_map:
        raise ConfigError(f"{where}: a source entry takes heads, not {clashing or ['label_map']}")
    if entry.negatives_per_positive is not None and entry.negatives_per_positive < 0:
        raise ConfigError(f"{where}.negatives_per_positive: expected a number >= 0, got {entry.negatives_per_positive}")
    if not isinstance(entry.repeat, int) or entry.repeat < 1:
        raise ConfigError(f"{where}.repeat: expected an integer >= 1, got {entry.repeat!r}")
    converter = CONVERTERS[entry.source]
    heads = entry.heads if entry.heads is not None else [h for h in converter.heads if h in config.heads]
    if not heads:
        raise ConfigError(f"{where}.heads: source {entry.source} feeds {list(converter.heads)}, none of which is a "
                          f"recipe head ({sorted(config.heads)})")
    for head in heads:
        if head not in converter.heads:
            raise ConfigError(f"{where}.heads: source {entry.source} does not feed {head!r}; it feeds "
                              f"{list(converter.heads)}")
        if head not in config.heads:
            raise ConfigError(f"{where}.heads: {head!r} is not one of heads {sorted(config.heads)}")
        recipe_head = config.heads[head]
        if recipe_head.type != converter.head_type(head):
            raise ConfigError(f"{where}.heads: source {entry.source} feeds {head!r} as a {converter.head_type(head)} "
                              f"head, but heads.{head}.type is {recipe_head.type}")
        missing = sorted(set(converter.labels(head)) - set(recipe_head.labels))
        if missing:
            raise ConfigError(f"{where}.heads: heads.{head}.labels lacks {missing}, which source {entry.source} "
                              f"produces")
    entry.heads = heads
