"""The caching properties of BRIEF.md, end to end through the entries API, selectors and signals,
against real PostgreSQL and real Redis (through a proxy the test can cut or hang)."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from entries import selectors, services
from entries.models import Entry, Tag
from entries.portability import iso
from journal_project import cache_backend, caching
from journal_project.models import CacheGeneration
from tests.entries.conftest import entry_tables_touched, fresh_process, new_request
from tests.entries.factories import EntryFactory
from tests.factories import PASSWORD


def detail(client, entry_id):
    return client.get(f"/api/v1/entries/{entry_id}/")


def generation(user_id: int) -> int:
    return CacheGeneration.objects.get(namespace="entries", scope_id=user_id).value


def versions_generation(user_id: int) -> int:
    return CacheGeneration.objects.get(namespace="entry_versions", scope_id=user_id).value


def body_loads(queries) -> list[str]:
    """The queries that loaded whole entries (with their bodies), not just ids and versions."""
    return [sql["sql"] for sql in queries.captured_queries if '"entries_entry"."body"' in sql["sql"]]


def reopen_redis() -> None:
    for breaker in cache_backend.all_breakers().values():
        breaker.reset()


# --- Read your writes -------------------------------------------------------------------


@pytest.mark.django_db
def test_read_your_writes_across_two_api_clients(user):
    from tests.conftest import make_api_client

    phone, laptop = make_api_client(user), make_api_client(user)
    entry = EntryFactory(user=user, title="v1")
    assert detail(laptop, entry.pk).json()["title"] == "v1"
    assert laptop.get("/api/v1/entries/").json()["results"][0]["title"] == "v1"
    for version in ("v2", "v3"):
        assert phone.patch(f"/api/v1/entries/{entry.pk}/", {"title": version}, format="json").status_code == 200
        assert detail(laptop, entry.pk).json()["title"] == version
        assert laptop.get("/api/v1/entries/").json()["results"][0]["title"] == version
        fresh_process()  # the laptop's next request lands on another process
        assert detail(laptop, entry.pk).json()["title"] == version


@pytest.mark.django_db
def test_read_your_writes_between_the_browser_and_the_api(browser_client, auth_client, user):
    entry = EntryFactory(user=user, title="from the phone")
    assert b"from the phone" in browser_client.get(f"/entries/{entry.pk}/").content
    auth_client.patch(f"/api/v1/entries/{entry.pk}/", {"title": "edited on the phone"}, format="json")
    assert b"edited on the phone" in browser_client.get(f"/entries/{entry.pk}/").content
    browser_client.post(f"/entries/{entry.pk}/edit/", {"title": "edited in the browser", "body": "b", "mood": ""})
    assert detail(auth_client, entry.pk).json()["title"] == "edited in the browser"


# --- Signals drive invalidation ---------------------------------------------------------


@pytest.mark.django_db
def test_every_kind_of_change_moves_the_generation(user):
    entry = EntryFactory(user=user, tags=["a"])
    before = generation(user.pk)
    entry.mood = 3
    entry.save(update_fields=["mood"])  # plain ORM save: the post_save signal invalidates
    assert generation(user.pk) > before

    before = generation(user.pk)
    tag = Tag.objects.create(user=user, name="b")
    assert generation(user.pk) > before

    before = generation(user.pk)
    entry.tags.add(tag)  # m2m_changed
    assert generation(user.pk) > before

    before = generation(user.pk)
    tag.entries.remove(entry)  # m2m_changed from the other side
    assert generation(user.pk) > before

    before = generation(user.pk)
    tag.delete()
    assert generation(user.pk) > before

    before = generation(user.pk)
    Entry.objects.get(pk=entry.pk).delete()
    assert generation(user.pk) > before


@pytest.mark.django_db
def test_successive_short_transactions_each_move_the_generation(user):
    # Each m2m change runs in its own short atomic block. A finished block's memory is
    # often reused by the next one, so "same transaction" must not be judged by id().
    entry = EntryFactory(user=user)
    tag = Tag.objects.create(user=user, name="t")
    for _ in range(30):
        before = generation(user.pk)
        entry.tags.add(tag)
        assert generation(user.pk) > before
        before = generation(user.pk)
        entry.tags.remove(tag)
        assert generation(user.pk) > before


@pytest.mark.django_db
def test_a_service_write_costs_one_generation_bump(user):
    EntryFactory(user=user)
    before = generation(user.pk)
    EntryFactory(user=user, tags=["one", "two", "three"])
    assert generation(user.pk) == before + 1  # coalesced: not one per row and tag


@pytest.mark.django_db
def test_a_change_by_one_user_keeps_the_others_cache(user, other_user):
    mine = EntryFactory(user=user)
    theirs = EntryFactory(user=other_user)
    selectors.entry_get(user=other_user, entry_id=theirs.pk)
    other_generation = generation(other_user.pk)
    services.entry_update(entry=mine, title="changed")
    assert generation(other_user.pk) == other_generation


@pytest.mark.django_db(transaction=True)
def test_values_read_inside_an_uncommitted_write_are_never_cached(user):
    entry = EntryFactory(user=user, title="committed")
    selectors.entry_get(user=user, entry_id=entry.pk)
    inside: dict[str, str] = {}

    def write_then_fail() -> None:
        with transaction.atomic():
            services.entry_update(entry=entry, title="rolled back")
            # Inside the transaction the writer sees its own write...
            inside["title"] = selectors.entry_get(user=user, entry_id=entry.pk)["title"]
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert inside["title"] == "rolled back"
    # ...and nobody ever sees it from the cache once it rolled back.
    new_request()
    assert selectors.entry_get(user=user, entry_id=entry.pk)["title"] == "committed"
    fresh_process()
    assert selectors.entry_get(user=user, entry_id=entry.pk)["title"] == "committed"


# --- The race: a reader that loaded old rows must not park them for later readers ----------


def _read_list(user, entry_id):
    return selectors.entry_list(user=user, filters={}, page=1, page_size=20)["results"][0]["title"]


def _read_detail(user, entry_id):
    return selectors.entry_get(user=user, entry_id=entry_id)["title"]


def _read_search(user, entry_id):
    return selectors.entry_list(user=user, filters={"q": "racing"}, page=1, page_size=20)["results"][0]["title"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("read", "hold_after"),
    [
        (_read_detail, "rows"),
        (_read_list, "rows"),
        (_read_search, "rows"),
        # Holding after reading only the version: the entry is then loaded after the
        # write, in its new state, and stored under the old version nobody asks for again.
        (_read_detail, "versions"),
        (_read_list, "versions"),
    ],
)
def test_reader_racing_a_writer_cannot_park_stale_rows(user, read, hold_after):
    entry = EntryFactory(user=user, title="racing old", body="racing")
    loaded, resume = threading.Event(), threading.Event()
    seen: dict[str, str] = {}

    def holds(sql: str) -> bool:
        if 'FROM "entries_entry"' not in sql or "COUNT(" in sql:
            return False
        loads_rows = '"entries_entry"."body"' in sql
        return loads_rows if hold_after == "rows" else not loads_rows

    def hold_after_loading_entries(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if holds(sql) and not loaded.is_set():
            loaded.set()  # the old row (or version) is in the reader's hands
            resume.wait(10)
        return result

    def reader() -> None:
        new_request()
        try:
            with connection.execute_wrapper(hold_after_loading_entries):
                seen["racing"] = read(user, entry.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    assert loaded.wait(10)
    new_request()
    services.entry_update(entry=entry, title="racing new")  # commits while the reader holds old rows
    resume.set()
    thread.join(10)

    # The race really happened: the reader answered with what it held.
    assert seen["racing"] == ("racing old" if hold_after == "rows" else "racing new")
    new_request()  # same process: the L1 is checked too
    assert read(user, entry.pk) == "racing new"
    fresh_process()  # another process: Redis
    assert read(user, entry.pk) == "racing new"


@pytest.mark.django_db
def test_a_page_of_the_list_stores_the_details_of_its_entries(user, capture_queries):
    entries = [EntryFactory(user=user, title=f"listed {number}", tags=["t"]) for number in range(3)]
    new_request()
    selectors.entry_list(user=user, filters={}, page=1, page_size=20)
    fresh_process()  # another process opens one of them: Redis has it, only its version is read
    with capture_queries() as queries:
        value = selectors.entry_get(user=user, entry_id=entries[1].pk)
    assert value == selectors.entry_to_dict(Entry.objects.get(pk=entries[1].pk))
    assert body_loads(queries) == []
    assert len(entry_tables_touched(queries)) == 1


@pytest.mark.django_db(transaction=True)
def test_details_stored_by_a_list_read_racing_a_writer_are_never_served(user):
    entry = EntryFactory(user=user, title="racing old")
    loaded, resume = threading.Event(), threading.Event()

    def hold_after_loading_entries(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'FROM "entries_entry"' in sql and "COUNT(" not in sql and not loaded.is_set():
            loaded.set()
            resume.wait(10)
        return result

    def reader() -> None:
        new_request()
        try:
            with connection.execute_wrapper(hold_after_loading_entries):
                selectors.entry_list(user=user, filters={}, page=1, page_size=20)
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    assert loaded.wait(10)
    new_request()
    services.entry_update(entry=entry, title="racing new")  # commits while the list holds the old row
    resume.set()
    thread.join(10)
    fresh_process()
    assert selectors.entry_get(user=user, entry_id=entry.pk)["title"] == "racing new"


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_and_writers_over_http_end_consistent(user):
    from tests.conftest import make_api_client

    entry = EntryFactory(user=user, title="w0")
    writer_client = make_api_client(user)
    stop = threading.Event()
    errors: list[str] = []

    def reader_loop() -> None:
        client = make_api_client(user)
        try:
            while not stop.is_set():
                response = detail(client, entry.pk)
                if response.status_code != 200:
                    errors.append(str(response.status_code))
        finally:
            connection.close()

    readers = [threading.Thread(target=reader_loop) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for number in range(1, 16):
            title = f"w{number}"
            assert (
                writer_client.patch(f"/api/v1/entries/{entry.pk}/", {"title": title}, format="json").status_code == 200
            )
            # Acknowledged: every read from now on reflects it.
            assert detail(writer_client, entry.pk).json()["title"] == title
    finally:
        stop.set()
        for thread in readers:
            thread.join(10)
    assert errors == []
    fresh_process()
    assert detail(make_api_client(user), entry.pk).json()["title"] == "w15"


# --- Redis faults -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.fault
def test_update_while_redis_is_unreachable_is_read_when_it_returns(auth_client, user, redis_proxy):
    entry = EntryFactory(user=user, title="before the outage")
    assert detail(auth_client, entry.pk).json()["title"] == "before the outage"  # now cached in Redis
    old_key = caching.make_key(
        caching.ENTRY_VERSIONS, user.pk, versions_generation(user.pk), "entry", [entry.pk, iso(entry.updated_at)]
    )
    assert caching._get_payload(old_key) is not None

    redis_proxy.cut()
    response = auth_client.patch(f"/api/v1/entries/{entry.pk}/", {"title": "during the outage"}, format="json")
    assert response.status_code == 200
    assert detail(auth_client, entry.pk).json()["title"] == "during the outage"  # served from PostgreSQL

    redis_proxy.restore()
    time.sleep(0.6)  # the breaker's cool-down in this fixture
    reopen_redis()
    # The stale value is still in Redis, under a generation nobody computes any more.
    assert caching._get_payload(old_key) is not None
    fresh_process()
    assert detail(auth_client, entry.pk).json()["title"] == "during the outage"
    fresh_process()
    assert detail(auth_client, entry.pk).json()["title"] == "during the outage"
    assert caching.stats.snapshot().get(("entries", "hit"), 0) >= 1  # and the cache serves again


@pytest.mark.django_db
@pytest.mark.fault
def test_redis_down_reads_and_writes_still_succeed(auth_client, browser_client, user, redis_proxy):
    entry = EntryFactory(user=user, title="kept", body="searchable words", tags=["t"])
    redis_proxy.cut()
    fresh_process()
    base = "/api/v1"
    assert auth_client.get(f"{base}/entries/").status_code == 200
    assert auth_client.get(f"{base}/entries/", {"q": "searchable"}).json()["count"] == 1
    assert detail(auth_client, entry.pk).status_code == 200
    created = auth_client.post(f"{base}/entries/", {"title": "new", "body": "written offline"}, format="json")
    assert created.status_code == 201
    assert auth_client.patch(f"{base}/entries/{entry.pk}/", {"mood": 2}, format="json").status_code == 200
    assert auth_client.get(f"{base}/tags/").status_code == 200
    assert auth_client.get(f"{base}/stats/").json()["entries_count"] == 2
    assert auth_client.get(f"{base}/export/").status_code == 200
    document = {"entries": [{"title": "imported", "body": "b"}]}
    assert auth_client.post(f"{base}/import/", document, format="json").status_code == 201
    assert auth_client.delete(f"{base}/entries/{created.json()['id']}/").status_code == 204
    for page in ("/today/", "/entries/", f"/entries/{entry.pk}/", "/search/?q=words", "/calendar/", "/insights/"):
        assert browser_client.get(page).status_code == 200, page
    response = browser_client.post("/entries/new/", {"title": "page write", "body": "b", "mood": "3"})
    assert response.status_code == 302
    assert Entry.objects.filter(user=user, title="page write").exists()


@pytest.mark.django_db
@pytest.mark.fault
def test_hung_redis_costs_at_most_one_short_timeout(auth_client, user, redis_proxy, settings):
    entry = EntryFactory(user=user)
    detail(auth_client, entry.pk)
    redis_proxy.hang()
    fresh_process()
    started = time.monotonic()
    for _ in range(10):
        assert detail(auth_client, entry.pk).status_code == 200
        fresh_process()
    # One call waits for the socket timeout (0.25 s); the breaker answers the rest at once.
    assert time.monotonic() - started < 2.0


@pytest.mark.django_db
def test_login_still_works_with_the_session_in_the_database(client, user, redis_proxy):
    redis_proxy.cut()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/entries/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_coalesced_invalidation_still_bumps_for_autocommitted_writes_when_it_fails(user):
    from entries.signals import coalesced_invalidation

    entry = EntryFactory(user=user, title="before")
    selectors.entry_get(user=user, entry_id=entry.pk)
    before = generation(user.pk)

    def write_then_fail() -> None:
        with coalesced_invalidation():
            Entry.objects.get(pk=entry.pk).save()  # autocommit: this row is written for good
            Entry.objects.filter(pk=entry.pk).update(title="after")
            Entry.objects.get(pk=entry.pk).save()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert generation(user.pk) > before
    new_request()
    assert selectors.entry_get(user=user, entry_id=entry.pk)["title"] == "after"


@pytest.mark.django_db(transaction=True)
def test_a_query_failing_in_a_coalesced_write_is_the_error_raised(user):
    # A write that deadlocks (with an account deletion, say) has its transaction aborted by
    # PostgreSQL; the block's closing bump then ran in it, and "current transaction is
    # aborted" (an InternalError) replaced the deadlock: the API's 503 became a 500.
    from django.db import OperationalError

    from entries.signals import coalesced_invalidation, invalidate

    entry = EntryFactory(user=user)
    before = generation(user.pk)

    def write_that_fails() -> None:
        with transaction.atomic(), coalesced_invalidation():
            Entry.objects.filter(pk=entry.pk).update(title="rolled back")
            invalidate(user.pk)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 1")
                cursor.execute("SELECT pg_sleep(1)")  # canceled: an OperationalError, as a deadlock is

    with pytest.raises(OperationalError):
        write_that_fails()
    assert generation(user.pk) == before
    assert Entry.objects.get(pk=entry.pk).title != "rolled back"


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_create_each_entry_once(user):
    from tests.conftest import make_api_client

    document = {
        "entries": [{"title": f"t{n}", "body": "b", "uid": f"00000000-0000-4000-8000-{n:012d}"} for n in range(30)]
    }
    results: list[int] = []
    start = threading.Barrier(3)

    def importer() -> None:
        client = make_api_client(user)
        start.wait()
        try:
            response = client.post("/api/v1/import/", document, format="json")
            results.append(response.json()["imported"])
        finally:
            connection.close()

    threads = [threading.Thread(target=importer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(results) == [0, 0, 30]
    assert Entry.objects.filter(user=user).count() == 30


# --- Per-entry versions: a write to one entry keeps the others' stored values -------------


@pytest.mark.django_db
def test_after_a_write_the_list_rebuilds_only_the_changed_entry(user, capture_queries):
    entries = [EntryFactory(user=user, title=f"kept {number}") for number in range(5)]
    new_request()
    selectors.entry_list(user=user, filters={}, page=1, page_size=20)
    services.entry_update(entry=entries[2], title="changed")
    created = services.entry_create(user=user, title="new one", body="text")

    fresh_process()  # Redis only: the process-local level cannot help
    with capture_queries() as queries:
        page = selectors.entry_list(user=user, filters={}, page=1, page_size=20)
    titles = {item["id"]: item["title"] for item in page["results"]}
    assert titles[entries[2].pk] == "changed"
    assert titles[created.pk] == "new one"
    assert titles[entries[0].pk] == "kept 0"
    loads = body_loads(queries)
    assert len(loads) == 1  # one query for the entries that changed, none for the rest
    loaded_ids = {int(number) for number in re.search(r"IN \(([^)]*)\)", loads[0]).group(1).split(",")}
    assert loaded_ids == {entries[2].pk, created.pk}


@pytest.mark.django_db
def test_after_a_write_another_entry_opens_without_loading_it(user, capture_queries):
    opened, edited = EntryFactory(user=user, title="opened"), EntryFactory(user=user)
    new_request()
    selectors.entry_get(user=user, entry_id=opened.pk)
    services.entry_update(entry=edited, title="edited")

    fresh_process()
    with capture_queries() as queries:
        value = selectors.entry_get(user=user, entry_id=opened.pk)
    assert value == selectors.entry_to_dict(Entry.objects.get(pk=opened.pk))
    assert body_loads(queries) == []  # only its version was read
    assert len(entry_tables_touched(queries)) == 1


def _tag_names_seen(user, entry_id):
    fresh_process()
    return (
        selectors.entry_get(user=user, entry_id=entry_id)["tags"],
        selectors.entry_list(user=user, filters={}, page=1, page_size=20)["results"][0]["tags"],
    )


@pytest.mark.django_db
def test_changes_that_bypass_updated_at_refresh_stored_entries(user):
    entry = EntryFactory(user=user, tags=["old name"])
    assert _tag_names_seen(user, entry.pk) == (["old name"], ["old name"])

    tag = Tag.objects.get(user=user, name="old name")
    tag.name = "new name"
    tag.save()  # a rename: the entry's row is not written
    assert _tag_names_seen(user, entry.pk) == (["new name"], ["new name"])

    extra = Tag.objects.create(user=user, name="extra")
    extra.entries.add(entry)  # from the tag's side
    assert _tag_names_seen(user, entry.pk) == (["extra", "new name"], ["extra", "new name"])

    extra.delete()  # deleted while in use
    assert _tag_names_seen(user, entry.pk) == (["new name"], ["new name"])

    row = Entry.objects.get(pk=entry.pk)
    row.mood = 4
    row.save(update_fields=["mood"])  # plain ORM code that leaves updated_at alone
    fresh_process()
    assert selectors.entry_get(user=user, entry_id=entry.pk)["mood"] == 4

    row = Entry.objects.get(pk=entry.pk)
    row.mood = 2
    row.save()  # a full save with the loaded updated_at
    fresh_process()
    assert selectors.entry_get(user=user, entry_id=entry.pk)["mood"] == 2

    row.updated_at = timezone.now()
    row.title = "moved on"
    row.save()  # moves the version...
    assert selectors.entry_get(user=user, entry_id=entry.pk)["title"] == "moved on"
    row.mood = 5
    row.save()  # ...and a second save of the same instance keeps it
    fresh_process()
    assert selectors.entry_get(user=user, entry_id=entry.pk)["mood"] == 5


@pytest.mark.django_db
def test_service_writes_and_unused_tag_pruning_keep_other_entries_stored(user):
    entry = EntryFactory(user=user, tags=["only here"])
    EntryFactory(user=user)
    selectors.entry_list(user=user, filters={}, page=1, page_size=20)
    before = versions_generation(user.pk)
    services.entry_update(entry=entry, title="retitled", tags=["elsewhere"])  # prunes "only here"
    services.entry_create(user=user, title="t", body="b", tags=["x"])
    services.entry_delete(entry=selectors.entry_for_write(user=user, entry_id=entry.pk))
    assert versions_generation(user.pk) == before


@pytest.mark.django_db(transaction=True)
def test_entry_versions_read_inside_an_uncommitted_write_are_never_stored(user):
    entry = EntryFactory(user=user, title="committed")
    seen: dict[str, object] = {}

    def write_read_then_fail() -> None:
        with transaction.atomic():
            services.entry_update(entry=entry, title="rolled back")
            row = Entry.objects.get(pk=entry.pk)
            seen["version"] = row.updated_at
            seen["title"] = selectors.entry_dicts(user.pk, [(entry.pk, row.updated_at)])[0]["title"]
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_read_then_fail()
    assert seen["title"] == "rolled back"

    new_request()
    key = caching.make_key(
        caching.ENTRY_VERSIONS,
        user.pk,
        caching.current_generation(caching.ENTRY_VERSIONS, user.pk),
        "entry",
        (entry.pk, iso(seen["version"])),
    )
    assert caching._get_payload(key) is None
    assert caching.local_cache.get(key) is None
