"""Casualty types checked against the rule labeller (strife.inference.casualty_types)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from strife.cli import main
from strife.inference.casualty_types import retype_casualties
from strife.inference.extractor import Extractor
from strife.models.config import HeadSpec
from strife.models.modeling import StrifeModel

CASUALTIES = {"KILLED", "INJURED", "CAPTURED"}
SENTENCE = "Three militants were killed and seven Security Force personnel were injured in an encounter."


def at(text: str, label: str, phrase: str, offset: int = 0) -> dict[str, Any]:
    start = offset + text.index(phrase)
    return {"label": label, "text": phrase, "start": start, "end": start + len(phrase)}


def test_the_rules_type_replaces_the_taggers_where_they_overlap() -> None:
    spans = [at(SENTENCE, "KILLED", "Three militants"), at(SENTENCE, "KILLED", "seven Security Force personnel")]
    retype_casualties(spans, SENTENCE, 0, CASUALTIES)
    assert [s["label"] for s in spans] == ["KILLED", "INJURED"]


def test_offsets_are_shifted_by_the_sentence_start() -> None:
    document = "Headline here. " + SENTENCE
    spans = [at(SENTENCE, "KILLED", "seven Security Force", offset=15)]   # a shorter span still overlaps
    retype_casualties(spans, SENTENCE, 15, CASUALTIES)
    assert spans[0]["label"] == "INJURED" and document[spans[0]["start"]:spans[0]["end"]] == "seven Security Force"


def test_spans_the_rules_do_not_see_and_other_heads_keep_their_labels() -> None:
    spans = [at(SENTENCE, "INJURED", "an encounter"), at(SENTENCE, "SOURCE", "seven Security Force personnel")]
    retype_casualties(spans, SENTENCE, 0, CASUALTIES)
    assert [s["label"] for s in spans] == ["INJURED", "SOURCE"]


def test_a_type_the_head_lacks_is_not_introduced() -> None:
    spans = [at(SENTENCE, "KILLED", "seven Security Force personnel")]
    retype_casualties(spans, SENTENCE, 0, {"KILLED"})
    assert spans[0]["label"] == "KILLED"


@pytest.fixture
def killed_for_injured(tiny_encoder_dir: Path, tiny_tokenizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A casualty checkpoint whose tagger (patched: the tiny model is untrained) says KILLED for the injured group."""
    heads = {"casualties": HeadSpec.token(["KILLED", "INJURED", "CAPTURED"])}
    StrifeModel.from_encoder(str(tiny_encoder_dir), heads, max_seq_length=64).save_pretrained(tmp_path / "m")
    tiny_tokenizer.save_pretrained(tmp_path / "m")
    import strife.inference.extractor as extractor_module
    monkeypatch.setattr(extractor_module, "token_spans", lambda words, probs, spec, source: [
        {**at(source, "KILLED", "seven Security Force personnel"), "score": 0.9}])
    return tmp_path / "m"


@pytest.mark.parametrize(("rule_types", "expected"), [(True, "INJURED"), (False, "KILLED")])
def test_extractor_applies_rule_types_unless_told_not_to(rule_types: bool, expected: str,
                                                         killed_for_injured: Path) -> None:
    extractor = Extractor.from_pretrained(killed_for_injured, device="cpu", rule_types=rule_types)
    result = extractor.extract(SENTENCE)[0]
    sentence = result["sentences"][0]
    assert sentence["casualties"][0]["label"] == expected
    assert sentence["totals"]["injured" if expected == "INJURED" else "killed"] == 7
    assert result["model"]["casualty_types"] == ("rule-checked" if rule_types else "tagger")


@pytest.mark.parametrize(("flags", "expected", "provenance"),
                         [([], "INJURED", "rule-checked"), (["--no-rule-types"], "KILLED", "tagger")])
def test_score_command_checks_types_unless_no_rule_types(flags: list[str], expected: str, provenance: str,
                                                          killed_for_injured: Path, tmp_path: Path) -> None:
    source, out = tmp_path / "in.txt", tmp_path / "out.jsonl"
    source.write_text(SENTENCE + "\n", encoding="utf-8")
    assert main(["score", "--model", str(killed_for_injured), "--input", str(source), "--output", str(out),
                 "--device", "cpu", "--no-progress", *flags]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["sentences"][0]["casualties"][0]["label"] == expected
    assert record["model"]["casualty_types"] == provenance
