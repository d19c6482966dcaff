"""Head specs and the checkpoint config (models/config.py), and recipes (training/config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import recipe_dict
from strife.errors import CheckpointError, ConfigError
from strife.models.config import HeadSpec, StrifeConfig
from strife.training.config import apply_overrides, load_config, parse_config

ENCODER = {"model_type": "bert", "hidden_size": 32, "vocab_size": 50}


def _multi(**extra: object) -> dict[str, object]:
    return {"type": "multi_label", "id2label": {"0": "a", "1": "b"}, **extra}


# --- models/config.py: HeadSpec -------------------------------------------------------


def test_head_spec_token_builds_o_then_b_and_i_per_type() -> None:
    spec = HeadSpec.token(["S", "T"], loss_weight=2.0)
    assert spec.labels == ["O", "B-S", "I-S", "B-T", "I-T"]
    assert spec.entity_types == ["S", "T"]
    assert spec.label2id["I-T"] == 4 and spec.id2label[0] == "O"
    assert spec.loss_weight == 2.0


def test_head_spec_round_trips_through_dict() -> None:
    spec = HeadSpec("multi_label", ["a", "b"], 0.5, [0.3, 0.7])
    again = HeadSpec.from_dict("h", spec.to_dict())
    assert (again.type, again.labels, again.loss_weight, again.thresholds) == ("multi_label", ["a", "b"], 0.5, [0.3, 0.7])


def test_head_spec_to_dict_gives_untuned_multi_label_heads_thresholds_of_one_half() -> None:
    assert HeadSpec("multi_label", ["a", "b", "c"]).to_dict()["thresholds"] == [0.5, 0.5, 0.5]
    assert "thresholds" not in HeadSpec("single_label", ["a", "b"]).to_dict()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "span", "id2label": {"0": "a"}}, "heads.h.type"),
        ({"type": "single_label", "id2label": ["a", "b"]}, "heads.h.id2label"),
        ({"type": "single_label", "id2label": {"0": "a", "2": "b"}}, "heads.h.id2label"),
        ({"type": "single_label", "id2label": {"0": "a", "1": "a"}}, "heads.h.id2label"),
        ({"type": "single_label", "id2label": {"x": "a"}}, "heads.h.id2label"),
        ({"type": "single_label", "id2label": {"0": "a"}, "loss_weight": 0}, "heads.h.loss_weight"),
        ({"type": "single_label", "id2label": {"0": "a"}, "loss_weight": "1"}, "heads.h.loss_weight"),
        (_multi(thresholds=[0.5]), "heads.h.thresholds"),
        (_multi(thresholds=[0.5, 1.5]), "heads.h.thresholds"),
        ({"type": "single_label", "id2label": {"0": "a"}, "thresholds": [0.5]}, "heads.h.thresholds"),
        ({"type": "token", "id2label": {"0": "O", "1": "S"}}, "heads.h.id2label"),
        ({"type": "token", "id2label": {"0": "B-S", "1": "I-S", "2": "O"}}, "heads.h.id2label"),
        ({"type": "token", "id2label": {"0": "O", "1": "B-S"}}, "heads.h.id2label"),
        ({"type": "single_label", "id2label": {"0": "a"}, "colour": "red"}, "heads.h"),
    ],
    ids=["bad-type", "id2label-list", "id-gap", "duplicate-label", "non-integer-id", "zero-weight",
         "string-weight", "thresholds-too-short", "threshold-out-of-range", "thresholds-on-single-label",
         "token-not-iob2", "token-o-not-first", "token-lacks-i-tag", "unknown-field"],
)
def test_head_spec_from_dict_error_names_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(CheckpointError) as info:
        HeadSpec.from_dict("h", data, source="ckpt/config.json")
    assert f"ckpt/config.json: {field}" in str(info.value)


def test_head_spec_from_dict_rejects_scalar_thresholds_with_checkpoint_error() -> None:
    with pytest.raises(CheckpointError, match="heads.h.thresholds"):
        HeadSpec.from_dict("h", _multi(thresholds=0.5))


# --- models/config.py: StrifeConfig -------------------------------------------------------


def test_strife_config_round_trips_through_to_dict() -> None:
    config = StrifeConfig(encoder=ENCODER, heads={"actors": HeadSpec.token(["S"]),
                                                  "kind": HeadSpec("multi_label", ["x", "y"])},
                          max_seq_length=64)
    again = StrifeConfig.from_dict(config.to_dict())
    assert again.heads == config.heads
    assert again.encoder == config.encoder
    assert again.max_seq_length == 64
    assert again.head_specs["actors"].labels == ["O", "B-S", "I-S"]
    assert again.encoder_config().hidden_size == 32


def test_strife_config_rejects_a_head_name_that_is_not_an_identifier() -> None:
    with pytest.raises(CheckpointError, match="'my head'"):
        StrifeConfig(encoder=ENCODER, heads={"my head": HeadSpec.token(["S"])})


def test_strife_config_requires_the_encoder_model_type() -> None:
    with pytest.raises(CheckpointError, match="encoder.model_type"):
        StrifeConfig(encoder={"hidden_size": 32}, heads={"a": HeadSpec.token(["S"])})


@pytest.mark.parametrize("spec", ["token", None], ids=["string", "null"])
def test_strife_config_rejects_a_head_that_is_not_a_mapping_with_checkpoint_error(spec: object) -> None:
    with pytest.raises(CheckpointError, match="heads.actors"):
        StrifeConfig(encoder=ENCODER, heads={"actors": spec})


# --- training/config.py -----------------------------------------------------------------


def _recipe() -> dict[str, object]:
    return {
        "encoder": "tiny",
        "output_dir": "runs/x",
        "heads": {"actors": {"type": "token", "labels": ["S", "T"]}},
        "data": [{"dataset": "conflibert/cameo_ner", "head": "actors"}],
        "training": {"epochs": 2},
    }


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_load_config_builds_typed_sections(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, _recipe()))
    assert config.training.epochs == 2 and config.training.batch_size == 16
    assert config.head_specs()["actors"].labels == ["O", "B-S", "I-S", "B-T", "I-T"]
    assert config.data[0].dataset == "conflibert/cameo_ner"
    assert config.source == str(tmp_path / "recipe.yaml")


def test_load_config_reads_the_mini_recipe(recipe: Path, tiny_encoder_dir: Path) -> None:
    config = load_config(recipe)
    assert config.encoder == str(tiny_encoder_dir)
    assert set(config.heads) == {"actors", "event", "police"}


@pytest.mark.parametrize(
    ("section", "edit"),
    [
        ("top", lambda d: d.update(warmup_steps=10)),
        ("heads", lambda d: d["heads"]["actors"].update(lables=["S"])),
        ("data", lambda d: d["data"][0].update(labelmap={})),
        ("training", lambda d: d["training"].update(warmup_steps=10)),
    ],
)
def test_load_config_unknown_key_error_names_key_and_file(tmp_path: Path, section: str, edit) -> None:
    data = _recipe()
    edit(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert {"top": "warmup_steps", "heads": "lables", "data": "labelmap", "training": "warmup_steps"}[section] in message


def test_load_config_rejects_a_wrong_type_naming_the_key(tmp_path: Path) -> None:
    data = _recipe()
    data["training"]["epochs"] = "many"  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"training\.epochs: expected int, got 'many'"):
        load_config(_write(tmp_path, data))


def test_load_config_rejects_a_bool_where_an_int_is_expected(tmp_path: Path) -> None:
    data = _recipe()
    data["training"]["batch_size"] = True  # type: ignore[index]
    with pytest.raises(ConfigError, match="training.batch_size"):
        load_config(_write(tmp_path, data))


def test_load_config_rejects_a_data_entry_whose_head_is_not_declared(tmp_path: Path) -> None:
    data = _recipe()
    data["data"][0]["head"] = "roles"  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"data\[0\]\.head: 'roles' is not one of heads \['actors'\]"):
        load_config(_write(tmp_path, data))


def test_load_config_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yaml")


def test_load_config_reports_invalid_yaml_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("heads: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_load_config_set_overrides_a_nested_key_and_a_list_item(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, _recipe()),
                         ["training.epochs=5", "data.0.max_train_examples=5", "training.learning_rate=1e-4"])
    assert config.training.epochs == 5
    assert config.data[0].max_train_examples == 5
    assert config.training.learning_rate == pytest.approx(1e-4)


def test_load_config_override_value_is_type_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="training.epochs"):
        load_config(_write(tmp_path, _recipe()), ["training.epochs=three"])


def test_load_config_override_of_an_unknown_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="warmup_steps"):
        load_config(_write(tmp_path, _recipe()), ["training.warmup_steps=10"])


@pytest.mark.parametrize("override", ["training.epochs", "=3", "data.7.head=actors", "encoder.name=x"],
                         ids=["no-equals", "no-key", "index-out-of-range", "into-a-string"])
def test_apply_overrides_rejects_a_bad_override(override: str) -> None:
    with pytest.raises(ConfigError, match="--set"):
        apply_overrides(_recipe(), [override])


def test_parse_config_requires_dataset_or_files_but_not_both() -> None:
    data = _recipe()
    data["data"][0]["files"] = {"train": "a.txt"}  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"data\[0\]: give either dataset"):
        parse_config(data)


def test_parse_config_requires_format_kind_and_labels_with_files() -> None:
    data = _recipe()
    data["data"] = [{"head": "actors", "files": {"train": "a.txt"}, "format": "conll"}]
    with pytest.raises(ConfigError, match="files need format, kind and labels"):
        parse_config(data)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("epochs", 0, "training.epochs"),
    ("scheduler", "step", "training.scheduler"),
    ("warmup_ratio", 1.0, "training.warmup_ratio"),
    ("device", "tpu", "training.device"),
])
def test_parse_config_checks_training_ranges(key: str, value: object, expected: str) -> None:
    data = _recipe()
    data["training"][key] = value  # type: ignore[index]
    with pytest.raises(ConfigError, match=expected):
        parse_config(data)


def test_parse_config_rejects_a_token_head_with_duplicate_types() -> None:
    data = _recipe()
    data["heads"]["actors"]["labels"] = ["S", "S"]  # type: ignore[index]
    with pytest.raises(ConfigError, match="heads.actors.labels"):
        parse_config(data)


def test_parse_config_rejects_an_unknown_file_format() -> None:
    data = _recipe()
    data["data"] = [{"head": "actors", "files": {"train": "a.csv"}, "format": "csv", "kind": "token",
                     "labels": ["S", "T"]}]
    with pytest.raises(ConfigError, match="format"):
        parse_config(data)


def test_parse_config_rejects_an_unknown_split_name_in_files() -> None:
    data = _recipe()
    data["data"] = [{"head": "actors", "files": {"train": "a.txt", "valid": "b.txt"}, "format": "conll",
                     "kind": "token", "labels": ["S", "T"]}]
    with pytest.raises(ConfigError, match="valid"):
        parse_config(data)


def test_model_card_notes_must_exist_beside_the_recipe(write_recipe, tmp_path, tiny_encoder_dir) -> None:
    recipe = recipe_dict(tiny_encoder_dir, tmp_path / "run")
    recipe["model_card"] = "card.md"
    with pytest.raises(ConfigError, match="model_card: card.md not found beside the recipe"):
        load_config(write_recipe(recipe))
    (tmp_path / "card.md").write_text("## Known failure modes\n", encoding="utf-8")
    assert load_config(write_recipe(recipe)).model_card_text() == "## Known failure modes\n"
