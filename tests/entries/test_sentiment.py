"""Sentiment stays linear in the text: VADER is quadratic in the length of what it is given.

A text without sentence punctuation (dictation, a pasted list, a run of emoji) was one
"sentence" to VADER: 2,200 times "good day" held an entry write 13 s and 5,000 emoji in a
chat message more than the server's 30 s timeout. Both apps now give VADER runs of at most
`MAX_RUN_WORDS` words, counting an emoji as the words of its name, as VADER reads it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from entries import sentiment
from sessions_app.companion import sentiment as message_sentiment


class RecordingAnalyzer:
    """The real analyzer, recording how many words (as VADER counts them) each call scores."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.emojis = real.emojis
        self.words: list[int] = []

    def polarity_scores(self, text: str) -> dict[str, float]:
        self.words.append(
            sum(1 + sum(len(self.emojis[c].split()) for c in token if c in self.emojis) for token in text.split())
        )
        return self._real.polarity_scores(text)


@pytest.fixture
def recording(monkeypatch):
    recorder = RecordingAnalyzer(sentiment.analyzer())
    monkeypatch.setattr(sentiment, "_analyzer", recorder)
    monkeypatch.setattr(message_sentiment, "analyzer", lambda: recorder)
    return recorder


LONG_TEXTS = {
    "words without punctuation": "good day " * 2200,
    "a run of emoji": "😀" * 5000,
    "emoji between words": "so 😀😢 happy " * 1500,
}


@pytest.mark.parametrize("text", LONG_TEXTS.values(), ids=LONG_TEXTS.keys())
def test_vader_never_gets_more_than_a_run_of_words(recording, text):
    assert sentiment.score(text) > 0
    assert message_sentiment.score(text[:5000]) > 0
    assert recording.words
    assert max(recording.words) <= sentiment.MAX_RUN_WORDS


def test_a_long_unpunctuated_entry_is_scored_quickly():
    started = time.perf_counter()
    assert sentiment.score("good day " * 2200) > 0.5  # 20,000 characters: scored in the write
    assert message_sentiment.score("😀" * 5000) > 0.5  # the longest chat message
    assert time.perf_counter() - started < 5  # was 13 s and over a minute


def test_ordinary_sentences_are_scored_as_before():
    text = "I had a wonderful, happy day with friends, but I am not happy about the meeting."
    compound = sentiment.analyzer().polarity_scores(text)["compound"]
    assert sentiment.runs(text) == [text]
    assert sentiment.score(text) == round(compound, 4)
    assert message_sentiment.score(text) == round(message_sentiment.analyzer().polarity_scores(text)["compound"], 4)


def test_runs_keep_every_word_in_order():
    text = " ".join(f"w{i}" for i in range(100)) + " " + "😀" * 50
    pieces = sentiment.runs(text)
    assert len(pieces) > 1
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())
