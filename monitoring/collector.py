"""In-process aggregation and the periodic flush to the store (Redis).

Recording a sample is a bisect and a few integer additions under a lock: no I/O, no
allocation once a series exists. A daemon thread per process swaps the buffer every
MONITORING_FLUSH_INTERVAL seconds (ticks aligned to the wall clock, so with the default
5 s a buffer never straddles a minute) and writes it in one pipelined round trip. If the
store cannot be reached, the buffer's counters and histogram buckets are kept and merged
into the next flush: both are bounded by the label sets, not by the traffic, so an outage
of any length costs at most MAX_RETAINED_SERIES series of memory. This is what makes a
Redis outage visible at all: the failed Redis calls are counted while Redis is down, and
the breaker keeps the flush away from Redis for just as long. What does not fit, and a
write that may have reached Redis (it timed out), is dropped and counted; the count is
reported once Redis is back. Requests never wait on monitoring.

Processes: gunicorn and Celery fork their workers. A child must not flush samples its
parent had buffered (they would be counted twice) and must start its own thread; an
`os.register_at_fork` hook resets the collector in the child, and a pid check before
each flush catches any fork the hook did not see.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitoring import catalog, conf
from monitoring.histogram import BOUNDS, Histogram
from monitoring.store import Labels, SeriesKey, StoreUnavailable, encode, encode_series, get_store, minute_of

logger = logging.getLogger(__name__)

# Series (label sets) of each kind kept across failed flushes. The URLconf, the query
# operations and the cache namespaces bound them to a few hundred; this is the safety
# net (a histogram series is about 1 KB, so at most ~1 MB per process).
MAX_RETAINED_SERIES = 1000


class _Buffer:
    __slots__ = ("counters", "histograms", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.histograms: dict[SeriesKey, Histogram] = {}
        self.counters: dict[SeriesKey, int] = {}

    def samples(self) -> int:
        return sum(histogram.count for histogram in self.histograms.values())

    def merge(self, other: _Buffer, limit: int | None = None) -> int:
        """Add `other` into this buffer; returns the samples (and counts) that did not fit.

        With a `limit`, a series this buffer does not have yet is added only while it holds
        fewer than `limit` series of that kind; existing series always take their share.
        """
        lost = 0
        histograms = self.histograms
        for key, histogram in other.histograms.items():
            mine = histograms.get(key)
            if mine is None:
                if limit is not None and len(histograms) >= limit:
                    lost += histogram.count
                    continue
                mine = histograms[key] = Histogram()
            mine.merge(histogram)
        counters = self.counters
        for key, value in other.counters.items():
            if key not in counters and limit is not None and len(counters) >= limit:
                lost += value
                continue
            counters[key] = counters.get(key, 0) + value
        return lost


@dataclass(frozen=True)
class FlushResult:
    samples: int
    stored: bool


class Collector:
    def __init__(self) -> None:
        self._reset_state()

    def _reset_state(self) -> None:
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._thread_lock = threading.Lock()
        self._buffer = _Buffer(time.time())
        # What failed flushes could not store, sent with the next one (only touched under
        # _flush_lock, so recording never waits for a merge).
        self._retained: _Buffer | None = None
        self._pid = os.getpid()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._last_maintenance_minute = 0
        # Beat's other tasks, run by the flush thread without a broker: task → the
        # period it last came due in (monitoring.services.periodic_tasks_due).
        self._last_periods: dict[str, int] = {}
        self._tables_seen = False  # the monitoring tables exist (see _tables_ready)
        self._outage_logged = False
        # Samples this process could not store (since start), and the part of them not
        # yet reported to the store as the dropped-samples counter.
        self.dropped_samples = 0
        self._dropped_unreported = 0
        self.last_flush_at: float | None = None

    # --- Recording (hot path) -----------------------------------------------------------

    def record(self, name: str, seconds: float, labels: Labels = ()) -> None:
        key = (name, labels)
        index = bisect_left(BOUNDS, seconds)
        with self._lock:
            histograms = self._buffer.histograms
            histogram = histograms.get(key)
            if histogram is None:
                histogram = histograms[key] = Histogram()
            histogram.counts[index] += 1
            histogram.sum += seconds
            if histogram.max is None or seconds > histogram.max:
                histogram.max = seconds
        if self._thread is None:
            self._start_thread()

    def increment(self, name: str, labels: Labels = (), amount: int = 1) -> None:
        key = (name, labels)
        with self._lock:
            counters = self._buffer.counters
            counters[key] = counters.get(key, 0) + amount
        if self._thread is None:
            self._start_thread()

    # --- Flushing -----------------------------------------------------------------------

    def flush(self, now: float | datetime | None = None, *, quiet: bool = False) -> FlushResult:
        """Write everything buffered so far to the store; never raises.

        `now` (tests, tools) attributes the buffer to that moment's minute; by default it
        goes to the minute of the middle of the interval it covers.
        """
        if os.getpid() != self._pid:
            self._after_fork()
        with self._flush_lock:
            wall = time.time()
            with self._lock:
                fresh, self._buffer = self._buffer, _Buffer(wall)
                unreported = self._dropped_unreported
            at = now if now is not None else (fresh.started + wall) / 2
            # Samples kept from failed flushes go into this flush's minute: an outage's
            # errors and slow calls are reported (late) rather than not at all.
            buffer, self._retained = self._retained or fresh, None
            if buffer is not fresh:
                buffer.merge(fresh)
            if not buffer.histograms and not buffer.counters and not unreported:
                return FlushResult(0, True)
            fields, maxima = encode(buffer.histograms, buffer.counters)
            if unreported:
                key = f"c|{_dropped_series()}"
                fields[key] = fields.get(key, 0) + unreported
            samples = buffer.samples()
            started = time.perf_counter()
            try:
                get_store().write(minute_of(at), fields, maxima)
            except Exception as error:
                self._failed(buffer, error, quiet=quiet)
                return FlushResult(samples, False)
            elapsed = time.perf_counter() - started
            with self._lock:
                self._dropped_unreported -= unreported
            self.last_flush_at = wall
            if self._outage_logged:
                self._outage_logged = False
                if not quiet:
                    logger.warning("Monitoring store reachable again; metrics are being stored")
            # Timing the flush itself, but not a flush that carried nothing else: an idle
            # process would otherwise keep flushing its own flush timings forever.
            if any(name != catalog.MONITORING_FLUSH for name, _ in buffer.histograms) or buffer.counters:
                self.record(catalog.MONITORING_FLUSH, elapsed)
            return FlushResult(samples, True)

    def _failed(self, buffer: _Buffer, error: BaseException, *, quiet: bool = False) -> None:
        """Keep what can be sent again safely (bounded), drop and count the rest."""
        # Retained only when the store was certainly not written: not after a bug (the
        # same data could fail every flush) nor after a timeout (Redis may still apply it).
        if isinstance(error, StoreUnavailable) and not error.maybe_applied:
            kept = _Buffer(buffer.started)
            dropped = kept.merge(buffer, limit=MAX_RETAINED_SERIES)
            self._retained = kept
        else:
            dropped = buffer.samples() + sum(buffer.counters.values())
        with self._lock:
            self.dropped_samples += dropped
            self._dropped_unreported += dropped
        if quiet:
            return
        if not isinstance(error, StoreUnavailable):
            logger.exception("Monitoring flush failed; %d samples dropped", dropped)
        elif not self._outage_logged:
            self._outage_logged = True
            logger.warning(
                "Monitoring store unavailable (%s); keeping counters and histograms for the next flush", error
            )

    def discard(self) -> None:
        """Forget everything buffered and every count (tests); waits for a flush in progress."""
        with self._flush_lock, self._lock:
            self._buffer = _Buffer(time.time())
            self._retained = None
            self.dropped_samples = 0
            self._dropped_unreported = 0

    def peek(self) -> dict[SeriesKey, Histogram]:
        """A copy of what is buffered now (tests and the dashboard's process view)."""
        with self._lock:
            return {key: Histogram(list(h.counts), h.sum, h.max) for key, h in self._buffer.histograms.items()}

    def peek_counters(self) -> dict[SeriesKey, int]:
        with self._lock:
            return dict(self._buffer.counters)

    @property
    def retained_samples(self) -> int:
        """Samples kept from failed flushes, waiting for the store (tests, the dashboard)."""
        retained = self._retained
        return retained.samples() if retained is not None else 0

    # --- The flush thread ---------------------------------------------------------------

    def _start_thread(self) -> None:
        if not conf.flush_thread():
            return
        with self._thread_lock:
            if self._thread is not None:
                return
            thread = threading.Thread(target=self._run, name="monitoring-flush", daemon=True)
            self._thread = thread
            thread.start()

    def _run(self) -> None:
        stop = self._stop
        while True:
            interval = conf.flush_interval()
            if stop.wait(max(0.05, interval - (time.time() % interval))):
                return
            try:
                self.flush()
                self._maybe_maintain()
            except Exception:  # the thread must outlive any bug: without it, this process stops reporting
                logger.exception("Monitoring flush thread iteration failed")

    def _maybe_maintain(self) -> None:
        """Without a broker no beat runs, so the flush thread does beat's work.

        It rolls up and evaluates every minute, and runs the rest of beat's schedule (the
        prunes, idle sessions abandoned) as each task comes due. With the metrics in
        Redis, every process of the deployment (gunicorn's workers) sees the same
        windows: one of them a minute does it, the first to claim the minute, or a breach
        would be counted once per process; a task's period is claimed the same way.
        """
        minute = minute_of(time.time())
        if minute == self._last_maintenance_minute:
            return
        self._last_maintenance_minute = minute
        try:
            from monitoring.instrumentation import migrating  # it records into this module

            # `migrate` (which `make run` runs first) is a process too, whose thread would
            # otherwise roll up into tables its own migrations have not created yet.
            if not conf.inline_maintenance() or migrating() or not self._tables_ready():
                return
            store = get_store()
            from django.db import close_old_connections

            from monitoring import services

            try:
                if not store.shared or store.claim("maintenance", minute):
                    try:
                        services.run_maintenance()
                    except Exception:
                        logger.exception("Monitoring maintenance failed")
                self._run_due_tasks(store)
            finally:
                close_old_connections()
        except Exception:
            logger.exception("Monitoring maintenance failed")

    def _tables_ready(self) -> bool:
        """Whether this database has the monitoring tables: a process started before
        `migrate` (`createsuperuser`, `makemigrations --check` in `make lint`) has a flush
        thread too, which logged a traceback a minute ("no such table"). Asked until they
        exist, then never again."""
        if not self._tables_seen:
            from django.db import connection

            from monitoring.models import Target

            self._tables_seen = Target._meta.db_table in connection.introspection.table_names()
        return self._tables_seen

    def _run_due_tasks(self, store: Any) -> None:
        from monitoring import services

        for task, period, seconds in services.periodic_tasks_due(epoch=time.time(), last_periods=self._last_periods):
            self._last_periods[task] = period
            if store.shared and not store.claim(f"periodic:{task}", period, ttl=seconds):
                continue
            try:
                services.run_periodic_task(task)
            except Exception:  # one failing task must not keep the others from running
                logger.exception("Periodic task %s failed", task)

    def start_thread(self) -> None:
        """(Re)start the flush thread; `record()` starts it lazily, so only tests need this."""
        with self._thread_lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = threading.Event()
            self._thread = None
        self._start_thread()

    def stop_thread(self) -> None:
        """Stop the flush thread; it stays stopped (record() will not restart it) until start_thread()."""
        thread = self._thread
        self._stop.set()
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=10)
        with self._thread_lock:
            if self._thread is None:
                # Never started: park a dead thread object so record() does not start one.
                self._thread = threading.Thread(target=lambda: None)

    @property
    def thread_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _after_fork(self) -> None:
        # The child starts empty: the parent flushes what it had buffered itself.
        self._reset_state()

    def _at_exit(self) -> None:
        if self._thread is not None and os.getpid() == self._pid:
            # Quiet: logging may already be torn down (or writing to a closed stream).
            self.flush(quiet=True)


def _dropped_series() -> str:
    return encode_series(catalog.DROPPED_SAMPLES, ())


collector = Collector()
record = collector.record
increment = collector.increment
flush = collector.flush

os.register_at_fork(after_in_child=collector._after_fork)
atexit.register(collector._at_exit)
