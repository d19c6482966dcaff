"""``strife render``: event records to a self-contained HTML report.

Unit tests check escaping, generic head handling, error rows and bad input; the
browser test renders a report in headless Chromium (Debian package ``chromium``),
takes a screenshot and checks it is a real, non-blank image of the page, and dumps
the DOM to check the highlights and legend survive parsing. It is skipped when
``chromium`` is not on PATH.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from strife.cli import main
from strife.errors import DataError
from strife.inference.render import PALETTE, render_file, render_html


def _span(doc: str, phrase: str, label: str, score: float, **extra: object) -> dict[str, object]:
    start = doc.index(phrase)
    return {"label": label, "text": phrase, "start": start, "end": start + len(phrase), "score": score, **extra}


def _records() -> list[dict[str, object]]:
    """Two documents and an error record; doc1's second sentence starts mid-document and
    holds an actor span that is also a casualty span (overlap across heads)."""
    first = "On Monday, Taliban militants attacked a checkpoint in Kunduz."
    second = "The attack killed 27 soldiers and wounded 14 police officers."
    doc1 = first + " " + second
    s2 = len(first) + 1
    doc2 = "Police arrested 3 protesters in Dhaka on Friday."
    return [
        {"id": "doc1", "schema": "strife.events/1", "model": {"name": "default", "version": "0.1.0"},
         "sentences": [
             {"index": 0, "start": 0, "end": len(first), "text": first, "windows": 1,
              "actors": [_span(doc1, "Taliban militants", "SOURCE", 0.93), _span(doc1, "a checkpoint", "TARGET", 0.71)],
              "casualties": [],
              "pentaclass": {"label": "material_conflict", "score": 0.91},
              "event_types": [{"label": "attack", "score": 0.97}]},
             {"index": 1, "start": s2, "end": len(doc1), "text": second, "windows": 1,
              "actors": [_span(doc1, "27 soldiers", "TARGET", 0.88), _span(doc1, "14 police officers", "TARGET", 0.8)],
              "casualties": [_span(doc1, "27 soldiers", "KILLED", 0.9, count=27, qualifier="exact"),
                             _span(doc1, "14 police officers", "INJURED", 0.86, count=14, qualifier="exact")],
              "pentaclass": {"label": "material_conflict", "score": 0.95},
              "event_types": [{"label": "attack", "score": 0.9}, {"label": "kill", "score": 0.84}],
              "totals": {"killed": 27, "injured": 14, "captured": 0}}],
         "totals": {"killed": 27, "injured": 14, "captured": 0}, "error": None},
        {"id": "doc2", "schema": "strife.events/1", "model": {"name": "default", "version": "0.1.0"},
         "sentences": [
             {"index": 0, "start": 0, "end": len(doc2), "text": doc2, "windows": 1,
              "actors": [_span(doc2, "Police", "SOURCE", 0.9), _span(doc2, "3 protesters", "TARGET", 0.82)],
              "casualties": [_span(doc2, "3 protesters", "CAPTURED", 0.77, count=3, qualifier="exact")],
              "pentaclass": {"label": "material_conflict", "score": 0.66},
              "event_types": [{"label": "arrest", "score": 0.93}]}],
         "totals": {"killed": 0, "injured": 0, "captured": 3}, "error": None},
        {"id": "line4", "sentences": [], "error": "events.jsonl:4: invalid JSON: Expecting value"},
    ]


class _Collector(HTMLParser):
    """Text of the highlighted segments, the legend swatches and the badges of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.found: dict[str, list[str]] = {"seg": [], "swatch": [], "badge": [], "errmsg": [], "tag": []}
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag in ("meta", "br", "img", "link", "input", "hr"):  # void elements never close
            return
        classes = (dict(attrs).get("class") or "").split()
        kind = next((c for c in classes if c in self.found), "")
        if kind:
            self.found[kind].append("")
        self.stack.append(kind)

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for kind in self.stack:
            if kind:
                self.found[kind][-1] += data


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_render_has_sentences_spans_badges_totals_and_summary() -> None:
    page = render_html(_records(), title="Test report")
    found = _parse(page).found
    assert "Taliban militants" in found["seg"] and "Police" in found["seg"]
    # The overlapping span is highlighted once and carries both heads' tags.
    assert found["seg"].count("27 soldiers") == 1
    assert any(t.startswith("TARGET") for t in found["tag"]) and any("KILLED ×27 exact" in t for t in found["tag"])
    assert any("pentaclass: material_conflict 0.91" in b for b in found["badge"])
    assert any("event_types: kill 0.84" in b for b in found["badge"])
    assert any("totals: killed 27, injured 14, captured 0" in b for b in found["badge"])
    assert sorted(found["swatch"]) == sorted(["SOURCE", "TARGET", "CAPTURED", "INJURED", "KILLED"])
    assert "<title>Test report</title>" in page
    assert "documents <b>3</b>" in page and "sentences <b>3</b>" in page and "errors <b>1</b>" in page
    assert "captured <b>3</b>" in page  # summed document totals
    # Self-contained: no scripts, no external resources.
    assert _parse(page).scripts == 0
    for needle in ("http://", "https://", "src=", "<link", "@import", "url("):
        assert needle not in page


