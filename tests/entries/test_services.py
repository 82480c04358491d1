"""Writes: defaults in the user's time zone, tags, validation, tombstones, sentiment."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from entries import sentiment, services, tasks
from entries.models import Entry, EntryTombstone, Tag
from tests.entries.factories import EntryFactory

pytestmark = pytest.mark.django_db


def set_zone(user, zone: str) -> None:
    user.profile.time_zone = zone
    user.profile.save()


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        # 23:30 in New York is already tomorrow in UTC.
        (datetime.datetime(2024, 3, 10, 3, 30, tzinfo=datetime.UTC), "America/New_York", "2024-03-09"),
        # 00:30 on the day after the spring-forward change (a 23-hour day).
        (datetime.datetime(2024, 3, 11, 4, 30, tzinfo=datetime.UTC), "America/New_York", "2024-03-11"),
        # Across the date line: still yesterday in UTC, already today in Auckland.
        (datetime.datetime(2024, 6, 30, 13, 0, tzinfo=datetime.UTC), "Pacific/Auckland", "2024-07-01"),
        (datetime.datetime(2024, 6, 30, 13, 0, tzinfo=datetime.UTC), "UTC", "2024-06-30"),
    ],
)
def test_entry_date_defaults_to_today_in_the_users_zone(user, instant, zone, expected):
    set_zone(user, zone)
    with time_machine.travel(instant, tick=False):
        entry = services.entry_create(user=user, title="t", body="b")
    assert entry.entry_date.isoformat() == expected


def test_create_validates_before_writing(user):
    with pytest.raises(ValidationError) as error:
        services.entry_create(user=user, title="", body="b", mood=7)
    assert set(error.value.message_dict) == {"title", "mood"}
    assert not Entry.objects.exists()


def test_database_constraints_back_the_validators(user):
    entry = EntryFactory(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(mood=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(sentiment=1.5)


def test_tag_names_are_unique_per_user_regardless_of_case(user, other_user):
    Tag.objects.create(user=user, name="Work")
    Tag.objects.create(user=other_user, name="work")  # someone else's: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(user=user, name="WORK")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Work", "work", " WORK "], ["Work"]),
        ("a, b ,, #c", ["a", "b", "c"]),
        (["  two   words "], ["two words"]),
        (["", "  ", "#"], []),
    ],
)
def test_tag_names_normalise(raw, expected):
    assert services.tag_names_normalise(raw) == expected


def test_tags_reuse_the_existing_spelling(user):
    EntryFactory(user=user, tags=["Family"])
    entry = EntryFactory(user=user, tags=["family", "new"])
    assert sorted(entry.tags.values_list("name", flat=True)) == ["Family", "new"]
    assert Tag.objects.filter(user=user).count() == 2


def test_entry_tags_set_replaces_and_prunes(user):
    entry = EntryFactory(user=user, tags=["a", "b"])
    assert services.entry_tags_set(entry=entry, names="b, c") == ["b", "c"]
    assert sorted(Tag.objects.filter(user=user).values_list("name", flat=True)) == ["b", "c"]
    entry.refresh_from_db()
    assert entry.tags_text == "b c"


def test_update_rejects_fields_that_cannot_change(user):
    entry = EntryFactory(user=user)
    with pytest.raises(ValidationError):
        services.entry_update(entry=entry, user=None)
    with pytest.raises(ValidationError):
        services.entry_update(entry=entry, word_count=3)


def test_update_moves_updated_at_and_keeps_created_at(user):
    entry = EntryFactory(user=user)
    updated = services.entry_update(entry=entry, mood=3)
    assert updated.updated_at > entry.updated_at
    assert updated.created_at == entry.created_at


def test_delete_keeps_a_tombstone_and_prunes_tags(user):
    entry = EntryFactory(user=user, tags=["only-here"])
    services.entry_delete(entry=entry)
    assert EntryTombstone.objects.filter(user=user, entry_id=entry.pk, uid=entry.uid).exists()
    assert not Tag.objects.filter(user=user).exists()


def test_tombstones_are_pruned_after_the_retention_window(user, settings):
    settings.JOURNAL_TOMBSTONE_DAYS = 90
    old = EntryFactory(user=user)
    recent = EntryFactory(user=user)
    with time_machine.travel(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC), tick=False):
        services.entry_delete(entry=old)
    services.entry_delete(entry=recent)
    assert tasks.tombstones_prune() == 1
    assert list(EntryTombstone.objects.values_list("entry_id", flat=True)) == [recent.pk]


def test_the_prune_task_is_scheduled(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["entries-prune-tombstones"]
    assert schedule["task"] == "entries.tasks.tombstones_prune"
    assert tasks.tombstones_prune.name == schedule["task"]


def test_create_with_an_existing_uid_changes_nothing(user):
    uid = uuid.uuid4()
    first = services.entry_create(user=user, title="first", body="b", uid=uid)
    with pytest.raises(services.EntryExists) as exists:
        services.entry_create(user=user, title="second", body="b", uid=uid)
    assert exists.value.entry_id == first.pk
    assert Entry.objects.get(user=user).title == "first"


def test_another_user_may_hold_the_same_uid(user, other_user):
    uid = uuid.uuid4()
    services.entry_create(user=user, title="a", body="b", uid=uid)
    services.entry_create(user=other_user, title="a", body="b", uid=uid)
    assert Entry.objects.filter(uid=uid).count() == 2


# --- Sentiment --------------------------------------------------------------------------


def sentiment_queued(callbacks) -> bool:
    return any("_queue_sentiment" in callback.__qualname__ for callback in callbacks)


def long_text(mood_word: str) -> str:
    """A text past SENTIMENT_IN_WRITE_MAX_CHARS, scored by the task after the commit."""
    sentence = f"Today was a {mood_word} day. "
    return sentence * (services.SENTIMENT_IN_WRITE_MAX_CHARS // len(sentence) + 1)


def test_a_write_stores_the_sentiment_with_the_text(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        entry = services.entry_create(user=user, title="Great", body="I love this. What a wonderful day!")
    assert not sentiment_queued(callbacks)  # no task: no second write, no second version
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.sentiment == entry.sentiment > 0.5
    assert stored.updated_at == entry.updated_at == entry.created_at
    sad = services.entry_create(user=user, title="Awful", body="I hate this. Terrible, sad day.")
    assert Entry.objects.get(pk=sad.pk).sentiment < -0.5


def test_a_long_text_is_scored_after_commit(user, run_commit_hooks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        entry = services.entry_create(user=user, title="t", body=long_text("wonderful"))
    assert entry.sentiment is None  # what the write itself stored
    assert sentiment_queued(callbacks)
    entry = run_commit_hooks(services.entry_create, user=user, title="t2", body=long_text("wonderful"))
    entry.refresh_from_db()
    assert entry.sentiment > 0.5


def test_a_broker_outage_scores_sentiment_in_the_request(user, run_commit_hooks):
    """The task could not be queued and the entry kept a null sentiment until its next edit."""
    from journal_project.celery import app
    from tests.support.celery_worker import use_broker
    from tests.support.redis_server import free_port

    previous = app.conf.broker_url
    use_broker(f"amqp://guest:guest@127.0.0.1:{free_port()}//", eager=False)  # nothing listens there
    try:
        entry = run_commit_hooks(services.entry_create, user=user, title="Great", body=long_text("wonderful"))
    finally:
        use_broker(previous, eager=True)
    entry.refresh_from_db()
    assert entry.sentiment > 0.5


def test_sentiment_is_not_computed_for_a_rolled_back_write(user, django_capture_on_commit_callbacks):
    def write_then_fail() -> None:
        with transaction.atomic():
            services.entry_create(user=user, title="t", body=long_text("good"))
            raise RuntimeError

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        write_then_fail()
    assert not sentiment_queued(callbacks)


def test_editing_the_text_recomputes_sentiment(user, run_commit_hooks):
    entry = services.entry_create(user=user, title="t", body="A wonderful day.")
    updated = services.entry_update(entry=entry, body="A horrible day.")
    assert Entry.objects.get(pk=entry.pk).sentiment == updated.sentiment < 0
    # From short to long: the old score is not kept for the new text, the task scores it.
    longer = run_commit_hooks(services.entry_update, entry=updated, body=long_text("wonderful"))
    assert longer.sentiment is None
    longer.refresh_from_db()
    assert longer.sentiment > 0.5


def test_a_mood_change_keeps_the_sentiment(user, django_capture_on_commit_callbacks):
    entry = services.entry_create(user=user, title="t", body="A wonderful day.")
    with django_capture_on_commit_callbacks() as callbacks:
        services.entry_update(entry=entry, mood=2)
    assert not sentiment_queued(callbacks)
    assert Entry.objects.get(pk=entry.pk).sentiment == entry.sentiment


def test_sentiment_task_is_idempotent_and_tolerates_deleted_entries(user):
    entry = EntryFactory(user=user, body="Happy happy joy.")
    tasks.entry_sentiment_compute(entry.pk)
    entry.refresh_from_db()
    first = (entry.sentiment, entry.updated_at)
    tasks.entry_sentiment_compute(entry.pk)
    entry.refresh_from_db()
    assert (entry.sentiment, entry.updated_at) == first  # nothing changed, nothing written
    services.entry_delete(entry=entry)
    tasks.entry_sentiment_compute(entry.pk)  # no error


def test_an_imports_sentiment_is_scored_a_chunk_per_transaction(user, django_assert_max_num_queries):
    # One transaction per entry (lock, update, commit: 3+ queries each) made scoring a
    # 2,000-entry import take 13-20 s, inside the import request when tasks run inline.
    services.entries_import(user=user, data=[{"title": f"t{n}", "body": "A good day."} for n in range(250)])
    Entry.objects.filter(user=user).update(sentiment=None)
    ids = list(Entry.objects.filter(user=user).values_list("pk", flat=True))
    before = {entry.pk: entry.updated_at for entry in Entry.objects.filter(user=user)}
    chunks = -(-len(ids) // services.SENTIMENT_CHUNK)
    with django_assert_max_num_queries(6 * chunks + 4):  # lock, update, savepoints, the cache bump
        tasks.entries_sentiment_compute([*ids, 10**9])  # a deleted entry is skipped
    scored = list(Entry.objects.filter(user=user))
    assert all(entry.sentiment is not None and entry.sentiment > 0 for entry in scored)
    assert all(entry.updated_at > before[entry.pk] for entry in scored)  # syncing clients fetch them again
    updated = {entry.pk: entry.updated_at for entry in scored}
    tasks.entries_sentiment_compute(ids)  # idempotent: nothing changed, nothing written
    assert {entry.pk: entry.updated_at for entry in Entry.objects.filter(user=user)} == updated


def test_the_model_loads_once_per_process():
    assert sentiment.analyzer() is sentiment.analyzer()


def test_an_entry_of_emoji_with_no_full_stop_is_scored_in_linear_time():
    """One sentence of 19,000 emoji, as a write scores it in the request: VADER's own checks
    took time growing with the square of the sentence's length (with a 'but', 19,000 took two minutes)."""
    from sessions_app.companion.sentiment import LinearAnalyzer

    # The entries score with the companion's analyzer, whose checks read a window around
    # each word (counted in tests/sessions_app/companion/test_sentiment.py), not VADER's own.
    assert isinstance(sentiment.analyzer(), LinearAnalyzer)
    assert sentiment.score("But " + "\U0001f602" * 19_000) > 0.5


def test_long_texts_do_not_saturate():
    one = sentiment.score("Today was good.")
    many = sentiment.score(" ".join(["Today was good."] * 50))
    assert one == pytest.approx(many, abs=0.01)
    assert sentiment.score("   ") is None
