"""What every converter shares: sentence units, span projection, extension, masking.

A converter reads one source's documents (:mod:`strife.training.documents` gives the
text every offset points into), finds its labelled spans as character offsets and
hands each sentence to a :class:`SentenceBuilder`. The builder cuts words exactly as
inference does (``split_words`` over ``split_sentences``), projects each span onto
those words, extends head words by the rule of guidelines section 8 and makes an
:class:`Example` that carries labels only for the heads the converter says are
exhaustively annotated in that sentence; every other head stays absent (masked).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from strife.errors import DataError
from strife.inference.segment import Span, split_sentences, split_words
from strife.training.examples import Example
from strife.training.gold import EVENT_TYPES, PENTACLASS
from strife.training.gold import TOKEN_HEADS as GOLD_TOKEN_HEADS
from strife.training.sources.extend import PRONOUNS, extend_head

#: The only splits a converter may emit: test splits are the project's gold material.
TRAIN_SPLITS = ("train", "dev")
TOKEN_HEADS = ("actors", "casualties")
#: The conflict heads' labels (guidelines), as the gold set defines them.
HEAD_LABELS: dict[str, tuple[str, ...]] = {**GOLD_TOKEN_HEADS, "event_types": EVENT_TYPES, "pentaclass": PENTACLASS}


def check_split(dataset: str, split: str) -> None:
    """Refuse any split but train and dev, so held-out documents never reach training."""
    if split not in TRAIN_SPLITS:
        raise DataError(
            f"{dataset}: split {split!r} is held out for the gold test set; converters emit only {TRAIN_SPLITS}"
        )


@dataclass(frozen=True)
class SpanRecord:
    """One converted span: original head offsets beside the extended ones (for the audit)."""

    dataset: str
    record_id: str
    sentence_start: int
    head: str
    label: str
    head_start: int
    head_end: int
    start: int
    end: int


@dataclass
class Converted:
    """A converter's output for one split: examples, the spans behind them, counts."""

    examples: list[Example] = field(default_factory=list)
    spans: list[SpanRecord] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)


def project(words: list[Span], start: int, end: int) -> tuple[int, int] | None:
    """Word range ``[i, j)`` covering characters ``[start, end)``; ``None`` if none overlaps."""
    inside = [k for k, w in enumerate(words) if w.start < end and w.end > start]
    return (inside[0], inside[-1] + 1) if inside else None


def iob(n: int, spans: list[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags of ``n`` words from non-overlapping ``(i, j, label)`` spans."""
    tags = ["O"] * n
    for i, j, label in spans:
        tags[i] = f"B-{label}"
        for k in range(i + 1, j):
            tags[k] = f"I-{label}"
    return tags


class SentenceBuilder:
    """Collect one sentence's spans and labels, then make its :class:`Example`."""

    def __init__(self, dataset: str, record_id: str, sentence: Span, out: Converted) -> None:
        self.dataset, self.record_id, self.sentence, self.out = dataset, record_id, sentence, out
        self.words = split_words(sentence)
        self.spans: dict[str, list[tuple[int, int, str]]] = {}
        self.masked: set[str] = set()

    def contains(self, start: int, end: int) -> bool:
        return self.sentence.start <= start and end <= self.sentence.end

    def words_of(self, start: int, end: int) -> tuple[int, int] | None:
        return project(self.words, start, end)

    def add(self, head: str, label: str, start: int, end: int, blocked: set[int] | None = None,
            extend: bool = True) -> None:
        """Add a span given by head-word character offsets; pronouns are dropped (3.4)."""
        placed = self.words_of(start, end)
        if placed is None:
            self.out.stats[f"{head}:unplaced"] += 1
            self.masked.add(head)
            return
        i, j = placed
        texts = [w.text for w in self.words]
        if all(t.lower() in PRONOUNS for t in texts[i:j]):
            self.out.stats[f"{head}:pronoun_dropped"] += 1
            return
        a, b = extend_head(texts, i, j, blocked or set()) if extend else (i, j)
        taken = self.spans.setdefault(head, [])
        if any(a < y and x < b for x, y, _ in taken):
            same = [s for s in taken if s[0] == a and s[1] == b]
            if not (same and same[0][2] == label):
                self.out.stats[f"{head}:overlap_dropped"] += 1
            return
        taken.append((a, b, label))
        self.out.spans.append(SpanRecord(self.dataset, self.record_id, self.sentence.start, head, label,
                                         self.words[i].start, self.words[j - 1].end,
                                         self.words[a].start, self.words[b - 1].end))

    def example(self, token_heads: set[str], sentence_labels: dict[str, set[str]],
                annotated: dict[str, set[str]]) -> Example | None:
        """The sentence as an example; ``None`` when it supervises no head at all."""
        if not self.words:
            return None
        example = Example(f"{self.record_id}@{self.sentence.start}", [w.text for w in self.words])
        for head in sorted(token_heads - self.masked):
            spans = sorted(self.spans.get(head, []))
            example.token_labels[head] = iob(len(self.words), spans)
            for _, _, label in spans:
                self.out.stats[f"{head}:{label}"] += 1
        for head, labels in annotated.items():
            if labels:
                order = HEAD_LABELS[head]
                example.annotated[head] = [label for label in order if label in labels]
                example.sentence_labels[head] = [label for label in order if label in sentence_labels.get(head, set())
                                                 and label in labels]
                for label in example.sentence_labels[head]:
                    self.out.stats[f"{head}:{label}"] += 1
        if not example.token_labels and not example.sentence_labels:
            return None
        self.out.stats["sentences"] += 1
        return example


def sentences(text: str) -> list[Span]:
    """The sentence units of a document, as inference segments it."""
    return split_sentences(text)


def sentence_of(units: list[Span], offset: int) -> int | None:
    """Index of the sentence that contains character ``offset``."""
    for k, unit in enumerate(units):
        if unit.start <= offset < unit.end:
            return k
    return None
