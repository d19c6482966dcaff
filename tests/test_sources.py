"""Converters of training/sources: mappings, masking, held-out splits, extension, config."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from strife.errors import ConfigError, DataError
from strife.training.config import load_config, parse_config
from strife.training.documents import m2e2_split
from strife.training.sources import CONVERTERS, annotated, m2e2, wikievents
from strife.training.evaluation import EvalSet
from strife.training.examples import Example
from strife.training.sources.extend import extend_head
from strife.training.sources.sets import drop_annotated, text_key
from strife.training.sources.labelled_texts import SATP


@pytest.mark.parametrize("sentence, head, expected", [
    ("Police said at least 31 people were killed", "people", "at least 31 people"),
    ("the Israel Defense Forces fired", "Forces", "Israel Defense Forces"),
    ("shot dead two security guards of a gas company , police said", "guards", "two security guards of a gas company"),
    ("killed Lance Naik Harpal Singh of 3 Grenadiers", "Singh", "Lance Naik Harpal Singh"),
    ("his counterpart was injured", "counterpart", "counterpart"),
    ("gunmen injured seven police officers", "officers", "seven police officers"),
    ("police arrested Ismail Monday night", "Ismail", "Ismail"),
    ("killing more than 1 , 380 civilians", "civilians", "more than 1 , 380 civilians"),
    ("no suspects were held", "suspects", "suspects"),
])
def test_extend_head_follows_guidelines_section_8(sentence: str, head: str, expected: str) -> None:
    words = sentence.split()
    i = words.index(head)
    a, b = extend_head(words, i, i + 1)
    assert " ".join(words[a:b]) == expected


def test_extend_head_stops_at_another_argument() -> None:
    words = "Taliban fighters attacked Afghan soldiers".split()
    assert extend_head(words, 4, 5, blocked={3}) == (4, 5)


def _m2e2_root(tmp_path: Path) -> tuple[Path, list[str]]:
    """A zip with one attack sentence per document id, laid out like M2E2's."""
    ids = [f"VOA_EN_NW_2016.01.0{k}.123_0" for k in range(1, 10)] + [f"VOA_EN_NW_2016.02.1{k}.456_0" for k in range(10)]
    text = "Gunmen killed three villagers near Kabul"
    words = text.split()
    items = []
    for sid in ids:
        items.append({"sentence_id": sid, "sentence": text, "words": words,
                      "golden-entity-mentions": [{"entity-type": "PER", "start": 0, "end": 1},
                                                 {"entity-type": "PER", "start": 3, "end": 4},
                                                 {"entity-type": "GPE", "start": 5, "end": 6}],
                      "golden-event-mentions": [
                          {"trigger": {"start": 1, "end": 2, "text": "killed"}, "event_type": "Conflict:Attack",
                           "arguments": [{"role": "Attacker", "start": 0, "end": 1}, {"role": "Target", "start": 3, "end": 4},
                                         {"role": "Place", "start": 5, "end": 6}]},
                          {"trigger": {"start": 1, "end": 2, "text": "killed"}, "event_type": "Life:Die",
                           "arguments": [{"role": "Agent", "start": 0, "end": 1}, {"role": "Victim", "start": 3, "end": 4}]}]})
    (tmp_path / "m2e2").mkdir()
    with zipfile.ZipFile(tmp_path / "m2e2/m2e2_annotations.zip", "w") as archive:
        archive.writestr("m2e2_annotations/text_only_event.json", json.dumps(items))
    return tmp_path, ids


def test_m2e2_maps_roles_and_never_emits_test_documents(tmp_path: Path) -> None:
    root, ids = _m2e2_root(tmp_path)
    emitted = [ex for split in ("train", "dev") for ex in m2e2.convert(root, split).examples]
    held_out = {sid for sid in ids if m2e2_split(sid) == "test"}
    assert held_out, "the fixture must contain a held-out document"
    assert not {ex.id.split("@")[0] for ex in emitted} & held_out
    assert len(emitted) == len(ids) - len(held_out)
    example = emitted[0]
    assert example.token_labels["actors"] == ["B-SOURCE", "O", "B-TARGET", "I-TARGET", "O", "O"]
    assert example.token_labels["casualties"] == ["O", "O", "B-KILLED", "I-KILLED", "O", "O"]
    assert example.sentence_labels["event_types"] == ["attack"]
    assert example.annotated["event_types"] == ["attack", "arrest", "protest", "talks", "aid"]
    assert "aid" not in example.sentence_labels["event_types"]  # no money transfer: a negative