def test_colours_are_stable_and_follow_sorted_labels() -> None:
    records = _records()
    page = render_html(records)
    assert page == render_html(records)
    # Pairs sorted: (actors, SOURCE), (actors, TARGET), (casualties, CAPTURED), (casualties, INJURED), (casualties, KILLED).
    expected = {"SOURCE": 0, "TARGET": 1, "CAPTURED": 2, "INJURED": 3, "KILLED": 4}
    for order in (records, list(reversed(records))):  # independent of document order
        legend = render_html(order).split('class="legend"')[1].split("</div>")[0]
        for label, i in expected.items():
            assert f'class="swatch" style="background:{PALETTE[i]}">{label}<' in legend


def test_everything_from_the_data_is_escaped() -> None:
    record = {"id": "<b>id</b>", "sentences": [
        {"index": 0, "start": 0, "end": 40, "text": "<script>alert(1)</script> & militants",
         "actors": [{"label": "<i>SRC</i>", "text": "militants", "start": 28, "end": 37, "score": 0.5}],
         "pentaclass": {"label": "\"><img onerror=x>", "score": 0.5},
         "notes": "<script>x</script>"}],
        "totals": {"<k>": 1}, "error": None}
    error = {"id": "e", "sentences": [], "error": "<script>bad()</script>"}
    page = render_html([record, error], title="<script>t</script>")
    assert "<script>" not in page and "<img" not in page and "<b>id" not in page and "<i>SRC" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <span class=\"seg\"" in page
    assert "&lt;script&gt;bad()&lt;/script&gt;" in page
    assert _parse(page).scripts == 0
    assert "militants" in _parse(page).found["seg"]


def test_heads_are_rendered_by_shape_not_name() -> None:
    text = "Rebels shelled the town of Idlib."
    record = {"id": "g", "sentences": [{
        "index": 0, "start": 100, "end": 133, "text": text,
        "who": [{"label": "ARMED_GROUP", "text": "Rebels", "start": 100, "end": 106, "score": 0.9}],
        "where": [{"label": "LOC", "text": "Idlib", "start": 127, "end": 132}],
        "mood": {"label": "hostile", "score": 0.7},
        "topics": [{"label": "shelling", "score": 0.6}, {"label": "siege"}],
        "flags": []}], "error": None}
    page = render_html([record])
    found = _parse(page).found
    assert found["seg"] == ["Rebels", "Idlib"]  # offsets relative to the sentence start (100)
    assert sorted(found["swatch"]) == ["ARMED_GROUP", "LOC"]
    assert "mood: hostile 0.70" in found["badge"]
    assert "topics: shelling 0.60" in found["badge"] and "topics: siege" in found["badge"]
    assert "flags: none" in found["badge"]
    assert ">who<" in page and ">where<" in page  # legend groups by head name


def test_bad_offsets_are_skipped_not_fatal() -> None:
    text = "Gunmen killed two villagers."
    record = {"id": "b", "sentences": [{
        "index": 0, "start": 0, "end": len(text), "text": text,
        "actors": [{"label": "SOURCE", "text": "Gunmen", "start": 0, "end": 6},
                   {"label": "TARGET", "text": "far away", "start": 200, "end": 210},
                   {"label": "TARGET", "text": "neg", "start": -3, "end": 2},
                   {"label": "TARGET", "text": "empty", "start": 5, "end": 5},
                   {"label": "TARGET", "text": "bad", "start": "1", "end": None}],
        "casualties": [{"label": "KILLED", "text": "two villagers", "start": 14, "end": 27, "count": 2}]}],
        "error": None}
    found = _parse(render_html([record])).found
    assert found["seg"] == ["Gunmen", "two villagers"]
    assert "4 spans with offsets outside this sentence not shown" in render_html([record])


