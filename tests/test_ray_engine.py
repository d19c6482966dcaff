"""``strife score --engine ray``: the same records as the local engine, bad records included.

One local Ray (2 CPUs, no dashboard) serves the whole module. Each comparison runs the
local engine with ``chunk_size`` equal to Ray's ``batch_size``, so both put the same
documents in each forward pass and the records must match byte for byte.
"""

from __future__ import annotations

import gzip
import json
import sys
from argparse import Namespace
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray
import torch

from strife.cli import main
from strife.errors import ConfigError, DataError
from strife.inference.export import export_onnx
from strife.inference.ray_engine import BatchScorer, score_with_ray
from strife.inference.score import score_command
from strife.models.config import HeadSpec
from strife.models.modeling import StrifeModel

TEXTS = ["Troops killed five rebels in the north.", "Police arrested two men. They were released later.",
         "Protesters marched in the capital.", "The army shelled the village at dawn, killing 12 and wounding 3.",
         "Gunmen captured four soldiers. " * 30]  # one long sentence run: several windows of the tiny model
BATCH = 3  # documents per Ray batch and per local chunk


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One small local Ray for the module; ``score_with_ray`` reuses it and leaves it running."""
    ray.init(num_cpus=2, include_dashboard=False)
    yield
    ray.shutdown()


@pytest.fixture
def casualty_checkpoint(tiny_encoder_dir: Path, tiny_tokenizer, tmp_path: Path) -> Path:
    """A tiny checkpoint with a casualty head biased towards KILLED spans, so records carry counts and totals."""
    torch.manual_seed(0)
    specs = {"actors": HeadSpec.token(["SOURCE", "TARGET"]),
             "casualties": HeadSpec.token(["KILLED", "INJURED", "CAPTURED"]),
             "pentaclass": HeadSpec("single_label", ["statement", "material_conflict"])}
    model = StrifeModel.from_encoder(str(tiny_encoder_dir), specs, max_seq_length=32)
    with torch.no_grad():
        model.heads["casualties"].classifier.bias[specs["casualties"].label2id["B-KILLED"]] += 4.0
    path = tmp_path / "casualty_model"
    model.save_pretrained(path)
    tiny_tokenizer.save_pretrained(path)
    return path


def score_local(model: Path, source: Path, output: Path) -> dict:
    args = Namespace(model=str(model), input=str(source), output=str(output), device="cpu", threads=1,
                     chunk_size=BATCH, progress=False)
    return score_command(args)


def score_ray(model: Path, source: Path, output: Path, concurrency: int = 1) -> dict:
    return score_with_ray(model, source, output, device="cpu", concurrency=concurrency, batch_size=BATCH,
                          num_cpus=1, progress=False)


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def parquet_rows(path: Path) -> list[dict]:
    return [json.loads(r) for r in pq.read_table(path).column("record").to_pylist()]


def corpus_lines() -> list[bytes]:
    """Good records around every kind of bad one the JSONL reader knows."""
    good = [json.dumps({"id": f"doc{i:02d}", "text": TEXTS[i % len(TEXTS)]}).encode() for i in range(14)]
    bad = [
        b"{not json",                                            # invalid JSON -> id line<N>
        json.dumps({"id": "notext", "body": TEXTS[0]}).encode(),  # missing text field
        json.dumps({"id": "number", "text": 42}).encode(),        # text not a string
        json.dumps({"id": "list", "text": ["a", "b"]}).encode(),  # text not a string
        json.dumps({"id": "null", "text": None}).encode(),
        json.dumps({"id": "blank", "text": "  \n "}).encode(),
        b"[1, 2]",                                               # JSON, not an object -> id line<N>
        b'{"id": "latin1", "text": "caf\xe9 bombing."}',         # not UTF-8
        json.dumps({"text": TEXTS[1]}).encode(),                  # no id -> line<N>
        json.dumps({"id": 7, "text": TEXTS[2]}).encode(),         # numeric id -> "7"
    ]
    lines = list(good)
    for offset, line in enumerate(bad):
        lines.insert(1 + offset * 2, line)
    return lines


@pytest.mark.usefixtures("local_ray")
def test_jsonl_to_jsonl_on_ray_is_byte_identical_to_local_bad_records_included(
        casualty_checkpoint: Path, tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_bytes(b"\n".join(corpus_lines()[:12]) + b"\n\n" + b"\n".join(corpus_lines()[12:]) + b"\n")
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    local_stats = score_local(casualty_checkpoint, source, local)
    ray_stats = score_ray(casualty_checkpoint, source, remote, concurrency=2)  # batches spread over two actors

    assert remote.read_bytes() == local.read_bytes()
    rows, expected = jsonl_rows(remote), jsonl_rows(local)
    assert len(rows) == 24 and Counter(r["id"] for r in rows) == Counter(r["id"] for r in expected)
    errors = {r["id"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"line2", "notext", "number", "list", "null", "blank", "line15", "latin1"}
    assert "docs.jsonl:2: invalid JSON" in errors["line2"] and "is int, expected a string" in errors["number"]
    assert "no 'text' field" in errors["notext"] and "is list" in errors["list"]
    assert {"line19", "7"} <= {r["id"] for r in rows if r["error"] is None}  # line 13 is blank: not a record
    spans = [s for r in rows for sentence in r["sentences"] for s in sentence["casualties"]]
    assert any(s["count"] for s in spans), "the biased casualty head should give counted spans"
    assert any(r.get("totals", {}).get("killed") for r in rows)
    assert max(s["windows"] for r in rows for s in r["sentences"]) > 1  # the long sentence was windowed
    for key in ("documents", "sentences", "errors"):
        assert ray_stats[key] == local_stats[key], key


@pytest.mark.usefixtures("local_ray")
def test_parquet_to_parquet_on_ray_gives_the_local_parts(checkpoint: Path, tmp_path: Path) -> None:
    ids = [f"p{i}" for i in range(9)] + [None, "p10"]
    texts = [TEXTS[i % len(TEXTS)] for i in range(9)] + [TEXTS[2], None]
    source = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ids, "text": texts}), source, row_group_size=4)
    local, remote = tmp_path / "local.parquet", tmp_path / "ray.parquet"
    score_local(checkpoint, source, local)
    score_ray(checkpoint, source, remote)

    assert sorted(p.name for p in remote.iterdir()) == sorted(p.name for p in local.iterdir())
    assert pq.read_table(remote).equals(pq.read_table(local))
    rows = parquet_rows(remote)
    assert [r["id"] for r in rows] == [f"p{i}" for i in range(9)] + ["row10", "p10"]
    assert rows[-1]["error"] == f"{source}: row 11: field 'text' is null" and rows[-1]["sentences"] == []
    assert all(r["error"] is None and r["sentences"] for r in rows[:-1])


@pytest.mark.usefixtures("local_ray")
def test_onnx_backend_on_ray_gives_the_local_onnx_records(checkpoint: Path, tmp_path: Path) -> None:
    export = tmp_path / "onnx"
    export_onnx(checkpoint, export)
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": TEXTS[i % len(TEXTS)]}) + "\n" for i in range(7)))
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    score_command(Namespace(model=str(export), input=str(source), output=str(local), device="cpu", threads=1,
                            chunk_size=BATCH, progress=False, backend="onnx"))
    score_with_ray(export, source, remote, backend="onnx", device="cpu", batch_size=BATCH, progress=False)
    assert remote.read_bytes() == local.read_bytes()
    assert {r["model"]["backend"] for r in jsonl_rows(remote)} == {"onnx"}


@pytest.mark.usefixtures("local_ray")
def test_gzipped_jsonl_folder_to_parquet_keeps_every_record_once_in_file_order(
        checkpoint: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    shards = {name: [{"id": f"{name}-{i}", "text": TEXTS[i % len(TEXTS)]} for i in range(size)]
              for name, size in (("a", 5), ("b", 1), ("c", 7))}
    for name, records in shards.items():
        with gzip.open(folder / f"{name}.jsonl.gz", "wt", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in records)
    (folder / "notes.txt").write_text("not an input shard")  # ignored: the folder's JSONL/Parquet files are read
    everything = tmp_path / "all.jsonl"
    everything.write_text("".join(json.dumps(r) + "\n" for records in shards.values() for r in records))
    local, remote = tmp_path / "local.parquet", tmp_path / "ray.parquet"
    score_local(checkpoint, everything, local)
    stats = score_ray(checkpoint, folder, remote)

    assert parquet_rows(remote) == parquet_rows(local)
    assert [r["id"] for r in parquet_rows(remote)] == [r["id"] for records in shards.values() for r in records]
    assert stats["documents"] == 13 and stats["errors"] == 0


@pytest.mark.usefixtures("local_ray")
def test_cli_engine_ray_prints_the_summary_and_refuses_resume(
        checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths, as typed at a prompt
    Path("docs.jsonl").write_text("".join(json.dumps({"id": f"d{i}", "text": TEXTS[i]}) + "\n" for i in range(3)))
    output = tmp_path / "events.jsonl"
    argv = ["score", "--engine", "ray", "--model", checkpoint.name, "--input", "docs.jsonl", "--output", "events.jsonl",
            "--device", "cpu", "--concurrency", "1", "--no-progress"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "== d0" in printed and "[ 0] 'Troops killed five rebels in the north.'" in printed
    assert "3 documents, 4 sentences, 0 errors" in printed and "ray, 1 actors x 1 CPUs" in printed
    assert [r["id"] for r in jsonl_rows(output)] == ["d0", "d1", "d2"]
    assert {r["model"]["path"] for r in jsonl_rows(output)} == {"model"}  # as given, like the local engine

    assert main(argv) == 2  # the output exists and Ray does not resume
    assert "already exists" in capsys.readouterr().err
    assert main(argv + ["--resume"]) == 2
    assert "--resume is not supported with --engine ray" in capsys.readouterr().err


def test_engine_ray_without_ray_installed_says_how_to_install(
        checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` raise ImportError
    source = tmp_path / "docs.jsonl"
    source.write_text(json.dumps({"id": "d0", "text": TEXTS[0]}) + "\n")
    code = main(["score", "--engine", "ray", "--model", str(checkpoint), "--input", str(source),
                 "--output", str(tmp_path / "out.jsonl")])
    assert code == 2
    assert "pip install 'strife[ray]'" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.usefixtures("local_ray")
def test_inputs_the_ray_engine_cannot_read_fail_before_scoring(checkpoint: Path, tmp_path: Path) -> None:
    table = tmp_path / "docs.csv"
    table.write_text("id,text\na,Troops attacked.\n")
    with pytest.raises(DataError, match="--engine local"):
        score_ray(checkpoint, table, tmp_path / "out.jsonl")
    with pytest.raises(DataError, match="input not found"):
        score_ray(checkpoint, tmp_path / "missing.jsonl", tmp_path / "out.jsonl")
    no_text = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ["a"], "body": ["x"]}), no_text)
    with pytest.raises(DataError, match="no 'text' column"):
        score_ray(checkpoint, no_text, tmp_path / "out.jsonl")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "a", "text": TEXTS[0]}) + "\n")
    with pytest.raises(ConfigError, match="num_cpus"):
        score_with_ray(checkpoint, good, tmp_path / "out.jsonl", num_cpus=0, progress=False)
    assert not (tmp_path / "out.jsonl").exists()


def test_a_batch_the_extractor_fails_on_is_retried_per_document_as_locally(
        checkpoint: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = BatchScorer(str(checkpoint.resolve()), device="cpu", model_label="model")
    extract = scorer.extractor.extract

    def fragile(records: list[dict]) -> list[dict]:
        if any(r["id"] == "boom" for r in records):
            raise RuntimeError("out of memory")
        return extract(records)

    monkeypatch.setattr(scorer.extractor, "extract", fragile)
    batch = pa.table({"id": ["a", "boom", "b"], "text": [TEXTS[0], TEXTS[1], TEXTS[2]], "error": [None, None, None]})
    out = scorer(batch)
    assert out.column_names == ["id", "error", "record"] and out.column("id").to_pylist() == ["a", "boom", "b"]
    records = [json.loads(r) for r in out.column("record").to_pylist()]
    assert records[1]["error"] == "extractor failed: RuntimeError: out of memory" and records[1]["sentences"] == []
    assert records[0]["error"] is None and records[2]["error"] is None and records[2]["sentences"]
    assert records[0]["model"]["path"] == "model"  # as the user gave it, not the path the actor loaded