def _rewrite_m2e2(root: Path, change) -> None:
    archive_path = root / "m2e2/m2e2_annotations.zip"
    data = json.loads(zipfile.ZipFile(archive_path).read("m2e2_annotations/text_only_event.json"))
    for item in data:
        change(item)
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("m2e2_annotations/text_only_event.json", json.dumps(data))
    m2e2.m2e2_items.cache_clear()


@pytest.mark.parametrize("trigger, aid", [("donated", "positive"), ("bribe", "masked")])
def test_m2e2_aid_is_positive_for_giving_transfers_and_masked_for_other_transfers(
        tmp_path: Path, trigger: str, aid: str) -> None:
    root, _ = _m2e2_root(tmp_path)
    transfer = {"trigger": {"start": 1, "end": 2, "text": trigger}, "event_type": "Transaction:Transfer-Money",
                "arguments": []}
    _rewrite_m2e2(root, lambda item: item["golden-event-mentions"].append(transfer))
    example = m2e2.convert(root, "train").examples[0]
    assert ("aid" in example.annotated["event_types"]) == (aid == "positive")
    assert ("aid" in example.sentence_labels["event_types"]) == (aid == "positive")


def test_m2e2_masks_casualties_where_injuries_are_unannotated(tmp_path: Path) -> None:
    root, _ = _m2e2_root(tmp_path)

    def wounded(item: dict) -> None:
        item["sentence"] = "Gunmen wounded three villagers near Kabul"
        item["words"] = item["sentence"].split()
        item["golden-event-mentions"] = item["golden-event-mentions"][:1]

    _rewrite_m2e2(root, wounded)
    example = m2e2.convert(root, "train").examples[0]
    assert "casualties" not in example.token_labels and "actors" in example.token_labels


@pytest.mark.parametrize("converter", sorted(CONVERTERS))
def test_every_converter_refuses_the_test_split(converter: str, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="held out"):
        CONVERTERS[converter].convert(tmp_path, "test")


def test_silver_converter_counts_its_sentences_and_spans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import strife.training.sources as sources
    examples = [Example("a", ["two", "soldiers", "died"], {"casualties": ["B-KILLED", "I-KILLED", "O"]}),
                Example("b", ["calm", "day"], {"casualties": ["O", "O"]})]
    monkeypatch.setattr(sources, "load_silver", lambda root: examples)
    converted = CONVERTERS["silver"].convert(tmp_path, "train")
    assert converted.examples == examples
    assert converted.stats == {"sentences": 2, "casualties:KILLED": 1}
    assert CONVERTERS["silver"].convert(tmp_path, "dev").stats == {"sentences": 0}


