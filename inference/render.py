"""``strife render``: event records (the JSONL that ``strife score`` writes) to one HTML page.

The page is self-contained (inline CSS, no scripts, fonts or URLs) so it can be mailed
or opened offline. It holds a summary (documents, sentences, errors, label counts), a
colour legend, and per document its id, totals or error, and per sentence the text
with the spans of every token head highlighted plus the sentence-head labels as badges.

Heads are rendered by the shape of their values, never by name, so any model's heads
work:

* a list of dicts with ``start``/``end`` is a *token head*: its spans are highlighted
  in the sentence text (offsets are into the document; the sentence's own ``start`` is
  subtracted). Spans of different heads may overlap: the text is cut into segments at
  every span boundary and each segment is coloured by every span covering it (the first
  as background, the others as stacked underlines), with a label tag where a span ends.
  A span whose offsets do not slice the sentence is skipped and counted in a note.
* a dict with ``label`` is a *single-label sentence head*: one badge.
* a list of dicts with ``label`` and no offsets is a *multi-label sentence head*: badges.
* a dict of numbers (``totals``) is shown as counts.

Everything taken from the data goes through :func:`html.escape`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from strife.errors import DataError, at

#: Sentence keys that are structure, not heads.
_SENTENCE_KEYS = {"index", "start", "end", "text", "windows", "totals"}

#: Light background colours readable under dark text; assigned in sorted (head, label) order.
PALETTE = (
    "#ffd166", "#9ad1f5", "#f4a6a6", "#a8e6a3", "#d7b8f3", "#ffb86b",
    "#8fe3d6", "#f7a8d8", "#c9d98b", "#b8c4f5", "#e8c39e", "#d9d9d9",
)
#: A darker shade of each palette colour, for the underline of a span that overlaps another.
DARK = (
    "#d4a000", "#2f86c8", "#d24545", "#3a9a47", "#9257c9", "#d97400",
    "#1a9a88", "#cc3f93", "#7f9a1f", "#4f63cc", "#a8713c", "#7a7a7a",
)

_CSS = """
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       margin: 0; padding: 16px 24px 48px; color: #1d2433; background: #f6f7f9; line-height: 1.45; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 0; }
.panel { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: 12px 16px; margin-bottom: 14px; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 10px; }
.stat { background: #eef1f6; border-radius: 4px; padding: 4px 10px; font-size: 14px; }
.stat b { font-size: 16px; }
table.counts { border-collapse: collapse; font-size: 13px; }
table.counts th, table.counts td { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; }
table.counts th { color: #5a6270; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; align-items: center; }
.legend .head { font-weight: 600; color: #5a6270; margin-left: 4px; }
.swatch { display: inline-block; padding: 1px 8px; border-radius: 3px; border: 1px solid rgba(0,0,0,.25); }
.doc { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; margin-bottom: 14px; }
.doc > header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: baseline;
                padding: 8px 16px; border-bottom: 1px solid #e3e6eb; background: #fafbfc; border-radius: 6px 6px 0 0; }
.doc .meta { font-size: 12px; color: #6b7280; }
.doc.error { border-color: #e0a3a3; }
.errmsg { margin: 10px 16px; padding: 8px 10px; background: #fdecec; color: #8a1c1c; border-radius: 4px;
          font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; white-space: pre-wrap; }
.sent { display: grid; grid-template-columns: 36px 1fr; gap: 4px 10px; padding: 10px 16px; border-top: 1px solid #f0f1f4; }
.sent:first-of-type { border-top: none; }
.idx { color: #8a919e; font-size: 12px; text-align: right; padding-top: 3px; }
.text { font-size: 16px; line-height: 2.1; white-space: pre-wrap; overflow-wrap: anywhere; }
.seg { border-radius: 2px; padding: 2px 0; }
.tag { font-size: 10.5px; font-weight: 600; line-height: 1; padding: 2px 4px; margin: 0 3px 0 2px; border-radius: 3px;
       border: 1px solid rgba(0,0,0,.3); vertical-align: 2px; white-space: nowrap; }
.tag .score { font-weight: 400; color: #444; }
.labels { grid-column: 2; display: flex; flex-wrap: wrap; gap: 4px 6px; font-size: 12.5px; }
.badge { background: #eef1f6; border: 1px solid #cfd5df; border-radius: 10px; padding: 1px 8px; }
.badge .head { color: #6b7280; }
.badge .score, .muted { color: #6b7280; }
.badge.total { background: #fff4e5; border-color: #f0cf9c; }
.note { grid-column: 2; font-size: 12px; color: #9a6b00; }
"""


def _is_span(item: Any) -> bool:
    return isinstance(item, dict) and "start" in item and "end" in item


def _fmt_score(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return f"{value:.2f}"
    return escape(str(value))


def _fmt_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return escape(str(value))


class _Heads:
    """Classifies every sentence key over the whole record set by the shape of its values."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.token: set[str] = set()
        for sentence in _sentences(records):
            for key, value in sentence.items():
                if key in _SENTENCE_KEYS:
                    continue
                if isinstance(value, list) and any(_is_span(item) for item in value):
                    self.token.add(key)


def _sentences(records: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for record in records:
        sentences = record.get("sentences") if isinstance(record, dict) else None
        if isinstance(sentences, list):
            yield from (s for s in sentences if isinstance(s, dict))


def _label_counts(records: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for sentence in _sentences(records):
        for key, value in sentence.items():
            if key in _SENTENCE_KEYS:
                continue
            if isinstance(value, dict) and "label" in value:
                counts.setdefault(key, Counter())[str(value["label"])] += 1
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and "label" in item:
                        counts.setdefault(key, Counter())[str(item["label"])] += 1
    return counts


def _colours(records: list[dict[str, Any]], heads: _Heads) -> dict[tuple[str, str], str]:
    """A stable colour per (token head, label): palette order over the sorted pairs."""
    pairs = set()
    for sentence in _sentences(records):
        for key in heads.token:
            for item in sentence.get(key) or []:
                if _is_span(item):
                    pairs.add((key, str(item.get("label", key))))
    return {pair: PALETTE[i % len(PALETTE)] for i, pair in enumerate(sorted(pairs))}


def _span_extras(span: dict[str, Any]) -> str:
    """Visible extras of a span: a casualty count and qualifier when present."""
    parts = []
    if span.get("count") is not None:
        parts.append(f"&times;{_fmt_number(span['count'])}")
    if span.get("qualifier"):
        parts.append(escape(str(span["qualifier"])))
    return " ".join(parts)


def _highlight(sentence: dict[str, Any], heads: list[str], colours: dict[tuple[str, str], str]) -> tuple[str, int]:
    """The sentence text with every valid span highlighted; returns (html, skipped spans)."""
    text = sentence.get("text")
    text = text if isinstance(text, str) else ""
    offset = sentence.get("start", 0)
    offset = offset if isinstance(offset, int) and not isinstance(offset, bool) else 0
    spans, skipped = [], 0
    for order, head in enumerate(heads):
        for item in sentence.get(head) or []:
            if not _is_span(item):
                continue
            start, end = item["start"], item["end"]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                skipped += 1
                continue
            start, end = start - offset, end - offset
            if not 0 <= start < end <= len(text):
                skipped += 1
                continue
            label = str(item.get("label", head))
            spans.append((start, end, order, head, label, item))
    spans.sort(key=lambda s: (s[0], s[2], -s[1]))
    cuts = sorted({0, len(text), *(s[0] for s in spans), *(s[1] for s in spans)})
    out = []
    for left, right in zip(cuts, cuts[1:]):
        piece = escape(text[left:right])
        covering = sorted((s for s in spans if s[0] <= left and right <= s[1]), key=lambda s: (s[2], s[0]))
        if covering:
            first = colours[(covering[0][3], covering[0][4])]
            style = f"background:{first}"
            if len(covering) > 1:
                shadows = ", ".join(f"inset 0 -{3 * i}px 0 {DARK[PALETTE.index(colours[(s[3], s[4])])]}"
                                    for i, s in enumerate(covering[1:], start=1))
                style += f"; box-shadow: {shadows}"
            title = "; ".join(f"{s[3]}: {s[4]}" for s in covering)
            out.append(f'<span class="seg" style="{style}" title="{escape(title)}">{piece}</span>')
        else:
            out.append(piece)
        for s in spans:
            if s[1] == right:
                out.append(_tag(s, colours))
    return "".join(out), skipped


def _tag(span: tuple[Any, ...], colours: dict[tuple[str, str], str]) -> str:
    _start, _end, _order, head, label, item = span
    extras = _span_extras(item)
    score = _fmt_score(item.get("score"))
    title = f"{head}: {label} {item.get('text', '')!s}".strip()
    return (f'<span class="tag" style="background:{colours[(head, label)]}" title="{escape(title)}">'
            f"{escape(label)}" + (f" {extras}" if extras else "")
            + (f' <span class="score">{score}</span>' if score else "") + "</span>")


def _badges(sentence: dict[str, Any], heads: _Heads) -> list[str]:
    badges = []
    for key, value in sentence.items():
        if key in _SENTENCE_KEYS or key in heads.token:
            continue
        head = f'<span class="head">{escape(key)}:</span> '
        if isinstance(value, dict) and "label" in value:
            score = _fmt_score(value.get("score"))
            badges.append(f'<span class="badge">{head}{escape(str(value["label"]))}'
                          + (f' <span class="score">{score}</span>' if score else "") + "</span>")
        elif isinstance(value, list):
            labels = [item for item in value if isinstance(item, dict) and "label" in item]
            if not labels:
                badges.append(f'<span class="badge">{head}<span class="muted">none</span></span>')
            for item in labels:
                score = _fmt_score(item.get("score"))
                badges.append(f'<span class="badge">{head}{escape(str(item["label"]))}'
                              + (f' <span class="score">{score}</span>' if score else "") + "</span>")
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            badges.append(f'<span class="badge">{head}{escape(str(value))}</span>')
    totals = sentence.get("totals")
    if isinstance(totals, dict) and totals:
        text = ", ".join(f"{escape(str(k))} {_fmt_number(v)}" for k, v in totals.items())
        badges.append(f'<span class="badge total"><span class="head">totals:</span> {text}</span>')
    return badges


def _totals(totals: Any) -> str:
    if not isinstance(totals, dict) or not totals:
        return ""
    return " ".join(f'<span class="stat">{escape(str(k))} <b>{_fmt_number(v)}</b></span>' for k, v in totals.items())


def _document(number: int, record: Any, heads: _Heads, colours: dict[tuple[str, str], str]) -> str:
    if not isinstance(record, dict):
        record = {"id": f"record {number}", "error": f"not a JSON object: {type(record).__name__}"}
    doc_id = escape(str(record.get("id", f"record {number}")))
    error = record.get("error")
    sentences = [s for s in record.get("sentences") or [] if isinstance(s, dict)]
    model = record.get("model")
    meta = []
    if isinstance(model, dict) and model:
        meta.append("model " + escape(" ".join(str(model[k]) for k in ("name", "version") if k in model)))
    if sentences:
        meta.append(f"{len(sentences)} sentence{'s' if len(sentences) != 1 else ''}")
    parts = [f'<section class="doc{" error" if error else ""}" id="doc-{number}"><header>'
             f"<h2>{doc_id}</h2>"
             + "".join(f'<span class="meta">{m}</span>' for m in meta)
             + f'<span class="stats" style="margin:0">{_totals(record.get("totals"))}</span></header>']
    if error:
        parts.append(f'<div class="errmsg">error: {escape(str(error))}</div>')
    token_heads = sorted(heads.token)
    for position, sentence in enumerate(sentences):
        text, skipped = _highlight(sentence, token_heads, colours)
        index = sentence.get("index", position)
        parts.append(f'<div class="sent"><div class="idx">{escape(str(index))}</div><div class="text">{text}</div>')
        badges = _badges(sentence, heads)
        if badges:
            parts.append(f'<div class="labels">{"".join(badges)}</div>')
        if skipped:
            parts.append(f'<div class="note">{skipped} span{"s" if skipped != 1 else ""} with offsets outside '
                         "this sentence not shown</div>")
        parts.append("</div>")
    if not error and not sentences:
        parts.append('<div class="sent"><div></div><div class="muted">no sentences</div></div>')
    parts.append("</section>")
    return "".join(parts)


def render_html(records: Iterable[dict[str, Any]], title: str = "strife events") -> str:
    """One self-contained HTML page for a set of event records."""
    records = list(records)
    heads = _Heads(records)
    colours = _colours(records, heads)
    counts = _label_counts(records)
    n_sentences = sum(1 for _ in _sentences(records))
    n_errors = sum(1 for r in records if not isinstance(r, dict) or r.get("error"))
    totals: Counter[str] = Counter()
    for record in records:
        if isinstance(record, dict) and isinstance(record.get("totals"), dict):
            for key, value in record["totals"].items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    totals[str(key)] += value

    stats = (f'<span class="stat">documents <b>{len(records)}</b></span>'
             f'<span class="stat">sentences <b>{n_sentences}</b></span>'
             f'<span class="stat">errors <b>{n_errors}</b></span>' + _totals(dict(totals)))
    rows = []
    for head in sorted(counts):
        kind = "spans" if head in heads.token else "labels"
        cells = ", ".join(f"{escape(label)} {n}" for label, n in sorted(counts[head].items(), key=lambda kv: (-kv[1], kv[0])))
        rows.append(f"<tr><th>{escape(head)}</th><td class=\"muted\">{kind}</td><td>{cells}</td></tr>")
    table = f'<table class="counts">{"".join(rows)}</table>' if rows else '<span class="muted">no labels</span>'
    legend_items = []
    for head in sorted(heads.token):
        legend_items.append(f'<span class="head">{escape(head)}</span>')
        for (h, label), colour in sorted(colours.items()):
            if h == head:
                legend_items.append(f'<span class="swatch" style="background:{colour}">{escape(label)}</span>')
    if legend_items:
        legend_items.append('<span class="muted">overlapping spans: colour of the first head, '
                            "underlined in the colour of the others</span>")
    legend = (f'<div class="panel"><div class="legend"><span class="head">Legend</span>{"".join(legend_items)}</div></div>'
              if legend_items else "")
    body = "".join(_document(i, record, heads, colours) for i, record in enumerate(records, start=1))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>"
            f"<h1>{escape(title)}</h1>"
            f'<div class="panel summary"><div class="stats">{stats}</div>{table}</div>'
            f"{legend}{body}</body></html>\n")


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The records of a ``.jsonl`` file; blank lines are skipped, a bad line raises DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: input not found; expected the .jsonl file `strife score` wrote")
    records = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8", errors="replace"))
            except json.JSONDecodeError as exc:
                raise DataError(f"{at(path, number)}: invalid JSON ({exc}); expected one event record per line") from exc
            if not isinstance(record, dict):
                raise DataError(f"{at(path, number)}: expected a JSON object, got {type(record).__name__}")
            records.append(record)
    return records


def render_file(input_path: str | os.PathLike[str], output_path: str | os.PathLike[str],
                title: str | None = None) -> int:
    """Render ``input_path`` (JSONL records) to ``output_path`` (HTML); returns the document count."""
    records = read_records(input_path)
    output = Path(output_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".partial")
    tmp.write_text(render_html(records, title or f"strife events: {Path(input_path).name}"), encoding="utf-8")
    os.replace(tmp, output)
    return len(records)
