"""Overlapping windows: every word covered, budgets kept, predictions from the most central window."""

from __future__ import annotations

import random

import pytest

from strife.inference.windows import assign_words, plan_windows


@pytest.mark.parametrize("seed", range(20))
def test_windows_cover_every_word_within_budget_and_overlap(seed: int) -> None:
    rng = random.Random(seed)
    lengths = [rng.randint(1, 5) for _ in range(rng.randint(1, 300))]
    windows = plan_windows(lengths, budget=30, overlap=8)
    covered = set()
    for start, end in windows:
        assert sum(lengths[start:end]) <= 30
        covered.update(range(start, end))
    assert covered == set(range(len(lengths)))
    for (s1, e1), (s2, e2) in zip(windows, windows[1:]):
        assert s1 < s2 <= e1 and e2 > e1  # moves forward, never leaves a gap
    assert windows[-1][1] == len(lengths)


def test_a_word_longer_than_the_budget_gets_its_own_window() -> None:
    assert plan_windows([2, 50, 2], budget=10, overlap=2) == [(0, 1), (1, 2), (2, 3)]


def test_empty_sentence_has_one_empty_window() -> None:
    assert plan_windows([], budget=10, overlap=2) == [(0, 0)]


def test_each_word_uses_the_window_where_it_is_most_central() -> None:
    chosen = assign_words([(0, 10), (6, 16)], 16)
    assert chosen[2] == 0
    assert chosen[9] == 1  # margin 0 in the first window, 3 in the second
    assert chosen[15] == 1
    assert len(chosen) == 16
