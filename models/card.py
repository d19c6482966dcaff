"""The README.md model card written into every checkpoint."""

from __future__ import annotations

from typing import Any

from strife import __version__
from strife.models.config import StrifeConfig


def render_card(config: StrifeConfig, *, encoder: str, datasets: list[str], command: str,
                metrics: dict[str, dict[str, Any]], notes: str = "") -> str:
    """Markdown card: heads, training data, test scores, the recipe's own notes (label
    mapping, failure modes) and the command that made it."""
    lines = [
        "---",
        "library_name: strife",
        "tags: [strife, token-classification, text-classification, conflict-events]",
        "---",
        f"# strife checkpoint ({', '.join(config.heads)})",
        "",
        f"A multi-task model of strife {__version__}: one `{encoder}` encoder and the heads below, "
        "all served by one forward pass. Load it with `strife.models.StrifeModel.from_pretrained(path)`.",
        "",
        "## Heads",
        "",
        "| head | type | labels |",
        "|---|---|---|",
    ]
    for name, spec in config.head_specs.items():
        labels = spec.entity_types if spec.type == "token" else spec.labels
        lines.append(f"| {name} | {spec.type} | {', '.join(labels)} |")
    lines += ["", "## Training data", ""] + [f"- `{name}`" for name in datasets]
    lines += ["", "## Test metrics", "", "| dataset/head | metric | value |", "|---|---|---|"]
    for key, values in metrics.items():
        for metric, value in values.items():
            if isinstance(value, float):
                lines.append(f"| {key} | {metric} | {value:.4f} |")
    if notes.strip():
        lines += ["", notes.strip()]
    lines += ["", "## Reproduce", "", "```", command, "```", ""]
    return "\n".join(lines)
