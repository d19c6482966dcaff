"""Head modules and their masked losses.

Datasets annotate different things, so every loss here ignores examples (and, for
multi-label heads, individual labels) that carry no annotation instead of treating
"not annotated" as "negative".
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

IGNORE_INDEX = -100


class TokenHead(nn.Module):
    """Per-token BIO logits from the encoder's last hidden states."""

    def __init__(self, hidden_size: int, num_labels: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.dropout(hidden))


class SentenceHead(nn.Module):
    """Sentence logits from the mean of the token states.

    Mean pooling rather than ``[CLS]``: sentence-transformers encoders such as
    all-MiniLM-L6-v2 were trained with mean pooling, so it is their natural summary.
    """

    def __init__(self, hidden_size: int, num_labels: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.classifier(self.dropout(pooled))


def token_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor | None:
    """Cross-entropy over labelled sub-words; ``None`` when the batch has none."""
    if not bool((labels != IGNORE_INDEX).any()):
        return None
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=IGNORE_INDEX)


def single_label_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor | None:
    """Cross-entropy over examples with a label (others carry ``IGNORE_INDEX``)."""
    if not bool((labels != IGNORE_INDEX).any()):
        return None
    return F.cross_entropy(logits, labels, ignore_index=IGNORE_INDEX)


def multi_label_loss(logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor | None:
    """Binary cross-entropy averaged over the (example, label) cells that are annotated."""
    total = mask.sum()
    if float(total) == 0.0:
        return None
    losses = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype), reduction="none")
    return (losses * mask).sum() / total
