"""A Celery worker killed in the middle of a task: the task runs again and its effect happens once.

Real `celery worker` processes on a real RabbitMQ, with the settings production uses
(`acks_late`, `reject_on_worker_lost`, prefetch 1), running our companion reply task
(sessions_app.tasks.companion_reply). One message's task is killed twice:

1. while it waits for the language model (nothing written yet): the broker hands the
   task to the next worker, which asks the provider again;
2. after its transaction committed the reply but before the ack (stalled writing the
   session's state to a Redis the test slowed down): the next worker gets the task a
   third time, finds the reply, and does nothing.

In the end there is exactly one reply, the provider was asked exactly twice, and the
session reads the reply back.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import kombu
import pytest
from django.conf import settings

from journal_project.celery import app
from sessions_app import services
from sessions_app.models import Message
from tests.reliability.conftest import record
from tests.sessions_app.stub_llm import StubChatServer
from tests.support.app_server import suite_cache_env, suite_database_url
from tests.support.celery_process import WorkerProcess
from tests.support.celery_worker import use_broker
from tests.support.proxy import TcpProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault, pytest.mark.worker]

AMQP_URL = os.environ.get("CELERY_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
STALL = 30.0  # seconds each Redis answer is held back once the second worker has its reply


@pytest.fixture
def amqp_broker() -> str:
    try:
        with kombu.Connection(AMQP_URL, connect_timeout=3) as conn:
            conn.connect()
    except Exception as error:
        message = f"RabbitMQ is not reachable at {AMQP_URL} ({error}); start rabbitmq-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AMQP_URL


@pytest.fixture
def private_queue(amqp_broker: str) -> Iterator[str]:
    queue = f"test-{settings.TEST_RUN_ID}-kill-{uuid.uuid4().hex[:6]}"
    previous_url, previous_queue = app.conf.broker_url, app.conf.task_default_queue
    app.conf.task_default_queue = queue
    use_broker(amqp_broker, eager=False)
    try:
        yield queue
    finally:
        use_broker(previous_url, eager=True)
        app.conf.task_default_queue = previous_queue
        with kombu.Connection(amqp_broker) as conn:
            kombu.Queue(queue, channel=conn.channel()).delete()


@pytest.fixture
def provider(settings: Any) -> Iterator[StubChatServer]:
    stub = StubChatServer(mode="slow")
    stub.delay = 60  # the first worker is killed long before this
    settings.AI_PROVIDER_URL = stub.url  # so posting a message queues the provider task
    settings.AI_MODEL = "test-model"
    try:
        yield stub
    finally:
        stub.close()


def worker(name: str, queue: str, redis: TcpProxy, provider: StubChatServer) -> WorkerProcess:
    return WorkerProcess(
        name,
        queue,
        {
            "DATABASE_URL": suite_database_url(),
            **suite_cache_env(),
            "REDIS_URL": re.sub(r":\d+/", f":{redis.port}/", settings.REDIS_URL),
            # Long enough that a stalled Redis write holds the task where the test wants it.
            "REDIS_SOCKET_TIMEOUT": str(STALL * 2),
            "CELERY_BROKER_URL": AMQP_URL,
            "AI_PROVIDER_URL": provider.url,
            "AI_MODEL": "test-model",
            "AI_TIMEOUT": "120",
            "AI_MAX_RETRIES": "0",
        },
    )


def wait_for(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.usefixtures("knowledge_base")
def test_a_task_killed_twice_runs_again_and_replies_exactly_once(
    user, private_queue, redis_port_proxy, provider, auth_client
):
    session = services.session_create(user=user)
    posted = services.message_post(user=user, session_id=session.pk, content="I keep worrying about money.")
    assert posted.status == "pending"  # queued on commit to the private queue
    replies = Message.objects.filter(reply_to_id=posted.message.pk)
    workers = []
    try:
        # 1. Killed while the provider is thinking: nothing was written.
        first = worker("first", private_queue, redis_port_proxy, provider)
        workers.append(first)
        first.start()
        task_id = first.wait_for_log(r"companion_reply\[([0-9a-f-]+)\] received").group(1)
        wait_for(lambda: len(provider.requests) == 1, 30, "the first worker to ask the provider")
        first.kill()
        assert not replies.exists()

        # 2. Killed after committing the reply, before the ack: the provider answers at once,
        # and from then on Redis answers after STALL seconds, so the worker hangs in the
        # write-through that follows the commit.
        provider.mode = "success"
        answer = provider.completion

        def answer_then_stall_redis(body: dict) -> dict:
            if len(provider.requests) == 2:  # only the second worker's request
                redis_port_proxy.latency = STALL
            return answer(body)

        provider.completion = answer_then_stall_redis
        second = worker("second", private_queue, redis_port_proxy, provider)
        workers.append(second)
        second.start()
        second.wait_for_log(rf"companion_reply\[{task_id}\] received")
        wait_for(replies.exists, 30, "the second worker to commit the reply")
        assert f"companion_reply[{task_id}] succeeded" not in second.log()  # not acknowledged yet
        second.kill()

        # 3. The broker delivers the task a third time; it finds the reply and stops.
        redis_port_proxy.latency = 0
        third = worker("third", private_queue, redis_port_proxy, provider)
        workers.append(third)
        third.start()
        third.wait_for_log(rf"companion_reply\[{task_id}\] succeeded", timeout=30)
    finally:
        for process in workers:
            process.stop()

    assert replies.count() == 1
    reply = replies.get()
    assert reply.provider == Message.Provider.LLM
    assert reply.content == provider.reply
    assert len(provider.requests) == 2  # the third run never called the provider
    detail = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert [m["content"] for m in detail["messages"]].count(provider.reply) == 1
    assert detail["awaiting_reply"] is False
    record("fault: worker killed mid-task: kills", 2)
    record("fault: worker killed mid-task: deliveries of the task", 3)
    record("fault: worker killed mid-task: effects (replies)", replies.count())
