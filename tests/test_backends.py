"""Extractor backends: torch vs ONNX Runtime record parity, the torch-free ONNX path,
backend selection and its error messages, CUDA half precision."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from strife.cli import main  # noqa: E402
from strife.errors import CheckpointError, ConfigError, DependencyError  # noqa: E402
from strife.inference.backends import INT8_FILE, MODEL_FILE  # noqa: E402
from strife.inference.export import export_onnx  # noqa: E402
from strife.inference.extractor import Extractor  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TEXTS = [
    "Police arrested protesters in Delhi on Monday.",
    "Rebels attacked the army base near the border and killed several soldiers. The government said it would talk.",
    "xyz " * 80 + "end.",  # longer than the tiny model's 64-token window: scored in overlapping windows
]


@pytest.fixture
def exported(checkpoint: Path, tmp_path: Path) -> Path:
    """The tiny checkpoint exported to ONNX, with the int8 graph."""
    out = tmp_path / "onnx"
    export_onnx(checkpoint, out, quantize="int8")
    return out


def _records() -> list[dict[str, Any]]:
    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    return [{"id": str(i), "text": text} for i, text in enumerate([*TEXTS, seed])]


def _split_scores(value: Any, scores: list[float]) -> Any:
    """``value`` without its ``score`` fields (collected into ``scores``) and without ``model``."""
    if isinstance(value, dict):
        if "score" in value:
            scores.append(value["score"])
        return {k: _split_scores(v, scores) for k, v in value.items() if k not in ("score", "model")}
    if isinstance(value, list):
        return [_split_scores(v, scores) for v in value]
    return value


def assert_same_records(got: list[dict[str, Any]], expected: list[dict[str, Any]], tolerance: float) -> None:
    """Same ids, sentences, spans, offsets and labels; scores within ``tolerance``."""
    got_scores: list[float] = []
    expected_scores: list[float] = []
    assert _split_scores(got, got_scores) == _split_scores(expected, expected_scores)
    assert got_scores == pytest.approx(expected_scores, abs=tolerance)


def test_onnx_fp32_gives_the_torch_records(checkpoint: Path, exported: Path) -> None:
    torch_records = Extractor.from_pretrained(checkpoint, device="cpu", batch_size=3).extract(_records())
    onnx = Extractor.from_pretrained(exported, backend="onnx", batch_size=3, threads=1)
    onnx_records = onnx.extract(_records())
    assert any(s["windows"] > 1 for s in onnx_records[2]["sentences"]), "the long text should need windows"
    assert sum(len(s["actors"]) for r in torch_records for s in r["sentences"]) > 0, "no spans to compare"
    assert_same_records(onnx_records, torch_records, tolerance=2e-4)
    assert torch_records[0]["model"]["backend"] == "torch"
    assert onnx_records[0]["model"]["backend"] == "onnx"


def test_a_graph_file_path_and_quantized_pick_the_int8_graph(exported: Path) -> None:
    by_flag = Extractor.from_pretrained(exported, backend="onnx", quantized=True, threads=1)
    by_file = Extractor.from_pretrained(exported / INT8_FILE, backend="onnx", threads=1)
    assert by_flag.backend.name == by_file.backend.name == "onnx-int8"
    assert by_flag.backend.session.get_session_options().intra_op_num_threads == 1
    records = by_flag.extract(TEXTS)
    assert_same_records(by_file.extract(TEXTS), records, tolerance=0.0)
    assert [len(r["sentences"]) for r in records] == [1, 2, 1]


def test_onnx_path_runs_without_torch(checkpoint: Path, exported: Path, tmp_path: Path) -> None:
    """The ONNX extractor and `strife score --backend onnx` in a process where torch cannot be imported."""
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    scored = tmp_path / "out.jsonl"
    script = textwrap.dedent(f"""
        import json, sys
        sys.modules["torch"] = None  # any `import torch` (or torch.*) now raises ImportError
        from strife.inference.extractor import Extractor
        from strife.cli import main
        records = [json.loads(line) for line in open({str(source)!r}, encoding="utf-8")]
        results = Extractor.from_pretrained({str(exported)!r}, backend="onnx", batch_size=3).extract(records)
        code = main(["score", "--model", {str(exported)!r}, "--backend", "onnx", "--input", {str(source)!r},
                     "--output", {str(scored)!r}, "--threads", "1", "--batch-size", "3", "--no-progress"])
        loaded = sorted(name for name, module in sys.modules.items()
                        if name.split(".")[0] == "torch" and module is not None)
        print(json.dumps({{"results": results, "code": code, "torch_modules": loaded}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    payload = json.loads(done.stdout.strip().splitlines()[-1])
    assert payload["torch_modules"] == [] and payload["code"] == 0
    expected = Extractor.from_pretrained(checkpoint, device="cpu", batch_size=3).extract(_records())
    assert_same_records(payload["results"], expected, tolerance=2e-4)
    from_cli = [json.loads(line) for line in scored.read_text(encoding="utf-8").splitlines()]
    assert_same_records(from_cli, expected, tolerance=2e-4)


def test_unknown_backend_is_a_config_error(checkpoint: Path) -> None:
    with pytest.raises(ConfigError, match=r"backend must be one of \['torch', 'onnx'\], got 'tensorrt'"):
        Extractor.from_pretrained(checkpoint, backend="tensorrt")


def test_missing_graph_files_are_named_with_the_export_command(checkpoint: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match=rf"{MODEL_FILE}: no such ONNX file; this is a torch checkpoint; "
                                              r"export it with `strife export"):
        Extractor.from_pretrained(checkpoint, backend="onnx")
    fp32_only = tmp_path / "fp32"
    export_onnx(checkpoint, fp32_only)
    with pytest.raises(CheckpointError, match=rf"{INT8_FILE}: no such ONNX file.*--quantize int8"):
        Extractor.from_pretrained(fp32_only, backend="onnx", quantized=True)
    with pytest.raises(CheckpointError, match=r"nowhere\.onnx: no such ONNX file"):
        Extractor.from_pretrained(tmp_path / "nowhere.onnx", backend="onnx")


def test_mixed_up_options_are_config_errors(checkpoint: Path, exported: Path) -> None:
    with pytest.raises(ConfigError, match="needs backend='onnx'"):
        Extractor.from_pretrained(checkpoint, quantized=True)
    with pytest.raises(ConfigError, match="is an ONNX graph; score it with backend='onnx'"):
        Extractor.from_pretrained(exported / MODEL_FILE)
    with pytest.raises(ConfigError, match="names a graph file"):
        Extractor.from_pretrained(exported / MODEL_FILE, backend="onnx", quantized=True)


def test_missing_onnxruntime_is_a_dependency_error(exported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(DependencyError, match=r"needs onnxruntime .*pip install 'strife\[onnx\]'"):
        Extractor.from_pretrained(exported, backend="onnx")


def test_graph_and_config_heads_must_agree(exported: Path) -> None:
    config_path = exported / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["heads"]["extra"] = config["heads"]["event"]
    config_path.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(CheckpointError, match="do not match the heads of"):
        Extractor.from_pretrained(exported, backend="onnx")


def test_cli_errors_name_the_file_and_exit_2(exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "in.txt"
    source.write_text("Police arrested two men.", encoding="utf-8")
    (exported / INT8_FILE).unlink()
    code = main(["score", "--model", str(exported), "--backend", "onnx", "--quantized", "--input", str(source),
                 "--output", str(tmp_path / "out.jsonl"), "--no-progress"])
    assert code == 2
    assert f"{exported / INT8_FILE}: no such ONNX file" in capsys.readouterr().err


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_runs_half_precision_with_larger_batches_and_the_cpu_records(checkpoint: Path) -> None:
    cuda = Extractor.from_pretrained(checkpoint, device="cuda")
    assert cuda.backend.name == "torch-fp16" and cuda.batch_size == 128
    assert next(cuda.backend.model.parameters()).dtype == __import__("torch").float16
    cpu_records = Extractor.from_pretrained(checkpoint, device="cpu").extract(_records())
    assert_same_records(cuda.extract(_records()), cpu_records, tolerance=5e-3)


def test_bulk_word_tokenizer_gives_the_tokenizer_call_ids(tiny_tokenizer) -> None:
    from strife.inference.extractor import _word_tokenizer

    words = ["Police", "arrested", "xyz", "protesters", ".", "", "naïve", "a" * 200]
    assert _word_tokenizer(tiny_tokenizer)(words) == tiny_tokenizer(words, add_special_tokens=False)["input_ids"]
