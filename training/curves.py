"""Plot the learning curves of a run to a PNG (training loss and dev score)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_curves(log: list[dict[str, object]], path: Path) -> None:
    """Loss per logged step on the left, dev score per epoch on the right."""
    losses = [(e["step"], e["loss"]) for e in log if "loss" in e]
    devs = [(e["epoch"], e["dev_score"]) for e in log if "dev_score" in e]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    if losses:
        left.plot(*zip(*losses))
    left.set(title="training loss", xlabel="step", ylabel="loss")
    if devs:
        right.plot(*zip(*devs), marker="o")
    right.set(title="dev score (selection metric)", xlabel="epoch", ylabel="score")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
