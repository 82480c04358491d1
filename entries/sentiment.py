"""Sentiment of an entry's text with VADER: offline, deterministic, loaded once per process.

VADER scores short texts; a whole journal entry scored as one "sentence" saturates
towards ±1. So the text is split into sentences and their compound scores averaged,
which keeps long entries comparable with short ones.

VADER's cost grows with the square of a sentence's length (for each sentiment word it
lower-cases the whole sentence again, several times), so a text without sentence
punctuation took seconds to minutes: dictation, a pasted list, a run of emoji (which VADER
reads as their names, "grinning face"). 2,200 times "good day" (20,000 characters) held
an entry write 13 s; 2,500 emoji in a chat message 7 s, 5,000 past the server's timeout.
A sentence longer than MAX_RUN_WORDS words is therefore scored in runs of at most that
many: VADER's rules look no more than three words back, so a run keeps what they need, and
a sentence of ordinary length is scored exactly as before.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

_analyzer: Any = None
_lock = threading.Lock()
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
MAX_SENTENCES = 2000
MAX_RUN_WORDS = 40


def analyzer() -> Any:
    """The process's one SentimentIntensityAnalyzer (its lexicon takes a moment to load)."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


def _emoji_names(model: Any) -> Mapping[str, str]:
    # VADER's emoji lexicon (character -> name); a stand-in analyzer (the benchmark's memo) may lack one.
    return getattr(model, "emojis", None) or getattr(getattr(model, "_real", None), "emojis", None) or {}


def _token_parts(token: str, emojis: Mapping[str, str]) -> Iterator[tuple[str, int]]:
    """`token` with its weight in VADER's words (an emoji counts the words of its name), cut
    into parts of at most MAX_RUN_WORDS words when it is a long run of emoji."""
    weights = [len(emojis[char].split()) if char in emojis else 0 for char in token]
    if 1 + sum(weights) <= MAX_RUN_WORDS:
        yield token, 1 + sum(weights)
        return
    start, weight = 0, 1
    for index, char_weight in enumerate(weights):
        if index > start and weight + char_weight > MAX_RUN_WORDS:
            yield token[start:index], weight
            start, weight = index, 1
        weight += char_weight
    yield token[start:], weight


def runs(sentence: str, model: Any = None) -> list[str]:
    """`sentence` as pieces VADER scores in linear time: itself when it has at most
    MAX_RUN_WORDS words (as VADER counts them), else consecutive runs of at most that many."""
    emojis = _emoji_names(model if model is not None else analyzer())
    pieces: list[str] = []
    current: list[str] = []
    weight = 0
    for token in sentence.split():
        for part, part_weight in _token_parts(token, emojis):
            if current and weight + part_weight > MAX_RUN_WORDS:
                pieces.append(" ".join(current))
                current, weight = [], 0
            current.append(part)
            weight += part_weight
    if not pieces:
        return [sentence] if current else []
    pieces.append(" ".join(current))
    return pieces


def score(text: str) -> float | None:
    """The mean compound score of the sentences in `text`, in [-1, 1]; None when there is no text.

    A sentence too long for VADER to score quickly counts as its runs (`runs`)."""
    model = analyzer()
    sentences = (part.strip() for part in _SENTENCE.split(text) if part and part.strip())
    pieces = [piece for sentence in sentences for piece in runs(sentence, model)][:MAX_SENTENCES]
    if not pieces:
        return None
    values = [model.polarity_scores(piece)["compound"] for piece in pieces]
    return round(max(-1.0, min(1.0, sum(values) / len(values))), 4)
