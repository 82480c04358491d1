"""Two writes to one person's journal at the same moment (two devices, a retry, a sync):
both answer as if they had run one after the other, never a 500, on real PostgreSQL.

Each test holds one write open in a transaction, sends the other through the API, and
commits the first once the second waits for it (tests/support/concurrency.py).
"""

from __future__ import annotations

import pytest

from entries import services
from entries.models import Entry, Tag
from tests.conftest import make_api_client
from tests.entries.factories import EntryFactory
from tests.support.concurrency import held_open, in_thread, release_when_blocked

pytestmark = pytest.mark.django_db(transaction=True)


def test_delete_while_an_update_adds_tags_deletes_the_entry(user):
    # Two devices: one edits the tags, the other deletes the entry. The delete used to
    # miss the tag links the edit was adding and fail at commit on the foreign key (500).
    entry = EntryFactory(user=user, tags=["old"])
    client = make_api_client(user)
    writer, release, errors = held_open(lambda: services.entry_update(entry=entry, tags=["new", "newer"]))
    deleter, results = in_thread(lambda: client.delete(f"/api/v1/entries/{entry.pk}/"))
    release_when_blocked(release, writer, deleter)
    assert not errors
    assert results[0].status_code == 204, results[0].content
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert not Entry.tags.through.objects.filter(entry_id=entry.pk).exists()
    assert not Tag.objects.filter(user=user).exists()  # no tag left without an entry


def test_update_of_an_entry_being_deleted_is_a_404(user):
    entry = EntryFactory(user=user, tags=["old"])
    client = make_api_client(user)
    deleter, release, errors = held_open(lambda: services.entry_delete(entry=entry))
    updater, results = in_thread(lambda: client.patch(f"/api/v1/entries/{entry.pk}/", {"tags": ["new"]}, format="json"))
    release_when_blocked(release, deleter, updater)
    assert not errors
    assert results[0].status_code == 404, results[0].content
    assert not Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("held", ["dropping the last use", "linking the tag"])
def test_a_tag_dropped_by_one_write_and_used_by_another_ends_consistent(user, held):
    # The edit that removes the last use of a tag deletes the tag; a new entry with the
    # same tag at the same moment used to link the tag being deleted: one of the two
    # failed at commit on the foreign key (a 500) or in a deadlock (a 503).
    only_use = EntryFactory(user=user, tags=["solo"])
    client = make_api_client(user)

    def drop_the_tag():
        return client.patch(f"/api/v1/entries/{only_use.pk}/", {"tags": []}, format="json")

    def use_the_tag():
        return client.post("/api/v1/entries/", {"title": "new", "body": "b", "tags": ["solo"]}, format="json")

    if held == "dropping the last use":
        holder, release, errors = held_open(lambda: services.entry_update(entry=only_use, tags=[]))
        other, results = in_thread(use_the_tag)
        expected = 201
    else:
        holder, release, errors = held_open(
            lambda: services.entry_create(user=user, title="new", body="b", tags=["solo"])
        )
        other, results = in_thread(drop_the_tag)
        expected = 200
    release_when_blocked(release, holder, other)
    assert not errors
    assert results[0].status_code == expected, results[0].content
    tagged = Entry.objects.get(user=user, title="new")
    assert [tag.name for tag in tagged.tags.all()] == ["solo"]
    assert list(only_use.tags.all()) == []
    assert list(Tag.objects.filter(user=user).values_list("name", flat=True)) == ["solo"]


def test_two_editors_opened_on_one_version_cannot_both_save(user):
    # The second save waits for the first's row lock, then finds a version other than the
    # one its editor opened: refused, nothing written, instead of undoing the first.
    entry = EntryFactory(user=user, title="Both", body="as opened")
    opened = services.entry_fingerprint(
        title=entry.title, body=entry.body, mood=entry.mood, tags=[], entry_date=entry.entry_date
    )
    first, release, errors = held_open(
        lambda: services.entry_update(entry=entry, opened_as=opened, body="the first device's text")
    )

    def second():
        try:
            services.entry_update(entry=entry, opened_as=opened, body="the second device's text")
        except services.EntryChanged as error:
            return error

    other, results = in_thread(second)
    release_when_blocked(release, first, other)
    assert not errors
    assert isinstance(results[0], services.EntryChanged)
    entry.refresh_from_db()
    assert entry.body == "the first device's text"
