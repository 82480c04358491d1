"""Stage 2: sentiment, with VADER (Hutto & Gilbert, 2014), a lexicon model that needs no download.

The analyzer reads its lexicon from disk when first used, once per process; the entries
app may use the same loader so a process never holds two copies.
"""

from __future__ import annotations

import functools
import threading

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_lock = threading.Lock()


@functools.cache
def analyzer() -> SentimentIntensityAnalyzer:
    """The process's one VADER analyzer (about 7,500 lexicon entries, loaded on first use)."""
    with _lock:
        return SentimentIntensityAnalyzer()


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
