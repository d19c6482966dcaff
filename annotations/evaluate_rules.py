"""Rough precision and recall of the rule-based casualty labeller on training references.

Not the gold set (that is the test set): these are other projects' labels, so the
figures are rough. A prediction matches a reference when it has the same label and
overlaps the reference's words (the references mark head words or names, strife marks
whole phrases, guidelines 8).

- **M2E2 train** (documents hashed to train, :func:`strife.training.documents.m2e2_split`):
  Life:Die ``Victim`` -> KILLED, Justice:Arrest-Jail ``Person`` -> CAPTURED; every
  sentence is scored, so both precision and recall. Pronoun arguments are left out of
  recall (guidelines 3.4 gives them no span). M2E2 has no injury events.
- **GVDB dev** (``gvdb/dev.tsv``): victims' names with "killed" / "injured" outcomes;
  recall only (a victim named anywhere in the article is found if some predicted span of
  the right label covers the name in some sentence), since unnamed victims carry no offsets.

``python annotations/evaluate_rules.py [--data-dir DIR]``
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

from strife.inference.segment import split_sentences
from strife.models.casualty_rules import label_casualties
from strife.training.data_root import find_data_root
from strife.training.documents import m2e2_items, m2e2_split

M2E2_ROLES = {("Life:Die", "Victim"): "KILLED", ("Justice:Arrest-Jail", "Person"): "CAPTURED"}
PRONOUNS = frozenset("he she they him her them it who i we you his their whom".split())


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _word_offsets(item: dict) -> list[tuple[int, int]]:
    """Character offsets of M2E2's words inside the sentence (its index may be document-based)."""
    shift = 0 if item["sentence"][int(item["index"][0][0]):].startswith(item["words"][0]) else item["sentence_start"]
    return [(int(a) - shift, int(b) - shift + 1) for a, b in item["index"]]


def evaluate_m2e2(root: Path) -> Counter:
    """True/false positives and false negatives per label on M2E2 train sentences."""
    tally: Counter = Counter()
    for item in m2e2_items(root):
        if m2e2_split(item["sentence_id"]) != "train":
            continue
        offsets = _word_offsets(item)
        gold = set()
        for event in item["golden-event-mentions"]:
            for argument in event["arguments"]:
                label = M2E2_ROLES.get((event["event_type"], argument["role"]))
                if label and argument["text"].lower() not in PRONOUNS:
                    gold.add((offsets[argument["start"]][0], offsets[argument["end"] - 1][1], label))
        predicted = [(s.start, s.end, s.label) for s in label_casualties(item["sentence"])
                     if s.label in M2E2_ROLES.values()]
        for start, end, label in predicted:
            hit = any(g[2] == label and _overlaps((start, end), g[:2]) for g in gold)
            tally[(label, "tp" if hit else "fp")] += 1
        for start, end, label in gold:
            if not any(p[2] == label and _overlaps((start, end), p[:2]) for p in predicted):
                tally[(label, "fn")] += 1
    return tally


def evaluate_gvdb(root: Path) -> Counter:
    """Named GVDB dev victims found (per outcome) and the number of predicted spans."""
    tally: Counter = Counter()
    csv.field_size_limit(1 << 30)
    with (root / "gvdb/dev.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            text, info = row["Full text"], json.loads(row["Json"])
            spans = [(sentence.start + s.start, sentence.start + s.end, s.label)
                     for sentence in split_sentences(text) for s in label_casualties(sentence.text)]
            for label in ("KILLED", "INJURED"):
                tally[(label, "predicted")] += sum(1 for s in spans if s[2] == label)
            for victim in info.get("victim-section", []):
                name = (victim.get("name") or {}).get("value", "").strip()
                outcome = "KILLED" if "killed" in victim.get("victim-was", []) else (
                    "INJURED" if {"injured", "hospitalized"} & set(victim.get("victim-was", [])) else None)
                if not name or outcome is None:
                    continue
                places = [(i, i + len(name)) for i in _all(text, name)]
                found = any(s[2] == outcome and _overlaps(p, s[:2]) for p in places for s in spans)
                tally[(outcome, "found" if found else "missed")] += 1
    return tally


def _all(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None)
    root = find_data_root(parser.parse_args().data_dir)
    m2e2 = evaluate_m2e2(root)
    print("M2E2 train (overlap match)")
    for label in M2E2_ROLES.values():
        tp, fp, fn = m2e2[(label, "tp")], m2e2[(label, "fp")], m2e2[(label, "fn")]
        print(f"  {label:9} precision {tp / max(tp + fp, 1):.2f} ({tp}/{tp + fp})  "
              f"recall {tp / max(tp + fn, 1):.2f} ({tp}/{tp + fn})")
    gvdb = evaluate_gvdb(root)
    print("GVDB dev (named victims, recall only)")
    for label in ("KILLED", "INJURED"):
        found, missed = gvdb[(label, "found")], gvdb[(label, "missed")]
        print(f"  {label:9} recall {found / max(found + missed, 1):.2f} ({found}/{found + missed}); "
              f"{gvdb[(label, 'predicted')]} spans predicted")


if __name__ == "__main__":
    main()
