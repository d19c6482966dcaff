"""Inter-annotator agreement between two stand-off annotations of the same sentences.

``python annotations/agreement.py annotations/gold/agreement/pass1.jsonl annotations/gold/agreement/blind.jsonl``

Guidelines section 9.4: strict span F1 per token head and label (one annotator taken
as gold, which makes F1 symmetric), Cohen's kappa for ``pentaclass`` and for each
``event_types`` label, over the sentences both files annotate.
"""

from __future__ import annotations

import argparse
import json

from sklearn.metrics import cohen_kappa_score

from strife.training.gold import EVENT_TYPES, TOKEN_HEADS, GoldSentence, iob_tags, load_gold
from strife.training.metrics import token_metrics


def agreement(first: list[GoldSentence], second: list[GoldSentence]) -> dict[str, object]:
    """Span F1 and kappas over the sentences the two lists share."""
    by_key = {g.key: g for g in second}
    pairs = [(a, by_key[a.key]) for a in first if a.key in by_key]
    result: dict[str, object] = {"sentences": len(pairs)}
    for head in TOKEN_HEADS:
        scores = token_metrics([iob_tags(a.text, a.spans[head]) for a, _ in pairs],
                               [iob_tags(b.text, b.spans[head]) for _, b in pairs])
        result[head] = {"f1_micro": scores["f1_micro"],
                        "per_type": {t: v["f1-score"] for t, v in scores["per_type"].items()}}
    result["pentaclass_kappa"] = _kappa([a.pentaclass for a, _ in pairs], [b.pentaclass for _, b in pairs])
    result["event_types_kappa"] = {
        label: _kappa([label in a.event_types for a, _ in pairs], [label in b.event_types for _, b in pairs])
        for label in EVENT_TYPES}
    return result


def _kappa(first: list[object], second: list[object]) -> float | None:
    """Cohen's kappa; None when both annotators used one value only (kappa undefined)."""
    if len(set(first) | set(second)) < 2:
        return None
    return float(cohen_kappa_score(first, second))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    print(json.dumps(agreement(load_gold(args.first, args.data_dir), load_gold(args.second, args.data_dir)), indent=1))


if __name__ == "__main__":
    main()
