"""The `/health/` Celery check through broker faults: a restart, a cut and a hang.

The check pings the workers through a TCP proxy in front of the real Redis used as the
broker; a real worker (in a thread) consumes from that Redis directly, so only the
check's own connections meet the fault.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings
from health_check.exceptions import ServiceUnavailable

from journal_project.health import CeleryPing
from tests.reliability.conftest import record
from tests.support.celery_worker import running_worker
from tests.support.proxy import TcpProxy

pytestmark = [pytest.mark.fault]

BROKER_DB = 11
TIMEOUT = timedelta(seconds=2)  # what full_checks() gives the check


def _pinger(proxy: TcpProxy, queue: str) -> Celery:
    """An app configured as the journal's (production's broker options), reaching the broker through the proxy."""
    app = Celery("journal-health-probe")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=f"redis://{proxy.url_host_port}/{BROKER_DB}",
        task_always_eager=False,
        task_default_queue=queue,
    )
    return app


@pytest.mark.worker
def test_the_celery_check_passes_at_once_when_the_broker_dropped_its_connections(redis_port_proxy):
    """Operator pass 6: after a restart of the Redis broker, the first `/health/` of every
    web process reported "The broker did not take the ping: ConnectionError: Connection
    closed by server" (the pooled connection the server had closed), with a worker up."""
    with running_worker(f"redis://127.0.0.1:6379/{BROKER_DB}") as queue:
        check = CeleryPing(app=_pinger(redis_port_proxy, queue), timeout=TIMEOUT, limit=1)
        # run() is what get_result() runs in a thread; called directly, as the test below
        # does, because an earlier test's event loop (the browser tests') may still be
        # running in this thread, where async_to_sync refuses to run.
        check.run()
        redis_port_proxy.drop_connections()  # what a restarted broker does to every client
        errors = []
        for _ in range(2):
            try:
                check.run()
            except ServiceUnavailable as error:
                errors.append(str(error))
    assert errors == []
    record("broker restarts with /health/ passing at once")


@pytest.mark.parametrize("fault", ["cut", "hang"])
def test_the_celery_check_reports_a_broken_broker_within_its_timeout(redis_port_proxy, fault):
    """Operator pass 6: kombu retried the broker for `broker_connection_timeout` (4 s), so
    with the broker down `/health/` (and the monitoring dashboard) answered after 6 s
    (refused) or 4 s (hung) that the check had "Timed out after 2 seconds"."""
    check = CeleryPing(app=_pinger(redis_port_proxy, f"test-{settings.TEST_RUN_ID}"), timeout=TIMEOUT, limit=1)
    getattr(redis_port_proxy, fault)()
    started = time.perf_counter()
    with pytest.raises(ServiceUnavailable) as raised:
        check.run()  # in the thread the view waits for: its whole duration counts
    elapsed = time.perf_counter() - started
    assert "The broker did not take the ping" in str(raised.value)
    assert elapsed < TIMEOUT.total_seconds() + 0.5, elapsed
    record(f"broker {fault} reported by /health/")
