"""The shared caching mechanism against real Redis: the six properties of the brief."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from journal_project import cache_backend, caching
from journal_project.accounts.models import Profile
from journal_project.accounts.services import profile_update
from journal_project.models import CacheGeneration
from monitoring.collector import collector


def read_time_zone(
    user_id: int, calls: list | None = None, pause: threading.Event | None = None, loaded: threading.Event | None = None
) -> str:
    """A cached read of the profile's time zone, standing in for any selector."""

    def build() -> str:
        if calls is not None:
            calls.append(1)
        value = Profile.objects.get(user_id=user_id).time_zone
        if loaded is not None:
            loaded.set()
        if pause is not None:
            pause.wait(10)
        return value

    return caching.cached(caching.ENTRIES, user_id, "time-zone", [], build)


class _Timeout:
    """An event whose wait() always returns after `seconds`."""

    def __init__(self, event: threading.Event, seconds: float) -> None:
        self.event, self.seconds = event, seconds

    def wait(self, _timeout: float) -> bool:
        return self.event.wait(self.seconds)


def new_request() -> None:
    caching.reset_request_state()
    caching.local_cache.clear()


@pytest.mark.django_db
def test_second_read_is_a_hit_and_builds_nothing(user):
    calls: list = []
    assert read_time_zone(user.pk, calls) == "UTC"
    new_request()
    assert read_time_zone(user.pk, calls) == "UTC"
    assert len(calls) == 1
    counts = caching.stats.snapshot()
    assert counts[("entries", "miss")] == 1
    assert counts[("entries", "hit")] == 1


@pytest.mark.django_db
def test_a_failed_build_releases_the_stampede_lock_at_once(user):
    def build() -> str:
        raise RuntimeError("the database said no")

    with pytest.raises(RuntimeError):
        caching.cached(caching.ENTRIES, user.pk, "failing", [], build)
    key = caching.make_key(
        caching.ENTRIES, user.pk, caching.current_generation(caching.ENTRIES, user.pk), "failing", []
    )
    assert cache.get(f"{key}:lock") is None  # the next reader builds without waiting
    assert caching.cached(caching.ENTRIES, user.pk, "failing", [], lambda: "built") == "built"


@pytest.mark.django_db
def test_cached_many_builds_only_what_is_missing_in_one_call(user):
    built: list[list[tuple]] = []

    def build_many(missing):
        built.append(missing)
        return {parts: {"n": parts[0]} for parts in missing if parts[0] != 3}  # 3 "no longer exists"

    first = caching.cached_many(caching.ENTRY_VERSIONS, user.pk, "item", [(1,), (2,)], build_many)
    assert first == [{"n": 1}, {"n": 2}]
    caching.local_cache.clear()  # the second call finds them in Redis
    new_request()
    second = caching.cached_many(caching.ENTRY_VERSIONS, user.pk, "item", [(2,), (3,), (1,)], build_many, observe=True)
    assert second == [{"n": 2}, None, {"n": 1}]
    assert built == [[(1,), (2,)], [(3,)]]
    counts = caching.stats.snapshot()
    assert counts[("entry_versions", "hit")] == 2
    assert counts[("entry_versions", "miss")] == 1


@pytest.mark.django_db
def test_cached_many_lookups_are_not_observed_unless_asked(user):
    caching.cached_many(caching.ENTRY_VERSIONS, user.pk, "item", [(1,)], lambda missing: {(1,): 1})
    assert not [key for key in caching.stats.snapshot() if key[0] == "entry_versions"]


