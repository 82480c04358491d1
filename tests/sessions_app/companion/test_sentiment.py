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
