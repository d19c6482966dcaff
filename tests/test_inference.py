"""Inference: segmentation offsets, span decoding, and the Extractor on the seed article."""

from __future__ import annotations

import json
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest

from strife.errors import DataError
from strife.inference.decode import sentence_labels, token_spans
from strife.inference.extractor import Extractor
from strife.inference.io import read_records
from strife.inference.score import score_command
from strife.inference.segment import Span, split_sentences, split_words
from strife.models.config import HeadSpec

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_text() -> str:
    return next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")


def test_sentences_slice_the_original_text_exactly() -> None:
    text = seed_text()
    sentences = split_sentences(text)
    assert len(sentences) > 10
    assert all(text[s.start:s.end] == s.text and s.text == s.text.strip() for s in sentences)
    assert sentences[0].text == "Russia hosts Afghan peace talks with Taliban, vows Tajikistan aid"


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Lt. Gen. Smith of the U.S. Army arrived on Monday. Troops left."
    assert [s.text for s in split_sentences(text)] == ["Lt. Gen. Smith of the U.S. Army arrived on Monday.", "Troops left."]


def test_blank_lines_separate_headline_from_body_and_whitespace_gives_nothing() -> None:
    text = "Headline without stop\n\nBody sentence here."
    assert [s.text for s in split_sentences(text)] == ["Headline without stop", "Body sentence here."]
    assert split_sentences(" \n\n\t ") == []


def test_words_keep_offsets() -> None:
    text = "Taliban fighters killed 27 soldiers."
    words = split_words(Span(text, 0, len(text)))
    assert all(text[w.start:w.end] == w.text for w in words)
    assert [w.text for w in words][-2:] == ["soldiers", "."]


def test_token_spans_decode_valid_iob2_and_slice_source() -> None:
    spec = HeadSpec.token(["S", "T"])
    text = "Taliban fighters attacked police posts"
    words = split_words(Span(text, 0, len(text)))
    tags = ["I-S", "I-S", "O", "B-T", "I-T"]  # most probable tags start with I-: decoded as B-S I-S
    probs = np.full((len(tags), len(spec.labels)), 0.01)
    for row, tag in enumerate(tags):
        probs[row, spec.labels.index(tag)] = 0.9
    spans = token_spans(words, probs, spec, text)
    assert [(s["label"], s["text"]) for s in spans] == [("S", "Taliban fighters"), ("T", "police posts")]
    assert all(text[s["start"]:s["end"]] == s["text"] for s in spans)
    assert spans[0]["score"] == pytest.approx(0.91)  # P(B-S) + P(I-S) per word


def test_multi_label_uses_stored_thresholds() -> None:
    spec = HeadSpec("multi_label", ["a", "b"], thresholds=[0.9, 0.2])
    logits = np.log(np.array([0.8, 0.3]) / (1 - np.array([0.8, 0.3])))
    assert [x["label"] for x in sentence_labels(logits, spec)] == ["b"]


def test_extractor_keeps_order_offsets_and_reports_bad_inputs(checkpoint: Path) -> None:
    extractor = Extractor.from_pretrained(checkpoint, device="cpu", batch_size=4)
    text = seed_text()
    records = [{"id": "seed", "text": text}, {"id": "empty", "text": ""}, {"id": "num", "text": 7},
               {"id": "short", "text": "Police arrested two men."}]
    results = extractor(records)
    assert [r["id"] for r in results] == ["seed", "empty", "num", "short"]
    assert results[1]["error"] and results[2]["error"] and not results[1]["sentences"]
    assert results[0]["error"] is None and results[0]["schema"] == "strife.events/1"
    for sentence in results[0]["sentences"]:
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]
        for span in sentence["actors"]:
            assert text[span["start"]:span["end"]] == span["text"]
        assert sentence["event"]["label"] in extractor.specs["event"].labels
    assert records[0] == {"id": "seed", "text": text}  # input untouched


def test_long_sentences_are_windowed_not_truncated(checkpoint: Path) -> None:
    extractor = Extractor.from_pretrained(checkpoint, device="cpu")
    text = " ".join(["police"] * 200) + "."
    sentence = extractor.extract(text)[0]["sentences"][0]
    assert sentence["windows"] >= 4  # max_seq_length 64
    assert sentence["end"] == len(text)


def test_score_command_writes_one_record_per_document(checkpoint: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text('{"id": "a", "text": "Troops killed five rebels."}\nnot json\n\n{"id": "b", "text": ""}\n')
    out = tmp_path / "out" / "events.jsonl"
    score_command(Namespace(model=str(checkpoint), input=str(source), output=str(out), batch_size=8,
                            id_field="id", text_field="text"))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "line2", "b"]
    assert rows[0]["error"] is None and "invalid JSON" in rows[1]["error"] and rows[2]["error"]
    assert not out.with_name("events.jsonl.partial").exists()
    assert "3 documents" in capsys.readouterr().out


def test_read_documents_rejects_unknown_inputs(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        list(read_records(tmp_path / "missing.jsonl"))
    (tmp_path / "x.xlsx").write_text("a,b\n")
    with pytest.raises(DataError, match="expected a .txt file"):
        list(read_records(tmp_path / "x.xlsx"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no .txt files"):
        list(read_records(tmp_path / "empty"))


def test_records_validate_against_the_published_schema(checkpoint: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).resolve().parent.parent / "inference" / "output_schema.json").read_text())
    extractor = Extractor.from_pretrained(checkpoint, device="cpu")
    results = extractor([{"id": "seed", "text": seed_text()}, {"id": "bad", "text": None}])
    for result in results:
        jsonschema.validate(json.loads(json.dumps(result)), schema)
    broken = json.loads(json.dumps(results[0]))
    broken["sentences"][0]["event"] = {"label": "x"}  # a label without its score
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_columnar_batches_come_back_in_their_own_kind(checkpoint: Path) -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    extractor = Extractor.from_pretrained(checkpoint, device="cpu", id_field="doc", text_field="body")
    columns = {"doc": ["a", "b"], "body": ["Troops killed five rebels.", ""]}
    out = extractor(columns)
    assert out["id"] == ["a", "b"] and out["error"][0] is None and out["error"][1]
    assert json.loads(out["record"][0])["sentences"][0]["text"] == "Troops killed five rebels."
    frame = extractor(pd.DataFrame(columns))
    assert list(frame["id"]) == ["a", "b"] and list(frame.columns) == ["id", "error", "record"]
    table = extractor(pa.table(columns))
    assert table.column("id").to_pylist() == ["a", "b"]
    assert extractor([{"doc": "x", "other": 1}])[0]["error"] == "record 0 has no 'body' field"


def test_a_long_paragraph_is_segmented_fast_and_exactly() -> None:
    text = " ".join(f"Police arrested {i} men in the district of Lt. Gen. Smith." for i in range(2000))
    sentences = split_sentences(text)
    assert len(sentences) == 2000
    assert all(text[s.start:s.end] == s.text for s in sentences)
