"""Evaluation sets scored from one forward pass per sentence (strife.training.evaluation)."""

from __future__ import annotations

import pytest

from strife.models.config import HeadSpec
from strife.models.modeling import StrifeModel
from strife.training.evaluation import EvalSet, Predictions, evaluate_sets
from strife.training.examples import Example
from strife.training.features import encode

SENTENCES = [
    (["Rebels", "attacked", "the", "town"], ["B-S", "O", "O", "B-T"], "material_conflict", ["KILL"]),
    (["Police", "arrested", "two", "men", "on", "Monday"], ["B-S", "O", "B-T", "I-T", "O", "O"],
     "material_conflict", ["ARREST"]),
    (["The", "two", "leaders", "met"], ["O", "B-R", "I-R", "O"], "verbal_cooperation", []),
]


def test_shared_sentences_are_encoded_once_and_score_as_set_by_set(
        tiny_model: StrifeModel, tiny_tokenizer, head_specs: dict[str, HeadSpec],
        monkeypatch: pytest.MonkeyPatch) -> None:
    examples = [Example(f"s{i}", words, {"actors": tags}, {"event": [cls], "police": police})
                for i, (words, tags, cls, police) in enumerate(SENTENCES)]
    features = encode(examples, tiny_tokenizer, head_specs, 32)
    # as a converted source's dev part: one set per head over the same Features, one over a subset
    sets = [EvalSet("dev", head, examples, features) for head in head_specs]
    sets.append(EvalSet("dev-subset", "police", examples[:2], features[:2]))
    encoded: list[int] = []
    forward = tiny_model.forward
    monkeypatch.setattr(tiny_model, "forward", lambda input_ids, attention_mask, **kwargs: (
        encoded.append(len(input_ids)), forward(input_ids, attention_mask, **kwargs))[1])

    together = evaluate_sets(tiny_model, sets, batch_size=2)
    assert sum(encoded) == len(SENTENCES)
    alone = {s.key: Predictions(tiny_model, batch_size=2).score(s)[0] for s in sets}
    assert sum(encoded) == len(SENTENCES) + sum(len(s.features) for s in sets)
    assert together == alone and set(together) == {"dev/actors", "dev/event", "dev/police", "dev-subset/police"}
