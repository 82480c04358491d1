"""Sentiment of an entry's text with VADER: offline, deterministic, loaded once per process.

VADER scores short texts; a whole journal entry scored as one "sentence" saturates
towards ±1. So the text is split into sentences and their compound scores averaged,
which keeps long entries comparable with short ones.
"""

from __future__ import annotations

import re
import threading
from typing import Any

_analyzer: Any = None
_lock = threading.Lock()
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
MAX_SENTENCES = 2000


def analyzer() -> Any:
    """The process's one SentimentIntensityAnalyzer (its lexicon takes a moment to load).

    The companion's (sessions_app/companion/sentiment.py): VADER's own checks take time
    growing with the square of a sentence's length, and an entry of emoji with no full
    stop is one sentence of up to 20,000 characters, scored in the request that saves it.
    """
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                from sessions_app.companion.sentiment import analyzer as shared_analyzer

                _analyzer = shared_analyzer()
    return _analyzer


def score(text: str) -> float | None:
    """The mean compound score of the sentences in `text`, in [-1, 1]; None when there is no text."""
    sentences = [part.strip() for part in _SENTENCE.split(text) if part and part.strip()][:MAX_SENTENCES]
    if not sentences:
        return None
    model = analyzer()
    values = [model.polarity_scores(sentence)["compound"] for sentence in sentences]
    return round(max(-1.0, min(1.0, sum(values) / len(values))), 4)
