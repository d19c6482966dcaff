"""Casualty types checked against the rule labeller: the verb decides killed or injured.

The tagger finds casualty phrases well but mixes up their types in sentences that
report several outcomes: the rounds 1-5 default tagged "seven Security Force personnel"
in "Three militants were killed and seven Security Force personnel were injured" as
KILLED. The rule labeller (:mod:`strife.models.casualty_rules`) types each span it finds
by the verb or noun that governs it, and its types are reliable where it fires. So a
model span that overlaps a rule span of another casualty type takes the rule's type;
spans and their boundaries stay the model's, and spans the rules do not see keep the
model's type.

Measured with the rounds 1-5 default (docs/conflict-model.md): on the annotated dev
sentences (472, never the gold set) casualty span F1 0.660 -> 0.664, exact injured
counts 0.818 -> 0.886, killed count MAE 3.2 -> 0.5; on the gold set 0.704 -> 0.726. The
rules run only on sentences where the model found a casualty span.
"""

from __future__ import annotations

from typing import Any

from strife.models.casualty_rules import label_casualties


def retype_casualties(spans: list[dict[str, Any]], sentence: str, offset: int, labels: set[str]) -> None:
    """Give each span (in place) the type of the first rule span it overlaps, when that
    type differs and is one of ``labels``. Span offsets are ``offset`` plus offsets
    into ``sentence``; spans with other labels are left alone."""
    ours = [span for span in spans if span["label"] in labels]
    if not ours:
        return
    rules = [(offset + rule.start, offset + rule.end, rule.label) for rule in label_casualties(sentence)]
    for span in ours:
        for start, end, label in rules:
            if start < span["end"] and span["start"] < end:
                if label != span["label"] and label in labels:
                    span["label"] = label
                break