def _generation_upserts(queries) -> int:
    return sum("INSERT INTO" in q["sql"] and "core_cachegeneration" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_one_transaction_moves_a_generation_once(user):
    before = caching.current_generation(caching.SESSIONS, user.pk)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        caching.bump(caching.SESSIONS, user.pk)
        caching.bump(caching.SESSIONS, user.pk)
        with transaction.atomic():
            caching.bump(caching.SESSIONS, user.pk)
    assert _generation_upserts(queries) == 1
    new_request()
    assert caching.current_generation(caching.SESSIONS, user.pk) == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_bump_is_made_again_by_the_next_write(user):
    before = caching.current_generation(caching.SESSIONS, user.pk)
    with transaction.atomic():
        caching.bump(caching.SESSIONS, user.pk)
        try:
            with transaction.atomic():
                transaction.on_commit(lambda: None)
                raise RuntimeError("inner work failed")
        except RuntimeError:
            pass
        caching.bump(caching.SESSIONS, user.pk)  # the outer bump still stands: skipped
    with transaction.atomic():
        try:
            with transaction.atomic():
                caching.bump(caching.ENTRIES, user.pk)
                raise RuntimeError("rolled back with its savepoint")
        except RuntimeError:
            pass
        with CaptureQueriesContext(connection) as queries:
            caching.bump(caching.ENTRIES, user.pk)  # the first went with the savepoint: bump again
        assert _generation_upserts(queries) == 1
    new_request()
    assert caching.current_generation(caching.SESSIONS, user.pk) == before + 1


@pytest.mark.django_db(transaction=True)
def test_bumping_every_scope_moves_each_users_generation_once_and_bypasses_until_commit(user, other_user):
    mine = caching.current_generation(caching.SESSIONS, user.pk)
    theirs = caching.current_generation(caching.SESSIONS, other_user.pk)
    new_request()
    calls: list = []
    with transaction.atomic():
        caching.bump_every_scope(caching.SESSIONS)
        caching.bump_every_scope(caching.SESSIONS)  # once per transaction
        # Until the commit, reads skip the cache: uncommitted rows are never stored.
        caching.cached(caching.SESSIONS, user.pk, "probe", [], lambda: calls.append(1))
        caching.cached(caching.SESSIONS, user.pk, "probe", [], lambda: calls.append(1))
        assert len(calls) == 2
    new_request()
    assert caching.current_generation(caching.SESSIONS, user.pk) == mine + 1
    assert caching.current_generation(caching.SESSIONS, other_user.pk) == theirs + 1
    with transaction.atomic():
        try:
            with transaction.atomic():
                caching.bump_every_scope(caching.SESSIONS)
                raise RuntimeError("rolled back with its savepoint")
        except RuntimeError:
            pass
        caching.bump_every_scope(caching.SESSIONS)  # the first went with the savepoint: bump again
    new_request()
    assert caching.current_generation(caching.SESSIONS, user.pk) == mine + 2


@pytest.mark.django_db(transaction=True)
def test_after_its_commit_a_request_reads_under_its_own_generation_without_a_query(user):
    with transaction.atomic():
        caching.bump(caching.ENTRIES, user.pk)
    with CaptureQueriesContext(connection) as queries:
        remembered = caching.current_generation(caching.ENTRIES, user.pk)
    assert len(queries) == 0
    new_request()
    assert caching.current_generation(caching.ENTRIES, user.pk) == remembered


@pytest.mark.django_db
def test_local_level_serves_repeated_reads_in_one_process(user):
    calls: list = []
    read_time_zone(user.pk, calls)
    caching.reset_request_state()
    read_time_zone(user.pk, calls)
    assert caching.stats.snapshot()[("entries", "local_hit")] == 1
    assert len(calls) == 1


@pytest.mark.django_db
def test_write_moves_the_generation_and_the_next_read_sees_it(user):
    assert read_time_zone(user.pk) == "UTC"
    profile_update(profile=user.profile, time_zone="Europe/Paris")
    new_request()
    assert read_time_zone(user.pk) == "Europe/Paris"


@pytest.mark.django_db
def test_keys_are_scoped_per_user(user, other_user):
    key_a = caching.make_key(caching.ENTRIES, user.pk, 1, "list", [1])
    key_b = caching.make_key(caching.ENTRIES, other_user.pk, 1, "list", [1])
    assert key_a != key_b
    assert f":{user.pk}:" in key_a
    with pytest.raises(ValueError, match="per user"):
        caching.make_key(caching.ENTRIES, None, 1, "list", [])


@pytest.mark.django_db
def test_every_key_has_a_ttl(user):
    read_time_zone(user.pk)
    keys = cache.keys("j:entries:*")
    assert keys
    for key in keys:
        assert 0 < cache.ttl(key) <= 3600


@pytest.mark.django_db
def test_switching_the_cache_off_reads_the_database_every_time(user, settings):
    settings.JOURNAL_CACHE_ENABLED = False
    calls: list = []
    read_time_zone(user.pk, calls)
    read_time_zone(user.pk, calls)
    assert len(calls) == 2
    assert cache.keys("j:*") == []


@pytest.mark.django_db
def test_values_built_inside_an_uncommitted_write_are_never_stored(user):
    read_time_zone(user.pk)
    inside: list[str] = []

    def write_read_and_roll_back() -> None:
        with transaction.atomic():
            profile_update(profile=user.profile, time_zone="Asia/Tokyo")
            # Read inside the transaction: the uncommitted value, not cached.
            inside.append(read_time_zone(user.pk))
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        write_read_and_roll_back()
    assert inside == ["Asia/Tokyo"]
    new_request()
    assert read_time_zone(user.pk) == "UTC"


@pytest.mark.django_db(transaction=True)
def test_reader_racing_a_writer_cannot_park_stale_rows(user):
    """A reader loads the old row, the writer commits, the reader stores: later readers still see the write."""
    loaded, resume = threading.Event(), threading.Event()
    results: dict[str, str] = {}

    def slow_reader() -> None:
        new_request()
        try:
            results["racing"] = read_time_zone(user.pk, pause=resume, loaded=loaded)
        finally:
            connection.close()

    reader = threading.Thread(target=slow_reader)
    reader.start()
    assert loaded.wait(10)  # the reader holds the old row in hand
    profile_update(profile=Profile.objects.get(user=user), time_zone="America/New_York")  # commits
    resume.set()
    reader.join(10)

    assert results["racing"] == "UTC"  # it read before the write: fine for it
    new_request()
    assert read_time_zone(user.pk) == "America/New_York"  # but nobody after it sees that


@pytest.mark.django_db(transaction=True)
def test_hot_key_is_rebuilt_once_under_concurrent_misses(user):
    calls: list = []
    slow = threading.Event()  # never set: each build takes the full 0.2 s, so all readers overlap
    start = threading.Barrier(8)
    results: list[str] = []

    def reader() -> None:
        new_request()
        start.wait()
        try:
            results.append(read_time_zone(user.pk, calls, pause=_Timeout(slow, 0.2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == ["UTC"] * 8
    assert len(calls) == 1


@pytest.mark.django_db
def test_generation_rows_start_from_a_time_based_value(user):
    caching.current_generation(caching.SESSIONS, user.pk)
    row = CacheGeneration.objects.get(namespace="sessions", scope_id=user.pk)
    assert row.value > 10**15  # microseconds since the epoch, not 1


@pytest.mark.django_db
def test_redis_outage_during_a_write_never_resurfaces_old_data(user, redis_proxy):
    assert read_time_zone(user.pk) == "UTC"  # cached in Redis

    redis_proxy.cut()
    new_request()
    profile_update(profile=Profile.objects.get(user=user), time_zone="Africa/Nairobi")
    # During the outage reads come from PostgreSQL and are counted as errors.
    assert read_time_zone(user.pk) == "Africa/Nairobi"
    assert caching.stats.snapshot().get(("entries", "error"), 0) >= 1

    redis_proxy.restore()
    for breaker in cache_backend.all_breakers().values():
        breaker.reset()
    new_request()
    assert read_time_zone(user.pk) == "Africa/Nairobi"
    new_request()
    assert read_time_zone(user.pk) == "Africa/Nairobi"
    assert (
        caching.stats.snapshot().get(("entries", "local_hit"), 0) + caching.stats.snapshot().get(("entries", "hit"), 0)
        >= 1
    )  # and the cache works again


@pytest.fixture
def no_monitoring_flush() -> Iterator[None]:
    """Only the test's own calls may meet a hung Redis: a flush started by an earlier test
    would time out on the same breaker too."""
    was_running = collector.thread_running
    collector.stop_thread()
    yield
    if was_running:
        collector.start_thread()


@pytest.mark.django_db
@pytest.mark.usefixtures("no_monitoring_flush")
def test_hung_redis_costs_one_timeout_then_the_breaker_answers_instantly(user, redis_proxy, settings):
    read_time_zone(user.pk)
    redis_proxy.hang()
    breaker = cache_backend.breaker_for(settings.CACHES["default"]["LOCATION"])
    breaker.cooldown = 30
    failures_before = breaker.failures
    for _ in range(20):
        new_request()
        assert read_time_zone(user.pk) == "UTC"
    # One call waited for the socket timeout and opened the breaker; the rest were refused at once.
    assert breaker.failures - failures_before == 1
    assert breaker.rejections >= 19


@pytest.mark.django_db
def test_keys_and_etags_carry_the_storage_epoch(user):
    """A restored database has a new generation table, hence a new epoch: old keys are never met."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'core_cachegeneration'::regclass::oid")
        oid = str(cursor.fetchone()[0])
    assert caching.storage_epoch() == oid
    key = caching.make_key(caching.ENTRIES, user.pk, 42, "list", [])
    assert f":{oid}.42:" in key

    etag = caching.etag_for([caching.ENTRIES], user.pk, "/x")
    caching._storage_epoch = "another-copy"
    try:
        assert caching.etag_for([caching.ENTRIES], user.pk, "/x") != etag
    finally:
        caching._storage_epoch = None


def test_the_local_level_is_bounded_in_bytes_as_well_as_entries():
    lru = caching._LocalLRU(max_entries=100, max_bytes=8000)
    for index in range(10):
        lru.set(f"k{index}", b"x" * 900, 60)
    assert lru.size <= 8000
    assert lru.get("k0") is None  # the oldest went first
    assert lru.get("k9") == b"x" * 900
    lru.set("k9", b"y" * 10, 60)  # replacing a value gives its bytes back
    assert lru.size == sum(len(lru.get(f"k{index}") or b"") for index in range(10))
    lru.set("huge", b"z" * 2000, 60)  # more than an eighth of the budget: not kept locally
    assert lru.get("huge") is None


def test_the_local_level_takes_its_bounds_from_the_settings():
    # JOURNAL_CACHE_LOCAL_ENTRIES and JOURNAL_CACHE_LOCAL_MB (settings/base.py, from the environment)
    assert caching.local_cache.max_entries == settings.JOURNAL_CACHE_LOCAL_ENTRIES
    assert caching.local_cache.max_bytes == settings.JOURNAL_CACHE_LOCAL_BYTES
    assert settings.JOURNAL_CACHE_LOCAL_BYTES % (1024 * 1024) == 0


@pytest.mark.django_db
def test_a_request_sends_its_stores_to_redis_in_one_round_trip(auth_client, user):
    from entries import services
    from tests.entries.factories import EntryFactory

    EntryFactory.create_batch(3, user=user)
    services.entry_create(user=user, title="new", body="moves the list")
    operations: list[str] = []

    def observe(operation: str, seconds: float, ok: bool) -> None:
        operations.append(operation)

    cache_backend.add_observer(observe)
    try:
        # The page's entries, its value and its rendered response are all built and stored.
        assert auth_client.get("/api/v1/entries/").status_code == 200
    finally:
        cache_backend.remove_observer(observe)
    stores = [operation for operation in operations if operation.startswith(("set", "send"))]
    assert stores == ["send_bytes_many"]
    # They reached Redis: another process (no local level) answers without the database.
    cache.drain_sent()
    caching.local_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert auth_client.get("/api/v1/entries/").status_code == 200
    assert not [query for query in queries.captured_queries if "entries_entry" in query["sql"]]


@pytest.mark.django_db
def test_outside_a_request_a_store_is_sent_at_once(user):
    read_time_zone(user.pk)
    caching.local_cache.clear()
    calls: list = []
    assert read_time_zone(user.pk, calls) == "UTC"
    assert calls == []


@pytest.mark.django_db
@pytest.mark.usefixtures("no_monitoring_flush")
def test_stores_that_meet_a_redis_outage_at_the_end_of_a_request_are_dropped_quietly(user, redis_proxy):
    caching.defer_writes()
    read_time_zone(user.pk)  # built and kept for the end of the "request"
    redis_proxy.cut()
    caching.flush_writes()  # must not raise: the request's answer is ready
    redis_proxy.restore()
    for breaker in cache_backend.all_breakers().values():
        breaker.reset()
    new_request()
    calls: list = []
    assert read_time_zone(user.pk, calls) == "UTC"
    assert calls == [1]  # nothing was stored: a miss, built from the database
