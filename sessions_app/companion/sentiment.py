"""Stage 2: sentiment, with VADER (Hutto & Gilbert, 2014), a lexicon model that needs no download.

The analyzer reads its lexicon from disk when first used, once per process; the entries
app may use the same loader so a process never holds two copies.
"""

from __future__ import annotations

import functools
import heapq
import threading

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_lock = threading.Lock()


class LinearAnalyzer(SentimentIntensityAnalyzer):
    """VADER, scoring exactly as it does, in time that grows with the text's length.

    VADER's negation and idiom checks lower-case the text's whole word list again for
    each sentiment word they look at, so scoring took time growing with the square of
    the length: a message of 5,000 emoji (VADER reads each as its name, "face with tears
    of joy") held a request for two minutes. Each check reads at most three words before
    the one it looks at and two after it; it is given that window instead. The "but"
    check looked each score up from the start of the list, for every score: it keeps,
    for each value, where it stands.
    """

    @staticmethod
    def _but_check(words_and_emoticons: list[str], sentiments: list[float]) -> list[float]:
        # VADER's loop, to the letter: for each score in turn, the *first* score equal to it
        # is halved before the first "but" and raised by half after it. `list.index` made
        # that a scan per score; a heap of positions per value finds the first one.
        words = [str(word).lower() for word in words_and_emoticons]
        if "but" not in words:
            return sentiments
        but_at = words.index("but")
        where: dict[float, list[int]] = {}
        for position, value in enumerate(sentiments):
            where.setdefault(value, []).append(position)  # ascending: already a heap
        for position in range(len(sentiments)):
            value = sentiments[position]
            positions = where[value]
            while sentiments[positions[0]] != value:  # moved to another value since
                heapq.heappop(positions)
            first = positions[0]
            if first == but_at:
                continue
            changed = value * (0.5 if first < but_at else 1.5)
            sentiments[first] = changed
            heapq.heappush(where.setdefault(changed, []), first)
        return sentiments

    @staticmethod
    def _negation_check(valence: float, words_and_emoticons: list[str], start_i: int, i: int) -> float:
        start = max(0, i - 3)
        window = words_and_emoticons[start : i + 3]
        return SentimentIntensityAnalyzer._negation_check(valence, window, start_i, i - start)

    @staticmethod
    def _special_idioms_check(valence: float, words_and_emoticons: list[str], i: int) -> float:
        start = max(0, i - 3)
        window = words_and_emoticons[start : i + 3]
        return SentimentIntensityAnalyzer._special_idioms_check(valence, window, i - start)


@functools.cache
def analyzer() -> SentimentIntensityAnalyzer:
    """The process's one VADER analyzer (about 7,500 lexicon entries, loaded on first use)."""
    with _lock:
        return LinearAnalyzer()


def score(text: str) -> float:
    """VADER's compound score in [-1, 1]: below -0.05 reads negative, above 0.05 positive."""
    if not text.strip():
        return 0.0
    return round(float(analyzer().polarity_scores(text)["compound"]), 4)


def describe(value: float) -> str:
    """Plain words for a compound score, for summaries."""
    if value <= -0.5:
        return "quite heavy"
    if value < -0.05:
        return "somewhat heavy"
    if value <= 0.05:
        return "fairly neutral"
    if value < 0.5:
        return "somewhat light"
    return "quite light"
