"""Check an annotation batch and turn it into stand-off gold lines.

Annotators write one JSON object per sentence, quoting span text instead of counting
characters (people miscount; a quote is checked exactly here):

    {"uid": "g004", "actors": [["Taliban", "SOURCE"], ["two guards", "TARGET"]],
     "casualties": [["two guards", "KILLED"]], "event_types": ["attack"],
     "pentaclass": "material_conflict", "note": "optional free text"}

A quote that occurs more than once in the sentence takes a third element, the
0-based occurrence: ``["police", "SOURCE", 1]``. The worklist (``--worklist``) gives
each uid's dataset, record, split and sentence offsets.

``python annotations/build_gold.py --worklist W.jsonl --batch A.jsonl [--output G.jsonl]``
prints every problem with its uid (exit status 1 if any) and the count the
normaliser derives from each casualty span, for the annotator to check
(guidelines 4.4); with ``--output`` and no problems it writes the stand-off lines.
``--log CHANGES.jsonl --stage review`` turns a reviewer's or adjudicator's change log
(quotes again) into stand-off records for ``annotations/gold/changes.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from strife.inference.counts import normalise_count
from strife.inference.segment import Span, split_words
from strife.training.gold import EVENT_TYPES, PENTACLASS, TOKEN_HEADS
_WORD_CHAR = re.compile(r"\w")


def _locate(text: str, quote: str, occurrence: int) -> int | None:
    """Start of the ``occurrence``-th exact match of ``quote`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(quote, start + 1)
        if start < 0:
            return None
    return start


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    inside_first, inside_last = text[start], text[end - 1]
    cuts_start = _WORD_CHAR.match(before) and _WORD_CHAR.match(inside_first)
    cuts_end = _WORD_CHAR.match(after) and _WORD_CHAR.match(inside_last)
    return not (cuts_start or cuts_end) and text[start:end] == text[start:end].strip()


def _snap_to_words(words: list[Span], start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole strife words ("Michael Brown" in "Michael Brown's" becomes
    "Michael Brown's"): the model tags whole words, so a gold span must be reachable."""
    start = max([w.start for w in words if w.start <= start] or [start])
    end = min([w.end for w in words if w.end >= end] or [end])
    return start, end


def check_sentence(work: dict, annotation: dict) -> tuple[list[str], list[dict], list[str]]:
    """Problems, stand-off lines and count read-outs of one annotated sentence."""
    uid, text = work["uid"], work["text"]
    problems: list[str] = []
    lines: list[dict] = []
    counts: list[str] = []
    base = {"dataset": work["dataset"], "split": work["split"], "record_id": work["record_id"],
            "sentence_start": work["sentence_start"]}
    offset = work["sentence_start"]
    words = split_words(Span(text, 0, len(text)))
    for head, labels in TOKEN_HEADS.items():
        taken: list[tuple[int, int]] = []
        for entry in annotation.get(head, []):
            if not isinstance(entry, list) or len(entry) not in (2, 3):
                problems.append(f"{uid} {head}: {entry!r} is not [quote, label] or [quote, label, occurrence]")
                continue
            quote, label = entry[0], entry[1]
            occurrence = entry[2] if len(entry) == 3 else 0
            if label not in labels:
                problems.append(f"{uid} {head}: label {label!r} is not one of {labels}")
                continue
            start = _locate(text, quote, occurrence)
            if start is None:
                problems.append(f"{uid} {head}: {quote!r} (occurrence {occurrence}) is not in the sentence")
                continue
            if len(entry) == 2 and text.count(quote) > 1:
                problems.append(f"{uid} {head}: {quote!r} occurs {text.count(quote)} times; add the occurrence")
            end = start + len(quote)
            if not quote.strip() or not _on_word_boundaries(text, start, end):
                problems.append(f"{uid} {head}: {quote!r} starts or ends inside a word or on a space")
                continue
            start, end = _snap_to_words(words, start, end)
            if any(start < e and s < end for s, e in taken):
                problems.append(f"{uid} {head}: {quote!r} overlaps another {head} span")
                continue
            taken.append((start, end))
            lines.append({**base, "start": offset + start, "end": offset + end, "head": head, "label": label})
            if head == "casualties":
                count = normalise_count(text[start:end])  # exactly as the extractor derives it
                counts.append(f"{uid} {label} {text[start:end]!r} -> {count.to_dict()}")
    for label in annotation.get("event_types", []):
        if label not in EVENT_TYPES:
            problems.append(f"{uid} event_types: {label!r} is not one of {EVENT_TYPES}")
    pentaclass = annotation.get("pentaclass")
    if pentaclass not in PENTACLASS:
        problems.append(f"{uid} pentaclass: {pentaclass!r} is not one of {PENTACLASS}")
    sentence = {"start": work["sentence_start"], "end": work["sentence_end"]}
    lines += [{**base, **sentence, "head": "event_types", "label": label}
              for label in sorted(set(annotation.get("event_types", [])))]
    lines.append({**base, **sentence, "head": "pentaclass", "label": pentaclass})
    return problems, lines, counts


def log_entry(work: dict, change: dict, stage: str) -> dict:
    """A review or adjudication change as a stand-off record: quotes become offsets."""
    before = change.get("before", change.get("pass1"))
    after = change.get("after", change.get("pass2"))

    def value(entry: object) -> object:
        if isinstance(entry, list) and len(entry) in (2, 3) and isinstance(entry[0], str) and entry[1].isupper():
            start = _locate(work["text"], entry[0], entry[2] if len(entry) == 3 else 0)
            if start is None:
                return {"unplaced": True, "label": entry[1]}
            offset = work["sentence_start"]
            return {"start": offset + start, "end": offset + start + len(entry[0]), "label": entry[1]}
        return entry  # sentence labels, null for an added or deleted annotation

    return {"dataset": work["dataset"], "split": work["split"], "record_id": work["record_id"],
            "sentence_start": work["sentence_start"], "stage": stage, "head": change.get("head"),
            "before": value(before), "after": value(after), "section": change.get("section"),
            "reason": change.get("reason")}


def _read(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                sys.exit(f"{path}:{number}: not valid JSON ({exc.msg})")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worklist", type=Path, required=True)
    parser.add_argument("--batch", type=Path)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--log", type=Path, help="convert this change log (review or adjudication) instead")
    parser.add_argument("--stage", default="review", help="with --log: the stage the log records")
    args = parser.parse_args()
    work = {row["uid"]: row for row in _read(args.worklist)}
    if args.log:
        entries = [log_entry(work[change["uid"]], change, args.stage) for change in _read(args.log)]
        text = "".join(json.dumps(entry) + "\n" for entry in entries)
        args.output.write_text(text, encoding="utf-8") if args.output else sys.stdout.write(text)
        return
    if not args.batch:
        parser.error("give --batch (annotations to check) or --log (a change log to convert)")
    problems: list[str] = []
    lines: list[dict] = []
    seen: set[str] = set()
    for annotation in _read(args.batch):
        uid = annotation.get("uid")
        if uid not in work:
            problems.append(f"{uid}: not in the worklist")
            continue
        if uid in seen:
            problems.append(f"{uid}: annotated twice")
        seen.add(uid)
        found, sentence_lines, counts = check_sentence(work[uid], annotation)
        problems += found
        lines += sentence_lines
        for count in counts:
            print(count)
    problems += [f"{uid}: not annotated" for uid in work if uid not in seen]
    for problem in problems:
        print("PROBLEM", problem)
    print(f"{len(seen)} sentences, {len(lines)} stand-off lines, {len(problems)} problems")
    if problems:
        sys.exit(1)
    if args.output:
        args.output.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


if __name__ == "__main__":
    main()
