"""Two writes at the same moment, in a fixed order: one held open in a transaction (a
thread), the other sent meanwhile, the first committed only once PostgreSQL shows the
second waiting for a lock. The interleaving that fails, every time, without sleeping
and hoping. Tests using it need `django_db(transaction=True)`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, transaction


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def held_open(write: Callable[[], object]) -> tuple[threading.Thread, threading.Event, list[BaseException]]:
    """Run `write` in a transaction of its own thread and keep it uncommitted until released."""
    done, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                write()
                done.set()
                release.wait(20)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert done.wait(20)
    assert not errors, errors
    return thread, release, errors


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    results: list[object] = []

    def run() -> None:
        try:
            results.append(call())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def release_when_blocked(release: threading.Event, *threads: threading.Thread) -> None:
    """Commit the held write once the other request waits for it (or has finished without waiting)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not waiting_for_a_lock() and all(t.is_alive() for t in threads):
        time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(20)
        assert not thread.is_alive()
