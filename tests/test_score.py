"""``strife score`` at corpus scale: formats, bad inputs, crash-safe resume, Parquet output."""

from __future__ import annotations

import csv
import errno
import gzip
import json
import os
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from strife.cli import main
from strife.errors import ConfigError, DataError
from strife.inference import score as score_module
from strife.inference.io import JsonlWriter, ParquetWriter, count_records, read_records
from strife.inference.score import score_command
from strife.models.device import resolve_device

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TEXTS = ["Troops killed five rebels in the north.", "Police arrested two men. They were released later.",
         "Protesters marched in the capital.", "The army shelled the village at dawn."]


def run(checkpoint: Path, source: Path, output: Path, **options: object) -> dict:
    args = Namespace(model=str(checkpoint), input=str(source), output=str(output), device="cpu", threads=1,
                     progress=False, **options)
    return score_command(args)


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def parquet_rows(path: Path) -> list[dict]:
    return [json.loads(r) for r in pq.read_table(path).column("record").to_pylist()]


def write_input(folder: Path, kind: str, records: list[dict]) -> Path:
    """The same records as a file of format ``kind``."""
    if kind == "txt-folder":
        path = folder / "articles"
        path.mkdir()
        for r in records:
            (path / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
        return path
    path = folder / f"docs.{kind}"
    opener = gzip.open if kind.endswith(".gz") else open
    if kind.startswith("jsonl"):
        with opener(path, "wt", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in records)
    elif kind.startswith("csv"):
        with opener(path, "wt", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["id", "text"])
            writer.writeheader()
            writer.writerows(records)
    else:
        pq.write_table(pa.Table.from_pylist(records), path, row_group_size=3)
    return path


@pytest.mark.parametrize("kind", ["jsonl", "jsonl.gz", "csv", "csv.gz", "parquet", "txt-folder"])
def test_every_input_format_gives_one_scored_record_per_input_in_order(
        checkpoint: Path, tmp_path: Path, kind: str) -> None:
    records = [{"id": f"doc{i:02d}", "text": TEXTS[i % len(TEXTS)]} for i in range(11)]
    source = write_input(tmp_path, kind, records)
    out = tmp_path / "events.jsonl"
    stats = run(checkpoint, source, out, chunk_size=4)
    rows = jsonl_rows(out)
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert all(r["error"] is None and r["sentences"] for r in rows)
    assert [r["sentences"][0]["text"] for r in rows] == [r["text"].split(". ")[0].rstrip(".") + "." for r in records]
    assert stats["documents"] == 11 and stats["errors"] == 0
    assert stats["sentences"] == sum(len(r["sentences"]) for r in rows)


def test_id_and_text_fields_are_configurable_and_missing_ids_fall_back_to_line_numbers(
        checkpoint: Path, tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"url": 17, "body": TEXTS[0]}, {"body": TEXTS[1]}, {"url": "x", "text": TEXTS[2], "body": TEXTS[3]},
    ]) + "\n")
    out = tmp_path / "events.jsonl"
    run(checkpoint, source, out, id_field="url", text_field="body")
    rows = jsonl_rows(out)
    assert [r["id"] for r in rows] == ["17", "line2", "x"]
    assert [r["sentences"][0]["text"] for r in rows] == [TEXTS[0], "Police arrested two men.", TEXTS[3]]

    table = tmp_path / "docs.csv"
    table.write_text("body,url\n" + f'"{TEXTS[0]}",a\n"{TEXTS[1]}",\n')
    run(checkpoint, table, tmp_path / "csv.jsonl", id_field="url", text_field="body")
    assert [r["id"] for r in jsonl_rows(tmp_path / "csv.jsonl")] == ["a", "line3"]


