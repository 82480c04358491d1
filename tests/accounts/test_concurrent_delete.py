"""Deleting an account while another device of the person is writing, on real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from entries.models import Entry
from journal_project import caching
from journal_project.accounts import services
from journal_project.accounts.models import ApiToken
from tests.conftest import make_api_client
from tests.entries.factories import EntryFactory
from tests.support.concurrency import held_open, in_thread, release_when_blocked, waiting_for_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


def test_deleting_an_account_while_a_write_of_it_commits_deletes_it(user):
    # A phone's write of tags holds the person's user row (FOR NO KEY UPDATE) and bumps the
    # cache generation as it commits; the deletion bumps that generation first (its cascade
    # deletes entries), then waits on the user row: each waited for the other, PostgreSQL
    # aborted the deletion ("deadlock detected") and the person got a 503.
    EntryFactory(user=user)
    user_id = user.pk  # the deletion sets `user.pk` to None
    inserted, go_on = threading.Event(), threading.Event()
    writer_errors: list[BaseException] = []

    def write() -> None:
        try:
            with transaction.atomic():
                # As a write of tags does (entries.services._tags_lock).
                list(get_user_model().objects.select_for_update(no_key=True).filter(pk=user_id).values_list("pk"))
                inserted.set()
                go_on.wait(20)
                caching.bump(caching.ENTRIES, user_id)  # as a write does before it commits
        except BaseException as error:  # the deadlock's other possible victim: any answer is fine for it
            writer_errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    assert inserted.wait(20)
    deleter, results = in_thread(lambda: services.user_delete(user=user))
    while deleter.is_alive() and not waiting_for_a_lock():
        pass
    go_on.set()
    writer.join(30)
    deleter.join(30)
    assert not deleter.is_alive()
    assert results == [None], results  # the deletion raised nothing
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert not Entry.objects.filter(user_id=user_id).exists()
    assert not ApiToken.objects.filter(user_id=user_id).exists()
    assert not writer_errors, writer_errors  # the write committed first


def test_a_write_of_tags_waiting_for_an_account_being_deleted_is_a_404(user):
    # The write waited for the deleted user row, then found none: a ValueError, a 500.
    client = make_api_client(user)
    deleter, release, errors = held_open(lambda: services.user_delete(user=user))
    writer, results = in_thread(
        lambda: client.post("/api/v1/entries/", {"title": "t", "body": "b", "tags": ["x"]}, format="json")
    )
    release_when_blocked(release, deleter, writer)
    assert not errors
    assert results[0].status_code == 404, results[0].content
    assert not Entry.objects.exists()
