"""entries 0007: entries stored before lists could follow a line are rendered again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from entries.models import Entry
from journal_project import caching
from tests.entries.factories import EntryFactory
from tests.factories import UserFactory

BEFORE = [("entries", "0006_excerpts_keep_blocks_apart")]
AFTER = [("entries", "0007_rerender_lists_after_a_line")]
# What 0006's renderer stored for "Shopping:\n- milk\n- eggs".
OLD_HTML = "<p>Shopping:<br>\n- milk<br>\n- eggs</p>"
NEW_HTML = "<p>Shopping:</p>\n<ul>\n<li>milk</li>\n<li>eggs</li>\n</ul>"


def _generations(user) -> list[int]:
    return [caching.current_generation(namespace, user.pk) for namespace in (caching.ENTRIES, caching.ENTRY_VERSIONS)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_entries_whose_rendering_changed_are_rendered_again(monkeypatch):
    monkeypatch.setattr("entries.migrations.0007_rerender_lists_after_a_line.BATCH_SIZE", 2)  # several batches
    ada, bob, cyd = UserFactory(), UserFactory(), UserFactory()
    listed = EntryFactory(user=ada, body="Shopping:\n- milk\n- eggs")
    plain = [EntryFactory(user=user, body="Nothing to list.\n\n- apart") for user in (ada, bob, cyd)]
    also = EntryFactory(user=cyd, body="Shopping:\n- milk\n- eggs")
    Entry.objects.filter(pk__in=[listed.pk, also.pk]).update(body_html=OLD_HTML)
    before = {row.pk: row for row in Entry.objects.all()}
    generations = {user.pk: _generations(user) for user in (ada, bob, cyd)}
    caching.reset_request_state()
    migrate(BEFORE)
    migrate(AFTER)
    after = {row.pk: row for row in Entry.objects.all()}
    assert after[listed.pk].body_html == after[also.pk].body_html == NEW_HTML
    for entry in plain:
        assert after[entry.pk].body_html == before[entry.pk].body_html
    # Only the HTML: the text, its words and when it was last edited stay.
    for pk, row in after.items():
        old = before[pk]
        assert (row.body, row.word_count, row.updated_at) == (old.body, old.word_count, old.updated_at)
    # What Ada and Cyd had cached (pages, API answers, ETags) is made again; Bob's stays.
    caching.reset_request_state()
    for user, moved in ((ada, True), (bob, False), (cyd, True)):
        now = _generations(user)
        assert all((new > old) if moved else (new == old) for old, new in zip(generations[user.pk], now, strict=True))


@pytest.mark.django_db(transaction=True)
def test_the_migration_shows_the_list_on_the_entry_page_and_in_the_api(client, auth_client, user, monkeypatch):
    entry = EntryFactory(user=user, title="Errands", body="Shopping:\n- milk\n- eggs")
    Entry.objects.filter(pk=entry.pk).update(body_html=OLD_HTML)
    assert auth_client.get(f"/api/v1/entries/{entry.pk}/").json()["body_html"] == OLD_HTML  # now cached
    migrate(BEFORE)
    migrate(AFTER)
    caching.reset_request_state()
    assert auth_client.get(f"/api/v1/entries/{entry.pk}/").json()["body_html"] == NEW_HTML
    client.force_login(user)
    assert NEW_HTML in client.get(f"/entries/{entry.pk}/").content.decode()
