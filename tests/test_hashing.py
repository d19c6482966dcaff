"""Stable hash buckets: the splits they choose must never move silently."""

from __future__ import annotations

import pytest

from strife.training.hashing import hash_bucket

# Buckets computed with the expressions each caller used before they shared
# hash_bucket: M2E2 test (byte 0 % 5), M2E2 dev (byte 1 % 10), annotated dev
# (4 bytes % 10), silver negatives (6 bytes % 8). A change here moves a split.
PINNED = [
    ("VOA_EN_NW_2016.04.19.3291980", (2, 8, 6, 6)),
    ("VOA_EN_NW_2013.11.05.1784209", (0, 3, 1, 2)),
    ("m2e2:VOA_EN_NW_2014.08.07.2405842_9:0", (2, 4, 3, 3)),
    ("satp:17:5", (1, 4, 5, 5)),
    ("AFP_ENG_20030401.0476:120", (4, 7, 4, 3)),
]


@pytest.mark.parametrize(("key", "expected"), PINNED)
def test_buckets_are_pinned(key: str, expected: tuple[int, int, int, int]) -> None:
    assert (hash_bucket(key, 5), hash_bucket(key, 10, first_byte=1), hash_bucket(key, 10, width=4),
            hash_bucket(key, 8, width=6)) == expected


def test_m2e2_split_follows_the_bucket() -> None:
    from strife.training.documents import m2e2_split
    assert m2e2_split("VOA_EN_NW_2013.11.05.1784209_18") == "test"
    assert m2e2_split("VOA_EN_NW_2016.04.19.3291980_0") == "train"


@pytest.mark.parametrize("kwargs", [{"buckets": 0}, {"buckets": 5, "first_byte": -1},
                                    {"buckets": 5, "width": 0}, {"buckets": 5, "first_byte": 18, "width": 4}])
def test_bad_arguments_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="hash_bucket"):
        hash_bucket("key", **kwargs)
