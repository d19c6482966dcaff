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
  and a span that breaks down an earlier, larger figure of its type adds nothing
  either: "403 people were killed ..., including 147 civilians, 165 presumed
  terrorists and 26 drug traffickers" is 403. Such a span comes after "including",
  "among them", "of whom", "mostly" or "mainly", with no ".", ";", "in addition",
  "as well as", "besides", "apart from", "plus", "while" or auxiliary verb ("were",
  "have") in between, and its text does not say "other(s)", "more" or "another";
- a document total is the largest sentence total of that type, because news
  restates figures (a headline's "41 killed" repeated in the body is 41, not 82, and
  a later "27 soldiers and three police were martyred" breaks the same 41 down). It
  undercounts articles that report separate incidents in separate sentences.
"""

from __future__ import annotations

import re
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


#: Words after a figure that open a list of its parts.
_SUBSET_MARKER = re.compile(r"\b(?:including|includes|among them|among whom|of whom|of them|mostly|mainly)\b",
                            re.IGNORECASE)
#: What ends such a list: after it, figures are counted again.
_LIST_END = re.compile(r"[.;]|\b(?:in addition|as well as|besides|apart from|plus|while|whereas|were|was|are|is|"
                       r"have|has|had|been)\b", re.IGNORECASE)
_ADDITION = re.compile(r"\b(?:others?|more|another)\b", re.IGNORECASE)


def _subsets(spans: list[dict[str, Any]], text: str) -> set[int]:
    """Indices of counted casualty spans that break down an earlier, larger figure of
    their type ("..., including 147 civilians"); offsets index ``text``."""
    subsets: set[int] = set()
    counted = sorted((i for i, s in enumerate(spans) if s["label"] in CASUALTY_TYPES and s.get("count")),
                     key=lambda i: spans[i]["start"])
    for label in CASUALTY_TYPES:
        total: dict[str, Any] | None = None
        for i in (i for i in counted if spans[i]["label"] == label):
            span = spans[i]
            if total is not None and span["count"] < total["count"] and not _ADDITION.search(span["text"]):
                marker = _SUBSET_MARKER.search(text, total["end"], span["start"])
                if marker and not _LIST_END.search(text, marker.end(), span["start"]):
                    subsets.add(i)
                    continue
            total = span
    return subsets


def sentence_totals(spans: list[dict[str, Any]], text: str = "") -> dict[str, int]:
    """Sum of counts per casualty type in one sentence, restatements and breakdowns
    once (module docstring). ``text`` is the string the spans' offsets index; without it
    no span is read as a breakdown.

    >>> sentence_totals([{"label": "KILLED", "count": 41}, {"label": "KILLED", "count": 41},
    ...                  {"label": "INJURED", "count": 15}])
    {'killed': 41, 'injured': 15, 'captured': 0}
    """
    totals = dict.fromkeys(CASUALTY_TYPES.values(), 0)
    seen: set[tuple[str, int]] = set()
    subsets = _subsets(spans, text) if text else set()
    for i, span in enumerate(spans):
        if i in subsets:
            continue
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
