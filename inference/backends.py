"""The runtimes behind :class:`~strife.inference.Extractor`: torch or ONNX Runtime.

Both take a padded batch as two ``int64`` numpy arrays and return float32 logits per
head as numpy arrays, so segmentation, windowing and decoding are shared and the
backends can be compared record for record. The ONNX backend imports onnxruntime
and never torch: a deployment can score from an export folder (``strife export``)
with ``pip install 'strife[onnx]'`` and no torch installed.

Which graph the ONNX backend loads:

* an export folder and ``quantized=False``: ``model.onnx`` (fp32);
* an export folder and ``quantized=True``: ``model.int8.onnx`` (dynamic int8 weights);
* a path to a ``.onnx`` file: that graph; ``config.json`` and the tokenizer are read from its folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from strife.errors import CheckpointError, ConfigError, DependencyError
from strife.models.config import StrifeConfig, load_config

BACKENDS = ("torch", "onnx")
#: File names of the exported graphs inside an export folder.
MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
#: Sentence windows per forward pass when the caller does not choose: CPU, then CUDA.
CPU_BATCH_SIZE = 32
CUDA_BATCH_SIZE = 128


class Backend(Protocol):
    """What the extractor needs from a runtime."""

    name: str  # "torch", "torch-fp16", "onnx" or "onnx-int8": recorded in every output record
    device: str  # "cpu", "cuda" or "cuda:N"
    folder: Path  # where config.json and the tokenizer files are
    config: StrifeConfig
    default_batch_size: int

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> dict[str, np.ndarray]:
        """Float32 logits per head: ``(batch, sequence, labels)`` or ``(batch, labels)``."""


def load_backend(path: str | Path, backend: str = "torch", device: str = "auto", quantized: bool = False,
                 threads: int | None = None) -> Backend:
    """The runtime for ``path``; every mistake is a :class:`~strife.errors.StrifeError` naming the file."""
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")
    if threads is not None and threads < 1:
        raise ConfigError(f"threads must be at least 1, got {threads}")
    if backend == "onnx":
        return OnnxBackend(path, device=device, quantized=quantized, threads=threads)
    if quantized:
        raise ConfigError("quantized=True selects model.int8.onnx and needs backend='onnx' "
                          f"(export it with `strife export --model {path} --output DIR --quantize int8`)")
    if Path(path).suffix == ".onnx":
        raise ConfigError(f"{path} is an ONNX graph; score it with backend='onnx' (--backend onnx)")
    return TorchBackend(path, device=device)


class TorchBackend:
    """A strife checkpoint in torch; half precision on CUDA, where it is about twice as fast
    and the logits still match fp32 to the decisions (checked in the CUDA tests)."""

    def __init__(self, path: str | Path, device: str = "auto") -> None:
        import torch

        from strife.models.device import resolve_device
        from strife.models.modeling import load_checkpoint

        self.folder = Path(path)
        self.device = resolve_device(device)
        model = load_checkpoint(self.folder).to(self.device).eval()
        cuda = self.device.startswith("cuda")
        self.model = model.half() if cuda else model
        self.name = "torch-fp16" if cuda else "torch"
        self.config = model.config
        self.default_batch_size = CUDA_BATCH_SIZE if cuda else CPU_BATCH_SIZE
        self._torch = torch

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> dict[str, np.ndarray]:
        torch = self._torch
        with torch.inference_mode():
            ids = torch.from_numpy(input_ids).to(self.device)
            mask = torch.from_numpy(attention_mask).to(self.device)
            logits = self.model(ids, mask).logits
            return {name: values.float().cpu().numpy() for name, values in logits.items()}


class OnnxBackend:
    """An exported graph in ONNX Runtime, with the session tuned for small CPU machines:
    all graph optimisations, sequential execution, ``threads`` intra-op threads."""

    def __init__(self, path: str | Path, device: str = "auto", quantized: bool = False,
                 threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise DependencyError(
                f"backend='onnx' needs onnxruntime to run {path}, and it is not installed; "
                "run `pip install 'strife[onnx]'` (or `pip install onnxruntime`)"
            ) from exc
        graph = onnx_graph(path, quantized)
        self.folder = graph.parent
        self.config = load_config(self.folder)
        self.name = "onnx-int8" if graph.name == INT8_FILE else "onnx"
        self.default_batch_size = CPU_BATCH_SIZE
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.inter_op_num_threads = 1
        if threads is not None:
            options.intra_op_num_threads = threads
        try:
            providers = _providers(ort, device)
            self.session = ort.InferenceSession(str(graph), options, providers=providers)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise CheckpointError(f"{graph}: ONNX Runtime cannot load this graph ({exc}); "
                                  "re-export it with `strife export`") from exc
        cuda = self.session.get_providers()[0] == "CUDAExecutionProvider"
        self.device = f"cuda:{providers[0][1]['device_id']}" if cuda else "cpu"
        self.output_names = [output.name for output in self.session.get_outputs()]
        expected = sorted(f"logits_{name}" for name in self.config.heads)
        if sorted(self.output_names) != expected:
            raise CheckpointError(f"{graph}: graph outputs {self.output_names} do not match the heads of "
                                  f"{self.folder / 'config.json'} ({expected}); re-export the checkpoint")

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> dict[str, np.ndarray]:
        values = self.session.run(self.output_names, {"input_ids": input_ids, "attention_mask": attention_mask})
        return {name.removeprefix("logits_"): value for name, value in zip(self.output_names, values)}


def onnx_graph(path: str | Path, quantized: bool = False) -> Path:
    """The ``.onnx`` file that ``path`` and ``quantized`` select (see the module docstring)."""
    path = Path(path)
    if path.suffix == ".onnx":
        if quantized:
            raise ConfigError(f"{path} names a graph file; quantized=True picks {INT8_FILE} inside an export "
                              "folder, so pass the folder, or the int8 file itself without quantized")
        if not path.is_file():
            raise CheckpointError(f"{path}: no such ONNX file; export one with "
                                  f"`strife export --model CHECKPOINT --output {path.parent}`")
        return path
    graph = path / (INT8_FILE if quantized else MODEL_FILE)
    if not graph.is_file():
        flag = " --quantize int8" if quantized else ""
        hint = (f"this is a torch checkpoint; export it with `strife export --model {path} --output DIR{flag}` "
                "and pass DIR" if (path / "model.safetensors").is_file()
                else f"export a checkpoint with `strife export --model CHECKPOINT --output {path}{flag}`")
        raise CheckpointError(f"{graph}: no such ONNX file; {hint}")
    return graph


def _providers(ort: object, device: str) -> list[str | tuple[str, dict[str, int]]]:
    """ONNX Runtime execution providers for ``device``: CUDA only when asked for or when
    ``auto`` finds onnxruntime-gpu; the CPU provider always comes last as the fallback."""
    available = ort.get_available_providers()  # type: ignore[attr-defined]
    kind = device.split(":")[0]
    if kind not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"device must be auto, cpu or cuda for backend='onnx', got {device!r}")
    if kind == "cuda" and "CUDAExecutionProvider" not in available:
        raise ConfigError(f"device {device!r} with backend='onnx' needs onnxruntime-gpu (CUDAExecutionProvider); "
                          f"this onnxruntime offers {available}")
    if kind != "cpu" and "CUDAExecutionProvider" in available:
        index = int(device.split(":")[1]) if ":" in device else 0
        return [("CUDAExecutionProvider", {"device_id": index}), "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]
