"""In-process aggregation and the flush to real Redis (and what happens when Redis is gone)."""

import os
import time

import pytest
from django.utils import timezone

from monitoring import catalog
from monitoring.collector import Collector, collector
from monitoring.selectors import server_figures
from monitoring.store import Aggregate, get_store, minute_of

pytestmark = pytest.mark.django_db


def test_flush_writes_the_buffer_into_its_minute_window_and_the_totals():
    now = timezone.now()
    for seconds in (0.001, 0.002, 0.004):
        collector.record(catalog.SESSION_RETRIEVAL, seconds)
    collector.increment(catalog.REDIS_ERRORS, (("operation", "get"),))

    result = collector.flush(now=now)

    assert result.stored
    store = get_store()
    window = store.read_windows([minute_of(now)])[minute_of(now)]
    histogram = window.family(catalog.SESSION_RETRIEVAL)
    assert histogram.count == 3
    assert histogram.sum == pytest.approx(0.007)
    assert histogram.max == pytest.approx(0.004)
    assert window.counter(catalog.REDIS_ERRORS) == 1
    totals = Aggregate.from_fields(store.read_totals())
    assert totals.family(catalog.SESSION_RETRIEVAL).count == 3


def test_a_flush_empties_the_buffer_so_nothing_is_counted_twice():
    now = timezone.now()
    collector.record(catalog.KNOWLEDGE_LOOKUP, 0.0005)
    collector.flush(now=now)
    collector.flush(now=now)
    window = get_store().read_windows([minute_of(now)])[minute_of(now)]
    assert window.family(catalog.KNOWLEDGE_LOOKUP).count == 1


def test_processes_aggregate_by_addition_in_redis():
    # Two collectors stand for two gunicorn workers writing to the same Redis.
    now = timezone.now()
    worker_a, worker_b = Collector(), Collector()
    worker_a.stop_thread()
    worker_b.stop_thread()
    for _ in range(3):
        worker_a.record(catalog.SESSION_RETRIEVAL, 0.001)
    for _ in range(2):
        worker_b.record(catalog.SESSION_RETRIEVAL, 0.009)
    worker_a.flush(now=now)
    worker_b.flush(now=now)

    window = get_store().read_windows([minute_of(now)])[minute_of(now)]
    merged = window.family(catalog.SESSION_RETRIEVAL)
    assert merged.count == 5
    assert merged.max == pytest.approx(0.009)
    assert server_figures()["session_retrieval_p99_ms"] > 7.5  # the slow worker's samples are in


def test_window_keys_expire_and_totals_too(settings):
    settings.MONITORING_WINDOW_TTL = 600
    now = timezone.now()
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    collector.flush(now=now)
    store = get_store()
    client = store._client()
    assert 0 < client.ttl(store.window_key(minute_of(now))) <= 600
    assert 0 < client.ttl(store.max_key(minute_of(now))) <= 600
    assert client.ttl(store.totals_key) > 0


def test_unreachable_redis_drops_and_counts_without_raising(redis_proxy):
    now = timezone.now()
    redis_proxy.cut()
    for _ in range(4):
        collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    buffered = sum(histogram.count for histogram in collector.peek().values())
    assert buffered >= 4

    result = collector.flush(now=now)

    assert not result.stored
    assert collector.dropped_samples == buffered
    assert collector.peek() == {}  # dropped, not kept: memory stays bounded


def test_open_breaker_skips_redis_and_the_drop_count_arrives_once_it_is_back(redis_proxy):
    from django.core.cache import cache

    redis_proxy.cut()
    cache.get("anything")  # a cache call fails: the breaker opens for everyone in the process
    store = get_store()
    assert store.breaker.is_open
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    assert not collector.flush().stored  # refused by the breaker, without a connection attempt
    assert store.breaker.is_open

    dropped = collector.dropped_samples
    assert dropped >= 1

    redis_proxy.restore()
    time.sleep(0.6)  # the fixture's breaker cool-down
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    assert collector.flush().stored
    totals = Aggregate.from_fields(get_store().read_totals())
    assert totals.counter(catalog.DROPPED_SAMPLES) == dropped
    assert totals.family(catalog.SESSION_RETRIEVAL).count == 1  # the dropped one is gone for good


def test_flush_failure_opens_the_breaker_for_the_cache_too(redis_proxy):
    redis_proxy.cut()
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    collector.flush()
    assert get_store().breaker.is_open


def test_a_forked_child_starts_empty_and_the_parent_keeps_its_samples():
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave at once, without running pytest's teardown
        try:
            empty = collector.peek() == {} and collector._thread is None
            os.write(write_end, b"1" if empty else b"0")
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert answer == b"1"
    assert collector.peek()  # the parent still flushes what it recorded


def test_a_pid_change_seen_at_flush_discards_the_inherited_buffer(monkeypatch):
    now = timezone.now()
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    monkeypatch.setattr(collector, "_pid", -1)  # as if this process were a fork the hook missed
    collector.flush(now=now)
    assert minute_of(now) not in get_store().read_windows([minute_of(now)])


def test_an_idle_process_stops_flushing_its_own_flush_timings():
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    assert collector.flush().samples == 1
    assert collector.flush().samples == 1  # the first flush's own timing
    assert collector.flush().samples == 0  # ...which is not timed again


def test_the_background_thread_flushes_on_its_own(settings):
    settings.MONITORING_FLUSH_THREAD = True
    settings.MONITORING_FLUSH_INTERVAL = 0.5
    collector.start_thread()
    try:
        collector.record(catalog.KNOWLEDGE_LOOKUP, 0.0003)
        deadline = time.monotonic() + 10
        count = 0
        while time.monotonic() < deadline and not count:
            time.sleep(0.1)
            count = Aggregate.from_fields(get_store().read_totals()).family(catalog.KNOWLEDGE_LOOKUP).count
        assert count == 1
    finally:
        collector.stop_thread()
