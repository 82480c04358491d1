from __future__ import annotations

from sessions_app.companion import sentiment


def test_scores_have_the_expected_sign():
    assert sentiment.score("I had a wonderful, happy day with friends.") > 0.5
    assert sentiment.score("I feel miserable and hopeless.") < -0.5
    assert abs(sentiment.score("The meeting is on Tuesday.")) <= 0.05
    assert sentiment.score("") == 0.0


def test_negation_is_understood():
    assert sentiment.score("I am not happy at all.") < 0


def test_the_analyzer_loads_once_per_process():
    assert sentiment.analyzer() is sentiment.analyzer()


def test_describe_gives_plain_words():
    assert sentiment.describe(-0.8) == "quite heavy"
    assert sentiment.describe(0.0) == "fairly neutral"
    assert sentiment.describe(0.7) == "quite light"


def test_a_long_message_of_sentiment_words_is_scored_in_linear_time(monkeypatch):
    """VADER lower-cased the whole message's word list again for each sentiment word it
    checked, and looked each score up from the start for its "but" rule, so the time grew
    with the square of the length: 5,000 emoji (VADER reads each as its name, "face with
    tears of joy") held the request for two minutes. Counted, not timed: the words the
    checks are handed, and the scans of the score list."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    handed: list[int] = []
    for name in ("_negation_check", "_special_idioms_check"):
        original = getattr(SentimentIntensityAnalyzer, name)

        def counting(*args, _original=original):
            words = next(arg for arg in args if isinstance(arg, list))
            handed.append(len(words))
            return _original(*args)

        monkeypatch.setattr(SentimentIntensityAnalyzer, name, staticmethod(counting))

    def words_handed(text: str) -> int:
        handed.clear()
        sentiment.analyzer().polarity_scores(text)
        assert handed
        assert max(handed) <= 6  # a window around the word, never the message
        return sum(handed)

    for unit in ("\U0001f602", "a good day ", "but not bad "):
        assert words_handed(unit * 2000) <= 2.2 * words_handed(unit * 1000)  # linear, not 4x
    assert sentiment.score("\U0001f602" * 5000) > 0.5
    assert sentiment.score("but " + "\U0001f602" * 4990) > 0.5


def test_the_linear_checks_score_exactly_as_vader_does():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    texts = [
        "I am not happy at all.",
        "It was never so good, without doubt the best day.",
        "I'm kind of sad but mostly fine, at least I tried.",
        "This isn't bad. Not the least bit bad! He was the shit, and it's the bomb.",
        "No no no, I hate it \U0001f622 but whatever \U0001f602\U0001f602",
        "Yeah right, cut me some slack, hand to mouth, kiss of death. Never this bad; never so happy.",
        "without doubt good. never so this good. not good. isn't very good. ain't sort of good",
        "I could hardly be happier; nobody is sad; nothing good; NEVER GOOD!!!",
    ]
    for text in texts:
        assert sentiment.analyzer().polarity_scores(text) == vader.polarity_scores(text), text
