"""Raw articles to event records: segmentation, windowed scoring, span decoding."""

from strife.inference.extractor import Extractor

__all__ = ["Extractor"]
