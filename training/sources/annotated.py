"""Hand-annotated training sentences (``annotations/train``): every head, by the guidelines.

The converted sources supervise a few heads each, by their own definitions (head
words, CAMEO roles, record-level labels), and the silver labels copy the rules. These
sentences were annotated exactly like the gold set (same guidelines, same working
format and checker, ``annotations/README.md``), but in a single pass, from train and
dev splits of the sources whose styles no converter covers. So they supervise all four
heads at once, with the guidelines' span boundaries, and every label is annotated:
nothing is masked. One sentence in :data:`DEV_RATE`, chosen by a hash of its id, is
their dev set, which gives early stopping and threshold tuning sentences in the gold
set's styles.
"""

from __future__ import annotations

from pathlib import Path

from strife.inference.segment import Span, split_words
from strife.training.examples import Example
from strife.training.gold import EVENT_TYPES, TOKEN_HEADS, iob_tags, load_gold
from strife.training.hashing import hash_bucket
from strife.training.sources.base import Converted, check_split

NAME = "annotated"
CITATION = "strife hand-annotated training sentences (annotations/train), single pass by the annotation guidelines"
HEADS = ("actors", "casualties", "event_types", "pentaclass")
#: One file per annotation round (``conflict-train.jsonl``, ``conflict-train-2.jsonl``, ...).
FOLDER = Path(__file__).resolve().parent.parent.parent / "annotations" / "train"
#: One sentence in this many is dev.
DEV_RATE = 10


def is_dev(dataset: str, record_id: str, sentence_start: int) -> bool:
    return hash_bucket(f"{dataset}:{record_id}:{sentence_start}", DEV_RATE, width=4) == 0


def paths(folder: Path = FOLDER) -> list[Path]:
    """The annotation files of every round, in order."""
    return sorted(folder.glob("conflict-train*.jsonl"))


def convert(root: Path, split: str, files: list[Path] | None = None) -> Converted:
    """The train or dev sentences of ``files`` (default: every round) as examples for all
    four heads."""
    check_split(NAME, split)
    out = Converted()
    sentences = [sentence for path in (paths() if files is None else files) for sentence in load_gold(path, root)]
    for sentence in sentences:
        if is_dev(*sentence.key) != (split == "dev"):
            continue
        words = split_words(Span(sentence.text, 0, len(sentence.text)))
        example = Example(
            id=f"{NAME}:{sentence.dataset}:{sentence.record_id}:{sentence.start}",
            words=[w.text for w in words],
            token_labels={head: iob_tags(sentence.text, sentence.spans[head]) for head in TOKEN_HEADS},
            sentence_labels={"event_types": [label for label in EVENT_TYPES if label in sentence.event_types],
                             "pentaclass": [sentence.pentaclass or ""]},
            annotated={"event_types": list(EVENT_TYPES)})
        out.examples.append(example)
        out.stats["sentences"] += 1
        for head in TOKEN_HEADS:
            for span in sentence.spans[head]:
                out.stats[f"{head}:{span['label']}"] += 1
        for label in example.sentence_labels["event_types"]:
            out.stats[f"event_types:{label}"] += 1
        out.stats[f"pentaclass:{sentence.pentaclass}"] += 1
    return out