def test_wikievents_places_train_arguments_by_text_and_counts_the_rest(tmp_path: Path) -> None:
    tokens = "Rebels attacked the town . Police arrested two rebels".split()
    row = {"docid": "d1", "tokens": tokens, "event_mentions": [
        {"event_type": "Justice.ArrestJailDetain", "trigger": {"start_idx": 6, "end_idx": 7, "text": "arrested"},
         "arguments": [{"role": "Jailer", "text": "Police"}, {"role": "Detainee", "text": "rebels"},
                       {"role": "Place", "text": "Kandahar"}]}]}
    (tmp_path / "wikievents").mkdir()
    (tmp_path / "wikievents/wiki-train-human.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    out = wikievents.convert(tmp_path, "train")
    second = [ex for ex in out.examples if ex.words[0] == "Police"][0]
    assert second.token_labels["casualties"] == ["O", "O", "B-CAPTURED", "I-CAPTURED"]
    assert second.sentence_labels["event_types"] == ["arrest"]
    first = [ex for ex in out.examples if ex.words[0] == "Rebels"][0]
    assert "actors" not in first.token_labels  # no event in the sentence: its actors are not annotated
    assert out.stats["arguments:unplaced"] == 0  # Place feeds no head, so its absence masks nothing


def test_satp_masks_positives_of_multi_sentence_reports(tmp_path: Path) -> None:
    (tmp_path / "conflibert/satp_relevant").mkdir(parents=True)
    (tmp_path / "conflibert/satp_relevant/train.tsv").write_text(
        "Militants shot dead two policemen.\t1\t0\t0\t0\n"
        "Maoists abducted four men. The police arrived later.\t0\t0\t1\t0\n", encoding="utf-8")
    examples = SATP.convert(tmp_path, "train").examples
    assert examples[0].sentence_labels["event_types"] == ["attack"]
    assert examples[0].annotated["event_types"] == ["attack", "abduction"]
    assert examples[1].annotated["event_types"] == ["attack"]  # abduction positive, but in which sentence?
    assert examples[1].sentence_labels["event_types"] == []


def _recipe(**entry: object) -> dict[str, object]:
    return {"heads": {"actors": {"type": "token", "labels": ["SOURCE", "TARGET", "RECIPROCAL"]},
                      "event_types": {"type": "multi_label", "labels": ["attack", "arrest", "abduction", "protest",
                                                                          "talks", "aid"]}},
            "data": [entry]}


def test_source_entry_defaults_to_the_recipe_heads_it_can_feed() -> None:
    config = parse_config(_recipe(source="m2e2"), "r.yaml")
    assert config.data[0].heads == ["actors", "event_types"]


@pytest.mark.parametrize("entry, message", [
    ({"source": "nope"}, r"r.yaml: data\[0\].source: unknown source 'nope'"),
    ({"source": "m2e2", "head": "actors"}, r"r.yaml: data\[0\]: a source entry takes heads, not \['head'\]"),
    ({"source": "satp_relevant", "heads": ["actors"]}, r"data\[0\].heads: source satp_relevant does not feed 'actors'"),
    ({"source": "m2e2", "heads": ["casualties"]}, r"data\[0\].heads: 'casualties' is not one of heads"),
    ({"dataset": "conflibert/cameo_ner", "heads": ["actors"]}, r"data\[0\].heads: only a source entry"),
    ({"source": "m2e2", "repeat": 0}, r"r.yaml: data\[0\].repeat: expected an integer >= 1, got 0"),
    ({"dataset": "conflibert/cameo_ner", "head": "actors", "repeat": 3}, r"data\[0\].repeat: only source entries"),
])
def test_source_entry_errors_name_the_key_and_the_file(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(_recipe(**entry), "r.yaml")


def test_source_entry_label_mismatch_is_an_error() -> None:
    recipe = _recipe(source="m2e2", heads=["event_types"])
    recipe["heads"]["event_types"]["labels"] = ["attack"]  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"heads.event_types.labels lacks"):
        parse_config(recipe, "r.yaml")


def test_balance_keeps_every_positive_and_caps_negatives() -> None:
    from strife.training.examples import Example
    from strife.training.sources.sets import balance

    positives = [Example(f"p{i}", ["a", "b"], token_labels={"casualties": ["B-KILLED", "O"]}) for i in range(10)]
    labelled = [Example(f"s{i}", ["a"], sentence_labels={"event_types": ["attack"]}) for i in range(5)]
    negatives = [Example(f"n{i}", ["a", "b"], token_labels={"casualties": ["O", "O"]}) for i in range(100)]
    kept = balance(positives + negatives + labelled, 2.0)
    assert [ex.id for ex in kept if not ex.id.startswith("n")] == [ex.id for ex in positives + labelled]
    assert sum(ex.id.startswith("n") for ex in kept) == 30
    assert balance(positives + negatives, None) == positives + negatives


def test_negatives_per_positive_is_only_for_source_entries(write_recipe, tmp_path, tiny_encoder_dir) -> None:
    from conftest import recipe_dict

    recipe = recipe_dict(tiny_encoder_dir, tmp_path / "run")
    recipe["data"][0]["negatives_per_positive"] = 1.0
    with pytest.raises(ConfigError, match=r"data\[0\].negatives_per_positive: only source entries take it"):
        load_config(write_recipe(recipe))


def test_annotated_sentences_feed_every_head_and_split_into_train_and_dev(tmp_path: Path) -> None:
    dataset = "conflibert/satp_relevant"
    texts = [f"Militants killed {n} soldiers in Kupwara." for n in range(2, 42)]
    folder = tmp_path / "data" / dataset
    folder.mkdir(parents=True)
    (folder / "train.tsv").write_text("".join(f"{t}\t1\t0\t0\t0\n" for t in texts), encoding="utf-8")
    lines = []
    for n, text in enumerate(texts):
        base = {"dataset": dataset, "split": "train", "record_id": f"{dataset}:train:{n + 1}", "sentence_start": 0}
        victims = (text.index("killed") + 7, text.index(" in "))
        lines += [{**base, "start": 0, "end": 9, "head": "actors", "label": "SOURCE"},
                  {**base, "start": victims[0], "end": victims[1], "head": "casualties", "label": "KILLED"},
                  {**base, "start": 0, "end": len(text), "head": "event_types", "label": "attack"},
                  {**base, "start": 0, "end": len(text), "head": "pentaclass", "label": "material_conflict"}]
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    train, dev = (annotated.convert(tmp_path / "data", split, [path]).examples for split in ("train", "dev"))
    assert len(train) + len(dev) == len(texts) and dev and train
    record_ids = {ex.id.removeprefix(f"annotated:{dataset}:").rsplit(":", 1)[0] for ex in dev}
    assert all(annotated.is_dev(dataset, record_id, 0) for record_id in record_ids)
    example = train[0]
    assert example.token_labels["actors"][:2] == ["B-SOURCE", "O"]
    assert example.token_labels["casualties"][1:5] == ["O", "B-KILLED", "I-KILLED", "O"]
    assert example.sentence_labels == {"event_types": ["attack"], "pentaclass": ["material_conflict"]}
    assert example.annotated["event_types"] == ["attack", "arrest", "abduction", "protest", "talks", "aid"]


def test_annotation_rounds_are_read_in_order(tmp_path: Path) -> None:
    for name in ("conflict-train-2.jsonl", "conflict-train.jsonl", "selection.jsonl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.name for p in annotated.paths(tmp_path)] == ["conflict-train-2.jsonl", "conflict-train.jsonl"]


def _set(dataset: str, sentences: list[str]) -> EvalSet:
    examples = [Example(f"{dataset}:{i}", s.split(), {"casualties": ["O"] * len(s.split())}) for i, s in enumerate(sentences)]
    return EvalSet(dataset, "casualties", examples, [{"input_ids": [i]} for i in range(len(examples))])


def test_other_sources_drop_the_sentences_the_annotated_set_holds() -> None:
    sets = {"train": [_set("annotated", ["Militants killed two soldiers in Kupwara ."]),
                      _set("m2e2", ["Militants killed two soldiers in Kupwara.", "Talks resumed on Monday ."]),
                      _set("conflibert/cameo_ner", ["militants killed TWO soldiers in kupwara .", "Police arrested a man ."])],
            "dev": [_set("annotated", ["Police arrested a man ."])], "test": []}
    assert drop_annotated(sets) == 3
    kept = {s.dataset: [" ".join(ex.words) for ex in s.examples] for s in sets["train"]}
    assert kept == {"annotated": ["Militants killed two soldiers in Kupwara ."],
                    "m2e2": ["Talks resumed on Monday ."], "conflibert/cameo_ner": []}
    assert sets["train"][1].features == [{"input_ids": [1]}]   # features stay aligned with examples
    assert text_key(["Kupwara", "'s", "police", "—", "2"]) == "kupwaraspolice2"


def test_repeat_shows_a_sources_training_sentences_n_times_and_leaves_dev_alone(monkeypatch, tiny_tokenizer,
                                                                                tmp_path: Path) -> None:
    from strife.models.config import HeadSpec
    from strife.training.config import DataConfig
    from strife.training.sources import Converter
    from strife.training.sources import sets as source_sets_module
    from strife.training.sources.base import Converted

    def convert(root: Path, split: str) -> Converted:
        words = ["Militants", "killed", "two", "soldiers"]
        return Converted(examples=[Example(f"{split}:{i}", words, {"casualties": ["O", "O", "B-KILLED", "I-KILLED"]})
                                   for i in range(2)])

    monkeypatch.setattr(source_sets_module, "get_converter", lambda name: Converter("fake", ("casualties",), convert, ""))
    specs = {"casualties": HeadSpec.token(["KILLED"])}
    built = source_sets_module.source_sets(DataConfig(source="fake", repeat=3), tmp_path, specs, tiny_tokenizer, 32)
    assert [len(s.examples) for s in built["train"]] == [6] and len(built["train"][0].features) == 6
    assert [len(s.examples) for s in built["dev"]] == [2]
