"""A Redis broker that refuses writes (out of memory) must not end a worker for good.

A real `celery worker` process on a private redis-server used as the broker, with the
settings production uses. Redis full under `noeviction` answers every write with an
error instead of dropping the connection; a worker meeting that at its start (or at a
reconnect, after Redis restarted) must keep retrying, then consume once Redis has room.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings

from tests.support.app_server import suite_cache_env, suite_database_url
from tests.support.celery_process import WorkerProcess
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault, pytest.mark.worker]


@pytest.fixture
def full_broker() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    client = redis.Redis(port=server.port)
    try:
        client.config_set("maxmemory-policy", "noeviction")
        for index in range(12):
            client.set(f"filler:{index}", b"x" * 100_000)
        client.config_set("maxmemory", str(client.info("memory")["used_memory"] - 1))
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            client.set("one-more", "x")
        yield server
    finally:
        client.close()
        server.close()


def test_a_worker_started_on_a_full_redis_broker_waits_and_then_consumes(full_broker: RedisServer) -> None:
    """Black-box pass (scaling out): both workers exited with "Unrecoverable error:
    server:OutOfMemoryError" when they reconnected to a Redis broker out of memory, and
    stayed down after Redis had room again."""
    worker = WorkerProcess(
        f"oom-{uuid.uuid4().hex[:6]}",
        f"test-{settings.TEST_RUN_ID}-oom",
        {
            "DATABASE_URL": suite_database_url(),
            **suite_cache_env(),
            "CELERY_BROKER_URL": re.sub(r"/0$", "/1", full_broker.url),
        },
    )
    try:
        worker.start(wait_until_ready=False)
        worker.wait_for_log(r"used memory > 'maxmemory'", timeout=60)
        time.sleep(2)  # the old behaviour: the process had exited by now
        assert worker.alive(), worker.log()[-3000:]
        redis.Redis(port=full_broker.port).config_set("maxmemory", "0")
        worker.wait_for_log(r"\bready\.", timeout=60)
        assert worker.alive()
    finally:
        worker.stop()
