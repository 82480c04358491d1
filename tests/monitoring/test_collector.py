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


def test_unreachable_redis_keeps_the_buffer_for_the_next_flush_without_raising(redis_proxy):
    now = timezone.now()
    redis_proxy.cut()
    for _ in range(4):
        collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    buffered = sum(histogram.count for histogram in collector.peek().values())
    assert buffered >= 4

    result = collector.flush(now=now)

    assert not result.stored
    assert collector.dropped_samples == 0  # refused before anything was sent: nothing lost
    assert collector.retained_samples == buffered


def test_a_reply_redis_py_cannot_read_makes_the_store_unavailable():
    # What a server that is not Redis causes in redis-py's handshake (seen on a RESP3
    # connection answered "+OK"): an AttributeError, not one of redis-py's errors.
    from monitoring.store import StoreUnavailable

    store = get_store()

    def handshake_meets_a_stranger(client):
        raise AttributeError("'bytes' object has no attribute 'get'")

    with pytest.raises(StoreUnavailable):
        store._call("monitoring_flush", handshake_meets_a_stranger)
    assert store.breaker.is_open
    store.breaker.reset()


def _wait_for_the_breaker(store) -> None:
    deadline = time.monotonic() + 5
    while store.breaker.is_open and time.monotonic() < deadline:
        time.sleep(0.05)


def test_redis_errors_of_an_outage_are_stored_once_redis_is_back(client, settings, redis_proxy):
    """The failed calls are counted while Redis is down, exactly when no flush can store them."""
    from django.core.cache import cache

    redis_proxy.cut()
    for _ in range(3):
        cache.get("monitoring-outage-key")  # fails once, then refused by the open breaker
    store = get_store()
    assert store.breaker.is_open
    errors = collector.peek_counters()[(catalog.REDIS_ERRORS, (("operation", "get"),))]
    assert errors >= 1
    assert not collector.flush().stored  # the breaker is still open: the store is not reachable

    redis_proxy.restore()
    _wait_for_the_breaker(store)
    assert collector.flush().stored

    totals = Aggregate.from_fields(store.read_totals())
    assert totals.counters[(catalog.REDIS_ERRORS, (("operation", "get"),))] == errors
    # The failed call's latency sample too: a hung Redis must show in the Redis p99.
    assert totals.family(catalog.REDIS_COMMAND, operation="get").count >= 1
    assert totals.counter(catalog.DROPPED_SAMPLES) == 0
    settings.METRICS_TOKEN = "metrics-s3cret"
    exposition = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-s3cret").content.decode()
    assert f'journal_redis_command_errors_total{{operation="get"}} {float(errors)}' in exposition


def test_kept_samples_are_written_once(redis_proxy):
    now = timezone.now()
    redis_proxy.cut()
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    collector.increment(catalog.REDIS_ERRORS, (("operation", "get"),))
    assert not collector.flush(now=now).stored
    assert not collector.flush(now=now).stored  # a second failure keeps them, not twice

    redis_proxy.restore()
    _wait_for_the_breaker(get_store())
    collector.record(catalog.SESSION_RETRIEVAL, 0.002)
    assert collector.flush(now=now).stored
    assert collector.flush(now=now).samples <= 1  # at most the flush's own timing is left

    totals = Aggregate.from_fields(get_store().read_totals())
    assert totals.family(catalog.SESSION_RETRIEVAL).count == 2
    assert totals.counters[(catalog.REDIS_ERRORS, (("operation", "get"),))] == 1
    # The monitoring store's own failed write is a Redis error too: the first flush's,
    # which reached the proxy; the second was refused by the open breaker, sent nowhere.
    assert totals.counters[(catalog.REDIS_ERRORS, (("operation", "monitoring_flush"),))] == 1
    assert collector.retained_samples == 0


def test_what_is_kept_is_bounded_and_the_rest_is_dropped_and_counted(redis_proxy, monkeypatch):
    from monitoring import collector as collector_module

    monkeypatch.setattr(collector_module, "MAX_RETAINED_SERIES", 2)
    redis_proxy.cut()
    for operation in ("a", "b", "c"):
        collector.record(catalog.REDIS_COMMAND, 0.001, (("operation", operation),))
        collector.increment(catalog.REDIS_ERRORS, (("operation", operation),), 5)
    assert not collector.flush().stored
    assert collector.retained_samples == 2
    assert collector.dropped_samples == 1 + 5  # one histogram sample and one counter's five

    # A long outage: the series already kept go on adding up, new ones still do not fit.
    collector.record(catalog.REDIS_COMMAND, 0.001, (("operation", "a"),))
    collector.record(catalog.REDIS_COMMAND, 0.001, (("operation", "d"),))
    assert not collector.flush().stored
    assert collector.retained_samples == 3
    # ... and the count of the first flush's own failed write, a series of its own.
    assert collector.dropped_samples == 1 + 5 + 1 + 1

    redis_proxy.restore()
    _wait_for_the_breaker(get_store())
    assert collector.flush().stored
    totals = Aggregate.from_fields(get_store().read_totals())
    assert totals.family(catalog.REDIS_COMMAND).count == 3
    assert totals.counter(catalog.REDIS_ERRORS) == 10
    assert totals.counter(catalog.DROPPED_SAMPLES) == 8


