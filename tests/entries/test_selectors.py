"""Reads: streaks by calendar date in the user's zone (DST-proof), on this day, query counts."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from entries import selectors
from tests.entries.conftest import fresh_process
from tests.entries.factories import EntryFactory

D = datetime.date


@pytest.mark.parametrize(
    ("dates", "today", "expected"),
    [
        ([], D(2024, 1, 10), (0, 0)),
        ([D(2024, 1, 10)], D(2024, 1, 10), (1, 1)),
        ([D(2024, 1, 9)], D(2024, 1, 10), (1, 1)),  # yesterday still counts: today is not over
        ([D(2024, 1, 8)], D(2024, 1, 10), (0, 1)),
        ([D(2024, 1, 8), D(2024, 1, 9), D(2024, 1, 9), D(2024, 1, 10)], D(2024, 1, 10), (3, 3)),
        ([D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 3), D(2024, 1, 9), D(2024, 1, 10)], D(2024, 1, 10), (2, 3)),
        ([D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1)], D(2024, 3, 1), (3, 3)),  # leap day
        ([D(2023, 12, 31), D(2024, 1, 1)], D(2024, 1, 1), (2, 2)),
        ([D(2024, 1, 10), D(2024, 1, 11)], D(2024, 1, 10), (1, 1)),  # future-dated entries do not count
        # The spring-forward day has 23 hours and the fall-back day 25: dates still follow each other.
        ([D(2024, 3, 9), D(2024, 3, 10), D(2024, 3, 11)], D(2024, 3, 11), (3, 3)),
        ([D(2024, 11, 2), D(2024, 11, 3), D(2024, 11, 4)], D(2024, 11, 4), (3, 3)),
    ],
)
def test_streaks(dates, today, expected):
    assert selectors.streaks(dates, today) == expected


def set_zone(user, zone):
    user.profile.time_zone = zone
    user.profile.save()


def write_at(user, instant: datetime.datetime):
    with time_machine.travel(instant, tick=False):
        return EntryFactory(user=user)


@pytest.mark.django_db
def test_streak_follows_the_users_days_across_a_time_zone_boundary(auth_client, user):
    """Two entries in one New York evening and the next morning are two days, though one UTC day."""
    set_zone(user, "America/New_York")
    write_at(user, datetime.datetime(2024, 6, 10, 0, 30, tzinfo=datetime.UTC))  # 9 June, 20:30 local
    write_at(user, datetime.datetime(2024, 6, 10, 12, 0, tzinfo=datetime.UTC))  # 10 June, 08:00 local
    # 10 June, 21:00 in New York is 11 June in UTC.
    with time_machine.travel(datetime.datetime(2024, 6, 11, 1, 0, tzinfo=datetime.UTC), tick=False):
        stats = auth_client.get("/api/v1/stats/").json()
    assert (stats["current_streak"], stats["longest_streak"]) == (2, 2)
    assert stats["today"] == "2024-06-10"


@pytest.mark.django_db
def test_streak_across_the_dst_change(auth_client, user):
    """At 00:30 after the 23-hour day, "yesterday" is the DST day, not 24 hours back."""
    set_zone(user, "America/New_York")
    write_at(user, datetime.datetime(2024, 3, 9, 17, 0, tzinfo=datetime.UTC))  # 9 March, 12:00 EST
    write_at(user, datetime.datetime(2024, 3, 10, 16, 0, tzinfo=datetime.UTC))  # 10 March, 12:00 EDT
    # 11 March 00:30 EDT; 24 hours earlier is 9 March 23:30 EST, which would skip 10 March.
    with time_machine.travel(datetime.datetime(2024, 3, 11, 4, 30, tzinfo=datetime.UTC), tick=False):
        stats = auth_client.get("/api/v1/stats/").json()
        assert stats["today"] == "2024-03-11"
        assert stats["current_streak"] == 2
        write = auth_client.post("/api/v1/entries/", {"title": "t", "body": "b"}, format="json").json()
        assert write["entry_date"] == "2024-03-11"
        assert auth_client.get("/api/v1/stats/").json()["current_streak"] == 3
    # After the fall-back change (a 25-hour day) the run goes on.
    set_zone(user, "Europe/Berlin")
    write_at(user, datetime.datetime(2024, 10, 26, 21, 30, tzinfo=datetime.UTC))  # 26 Oct, 23:30 CEST
    write_at(user, datetime.datetime(2024, 10, 27, 22, 30, tzinfo=datetime.UTC))  # 27 Oct, 23:30 CET
    with time_machine.travel(datetime.datetime(2024, 10, 27, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert auth_client.get("/api/v1/stats/").json()["current_streak"] == 2


@pytest.mark.django_db
def test_changing_time_zone_changes_today_at_once(auth_client, user):
    write_at(user, datetime.datetime(2024, 6, 10, 12, 0, tzinfo=datetime.UTC))
    with time_machine.travel(datetime.datetime(2024, 6, 11, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert auth_client.get("/api/v1/stats/").json()["current_streak"] == 1  # UTC: yesterday
        set_zone(user, "Asia/Tokyo")  # already 12 June there
        assert auth_client.get("/api/v1/stats/").json()["current_streak"] == 0


@pytest.mark.django_db
def test_on_this_day_lists_earlier_years_only(user):
    for year in (2020, 2022, 2024):
        EntryFactory(user=user, title=f"{year}", entry_date=D(year, 5, 4))
    EntryFactory(user=user, title="other day", entry_date=D(2023, 5, 5))
    items = selectors.entry_stats(user=user, today=D(2024, 5, 4))["on_this_day"]
    assert [(item["title"], item["years_ago"]) for item in items] == [("2022", 2), ("2020", 4)]


@pytest.mark.django_db
def test_on_this_day_brings_leap_days_back_on_the_28th(user):
    EntryFactory(user=user, title="leap", entry_date=D(2020, 2, 29))
    assert [item["title"] for item in selectors.today_summary(user=user, today=D(2023, 2, 28))["on_this_day"]] == [
        "leap"
    ]
    assert selectors.today_summary(user=user, today=D(2024, 2, 28))["on_this_day"] == []


@pytest.mark.django_db
def test_mood_trend_window(user):
    EntryFactory(user=user, mood=2, entry_date=D(2024, 1, 1))
    four = EntryFactory(user=user, mood=4, entry_date=D(2024, 1, 7))
    five = EntryFactory(user=user, mood=5, entry_date=D(2024, 1, 7))
    trend = selectors.entry_stats(user=user, days=3, today=D(2024, 1, 7))["mood_trend"]
    average = round((four.sentiment + five.sentiment) / 2, 3)
    assert trend == [{"date": "2024-01-07", "avg_mood": 4.5, "avg_sentiment": average, "count": 2}]


@pytest.mark.django_db
def test_calendar_month(user):
    EntryFactory(user=user, title="a", mood=2, entry_date=D(2024, 2, 29))
    EntryFactory(user=user, title="b", mood=4, entry_date=D(2024, 2, 29))
    EntryFactory(user=user, title="march", entry_date=D(2024, 3, 1))
    month = selectors.calendar_month(user=user, year=2024, month=2)
    assert list(month["days"]) == ["2024-02-29"]
    assert month["days"]["2024-02-29"]["count"] == 2
    assert month["days"]["2024-02-29"]["avg_mood"] == 3.0


@pytest.mark.django_db
def test_selectors_return_plain_data_that_survives_the_cache(user):
    EntryFactory(user=user, tags=["x"], mood=3)
    first = selectors.entry_stats(user=user)
    fresh_process()
    assert selectors.entry_stats(user=user) == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    "read",
    [
        lambda user: selectors.entry_stats(user=user, today=D(2024, 1, 1)),
        lambda user: selectors.today_summary(user=user, today=D(2024, 1, 1)),
        lambda user: selectors.tag_list(user=user),
        lambda user: selectors.calendar_month(user=user, year=2024, month=1),
        lambda user: selectors.entry_list(user=user, filters={"q": "words"}),
    ],
)
def test_cached_selectors_run_no_query(user, read, django_assert_num_queries):
    EntryFactory(user=user, tags=["x"], body="some words", entry_date=D(2024, 1, 1))
    read(user)
    fresh_process()
    from journal_project import caching

    caching.current_generation(caching.ENTRIES, user.pk)  # what authentication does for a request
    with django_assert_num_queries(0):
        read(user)
