"""Overlapping windows over a sentence that is longer than the encoder's window.

A long sentence is never truncated: it is cut into runs of words that fit, each
overlapping the previous one, and every word takes its prediction from the window in
which it sits furthest from an edge, where the encoder saw the most context.
"""

from __future__ import annotations


def plan_windows(lengths: list[int], budget: int, overlap: int) -> list[tuple[int, int]]:
    """Word ranges ``[start, end)`` covering all words, each within ``budget`` sub-words.

    Consecutive windows share up to ``overlap`` sub-words of whole words. A single
    word longer than the budget gets a window of its own (its pieces are cut).

    >>> plan_windows([1, 1, 1, 1, 1, 1], budget=4, overlap=2)
    [(0, 4), (2, 6)]
    """
    n = len(lengths)
    if n == 0:
        return [(0, 0)]
    windows: list[tuple[int, int]] = []
    start = 0
    while True:
        end, used = start, 0
        while end < n and used + lengths[end] <= budget:
            used += lengths[end]
            end += 1
        end = max(end, start + 1)
        windows.append((start, end))
        if end >= n:
            return windows
        back, shared = end, 0
        while back - 1 > start and shared + lengths[back - 1] <= overlap:
            back -= 1
            shared += lengths[back]
        start = back


def assign_words(windows: list[tuple[int, int]], n_words: int) -> list[int]:
    """For each word, the index of the window where it is furthest from an edge
    (the first such window on ties). Linear in the total window length.

    >>> assign_words([(0, 4), (2, 6)], 6)
    [0, 0, 0, 1, 1, 1]
    """
    chosen = [0] * n_words
    best = [-1] * n_words
    for index, (start, end) in enumerate(windows):
        for word in range(start, end):
            margin = min(word - start, end - 1 - word)
            if margin > best[word]:
                best[word], chosen[word] = margin, index
    return chosen
