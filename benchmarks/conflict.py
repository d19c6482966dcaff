"""Score a conflict checkpoint and the rule baseline on the hand-checked gold set.

    python benchmarks/conflict.py --model runs/conflict/model --json docs/conflict-model.json

Each gold sentence is given to the extractor as its own document (the gold unit is a
sentence of strife's segmenter, so it comes back as one sentence; if it ever splits,
the parts' spans are joined and the first part's sentence labels are used). The rule
baseline (``strife.models.casualty_rules``) only tags casualties, so it is scored on
the casualty head and counts. The "model" column is what the extractor ships: casualty
types checked against the rules (``strife.inference.casualty_types``); the "tagger
types only" column scores the same checkpoint with the tagger's own types.
``--backend onnx [--quantized]`` scores an export, which is how the int8 accuracy change
of issue 5 is measured. ``--annotated-dev`` scores the dev sentences of the
hand-annotated training set instead of the gold set: the place to choose decoding
changes without looking at the gold set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from strife.inference import Extractor
from strife.models.casualty_rules import label_casualties
from strife.training.gold import GOLD_PATH, TOKEN_HEADS, GoldSentence, load_gold, score
from strife.training.sources import annotated


def model_predictions(gold: list[GoldSentence], extractor: Extractor) -> list[dict[str, Any]]:
    """Sentence-relative spans and sentence labels of the checkpoint for every gold sentence."""
    results = extractor.extract([{"id": str(i), "text": g.text} for i, g in enumerate(gold)])
    predictions = []
    for result in results:
        parts = result["sentences"]
        # The document is the sentence, so document offsets are sentence offsets.
        spans = {head: [span for part in parts for span in part[head]] for head in TOKEN_HEADS if parts and head in parts[0]}
        prediction: dict[str, Any] = {"spans": spans}
        if parts and "event_types" in parts[0]:
            prediction["event_types"] = [label["label"] for label in parts[0]["event_types"]]
        if parts and "pentaclass" in parts[0]:
            prediction["pentaclass"] = parts[0]["pentaclass"]["label"]
        predictions.append(prediction)
    return predictions


def rule_predictions(gold: list[GoldSentence]) -> list[dict[str, Any]]:
    """Casualty spans of the rule-based labeller for every gold sentence."""
    return [{"spans": {"casualties": [{"start": s.start, "end": s.end, "label": s.label}
                                      for s in label_casualties(g.text)]}} for g in gold]


def union(model: list[dict[str, Any]], rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The model's predictions with each rule casualty span added where it overlaps no
    model casualty span: an analysis of how complementary the two are, not a product."""
    combined = []
    for m, r in zip(model, rules):
        spans = list(m["spans"].get("casualties", []))
        spans += [x for x in r["spans"]["casualties"] if all(x["end"] <= y["start"] or y["end"] <= x["start"] for y in spans)]
        combined.append({**m, "spans": {**m["spans"], "casualties": spans}})
    return combined


def describe(gold: list[GoldSentence]) -> dict[str, Any]:
    """What the gold set holds: sentences per source, spans per label, sentence labels."""
    spans = Counter(f"{head}/{s['label']}" for g in gold for head in TOKEN_HEADS for s in g.spans[head])
    return {"sentences": len(gold), "by_source": dict(Counter(g.dataset for g in gold)),
            "spans": dict(sorted(spans.items())),
            "event_types": dict(Counter(label for g in gold for label in g.event_types)),
            "pentaclass": dict(Counter(g.pentaclass for g in gold))}


