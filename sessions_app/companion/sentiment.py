"""Stage 2: sentiment, with VADER (Hutto & Gilbert, 2014), a lexicon model that needs no download.

The analyzer reads its lexicon from disk when first used, once per process; the entries
app may use the same loader so a process never holds two copies.
"""

from __future__ import annotations

import functools
import threading

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from entries.sentiment import runs

_lock = threading.Lock()


@functools.cache
def analyzer() -> SentimentIntensityAnalyzer:
    """The process's one VADER analyzer (about 7,500 lexicon entries, loaded on first use)."""
    with _lock:
        return SentimentIntensityAnalyzer()


def score(text: str) -> float:
    """VADER's compound score in [-1, 1]: below -0.05 reads negative, above 0.05 positive.

    A message longer than VADER scores quickly (its cost grows with the square of the words:
    5,000 emoji took over a minute) is the mean of its runs of words (entries.sentiment.runs);
    a message of ordinary length is scored whole, as it always was."""
    if not text.strip():
        return 0.0
    model = analyzer()
    pieces = runs(text, model)
    if len(pieces) == 1:
        return round(float(model.polarity_scores(text)["compound"]), 4)
    values = [float(model.polarity_scores(piece)["compound"]) for piece in pieces]
    return round(sum(values) / len(values), 4)


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
