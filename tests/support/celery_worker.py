"""A real Celery worker (in a thread of the test process) on a real broker."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from celery.contrib.testing.worker import start_worker

from journal_project.celery import app


def use_broker(url: str | None, *, eager: bool) -> None:
    # Even an eager .delay() borrows a producer from the app's pool, which then stays bound
    # to the broker configured at that moment, and app.amqp keeps the queues and routes
    # of the default queue it first saw: drop both so publishing follows the new URL and
    # queue instead of going to a stray broker or a queue nobody consumes.
    app.conf.update(broker_url=url, task_always_eager=eager)
    app._pool = None
    app.__dict__.pop("amqp", None)


@contextlib.contextmanager
def running_worker(broker_url: str, **options: object) -> Iterator[str]:
    """Run a worker for the duration; yields the queue name it consumes.

    The queue is private to this test run, so concurrent runs sharing a broker never
    take each other's tasks.
    """
    from django.conf import settings

    previous_url, previous_queue = app.conf.broker_url, app.conf.task_default_queue
    queue = f"test-{settings.TEST_RUN_ID}"
    app.conf.task_default_queue = queue
    use_broker(broker_url, eager=False)  # after the queue: it rebuilds the routes for it
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, **options):
            yield queue
    finally:
        app.conf.task_default_queue = previous_queue
        use_broker(previous_url, eager=True)
