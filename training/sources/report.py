"""Counts of what every converter produces, as the Markdown table in docs/conflict-data.md.

Run ``python -m strife.training.sources.report [--data-dir DIR] [--audit-sample N]``;
``--audit-sample`` also writes N extended spans drawn with a fixed seed, for the
extension audit in ``annotations/extension_audit.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from strife.training.data_root import find_data_root
from strife.training.sources import CONVERTERS
from strife.training.sources.base import TRAIN_SPLITS, SpanRecord

#: Seed of the audit sample, fixed so the sample can be redrawn and compared.
AUDIT_SEED = 3


def table(root: Path) -> tuple[str, list[SpanRecord]]:
    """One row per source and split with every counter; all extended spans."""
    rows, spans = [], []
    for name, converter in CONVERTERS.items():
        for split in TRAIN_SPLITS:
            converted = converter.convert(root, split)
            spans.extend(s for s in converted.spans if (s.start, s.end) != (s.head_start, s.head_end))
            counts = ", ".join(f"{k} {v}" for k, v in sorted(converted.stats.items()) if k != "sentences")
            rows.append(f"| {name} | {split} | {converted.stats['sentences']} | {counts} |")
    header = "| source | split | sentences | counts (spans and sentence labels per label, masked or dropped items) |\n|---|---|---|---|"
    return header + "\n" + "\n".join(rows), spans


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--audit-sample", type=int, default=0)
    parser.add_argument("--audit-out", default="extension_sample.jsonl")
    args = parser.parse_args(argv)
    text, spans = table(find_data_root(args.data_dir))
    print(text)
    if args.audit_sample:
        chosen = random.Random(AUDIT_SEED).sample(spans, min(args.audit_sample, len(spans)))
        with open(args.audit_out, "w", encoding="utf-8") as handle:
            for span in chosen:
                handle.write(json.dumps(span.__dict__) + "\n")


if __name__ == "__main__":
    main()