def test_bad_records_get_errors_in_place_and_every_good_record_around_them_is_scored(
        checkpoint: Path, tmp_path: Path) -> None:
    paragraph = "Soldiers attacked the village near the river on Monday. Police arrested two men.\n\n"
    long_text = (paragraph * 2500)[:200_000]
    lines = [
        json.dumps({"id": "good1", "text": TEXTS[0]}).encode(),
        b"",                                                   # blank: not a record
        b"{not json",                                          # invalid JSON -> id line3
        json.dumps({"id": "good2", "text": TEXTS[1]}).encode(),
        json.dumps({"id": "notext", "body": "x"}).encode(),
        json.dumps({"id": "number", "text": 42}).encode(),
        json.dumps({"id": "null", "text": None}).encode(),
        json.dumps({"id": "empty", "text": "   \n "}).encode(),
        b"[1, 2]",                                             # JSON but not an object -> id line9
        json.dumps({"id": "long", "text": long_text}).encode(),
        json.dumps({"id": "punct", "text": "?!... -- ;;"}).encode(),
        b'{"id": "latin1", "text": "caf\xe9 bombing in Paris."}',  # not UTF-8
        json.dumps({"id": "good3", "text": TEXTS[2]}).encode(),
    ]
    source = tmp_path / "docs.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n\n")
    out = tmp_path / "events.jsonl"
    stats = run(checkpoint, source, out, chunk_size=3)
    rows = {r["id"]: r for r in jsonl_rows(out)}
    assert list(rows) == ["good1", "line3", "good2", "notext", "number", "null", "empty", "line9",
                          "long", "punct", "latin1", "good3"]
    expected_errors = {"line3": "invalid JSON", "notext": "no 'text' field", "number": "is int",
                       "null": "is null", "empty": "is empty", "line9": "expected a JSON object",
                       "latin1": "not valid UTF-8"}
    for record_id, message in expected_errors.items():
        assert message in rows[record_id]["error"] and rows[record_id]["sentences"] == []
        assert str(source) in rows[record_id]["error"]  # says where
    assert f"{source}:3:" in rows["line3"]["error"]
    for record_id in ("good1", "good2", "good3", "long", "punct"):
        assert rows[record_id]["error"] is None and rows[record_id]["sentences"], record_id
    assert rows["long"]["sentences"][-1]["end"] == len(long_text.rstrip())  # scored to the end
    assert len(rows["long"]["sentences"]) > 4000
    assert stats["errors"] == len(expected_errors)

    # With --decode-errors replace the Latin-1 line is scored, with U+FFFD for the bad byte.
    small = tmp_path / "latin1.jsonl"
    small.write_bytes(lines[0] + b"\n" + lines[11] + b"\n")
    replaced = tmp_path / "replaced.jsonl"
    run(checkpoint, small, replaced, decode_errors="replace")
    latin1 = {r["id"]: r for r in jsonl_rows(replaced)}["latin1"]
    assert latin1["error"] is None and "caf\ufffd" in latin1["sentences"][0]["text"]


def test_csv_rows_are_streamed_with_line_numbers_and_bad_rows_become_errors(tmp_path: Path) -> None:
    big = "rebels " * 30_000  # over the csv module's default 131072-character field limit
    source = tmp_path / "docs.csv.gz"
    body = ('id,text\n'
            'a,"Two lines\nof text."\n'  # lines 2-3
            '\n'
            'b\n'                         # short row, line 5
            f'c,{big}\n'
            'd,"caf\xe9"\n').encode("latin-1")
    source.write_bytes(gzip.compress(body))
    records = list(read_records(source))
    assert [r["id"] for r in records] == ["a", "b", "c", "d"]
    assert records[0]["text"] == "Two lines\nof text."
    assert "docs.csv.gz:5:" in records[1]["error"] and "no 'text' value" in records[1]["error"]
    assert records[2]["text"] == big
    assert "not valid UTF-8" in records[3]["error"]
    assert list(read_records(source, decode_errors="replace"))[3]["text"] == "caf\ufffd"