def test_a_write_that_timed_out_is_dropped_not_sent_twice(redis_proxy):
    # A paused Redis (CLIENT PAUSE, DEBUG SLEEP, SIGSTOP) runs the commands it received
    # when it resumes: sending them again would count them twice.
    redis_proxy.hang()
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    collector.increment(catalog.REDIS_ERRORS, (("operation", "get"),))
    assert not collector.flush().stored
    assert collector.retained_samples == 0
    assert collector.dropped_samples == 2


def test_open_breaker_skips_redis_and_the_drop_count_arrives_once_it_is_back(redis_proxy):
    from django.core.cache import cache

    redis_proxy.hang()
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)
    assert not collector.flush().stored  # timed out: dropped and counted
    store = get_store()
    assert store.breaker.is_open
    dropped = collector.dropped_samples
    assert dropped >= 1

    cache.get("anything")  # refused by the breaker, without a connection attempt
    assert not collector.flush().stored
    assert store.breaker.is_open
    assert collector.dropped_samples == dropped  # kept, not dropped: the store was never reached

    redis_proxy.restore()
    _wait_for_the_breaker(store)
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


def _maintain_in_one_minute(*collectors: Collector) -> None:
    """Each collector's once-a-minute maintenance, all within the same wall-clock minute."""
    while True:
        minute = minute_of(time.time())
        for each in collectors:
            each._last_maintenance_minute = 0
            each._maybe_maintain()
        if minute_of(time.time()) == minute:
            return


