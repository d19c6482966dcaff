"""StrifeModel (models/modeling.py, models/heads.py), its checkpoints and model card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from strife.errors import CheckpointError
from strife.models.card import render_card
from strife.models.config import HeadSpec
from strife.models.modeling import StrifeModel
from strife.models.modeling import load_checkpoint

from conftest import IPE_LABELS


def _inputs(tokenizer) -> dict[str, torch.Tensor]:
    enc = tokenizer(["police arrested rebels in the city", "talks"], padding=True, return_tensors="pt")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}


def _token_labels(inputs: dict[str, torch.Tensor]) -> torch.Tensor:
    labels = torch.full_like(inputs["input_ids"], -100)
    labels[0, 1:4] = torch.tensor([1, 0, 3])
    return labels


def test_forward_gives_logits_for_every_head_with_the_right_shapes(tiny_model, tiny_tokenizer) -> None:
    inputs = _inputs(tiny_tokenizer)
    batch, width = inputs["input_ids"].shape
    out = tiny_model(**inputs)
    assert out.loss is None and out.head_losses is None
    assert out.logits["actors"].shape == (batch, width, 7)
    assert out.logits["event"].shape == (batch, 5)
    assert out.logits["police"].shape == (batch, 5)


def test_sentence_logits_ignore_padding(tiny_model, tiny_tokenizer) -> None:
    tiny_model.eval()
    alone = tiny_tokenizer(["talks"], return_tensors="pt")
    padded = _inputs(tiny_tokenizer)
    single = tiny_model(alone["input_ids"], alone["attention_mask"]).logits["event"][0]
    batched = tiny_model(**padded).logits["event"][1]
    assert torch.allclose(single, batched, atol=1e-5)


def test_heads_without_labels_in_the_batch_give_no_loss(tiny_model, tiny_tokenizer) -> None:
    tiny_model.eval()
    inputs = _inputs(tiny_tokenizer)
    labels = {"actors": _token_labels(inputs), "event": torch.tensor([-100, -100])}
    out = tiny_model(**inputs, labels=labels)
    assert set(out.head_losses) == {"actors"}
    assert out.loss is not None and float(out.loss.detach()) == pytest.approx(out.head_losses["actors"], rel=1e-6)


def test_a_batch_with_no_labels_for_any_head_has_no_loss(tiny_model, tiny_tokenizer) -> None:
    inputs = _inputs(tiny_tokenizer)
    out = tiny_model(**inputs, labels={"actors": torch.full_like(inputs["input_ids"], -100)})
    assert out.loss is None and out.head_losses == {}


def test_multi_label_head_with_an_all_zero_mask_is_skipped(tiny_model, tiny_tokenizer) -> None:
    inputs = _inputs(tiny_tokenizer)
    out = tiny_model(**inputs, labels={"police": torch.ones(2, 5)}, label_masks={"police": torch.zeros(2, 5)})
    assert out.loss is None and "police" not in out.head_losses


def test_flipping_a_masked_multi_label_cell_does_not_change_the_loss(tiny_model, tiny_tokenizer) -> None:
    tiny_model.eval()
    inputs = _inputs(tiny_tokenizer)
    mask = torch.ones(2, 5)
    mask[0, 2] = 0.0
    gold = torch.zeros(2, 5)
    flipped = gold.clone()
    flipped[0, 2] = 1.0
    before = tiny_model(**inputs, labels={"police": gold}, label_masks={"police": mask}).loss
    after = tiny_model(**inputs, labels={"police": flipped}, label_masks={"police": mask}).loss
    unmasked = tiny_model(**inputs, labels={"police": flipped}, label_masks={"police": torch.ones(2, 5)}).loss
    assert torch.equal(before, after)
    assert not torch.equal(before, unmasked)


def test_total_loss_sums_head_losses_times_their_weights(tiny_encoder_dir: Path, tiny_tokenizer) -> None:
    heads = {"actors": HeadSpec.token(["S", "T", "R"], loss_weight=2.0),
             "event": HeadSpec("single_label", ["a", "b", "c"], loss_weight=0.5)}
    model = StrifeModel.from_encoder(str(tiny_encoder_dir), heads).eval()
    inputs = _inputs(tiny_tokenizer)
    out = model(**inputs, labels={"actors": _token_labels(inputs), "event": torch.tensor([2, 0])})
    expected = 2.0 * out.head_losses["actors"] + 0.5 * out.head_losses["event"]
    assert float(out.loss.detach()) == pytest.approx(expected, rel=1e-5)


def test_save_and_load_round_trip_gives_identical_logits(tiny_model, tiny_tokenizer, tmp_path: Path) -> None:
    tiny_model.set_thresholds("police", [0.3, 0.4, 0.5, 0.6, 0.7])
    tiny_model.save_pretrained(tmp_path)
    files = {p.name for p in tmp_path.iterdir()}
    assert {"config.json", "model.safetensors"} <= files
    assert not [name for name in files if name.endswith((".bin", ".pt", ".pth", ".pkl"))]
    loaded = load_checkpoint(tmp_path).eval()
    tiny_model.eval()
    inputs = _inputs(tiny_tokenizer)
    before, after = tiny_model(**inputs).logits, loaded(**inputs).logits
    assert all(torch.equal(before[name], after[name]) for name in before)
    assert loaded.specs["police"].thresholds == [0.3, 0.4, 0.5, 0.6, 0.7]
    assert loaded.specs["actors"].labels == tiny_model.specs["actors"].labels


def _saved_checkpoint(model: StrifeModel, directory: Path) -> dict[str, object]:
    model.save_pretrained(directory)
    return json.loads((directory / "config.json").read_text(encoding="utf-8"))


def test_loading_a_checkpoint_with_a_broken_head_names_the_field(tiny_model, tmp_path: Path) -> None:
    config = _saved_checkpoint(tiny_model, tmp_path)
    config["heads"]["police"]["thresholds"] = [0.5]  # type: ignore[index]
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"heads\.police\.thresholds: expected 5 numbers"):
        StrifeModel.from_pretrained(tmp_path)


def test_loading_a_checkpoint_with_a_non_iob2_token_head_names_the_field(tiny_model, tmp_path: Path) -> None:
    config = _saved_checkpoint(tiny_model, tmp_path)
    config["heads"]["actors"]["id2label"]["1"] = "SOURCE"  # type: ignore[index]
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"heads\.actors\.id2label"):
        load_checkpoint(tmp_path)


def test_loading_a_checkpoint_whose_head_is_not_a_mapping_is_a_checkpoint_error(tiny_model, tmp_path: Path) -> None:
    config = _saved_checkpoint(tiny_model, tmp_path)
    config["heads"]["police"] = "multi_label"  # type: ignore[index]
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(CheckpointError, match="heads.police"):
        load_checkpoint(tmp_path)


def test_load_checkpoint_without_config_json_is_a_checkpoint_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no config.json"):
        load_checkpoint(tmp_path)


def test_load_checkpoint_without_safetensors_weights_is_a_checkpoint_error(tiny_model, tmp_path: Path) -> None:
    _saved_checkpoint(tiny_model, tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="no model.safetensors"):
        load_checkpoint(tmp_path)


def test_load_checkpoint_of_a_raw_encoder_folder_says_to_use_from_encoder(tiny_encoder_dir: Path,
                                                                          tmp_path: Path) -> None:
    shutil.copytree(tiny_encoder_dir, tmp_path / "bert")
    with pytest.raises(CheckpointError, match="from_encoder"):
        load_checkpoint(tmp_path / "bert")


def test_model_card_lists_heads_data_metrics_and_command(tiny_model) -> None:
    card = render_card(tiny_model.config, encoder="tiny", datasets=["conflibert/cameo_ner"],
                       command="strife train --config x.yaml",
                       metrics={"conflibert/cameo_ner/actors": {"f1_micro": 0.5, "per_type": {}}})
    assert "| actors | token | S, T, R |" in card
    assert f"| police | multi_label | {', '.join(IPE_LABELS)} |" in card
    assert "- `conflibert/cameo_ner`" in card
    assert "| conflibert/cameo_ner/actors | f1_micro | 0.5000 |" in card
    assert "strife train --config x.yaml" in card


def test_model_card_carries_the_recipe_notes_before_the_command(tiny_model) -> None:
    card = render_card(tiny_model.config, encoder="tiny", datasets=[], command="strife train --config x.yaml",
                       metrics={}, notes="## Known failure modes\n\n- negation\n")
    assert card.index("## Known failure modes") < card.index("## Reproduce")