def test_parquet_input_reads_in_batches_with_row_ids_and_null_texts(tmp_path: Path) -> None:
    source = tmp_path / "docs.parquet"
    texts = [TEXTS[i % 4] if i % 7 else None for i in range(2500)]
    pq.write_table(pa.table({"body": texts, "n": list(range(2500))}), source, row_group_size=1000)
    records = list(read_records(source, text_field="body"))
    assert len(records) == 2500 == count_records(source)
    assert records[1] == {"id": "row2", "text": TEXTS[1]}
    assert records[0]["text"] is None and "row 1" in records[0]["error"] and "is null" in records[0]["error"]
    assert [r["id"] for r in read_records(source, id_field="n", text_field="body")][:3] == ["0", "1", "2"]


def test_file_level_problems_raise_data_error_before_scoring(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_records(tmp_path / "missing.jsonl")
    (tmp_path / "x.xlsx").write_text("a")
    with pytest.raises(DataError, match="expected a .txt file"):
        read_records(tmp_path / "x.xlsx")
    (tmp_path / "x.csv").write_text("id,body\n1,hello\n")
    with pytest.raises(DataError, match="no 'text' column.*--text-field"):
        read_records(tmp_path / "x.csv")
    pq.write_table(pa.table({"body": ["a"]}), tmp_path / "x.parquet")
    with pytest.raises(DataError, match="no 'text' column"):
        read_records(tmp_path / "x.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no .txt files"):
        read_records(tmp_path / "empty")


def test_seed_folder_prints_the_event_table(checkpoint: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "seed.jsonl"
    run(checkpoint, SEEDS, out)
    printed = capsys.readouterr().out
    seed_id = next(SEEDS.glob("*.txt")).stem
    assert f"== {seed_id}" in printed and "[ 0] 'Russia hosts Afghan peace talks" in printed
    assert "event=" in printed
    assert "1 documents" in printed and "sentences/s" in printed and "docs/s" in printed


def test_empty_input_gives_empty_output_and_a_warning(checkpoint: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_text("\n\n")
    run(checkpoint, source, tmp_path / "events.jsonl")
    run(checkpoint, source, tmp_path / "events.parquet")
    assert (tmp_path / "events.jsonl").read_text() == ""
    assert pq.read_table(tmp_path / "events.parquet").num_rows == 0
    assert "holds no records" in capsys.readouterr().err


def test_existing_output_without_resume_exits_2_and_is_left_untouched(
        checkpoint: Path, tmp_path: Path, capsys) -> None:
    source = write_input(tmp_path, "jsonl", [{"id": "a", "text": TEXTS[0]}])
    out = tmp_path / "events.jsonl"
    out.write_text("precious\n")
    code = main(["score", "--model", str(checkpoint), "--input", str(source), "--output", str(out),
                 "--device", "cpu", "--no-progress"])
    assert code == 2 and "--resume" in capsys.readouterr().err
    assert out.read_text() == "precious\n"
    with pytest.raises(DataError, match="must end in .jsonl"):
        run(checkpoint, source, tmp_path / "events.csv")


def test_resume_refuses_an_output_written_from_another_input(checkpoint: Path, tmp_path: Path) -> None:
    first = write_input(tmp_path, "jsonl", [{"id": f"a{i}", "text": TEXTS[0]} for i in range(3)])
    out = tmp_path / "events.jsonl"
    run(checkpoint, first, out)
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps({"id": f"b{i}", "text": TEXTS[1]}) + "\n" for i in range(5)))
    with pytest.raises(DataError, match="holds id 'a0' where the input's next record has id 'b0'"):
        run(checkpoint, other, out, resume=True)
    shorter = tmp_path / "shorter.jsonl"
    shorter.write_text(json.dumps({"id": "a0", "text": TEXTS[0]}) + "\n")
    with pytest.raises(DataError, match="more records"):
        run(checkpoint, shorter, out, resume=True)
    assert [r["id"] for r in jsonl_rows(out)] == ["a0", "a1", "a2"]  # nothing was changed


def test_extractor_failure_on_one_document_gives_an_error_record_not_a_stopped_run(
        checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = score_module.Extractor.extract

    def flaky(self, inputs):
        if any(r["text"] == "boom" for r in inputs):
            raise RuntimeError("CUDA out of memory (simulated)")
        return original(self, inputs)

    monkeypatch.setattr(score_module.Extractor, "extract", flaky)
    source = write_input(tmp_path, "jsonl", [{"id": "a", "text": TEXTS[0]}, {"id": "b", "text": "boom"},
                                             {"id": "c", "text": TEXTS[1]}])
    out = tmp_path / "events.jsonl"
    run(checkpoint, source, out, chunk_size=3)
    rows = jsonl_rows(out)
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert "out of memory" in rows[1]["error"] and rows[0]["sentences"] and rows[2]["sentences"]
    assert rows[1]["schema"] == rows[0]["schema"] and rows[1]["model"] == rows[0]["model"]


def test_parquet_output_round_trips_and_resumes_after_losing_parts(checkpoint: Path, tmp_path: Path) -> None:
    records = [{"id": f"d{i:03d}", "text": f"Police arrested {i} men. {TEXTS[i % 4]}"} for i in range(45)]
    source = write_input(tmp_path, "jsonl", records)
    out = tmp_path / "events.parquet"
    run(checkpoint, source, out, chunk_size=4, part_size=10)
    parts = sorted(p.name for p in out.iterdir())
    assert parts == [f"part-{i:05d}.parquet" for i in range(5)]
    table = pq.read_table(out)
    assert table.column_names == ["id", "error", "record"]
    assert table.column("id").to_pylist() == [r["id"] for r in records]
    full = parquet_rows(out)
    assert [r["id"] for r in full] == table.column("id").to_pylist() and full[0]["sentences"]

    # A crash: the last two parts never got renamed, one temp file was left half-written.
    (out / "part-00004.parquet").unlink()
    (out / "part-00003.parquet").rename(out / ".part-00003.parquet.tmp")
    stats = run(checkpoint, source, out, chunk_size=4, part_size=10, resume=True)
    assert stats["resumed"] == 30 and stats["documents"] == 15
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i:05d}.parquet" for i in range(5)]
    assert parquet_rows(out) == full  # same records, same order, nothing twice

    # Resuming a finished run adds nothing.
    assert run(checkpoint, source, out, part_size=10, resume=True)["documents"] == 0
    assert pq.read_table(out).num_rows == 45


def test_jsonl_resume_drops_a_torn_last_line(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    out.write_bytes(b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "sent')
    writer = JsonlWriter(out)
    records = iter([{"id": "a"}, {"id": "b"}, {"id": "c"}])
    assert writer.resume(records) == 2 and next(records)["id"] == "c"
    assert out.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n' and writer.dropped_bytes == len(b'{"id": "c", "sent')
    out.write_bytes(b'{"id": "a"}\n{"id": "b"')  # a complete-looking JSON without its newline does not count
    assert JsonlWriter(out).resume(iter([{"id": "a"}, {"id": "b"}])) == 1


def test_parquet_writer_refuses_a_gap_in_part_numbers(tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    writer = ParquetWriter(out, part_size=1)
    writer.open(append=False)
    for i in range(3):
        writer.write({"id": str(i), "error": None})
    writer.close()
    (out / "part-00001.parquet").unlink()
    with pytest.raises(DataError, match="part 00001 is missing"):
        ParquetWriter(out).resume(iter([{"id": "0"}, {"id": "1"}, {"id": "2"}]))


def test_cuda_without_a_gpu_is_a_config_error() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        resolve_device("cuda")
    assert resolve_device("auto") == "cpu"
    with pytest.raises(ConfigError, match="device must be"):
        resolve_device("mps", allowed=("cpu", "cuda"))


# ----------------------------------------------------------------- kill -9 and resume


def _open_fifo_for_writing(fifo: Path, proc: subprocess.Popen, timeout: float = 90) -> int:
    """Open the FIFO once the child has opened it for reading (never blocks forever)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.set_blocking(fd, True)
            return fd
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the score process never opened its input: {proc.communicate()[1][-2000:]!r}")
        time.sleep(0.05)


def _wait_for(condition, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the score process stopped early: {proc.communicate()[1][-2000:]!r}")
        time.sleep(0.005)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_kill_9_midway_then_resume_gives_every_id_once_in_order(
        checkpoint: Path, tmp_path: Path, suffix: str, capsys) -> None:
    """SIGKILL a real ``strife score`` process mid-run, tear its last line, resume, check the output.

    The input is a FIFO fed only its first 100 documents, so the process cannot
    finish before it is killed: the kill lands while it is scoring and writing them.
    """
    records = [{"id": f"d{i:03d}", "text": f"Police arrested {i} men in Delhi. Troops killed five rebels."}
               for i in range(300)]
    lines = [json.dumps(r) + "\n" for r in records]
    fifo = tmp_path / "docs.jsonl"
    os.mkfifo(fifo)
    out = tmp_path / f"events{suffix}"
    command = [sys.executable, "-m", "strife.cli", "score", "--model", str(checkpoint), "--input", str(fifo),
               "--output", str(out), "--chunk-size", "8", "--part-size", "8", "--threads", "1",
               "--device", "cpu", "--no-progress"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fd = _open_fifo_for_writing(fifo, proc)
    try:
        os.write(fd, "".join(lines[:100]).encode())
        if suffix == ".jsonl":
            _wait_for(lambda: out.exists() and out.read_bytes().count(b"\n") >= 20, proc)
        else:
            _wait_for(lambda: out.is_dir() and len(list(out.glob("part-*.parquet"))) >= 3, proc)
        proc.kill()
        proc.wait(timeout=30)
    finally:
        os.close(fd)
    assert proc.returncode == -9

    if suffix == ".jsonl":
        written = out.read_bytes().count(b"\n")
        with out.open("ab") as handle:  # a torn write: half a record, no newline
            handle.write(b'{"id": "d999", "schema": "strife.ev')
    else:
        written = pq.read_table(out).num_rows
        (out / f".part-{written // 8:05d}.parquet.tmp").write_bytes(b"PAR1 torn")
    assert 0 < written < 300

    fifo.unlink()
    fifo.write_text("".join(lines), encoding="utf-8")  # the same input, now complete
    code = main(["score", "--model", str(checkpoint), "--input", str(fifo), "--output", str(out),
                 "--chunk-size", "8", "--part-size", "8", "--threads", "1", "--device", "cpu",
                 "--no-progress", "--resume"])
    assert code == 0
    captured = capsys.readouterr()
    assert "dropped" in captured.err
    assert f"{300 - written} documents (+{written} from the earlier run)" in captured.out

    rows = jsonl_rows(out) if suffix == ".jsonl" else parquet_rows(out)  # every line parses as JSON
    assert [r["id"] for r in rows] == [r["id"] for r in records]  # no duplicates, no gaps, in order
    assert all(r["error"] is None and len(r["sentences"]) == 2 for r in rows)
    if suffix == ".jsonl":
        assert out.read_bytes().endswith(b"\n")


def test_summary_table_shows_spans_labels_and_casualty_totals() -> None:
    result = {"id": "a1", "error": None, "sentences": [{
        "index": 0, "start": 0, "end": 40, "text": "Militants killed 27 soldiers in Kupwara.", "windows": 1,
        "casualties": [{"label": "KILLED", "text": "27 soldiers", "start": 17, "end": 28, "score": 0.9,
                        "count": 27, "qualifier": "exact"}],
        "pentaclass": {"label": "material_conflict", "score": 0.9},
        "event_types": [{"label": "attack", "score": 0.8}],
        "totals": {"killed": 27, "injured": 0, "captured": 0}}],
        "totals": {"killed": 27, "injured": 0, "captured": 0}}
    table = score_module.summary_table([result])
    assert "KILLED:'27 soldiers'" in table and "pentaclass=material_conflict" in table
    assert "event_types=attack" in table and "killed=27" in table and "injured" not in table
