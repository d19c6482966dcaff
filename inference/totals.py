"""Casualty counts on spans, and killed / injured / captured totals.

Applies to any token head whose entity types include KILLED, INJURED or CAPTURED
(the default model's ``casualties`` head). Each such span gets ``count`` and
``qualifier`` from :func:`~strife.inference.counts.normalise_count`.

Totals rule, chosen never to double count:

- a sentence total is the sum of its spans' counts of that type ("27 soldiers and
  three police" in one sentence is 30; a span without a count adds nothing), except
  that a span repeating the count (2 or more) of an earlier span of the same type is a
  restatement and adds nothing: a headline the segmenter could not split off its first
  body sentence ("41 Afghan security men killed: As many as 41 ... were killed") is 41,
  not 82. Coordinated victims are one span by the guidelines (4.2), so two separate
  spans with the same count in one sentence are rare otherwise (none in the gold set);
- a document total is the largest sentence total of that type, because news
  restates figures (a headline's "41 killed" repeated in the body is 41, not 82, and
  a later "27 soldiers and three police were martyred" breaks the same 41 down). It
  undercounts articles that report separate incidents in separate sentences.
"""

from __future__ import annotations

from typing import Any

from strife.inference.counts import normalise_count
from strife.models.config import HeadSpec

CASUALTY_TYPES = {"KILLED": "killed", "INJURED": "injured", "CAPTURED": "captured"}


def casualty_heads(specs: dict[str, HeadSpec]) -> list[str]:
    """Token heads that tag at least one casualty type."""
    return [name for name, spec in specs.items()
            if spec.type == "token" and set(spec.entity_types) & set(CASUALTY_TYPES)]


def add_counts(spans: list[dict[str, Any]]) -> None:
    """Give every casualty span its ``count`` and ``qualifier`` (in place)."""
    for span in spans:
        if span["label"] in CASUALTY_TYPES:
            count = normalise_count(span["text"])
            span["count"], span["qualifier"] = count.count, count.qualifier


def sentence_totals(spans: list[dict[str, Any]]) -> dict[str, int]:
    """Sum of counts per casualty type in one sentence, restatements once (module docstring).

    >>> sentence_totals([{"label": "KILLED", "count": 41}, {"label": "KILLED", "count": 41},
    ...                  {"label": "INJURED", "count": 15}])
    {'killed': 41, 'injured': 15, 'captured': 0}
    """
    totals = dict.fromkeys(CASUALTY_TYPES.values(), 0)
    seen: set[tuple[str, int]] = set()
    for span in spans:
        if span["label"] in CASUALTY_TYPES and span.get("count"):
            key = (span["label"], int(span["count"]))
            if key in seen and key[1] >= 2:
                continue
            seen.add(key)
            totals[CASUALTY_TYPES[span["label"]]] += key[1]
    return totals


def document_totals(per_sentence: list[dict[str, int]]) -> dict[str, int]:
    """Largest sentence total per type (see the module docstring for why).

    >>> document_totals([{"killed": 41, "injured": 15, "captured": 0}, {"killed": 30, "injured": 15, "captured": 0}])
    {'killed': 41, 'injured': 15, 'captured': 0}
    """
    return {kind: max((t[kind] for t in per_sentence), default=0) for kind in CASUALTY_TYPES.values()}
