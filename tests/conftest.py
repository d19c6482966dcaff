"""Shared fixtures: a tiny random BERT with an offline WordPiece tokenizer, a tiny
data root laid out like the built-in datasets, and a mini YAML recipe.

Nothing here touches the network or loads the real MiniLM encoder: the encoder is a
2-layer, 32-wide ``BertModel`` with random weights, built in-process once per session.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import yaml
from transformers import AutoTokenizer, BertConfig, BertModel, BertTokenizerFast

from strife.models.config import HeadSpec
from strife.models.modeling import StrifeModel

DATA_ROOT = Path(__file__).resolve().parent / "data" / "root"

#: The built-in datasets the tiny data root holds, with the head each one feeds.
CAMEO_NER = "conflibert/cameo_ner"
CAMEO_CLASS = "conflibert/cameo_class"
IPE = "conflibert/IndiaPoliceEvents_sents"
CAMEO_CLASSES = ["statement", "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"]
IPE_LABELS = ["KILL", "ARREST", "ANY_ACTION", "FAIL", "FORCE"]


def _fixture_words() -> list[str]:
    """Lower-cased words of every file in the tiny data root, in first-seen order."""
    words: dict[str, None] = {}
    for path in sorted(DATA_ROOT.rglob("*")):
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.split()[0] if path.suffix == ".txt" and line.strip() else line.split("\t")[0]
            for word in text.lower().split():
                words.setdefault(word, None)
    return list(words)


def build_vocab() -> list[str]:
    """Specials, fixture words, single letters and digits, their ``##`` forms, punctuation.

    With the single characters and their continuations every word tokenises without
    ``[UNK]``, and a word absent from the fixtures (e.g. ``xyz``) splits into sub-words.
    """
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list(string.ascii_lowercase + string.digits)
    punctuation = list(".,;:!?'\"-()")
    vocab = specials + _fixture_words() + chars + [f"##{c}" for c in chars] + punctuation
    return list(dict.fromkeys(vocab))


@pytest.fixture(scope="session")
def tiny_data_root() -> Path:
    """A data root with conflibert/cameo_ner, cameo_class and IndiaPoliceEvents_sents."""
    return DATA_ROOT


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT and a WordPiece tokenizer saved in one folder."""
    directory = tmp_path_factory.mktemp("tiny_encoder")
    vocab_file = directory / "vocab.txt"
    vocab = build_vocab()
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # transformers 5 names the argument ``vocab`` (``vocab_file`` is silently ignored there).
    tokenizer = BertTokenizerFast(vocab=str(vocab_file), do_lower_case=True)
    assert tokenizer.vocab_size == len(vocab), "the tiny vocab did not load"
    tokenizer.save_pretrained(directory)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_encoder_dir: Path):
    return AutoTokenizer.from_pretrained(tiny_encoder_dir)


@pytest.fixture
def head_specs() -> dict[str, HeadSpec]:
    """One head of each type, named as the recipe fixture names them."""
    return {
        "actors": HeadSpec.token(["S", "T", "R"]),
        "event": HeadSpec("single_label", list(CAMEO_CLASSES)),
        "police": HeadSpec("multi_label", list(IPE_LABELS)),
    }


@pytest.fixture
def tiny_model(tiny_encoder_dir: Path, head_specs: dict[str, HeadSpec]) -> StrifeModel:
    torch.manual_seed(0)
    return StrifeModel.from_encoder(str(tiny_encoder_dir), head_specs, max_seq_length=64)


@pytest.fixture
def checkpoint(tiny_model: StrifeModel, tiny_tokenizer, tmp_path: Path) -> Path:
    """The tiny model saved as a strife checkpoint folder (weights, config, tokenizer)."""
    path = tmp_path / "model"
    tiny_model.save_pretrained(path)
    tiny_tokenizer.save_pretrained(path)
    return path


def recipe_dict(encoder: Path | str, output_dir: Path | str, **training: object) -> dict[str, object]:
    """A mini recipe: three heads, one tiny dataset each, two epochs of batch size 4.

    Pinned to the CPU so that runs repeat bit for bit on any machine.
    """
    settings = {"epochs": 2, "batch_size": 4, "eval_batch_size": 8, "learning_rate": 1e-3, "seed": 7,
                "warmup_ratio": 0.0, "early_stopping_patience": None, "device": "cpu"}
    settings.update(training)
    return {
        "encoder": str(encoder),
        "max_length": 32,
        "output_dir": str(output_dir),
        "heads": {
            "actors": {"type": "token", "labels": ["S", "T", "R"]},
            "event": {"type": "single_label", "labels": list(CAMEO_CLASSES)},
            "police": {"type": "multi_label", "labels": list(IPE_LABELS)},
        },
        "data": [
            {"dataset": CAMEO_NER, "head": "actors", "dev_fraction": 0.25},
            {"dataset": CAMEO_CLASS, "head": "event", "dev_fraction": 0.25, "max_train_examples": 8},
            {"dataset": IPE, "head": "police"},
        ],
        "training": settings,
    }


@pytest.fixture
def write_recipe(tmp_path: Path, tiny_encoder_dir: Path) -> Callable[..., Path]:
    """Write a recipe YAML (the mini recipe, or ``data`` if given) and return its path."""

    def write(data: dict[str, object] | None = None, name: str = "recipe.yaml", **training: object) -> Path:
        content = data if data is not None else recipe_dict(tiny_encoder_dir, tmp_path / "run", **training)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def recipe(write_recipe: Callable[..., Path]) -> Path:
    """The mini YAML recipe, its ``encoder:`` pointing at the tiny encoder folder."""
    return write_recipe()
