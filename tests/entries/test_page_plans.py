"""A big journal: what the pages read grows with the page, not with the journal.

Each page is read with the cache off (what a cold read after a write runs), every query it
sends is planned by PostgreSQL (EXPLAIN) on a journal of a few thousand entries, vacuumed
and analysed like a long-lived database, and no plan may read the whole entries table.
A sequential scan there was a deep page, the list's count, the stats and "on this day"
each reading (and for the pages, sorting) every entry after every write
(docs/performance.md, Pages). The plan is asserted, not a timing.
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entries import rendering
from entries.models import Entry, Tag

pytestmark = pytest.mark.django_db(transaction=True)  # VACUUM cannot run in a transaction

JOURNAL = 3000
TODAY = datetime.date(2026, 11, 28)
SENTENCE = "Walked to the lake after work and thought about the week, slowly and without hurry. "
WHOLE_TABLE = re.compile(r"Seq Scan on entries_entry\s")


def _big_journal(user) -> None:
    """JOURNAL entries over about eight years, one person (the self-hosted case), some tagged."""
    body = SENTENCE * 12  # ~1,000 characters: kept in the table's own pages, as most entries are
    html = rendering.render_markdown(body)
    stamp = datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC)
    entries = Entry.objects.bulk_create(
        [
            Entry(
                user=user,
                uid=uuid.uuid4(),
                title=f"Day {index}",
                body=body,
                body_html=html,
                mood=index % 5 + 1,
                sentiment=0.1,
                word_count=rendering.count_words(body),
                entry_date=TODAY - datetime.timedelta(days=index),
                created_at=stamp - datetime.timedelta(days=index),
                updated_at=stamp - datetime.timedelta(days=index),
            )
            for index in range(JOURNAL)
        ]
    )
    tag = Tag.objects.create(user=user, name="family")
    Entry.tags.through.objects.bulk_create(
        [Entry.tags.through(entry_id=entry.pk, tag_id=tag.pk) for entry in entries[::7]]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE entries_entry")
        cursor.execute("VACUUM ANALYZE entries_entry_tags")


def _whole_table_reads(queries: CaptureQueriesContext) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or "entries_entry" not in sql:
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if WHOLE_TABLE.search(plan):
                found.append(f"{sql[:200]}\n{plan}")
    return found


@pytest.mark.parametrize(
    "path",
    [
        "/today/",
        "/entries/",
        f"/entries/?page={JOURNAL // 20}",  # the last page: OFFSET 2,980
        "/insights/?days=30",
        "/insights/?days=365",
        "/calendar/?month=2026-11",
    ],
)
def test_a_cold_page_never_reads_the_whole_journal(browser_client, user, settings, time_machine, path):
    _big_journal(user)
    time_machine.move_to(datetime.datetime(2026, 11, 28, 18, tzinfo=datetime.UTC), tick=False)
    settings.JOURNAL_CACHE_ENABLED = False  # every read from PostgreSQL, as after a write
    with CaptureQueriesContext(connection) as queries:
        response = browser_client.get(path)
    assert response.status_code == 200
    assert _whole_table_reads(queries) == []
