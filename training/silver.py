"""Silver casualty labels: the rule-based labeller run over unlabelled training sentences.

:func:`build_silver` segments the TRAIN split of each source in :data:`SOURCES` with
strife's segmenter, runs :func:`strife.models.casualty_rules.analyse_sentence` on every
sentence and writes stand-off lines (guidelines, "Stand-off storage"; never any text).
:func:`load_silver` turns them back into sentence-level :class:`Example` objects for the
``casualties`` token head (words from ``split_words``, IOB2 tags).

Which sentences are kept, and why:

- a sentence whose casualty words were all explained (a span, or a negation, threat,
  pronoun, accident, "victims") is kept with its spans, possibly none: the labeller saw
  the whole picture;
- a sentence with a casualty word the rules could not place ("the killing", "five
  casualties", "was hit") is **skipped**: tagging it all ``O`` would teach the model that
  those words never carry a casualty;
- a sentence with no casualty word at all is a safe negative, but there are many of them:
  one in :data:`NEGATIVE_RATE` is kept, chosen by a hash of its id, so the file stays small
  and the choice is the same on every machine.

Each kept sentence has one ``"label": "SENTENCE"`` line (its extent, and ``sha1``, the
first 12 hex digits of the SHA-1 of its text, so a changed dataset file fails loudly
instead of shifting tags), followed by one line per span.

``python -m strife.training.silver [--data-dir DIR] [--output annotations/silver/casualties.jsonl]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from strife.errors import DataError, at
from strife.inference.segment import Span, split_sentences, split_words
from strife.models.casualty_rules import analyse_sentence
from strife.training.data_root import find_data_root
from strife.training.documents import document_text, iter_documents, json_lines
from strife.training.examples import Example
from strife.training.hashing import hash_bucket

#: Unlabelled training sources the silver labeller reads (dataset, split): train splits only,
#: so that nothing of a held-out split (and so of the gold set) leaks into training.
SOURCES = (
    ("conflibert/satp_relevant", "train"),
    ("conflibert/IndiaPoliceEvents_sents", "train"),
    ("muc4", "train"),
)
#: One in this many sentences without any casualty word is kept as a negative.
NEGATIVE_RATE = 8
HEAD = "casualties"
SENTENCE = "SENTENCE"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "annotations" / "silver" / "casualties.jsonl"
_MIN_WORDS = 3


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _keep_negative(record_id: str, sentence_start: int) -> bool:
    return hash_bucket(f"{record_id}:{sentence_start}", NEGATIVE_RATE, width=6) == 0


def silver_lines(dataset: str, split: str, root: Path, counts: Counter) -> Iterator[dict]:
    """Stand-off lines of one source split; ``counts`` gathers what was kept and skipped."""
    for doc in iter_documents(dataset, split, root):
        for sentence in split_sentences(doc.text):
            if len(sentence.text.split()) < _MIN_WORDS:
                continue
            counts["sentences"] += 1
            analysis = analyse_sentence(sentence.text)
            has_word = bool(analysis.findings or analysis.unexplained)
            if not analysis.confident:
                counts["skipped_unsure"] += 1
                continue
            if not has_word and not _keep_negative(doc.record_id, sentence.start):
                counts["skipped_negative"] += 1
                continue
            counts["kept"] += 1
            counts["kept_with_spans" if analysis.spans else "kept_without_spans"] += 1
            base = {"dataset": dataset, "split": split, "record_id": doc.record_id,
                    "sentence_start": sentence.start}
            yield {**base, "start": sentence.start, "end": sentence.end, "head": HEAD, "label": SENTENCE,
                   "sha1": _sha1(sentence.text)}
            for span in analysis.spans:
                counts[span.label] += 1
                yield {**base, "start": sentence.start + span.start, "end": sentence.start + span.end,
                       "head": HEAD, "label": span.label}


def build_silver(root: Path, output: Path, sources: Iterable[tuple[str, str]] = SOURCES) -> dict[str, Counter]:
    """Write the silver file for ``sources``; returns the counts per source."""
    output.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Counter] = {}
    temporary = output.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for dataset, split in sources:
            counts: Counter = Counter()
            for line in silver_lines(dataset, split, root, counts):
                handle.write(json.dumps(line) + "\n")
            report[f"{dataset}:{split}"] = counts
    temporary.replace(output)
    return report


@dataclass
class _Sentence:
    marker: dict
    spans: list[dict]


def _read_sentences(path: Path) -> list[_Sentence]:
    if not path.is_file():
        raise DataError(f"{path}: silver file not found; build it with `python -m strife.training.silver`")
    sentences: list[_Sentence] = []
    for number, row in json_lines(path):
        if row.get("label") == SENTENCE:
            sentences.append(_Sentence(row, []))
        elif sentences and row.get("sentence_start") == sentences[-1].marker["sentence_start"] \
                and row.get("record_id") == sentences[-1].marker["record_id"]:
            sentences[-1].spans.append(row)
        else:
            raise DataError(f"{at(path, number)}: a span line must follow its sentence's SENTENCE line")
    return sentences


def _tags(sentence: Span, words: list[Span], spans: list[dict], label_map: Mapping[str, str]) -> list[str]:
    """IOB2 tags of ``words`` for ``spans``; a span off the word boundaries is a DataError."""
    tags = ["O"] * len(words)
    starts = {w.start: k for k, w in enumerate(words)}
    ends = {w.end: k for k, w in enumerate(words)}
    for span in spans:
        first, last = starts.get(span["start"]), ends.get(span["end"])
        if first is None or last is None or last < first:
            raise DataError(f"silver span {span} does not fall on word boundaries of "
                            f"{span['record_id']} at {sentence.start}; rebuild the silver file")
        label = label_map.get(span["label"], span["label"])
        tags[first:last + 1] = [f"B-{label}"] + [f"I-{label}"] * (last - first)
    return tags


def load_silver(path: str | Path = DEFAULT_PATH, root: str | Path | None = None, head: str = HEAD,
                label_map: Mapping[str, str] | None = None, max_examples: int | None = None) -> list[Example]:
    """Silver sentences as token-head examples, in file order.

    ``root`` is the data root (as for every dataset: ``--data-dir``, ``$STRIFE_DATA_DIR``,
    ...); ``head`` names the token head that gets the tags; ``label_map`` renames labels.
    A sentence whose text changed since the file was built raises :class:`DataError`.

    >>> examples = load_silver()  # doctest: +SKIP
    >>> examples[0].token_labels["casualties"][:3]  # doctest: +SKIP
    ['B-KILLED', 'I-KILLED', 'O']
    """
    data_root = find_data_root(root)
    label_map = dict(label_map or {})
    examples: list[Example] = []
    for item in _read_sentences(Path(path)):
        marker = item.marker
        text = document_text(marker["dataset"], marker["record_id"], data_root, marker["split"])
        sentence = Span(text[marker["start"]:marker["end"]], marker["start"], marker["end"])
        if _sha1(sentence.text) != marker["sha1"]:
            raise DataError(f"{marker['dataset']} {marker['record_id']}: the sentence at {marker['start']} "
                            "changed since the silver file was built; rebuild it")
        words = split_words(sentence)
        examples.append(Example(
            id=f"silver:{marker['dataset']}:{marker['record_id']}:{marker['start']}",
            words=[w.text for w in words],
            token_labels={head: _tags(sentence, words, item.spans, label_map)}))
        if max_examples is not None and len(examples) >= max_examples:
            break
    return examples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build silver casualty labels from unlabelled train splits.")
    parser.add_argument("--data-dir", default=None, help="dataset root (default: the usual search)")
    parser.add_argument("--output", default=str(DEFAULT_PATH), help="the JSON Lines file to write")
    args = parser.parse_args(argv)
    report = build_silver(find_data_root(args.data_dir), Path(args.output))
    for source, counts in report.items():
        print(source, dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
