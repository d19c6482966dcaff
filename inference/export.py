"""Export a strife checkpoint to ONNX: one graph with every head as a named output.

The output folder is itself a self-describing checkpoint: ``model.onnx`` (and, with
``quantize="int8"``, ``model.int8.onnx``) beside ``config.json`` and the tokenizer
files, so a runtime needs nothing but that folder: ``Extractor.from_pretrained(folder,
backend="onnx")`` or ``strife score --backend onnx`` (``quantized`` / ``--quantized``
for the int8 graph).

Graph contract:

* inputs ``input_ids`` and ``attention_mask``, both ``int64`` of shape ``(batch, sequence)``;
* one output ``logits_<head>`` per head, in sorted head order: ``(batch, sequence, labels)``
  for token heads, ``(batch, labels)`` for sentence heads.

Needs the optional packages ``onnx`` and ``onnxruntime`` (the latter only for ``quantize``).
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import torch
from torch import nn

from strife.errors import CheckpointError, ConfigError
from strife.inference.backends import INT8_FILE, MODEL_FILE
from strife.models.modeling import StrifeModel, load_checkpoint

#: ONNX opset of the exported graph.
OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask")
#: Tokenizer files copied next to the graph when the checkpoint has them.
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "sentencepiece.bpe.model",
    "spiece.model",
    "spm.model",
)
QUANTIZE_CHOICES = ("int8",)


class _ExportWrapper(nn.Module):
    """``StrifeModel`` as a function of two tensors returning a tuple in sorted head order."""

    def __init__(self, model: StrifeModel) -> None:
        super().__init__()
        self.model = model
        self.head_names = sorted(model.heads.keys())

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        return tuple(logits[name] for name in self.head_names)


def output_names(model: StrifeModel) -> list[str]:
    """The graph's output names, ``logits_<head>`` in sorted head order."""
    return [f"logits_{name}" for name in sorted(model.heads.keys())]


def export_onnx(model_dir: str | Path, output_dir: str | Path, quantize: str | None = None) -> Path:
    """Write ``model.onnx`` (+ ``model.int8.onnx`` with ``quantize="int8"``) and copy the
    tokenizer files and ``config.json`` into ``output_dir``; return the ``model.onnx`` path.
    """
    if quantize is not None and quantize not in QUANTIZE_CHOICES:
        raise ConfigError(f"quantize={quantize!r}; expected one of {list(QUANTIZE_CHOICES)} or None")
    model_dir = Path(model_dir)
    output_dir = Path(output_dir)
    if output_dir.resolve() == model_dir.resolve():
        raise CheckpointError(f"{output_dir}: the ONNX output folder must differ from the checkpoint folder")
    model = load_checkpoint(model_dir)
    model.eval()
    output_dir.mkdir(parents=True, exist_ok=True)

    wrapper = _ExportWrapper(model).eval()
    names = output_names(model)
    # A dummy batch of 2 x 8 with one padded position, so no shape is specialised to 1.
    pad = model.pad_token_id
    input_ids = torch.full((2, 8), 5 if pad != 5 else 6, dtype=torch.long)
    attention_mask = torch.ones((2, 8), dtype=torch.long)
    input_ids[1, -1] = pad
    attention_mask[1, -1] = 0

    dynamic_axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    for head, name in zip(wrapper.head_names, names):
        if model.specs[head].type == "token":
            dynamic_axes[name] = {0: "batch", 1: "sequence"}
        else:
            dynamic_axes[name] = {0: "batch"}

    onnx_path = output_dir / MODEL_FILE
    # The TorchScript exporter (dynamo=False) traces the model; its TracerWarnings are about
    # Python bools in transformers' mask code that are constant for an encoder (no causal mask,
    # no KV cache) and its own deprecation notice: both are noise for a user of ``strife export``.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.onnx")
        warnings.filterwarnings("ignore", message=r".*legacy TorchScript-based ONNX export.*")
        torch.onnx.export(
            wrapper,
            (input_ids, attention_mask),
            str(onnx_path),
            input_names=list(INPUT_NAMES),
            output_names=names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )

    for file_name in ("config.json", *TOKENIZER_FILES):
        source = model_dir / file_name
        if source.is_file():
            shutil.copy2(source, output_dir / file_name)

    if quantize == "int8":
        quantize_int8(onnx_path, output_dir / INT8_FILE)
    return onnx_path


def quantize_int8(source: str | Path, target: str | Path) -> Path:
    """Dynamic int8 quantisation of the MatMul weights (activations are quantised at run time).

    Per output channel: one scale per weight column instead of one per matrix. On the
    cameo_ner checkpoint per-tensor scales cost 1.5 points of span F1, per-channel ones
    nothing measurable (``benchmarks/quantization.py``), at the same speed.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        model_input=str(source),
        model_output=str(target),
        op_types_to_quantize=["MatMul"],
        weight_type=QuantType.QInt8,
        per_channel=True,
    )
    return Path(target)