@pytest.mark.django_db(transaction=True)  # maintenance closes its connection, as a thread must
def test_without_a_broker_one_process_a_minute_rolls_up_and_evaluates_the_shared_metrics(settings, seeded_targets, put):
    """`make run` with DATABASE_URL and REDIS_URL but no CELERY_BROKER_URL runs no beat: the
    targets were never evaluated (no violation ever opened, "not evaluated yet" forever)
    and no history was rolled up. The flush threads do it then, one process per minute:
    gunicorn's workers share the metrics in Redis, and evaluating once per worker would
    count each breach several times."""
    from monitoring.models import Target, TargetStatus, Violation

    settings.MONITORING_INLINE_MAINTENANCE = None  # decided from the settings, as outside the tests
    settings.CELERY_BROKER_URL = ""
    assert get_store().shared
    put(catalog.SESSION_RETRIEVAL, 0.030, count=40)  # p99 30 ms: the 10 ms target is breached
    worker_a, worker_b = Collector(), Collector()
    worker_a.stop_thread()
    worker_b.stop_thread()

    _maintain_in_one_minute(worker_a, worker_b)

    target = Target.objects.get(metric=catalog.SESSION_RETRIEVAL)
    assert target.last_evaluated_at is not None
    assert target.last_status == TargetStatus.BREACHED
    violation = Violation.objects.get(target=target)
    assert violation.evaluations == 1  # one evaluation for the minute, not one per process


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_the_flush_threads_leave_maintenance_to_beat(settings, seeded_targets, put):
    from monitoring.models import Target

    settings.MONITORING_INLINE_MAINTENANCE = None
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/10"
    put(catalog.SESSION_RETRIEVAL, 0.030, count=40)
    worker = Collector()
    worker.stop_thread()
    _maintain_in_one_minute(worker)
    assert not Target.objects.filter(last_evaluated_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_no_maintenance_while_the_process_is_migrating(settings, seeded_targets, put, caplog):
    """`make run`'s migrate step logged "Monitoring maintenance failed" with a traceback on a
    fresh database: its flush thread rolled up into tables not created yet."""
    from monitoring import instrumentation
    from monitoring.models import Target

    settings.MONITORING_INLINE_MAINTENANCE = None
    settings.CELERY_BROKER_URL = ""
    put(catalog.SESSION_RETRIEVAL, 0.030, count=40)
    worker = Collector()
    worker.stop_thread()
    instrumentation._on_pre_migrate()  # what `migrate` signals before it applies anything
    try:
        _maintain_in_one_minute(worker)
    finally:
        instrumentation._on_post_migrate()
    assert not Target.objects.filter(last_evaluated_at__isnull=False).exists()
    _maintain_in_one_minute(worker)  # migrations done: the next minute's maintenance runs
    assert Target.objects.filter(last_evaluated_at__isnull=False).exists()


def test_a_periodic_task_comes_due_once_a_period(settings):
    from datetime import timedelta

    from monitoring import services

    settings.CELERY_BEAT_SCHEDULE = {
        "hourly": {"task": "entries.tasks.tombstones_prune", "schedule": timedelta(hours=1)},
        "rollup": {"task": "monitoring.tasks.rollup_windows", "schedule": timedelta(minutes=1)},  # run_maintenance's
    }
    task = "entries.tasks.tombstones_prune"
    last: dict[str, int] = {}
    assert services.periodic_tasks_due(epoch=7200.0, last_periods=last) == [(task, 2, 3600)]
    last[task] = 2
    assert services.periodic_tasks_due(epoch=10799.0, last_periods=last) == []
    assert services.periodic_tasks_due(epoch=10800.0, last_periods=last) == [(task, 3, 3600)]


@pytest.mark.django_db(transaction=True)  # maintenance closes its connection, as a thread must
def test_on_the_embedded_default_the_flush_thread_runs_the_rest_of_beats_schedule(settings, user, monkeypatch):
    """`make run` on a bare machine runs no broker, hence no beat: the flush thread rolled up
    and evaluated, but nothing else of beat's schedule ever ran. Idle reflection sessions
    stayed active for ever (docs/companion.md: abandoned after SESSION_IDLE_MINUTES) and
    nothing was pruned (metric history, deletion history, Idempotency-Key records,
    expired browser sessions, login records)."""
    from datetime import timedelta

    from monitoring import collector as collector_module
    from monitoring.models import MetricSnapshot
    from monitoring.store import LocalStore
    from sessions_app import services as session_services
    from sessions_app.models import ReflectionSession

    settings.MONITORING_INLINE_MAINTENANCE = None  # decided from the settings, as outside the tests
    settings.CELERY_BROKER_URL = ""
    settings.SESSION_IDLE_MINUTES = 60
    monkeypatch.setattr(collector_module, "get_store", LocalStore)  # the embedded default's, in this process
    idle = session_services.session_create(user=user)
    ReflectionSession.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(hours=2))
    old = MetricSnapshot.objects.create(
        metric=catalog.SESSION_RETRIEVAL,
        minute=timezone.now() - timedelta(days=settings.MONITORING_RETENTION_DAYS + 1),
        count=1,
    )
    process = Collector()
    process.stop_thread()

    process._maybe_maintain()

    idle.refresh_from_db()
    assert idle.status == ReflectionSession.Status.ABANDONED
    assert not MetricSnapshot.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_each_periodic_task_runs_once_a_period_across_the_processes(settings, monkeypatch):
    """With the metrics in Redis (no broker), gunicorn's workers claim each task's period."""
    from monitoring import services

    settings.MONITORING_INLINE_MAINTENANCE = None
    settings.CELERY_BROKER_URL = ""
    assert get_store().shared
    monkeypatch.setattr(services, "run_maintenance", lambda: None)
    ran: list[str] = []
    monkeypatch.setattr(services, "run_periodic_task", ran.append)
    expected = sorted(
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] not in services.MAINTENANCE_TASKS
    )
    while True:  # both processes within one wall-clock minute (the shortest period)
        minute = minute_of(time.time())
        ran.clear()
        worker_a, worker_b = Collector(), Collector()
        for each in (worker_a, worker_b):
            each.stop_thread()
            each._maybe_maintain()
        if minute_of(time.time()) == minute:
            break
    assert sorted(ran) == expected


def test_a_process_on_a_database_not_migrated_yet_skips_the_inline_maintenance_quietly(tmp_path):
    """Without a broker every process's flush thread does beat's work, management commands
    too: `makemigrations --check` (in `make lint`) or `createsuperuser` before `migrate`
    logged a traceback a minute ("no such table: monitoring_target")."""
    from tests.core.test_settings_profiles import clean_env, run_manage

    env = clean_env(SQLITE_PATH=str(tmp_path / "new.sqlite3"), LOG_FORMAT="text")
    code = (
        "from monitoring.collector import collector; from monitoring import conf; "
        "assert conf.inline_maintenance(); collector._maybe_maintain(); print('maintained')"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert "maintained" in result.stdout
    assert "Traceback" not in result.stderr
    assert "Monitoring maintenance failed" not in result.stderr