def table(columns: dict[str, dict[str, Any]]) -> str:
    """The headline figures of each labeller side by side, as a Markdown table."""
    rows = [("casualties span F1 micro", ("casualties", "f1_micro")),
            ("casualties span F1 macro", ("casualties", "f1_macro")),
            *[(f"casualties {t} F1", ("casualties", "per_type", t, "f1-score")) for t in TOKEN_HEADS["casualties"]],
            *[(f"{kind} exact count accuracy", ("counts", kind, "exact_accuracy")) for kind in ("killed", "injured", "captured")],
            *[(f"{kind} count MAE", ("counts", kind, "mae")) for kind in ("killed", "injured", "captured")],
            ("actors span F1 micro", ("actors", "f1_micro")), ("actors span F1 macro", ("actors", "f1_macro")),
            ("event_types macro F1", ("event_types", "f1_macro")), ("pentaclass macro F1", ("pentaclass", "f1_macro"))]

    def get(scores: dict[str, Any], path: tuple[str, ...]) -> str:
        value: Any = scores
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return "—"
            value = value[key]
        return "—" if value is None else f"{value:.3f}"

    lines = ["| metric | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    lines += [f"| {name} | " + " | ".join(get(c, path) for c in columns.values()) + " |" for name, path in rows]
    return "\n".join(lines)


def by_source(gold: list[GoldSentence], labellers: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Span F1 per gold source for each labeller: where a model is weak tells which
    styles need training data (it chose the second annotation round)."""
    out: dict[str, dict[str, Any]] = {}
    for dataset in sorted({g.dataset for g in gold}):
        rows = [i for i, g in enumerate(gold) if g.dataset == dataset]
        subset = [gold[i] for i in rows]
        out[dataset] = {"sentences": len(rows)}
        for name, predictions in labellers.items():
            scores = score(subset, [predictions[i] for i in rows])
            out[dataset][name] = {head: scores[head]["f1_micro"] for head in TOKEN_HEADS
                                  if scores.get(head, {}).get("f1_micro") is not None}
    return out


def source_table(per_source: dict[str, dict[str, Any]]) -> str:
    """:func:`by_source` as a Markdown table."""
    columns = [(name, head) for name, heads in next(iter(per_source.values())).items() if name != "sentences"
               for head in heads]
    lines = ["| source | sentences | " + " | ".join(f"{name} {head} F1" for name, head in columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    lines += [f"| {dataset} | {row['sentences']} | " + " | ".join(f"{row[name][head]:.3f}" for name, head in columns) + " |"
              for dataset, row in per_source.items()]
    return "\n".join(lines)


def add_to_card(model_dir: Path, markdown: str, gold: dict[str, Any]) -> None:
    """Put the gold-set table into the checkpoint's README model card (replacing an
    earlier one), so the card that travels with the weights carries the figures."""
    card_path = model_dir / "README.md"
    card = card_path.read_text(encoding="utf-8")
    heading = "## Gold-set scores"
    if heading in card:
        start = card.index(heading)
        end = card.find("\n## ", start + len(heading))
        card = card[:start] + card[end + 1:] if end >= 0 else card[:start]
    section = (f"{heading}\n\nOn the hand-checked gold set ({gold['sentences']} sentences from held-out splits; "
               f"`annotations/gold`, never trained on), beside the rule baseline:\n\n{markdown}\n\n")
    at = card.find("## Reproduce")
    card_path.write_text(card[:at] + section + card[at:] if at >= 0 else card + "\n" + section, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="checkpoint folder, or ONNX export folder with --backend onnx; "
                                        "without it only the rule baseline is scored")
    parser.add_argument("--gold", default=str(GOLD_PATH))
    parser.add_argument("--annotated-dev", action="store_true",
                        help="score the hand-annotated set's dev sentences instead of --gold")
    parser.add_argument("--data-dir")
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx"])
    parser.add_argument("--quantized", action="store_true", help="with --backend onnx: the int8 graph")
    parser.add_argument("--json", help="write all figures here")
    parser.add_argument("--card", action="store_true", help="also add the table to the checkpoint's model card")
    args = parser.parse_args(argv)
    if args.annotated_dev and args.card:
        parser.error("--card writes gold-set scores; it cannot be combined with --annotated-dev")
    if args.annotated_dev:
        gold = [g for path in annotated.paths() for g in load_gold(path, args.data_dir) if annotated.is_dev(*g.key)]
    else:
        gold = load_gold(args.gold, args.data_dir)
    report: dict[str, Any] = {"command": "python " + " ".join(sys.argv), "gold": describe(gold), "scores": {}}
    rules = rule_predictions(gold)
    if args.model:
        extractor = Extractor.from_pretrained(args.model, backend=args.backend, quantized=args.quantized)
        started = time.perf_counter()
        predicted = model_predictions(gold, extractor)
        seconds = round(time.perf_counter() - started, 1)
        report["scores"]["model"] = score(gold, predicted)
        report["scores"]["model_plus_rules"] = score(gold, union(predicted, rules))
        tagger = Extractor.from_pretrained(args.model, backend=args.backend, quantized=args.quantized,
                                           rule_types=False)
        report["scores"]["tagger_types"] = score(gold, model_predictions(gold, tagger))
        report["by_source"] = by_source(gold, {"model": predicted, "rules": rules})
        report.update(model=args.model, backend=extractor.model_info["backend"],
                      scoring_seconds=seconds)
    report["scores"]["rule_baseline"] = score(gold, rules)
    names = {"model": "model", "rule_baseline": "rule baseline", "tagger_types": "tagger types only (analysis)",
             "model_plus_rules": "model + rules (analysis)"}
    markdown = table({names[k]: report["scores"][k] for k in names if k in report["scores"]})
    print(markdown)
    if "by_source" in report:
        print("\n" + source_table(report["by_source"]))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.card and args.model and args.backend == "torch":
        add_to_card(Path(args.model), markdown, report["gold"])


if __name__ == "__main__":
    main()
