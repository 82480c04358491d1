"""A real Celery worker (in a thread of the test process) on a real broker."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from celery.contrib.testing.worker import start_worker

from journal_project.celery import app


def use_broker(url: str | None, *, eager: bool) -> None:
    # Even an eager .delay() borrows a producer from the app's pool, which then stays bound
    # to the broker configured at that moment: drop the pools so publishing follows the
    # new URL instead of going to a stray broker.
    app.conf.update(broker_url=url, task_always_eager=eager)
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def running_worker(broker_url: str, **options: object) -> Iterator[None]:
    previous = app.conf.broker_url
    use_broker(broker_url, eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, **options):
            yield
    finally:
        use_broker(previous, eager=True)
