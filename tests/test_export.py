"""ONNX export: graph contract, torch/onnxruntime parity, dynamic axes, int8 variant."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")

from transformers import AutoTokenizer  # noqa: E402

from strife.errors import ConfigError  # noqa: E402
from strife.inference.export import INT8_FILE, MODEL_FILE, export_onnx  # noqa: E402
from strife.models.modeling import load_checkpoint  # noqa: E402

HEADS = ["actors", "event", "police"]
OUTPUTS = [f"logits_{head}" for head in HEADS]
TOKEN_HEADS = {"actors"}
SENTENCES = [
    "Police arrested protesters.",
    "Rebels attacked the army base near the border and killed several soldiers on Monday.",
    "The government said it would talk.",
]


@pytest.fixture
def exported(checkpoint: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The tiny checkpoint exported with ``quantize="int8"``: (checkpoint, onnx folder)."""
    out = tmp_path / "onnx"
    export_onnx(checkpoint, out, quantize="int8")
    return checkpoint, out


def _session(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _encode(folder: Path, sentences: list[str]) -> dict[str, np.ndarray]:
    tokenizer = AutoTokenizer.from_pretrained(folder)
    batch = tokenizer(sentences, padding=True, return_tensors="np")
    return {"input_ids": batch["input_ids"].astype(np.int64), "attention_mask": batch["attention_mask"].astype(np.int64)}


def _torch_logits(checkpoint: Path, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    model = load_checkpoint(checkpoint).eval()
    with torch.no_grad():
        out = model(torch.from_numpy(feeds["input_ids"]), torch.from_numpy(feeds["attention_mask"]))
    return {name: tensor.numpy() for name, tensor in out.logits.items()}


def _assert_parity(checkpoint: Path, folder: Path, feeds: dict[str, np.ndarray]) -> None:
    expected = _torch_logits(checkpoint, feeds)
    got = dict(zip(OUTPUTS, _session(folder / MODEL_FILE).run(OUTPUTS, feeds)))
    mask = feeds["attention_mask"].astype(bool)
    for head in HEADS:
        onnx_logits, torch_logits = got[f"logits_{head}"], expected[head]
        assert onnx_logits.shape == torch_logits.shape, head
        if head in TOKEN_HEADS:
            onnx_logits, torch_logits = onnx_logits[mask], torch_logits[mask]
        np.testing.assert_allclose(onnx_logits, torch_logits, atol=1e-4, rtol=0, err_msg=head)


def test_export_writes_self_describing_folder(exported: tuple[Path, Path]) -> None:
    checkpoint, out = exported
    assert (out / MODEL_FILE).is_file()
    assert (out / "config.json").read_bytes() == (checkpoint / "config.json").read_bytes()
    assert (out / "tokenizer_config.json").is_file()
    assert (out / "tokenizer.json").is_file() or (out / "vocab.txt").is_file()
    assert not (out / "model.safetensors").exists()
    AutoTokenizer.from_pretrained(out)  # the copied tokenizer files load on their own

    graph = onnx.load(str(out / MODEL_FILE)).graph
    assert [i.name for i in graph.input] == ["input_ids", "attention_mask"]
    for graph_input in graph.input:
        tensor_type = graph_input.type.tensor_type
        assert tensor_type.elem_type == onnx.TensorProto.INT64
        assert [d.dim_param for d in tensor_type.shape.dim] == ["batch", "sequence"]
    assert [o.name for o in graph.output] == OUTPUTS
    dims = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim] for o in graph.output}
    assert dims["logits_actors"] == ["batch", "sequence", 7]  # O + B/I of S, T, R
    assert dims["logits_event"] == ["batch", 5]
    assert dims["logits_police"] == ["batch", 5]


def test_onnx_matches_torch_on_padded_batch(exported: tuple[Path, Path]) -> None:
    checkpoint, out = exported
    feeds = _encode(out, SENTENCES)
    assert feeds["attention_mask"].min() == 0, "the batch should contain padding"
    _assert_parity(checkpoint, out, feeds)


@pytest.mark.parametrize(
    "sentences",
    [
        ["Soldiers fired."],  # batch 1, short, no padding
        ["a"] + SENTENCES + ["xyz " * 20],  # batch 5, longer than the export dummy, sub-words
    ],
    ids=["batch1", "batch5-long"],
)
def test_dynamic_axes(exported: tuple[Path, Path], sentences: list[str]) -> None:
    checkpoint, out = exported
    feeds = _encode(out, sentences)
    _assert_parity(checkpoint, out, feeds)


def test_int8_variant_runs(exported: tuple[Path, Path]) -> None:
    _, out = exported
    int8_path = out / INT8_FILE
    assert int8_path.is_file()
    assert int8_path.stat().st_size < (out / MODEL_FILE).stat().st_size
    ops = {node.op_type for node in onnx.load(str(int8_path)).graph.node}
    assert ops & {"MatMulInteger", "DynamicQuantizeMatMul"}, ops
    feeds = _encode(out, SENTENCES)
    names = OUTPUTS
    fp32 = dict(zip(names, _session(out / MODEL_FILE).run(names, feeds)))
    int8 = dict(zip(names, _session(int8_path).run(names, feeds)))
    mask = feeds["attention_mask"].astype(bool)
    for name in names:
        assert int8[name].shape == fp32[name].shape
        assert np.isfinite(int8[name]).all()
    agree = (int8["logits_actors"].argmax(-1) == fp32["logits_actors"].argmax(-1))[mask].mean()
    assert agree >= 0.8, f"int8 token argmax agrees on only {agree:.0%} of positions"


def test_without_quantize_no_int8_file(checkpoint: Path, tmp_path: Path) -> None:
    out = export_onnx(checkpoint, tmp_path / "onnx")
    assert out == tmp_path / "onnx" / MODEL_FILE
    assert out.is_file()
    assert not (tmp_path / "onnx" / INT8_FILE).exists()


def test_unknown_quantize_rejected(checkpoint: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="quantize"):
        export_onnx(checkpoint, tmp_path / "onnx", quantize="int4")