def test_error_records_render_as_error_rows() -> None:
    page = render_html([{"id": "broken", "sentences": [], "error": "input.jsonl:7: invalid JSON"}])
    found = _parse(page).found
    assert found["errmsg"] == ["error: input.jsonl:7: invalid JSON"]
    assert 'class="doc error"' in page and "errors <b>1</b>" in page


def test_render_file_counts_documents_and_skips_blank_lines(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in _records()) + "\n\n  \n", encoding="utf-8")
    assert render_file(source, tmp_path / "out" / "report.html") == 3
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<title>strife events: events.jsonl</title>" in page
    assert not list((tmp_path / "out").glob("*.partial"))


def test_bad_json_line_raises_data_error_naming_the_line(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text(json.dumps(_records()[0]) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"events\.jsonl:3: invalid JSON"):
        render_file(source, tmp_path / "report.html")
    source.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"events\.jsonl:1: expected a JSON object"):
        render_file(source, tmp_path / "report.html")
    with pytest.raises(DataError, match="input not found"):
        render_file(tmp_path / "missing.jsonl", tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


def test_cli_render(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, output = tmp_path / "events.jsonl", tmp_path / "report.html"
    source.write_text("\n".join(json.dumps(r) for r in _records()), encoding="utf-8")
    assert main(["render", "--input", str(source), "--output", str(output), "--title", "Weekly"]) == 0
    assert capsys.readouterr().out.strip() == f"3 documents -> {output}"
    assert "<title>Weekly</title>" in output.read_text(encoding="utf-8")
    source.write_text("{oops\n", encoding="utf-8")
    assert main(["render", "--input", str(source), "--output", str(output)]) == 2
    assert "events.jsonl:1" in capsys.readouterr().err


# --------------------------------------------------------------------------- browser

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--force-device-scale-factor=1", "--hide-scrollbars"]
WIDTH, HEIGHT = 1200, 900


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def _png_chunks(data: bytes) -> dict[bytes, list[bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    chunks: dict[bytes, list[bytes]] = {}
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return chunks


@pytest.mark.skipif(CHROMIUM is None, reason="headless browser test needs `chromium` on PATH "
                                               "(Debian: apt-get install -y chromium)")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    source, report = tmp_path / "events.jsonl", tmp_path / "report.html"
    source.write_text("\n".join(json.dumps(r) for r in _records()), encoding="utf-8")
    render_file(source, report)
    shot = tmp_path / "shot.png"

    started = time.perf_counter()
    result = _chromium([f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", report.as_uri()],
                       tmp_path / "profile-shot")
    assert shot.is_file(), f"no screenshot (rc {result.returncode}): {result.stderr[-2000:]}"
    data = shot.read_bytes()
    chunks = _png_chunks(data)
    width, height = struct.unpack(">II", chunks[b"IHDR"][0][:8])
    assert (width, height) == (WIDTH, HEIGHT)
    pixels = zlib.decompress(b"".join(chunks[b"IDAT"]))
    assert len(set(pixels)) > 16, "screenshot decodes to a near-constant image"

    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        Image = None
    if Image is not None:
        with Image.open(shot) as image:
            rgb = image.convert("RGB")
            colours = rgb.getcolors(maxcolors=WIDTH * HEIGHT)
        assert len(colours) > 50, "screenshot is (nearly) a single colour"
        assert max(n for n, _ in colours) < 0.97 * WIDTH * HEIGHT, "screenshot is (nearly) blank"
        present = {c for _, c in colours}
        # The highlight colours of spans visible at the top of the page were painted.
        for hex_colour in (PALETTE[0], PALETTE[1], PALETTE[4]):  # SOURCE, TARGET, KILLED
            rgb_colour = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
            assert rgb_colour in present, f"highlight colour {hex_colour} missing from the screenshot"

    dom = _chromium(["--dump-dom", report.as_uri()], tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = _parse(dom.stdout).found
    assert {"Taliban militants", "27 soldiers", "14 police officers", "3 protesters"} <= set(found["seg"])
    assert sorted(found["swatch"]) == sorted(["SOURCE", "TARGET", "CAPTURED", "INJURED", "KILLED"])
    assert found["errmsg"] and "invalid JSON" in found["errmsg"][0]
    elapsed = time.perf_counter() - started
    print(f"chromium screenshot + dump-dom: {elapsed:.1f} s, screenshot {shot} ({len(data)} bytes)")
