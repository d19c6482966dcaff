"""Casualty counts on spans and the sentence / document totals rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strife.inference.extractor import Extractor
from strife.inference.totals import add_counts, casualty_heads, document_totals, sentence_totals
from strife.models.config import HeadSpec
from strife.models.modeling import StrifeModel


def span(label: str, text: str) -> dict[str, object]:
    return {"label": label, "text": text, "start": 0, "end": len(text), "score": 0.9}


def test_counts_are_attached_to_casualty_spans_only() -> None:
    spans = [span("KILLED", "As many as 41 Afghan security force personnel"), span("SOURCE", "27 militants")]
    add_counts(spans)
    assert (spans[0]["count"], spans[0]["qualifier"]) == (41, "at_most")
    assert "count" not in spans[1]


def test_sentence_totals_sum_coordinated_and_separate_spans() -> None:
    spans = [span("KILLED", "27 soldiers and three members of the local police"), span("INJURED", "up to 15"),
             span("KILLED", "a major general"), span("CAPTURED", "several people"), span("KILLED", "civilians")]
    add_counts(spans)
    assert sentence_totals(spans) == {"killed": 31, "injured": 15, "captured": 3}


def test_sentence_total_counts_a_restated_figure_once_but_not_single_victims() -> None:
    joined = _counted([span("KILLED", "41 Afghan security men"), span("KILLED", "As many as 41 Afghan personnel"),
                       span("INJURED", "15 others")])
    assert sentence_totals(joined) == {"killed": 41, "injured": 15, "captured": 0}
    two_victims = _counted([span("KILLED", "a soldier"), span("KILLED", "a policeman")])
    assert sentence_totals(two_victims)["killed"] == 2


def at(text: str, label: str, phrase: str) -> dict[str, object]:
    start = text.index(phrase)
    return {"label": label, "text": phrase, "start": start, "end": start + len(phrase), "score": 0.9}


@pytest.mark.parametrize(("text", "phrases", "killed"), [
    ("403 people were killed in november, including 147 civilians, 165 presumed terrorists, and 26 drug traffickers.",
     ["403 people", "147 civilians", "26 drug traffickers"], 403),            # a breakdown adds nothing
    ("208 were killed, including 145 civilians, in addition to more than 100 coup plotters",
     ["208", "145 civilians", "more than 100 coup plotters"], 309),           # the list ended: counted again
    ("10 leaders had been killed, including men linked to the attacks that left 130",
     ["10 leaders", "130"], 140),                                            # larger than the total: not a part
    ("5 people, including 2 children, were killed in Kabul and 3 were killed in Kunduz",
     ["5 people", "2 children", "3"], 8),                                    # a verb ends the list
    ("27 people died, mostly civilians, and 3 others", ["27 people", "3 others"], 30),  # "others" adds
])
def test_sentence_total_skips_breakdowns_of_an_earlier_figure(text: str, phrases: list[str], killed: int) -> None:
    spans = _counted([at(text, "KILLED", phrase) for phrase in phrases])
    assert sentence_totals(spans, text)["killed"] == killed
    assert sentence_totals(spans)["killed"] == sum(s["count"] for s in spans)   # no text, no breakdowns


def test_breakdowns_are_per_type() -> None:
    text = "9 people were killed and 40, including 12 children, were injured"
    spans = _counted([at(text, "KILLED", "9 people"), at(text, "INJURED", "40"), at(text, "INJURED", "12 children")])
    assert sentence_totals(spans, text) == {"killed": 9, "injured": 40, "captured": 0}


def test_document_total_does_not_double_count_a_restated_figure() -> None:
    headline = sentence_totals(_counted([span("KILLED", "41 Afghan security men")]))
    body = sentence_totals(_counted([span("KILLED", "As many as 41 Afghan security force personnel"),
                                     span("INJURED", "15 others")]))
    breakdown = sentence_totals(_counted([span("KILLED", "27 soldiers and three members of the local police")]))
    assert document_totals([headline, body, breakdown]) == {"killed": 41, "injured": 15, "captured": 0}
    assert document_totals([]) == {"killed": 0, "injured": 0, "captured": 0}


def _counted(spans: list[dict[str, object]]) -> list[dict[str, object]]:
    add_counts(spans)
    return spans


def test_extractor_with_a_casualty_head_reports_totals(tiny_encoder_dir: Path, tiny_tokenizer, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    heads = {"actors": HeadSpec.token(["SOURCE", "TARGET"]), "casualties": HeadSpec.token(["KILLED", "INJURED", "CAPTURED"])}
    assert casualty_heads(heads) == ["casualties"]
    model = StrifeModel.from_encoder(str(tiny_encoder_dir), heads, max_seq_length=64)
    model.save_pretrained(tmp_path / "m")
    tiny_tokenizer.save_pretrained(tmp_path / "m")
    result = Extractor.from_pretrained(tmp_path / "m", device="cpu").extract("Troops killed five rebels. Police left.")[0]
    assert set(result["totals"]) == {"killed", "injured", "captured"}
    assert all(set(s["totals"]) == {"killed", "injured", "captured"} for s in result["sentences"])
    assert all("count" in c for s in result["sentences"] for c in s["casualties"])
    schema = json.loads((Path(__file__).resolve().parent.parent / "inference" / "output_schema.json").read_text())
    jsonschema.validate(json.loads(json.dumps(result)), schema)
