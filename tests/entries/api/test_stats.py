"""GET /api/v1/stats/."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from entries import sentiment, services
from tests.entries.conftest import entry_tables_touched, fresh_process
from tests.entries.factories import EntryFactory

URL = "/api/v1/stats/"
pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2024, 6, 15, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_stats_shape_and_numbers(auth_client, user):
    day = datetime.date(2024, 6, 15)
    EntryFactory(user=user, title="Joy", body="A wonderful happy day.", mood=5, tags=["joy"], entry_date=day)
    EntryFactory(user=user, title="Fine", body="Okay day", mood=3, tags=["joy", "work"], entry_date=day)
    EntryFactory(user=user, title="Bad", body="one two", mood=1, entry_date=day - datetime.timedelta(days=1))
    EntryFactory(user=user, body="ancient", entry_date=datetime.date(2021, 6, 15), title="Three years ago")
    response = auth_client.get(URL, {"days": 7})
    assert response.status_code == 200
    data = response.json()
    assert data["entries_count"] == 4
    assert data["words_total"] == 4 + 2 + 2 + 1
    assert (data["current_streak"], data["longest_streak"]) == (2, 2)
    bad = {"date": "2024-06-14", "avg_mood": 1.0, "avg_sentiment": -0.271, "count": 1}
    assert data["mood_trend"][0] == bad
    latest = data["mood_trend"][1]
    assert (latest["date"], latest["avg_mood"], latest["count"]) == ("2024-06-15", 4.0, 2)
    assert latest["avg_sentiment"] == round(
        (sentiment.score("Joy.\nA wonderful happy day.") + sentiment.score("Fine.\nOkay day")) / 2, 3
    )
    assert data["top_tags"] == [{"name": "joy", "count": 2}, {"name": "work", "count": 1}]
    assert [(item["title"], item["years_ago"]) for item in data["on_this_day"]] == [("Three years ago", 3)]


@pytest.mark.parametrize("days", ["0", "367", "abc"])
def test_bad_days_is_a_400(auth_client, days):
    response = auth_client.get(URL, {"days": days})
    assert response.status_code == 400
    assert "days" in response.json()["error"]["fields"]


def test_cached_stats_cost_only_the_authentication_query(auth_client, user, django_assert_num_queries):
    EntryFactory(user=user, mood=3)
    auth_client.get(URL)
    fresh_process()
    with django_assert_num_queries(1):
        assert auth_client.get(URL).json()["entries_count"] == 1


def test_stats_built_from_the_database_read_each_day_once(auth_client, user, django_assert_num_queries):
    for offset in range(5):
        EntryFactory(
            user=user, mood=3, tags=["walk"], entry_date=datetime.date.today() - datetime.timedelta(days=offset)
        )
    auth_client.get("/api/v1/auth/me/")  # the token's first use and the cache epoch are behind us
    # Authentication, one row per day (totals, streaks and trend), top tags. "On this day"
    # is found among the days already read: no earlier year has today's date, so no query.
    with django_assert_num_queries(3):
        data = auth_client.get(URL).json()
    assert (data["entries_count"], data["current_streak"], len(data["mood_trend"])) == (5, 5, 5)
    assert data["on_this_day"] == []

    today = datetime.date.today()
    EntryFactory(user=user, entry_date=today.replace(year=today.year - 4))  # a 29 February has one too
    with django_assert_num_queries(4):  # and one for the entries of the earlier years' day
        auth_client.get(URL)


def test_stats_304_without_entry_queries(auth_client, user, capture_queries):
    EntryFactory(user=user)
    etag = auth_client.get(URL)["ETag"]
    with capture_queries() as queries:
        assert auth_client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert entry_tables_touched(queries) == []


def test_stats_etag_changes_at_the_users_midnight(auth_client, user):
    user.profile.time_zone = "America/New_York"
    user.profile.save()
    EntryFactory(user=user, entry_date=datetime.date(2024, 3, 1))
    with time_machine.travel(datetime.datetime(2024, 3, 2, 4, 59, tzinfo=datetime.UTC), tick=False):  # 23:59 EST
        first = auth_client.get(URL)
        assert first.json()["current_streak"] == 1
    with time_machine.travel(datetime.datetime(2024, 3, 3, 5, 1, tzinfo=datetime.UTC), tick=False):  # 00:01 two days on
        response = auth_client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 200
        assert response.json()["current_streak"] == 0


def test_stats_follow_writes(auth_client, user):
    entry = EntryFactory(user=user, mood=2)
    assert auth_client.get(URL).json()["entries_count"] == 1
    services.entry_delete(entry=entry)
    assert auth_client.get(URL).json()["entries_count"] == 0


@time_machine.travel(datetime.datetime(2024, 6, 15, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_totals_are_all_time_and_future_dated_entries_make_no_streak(auth_client, user):
    """As docs/api.md says: counts ignore `days`; streaks, trend and on this day stop at today."""
    EntryFactory(user=user, body="one two three", mood=4, entry_date=datetime.date(2024, 6, 15))
    EntryFactory(user=user, body="old", entry_date=datetime.date(2020, 1, 1))
    for day in (16, 17, 18):  # planned ahead: tomorrow on
        EntryFactory(user=user, body="later", mood=1, entry_date=datetime.date(2024, 6, day))
    EntryFactory(user=user, body="next year", entry_date=datetime.date(2025, 6, 15))
    data = auth_client.get(URL, {"days": 1}).json()
    assert (data["entries_count"], data["words_total"]) == (6, 3 + 1 + 3 + 2)
    assert (data["current_streak"], data["longest_streak"]) == (1, 1)
    assert [item["date"] for item in data["mood_trend"]] == ["2024-06-15"]
    assert data["on_this_day"] == []
