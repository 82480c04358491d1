"""Fixtures for the sessions app: the shipped knowledge base, a stub provider, a real worker."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.sessions_app.stub_llm import StubChatServer


@pytest.fixture
def stub_llm():
    server = StubChatServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def provider(settings, stub_llm):
    """Point the app at the stub provider with short timeouts and no real backoff."""
    settings.AI_PROVIDER_URL = stub_llm.url
    settings.AI_MODEL = "test-model"
    settings.AI_API_KEY = "sk-test"
    settings.AI_TIMEOUT = 0.5
    settings.AI_MAX_RETRIES = 2
    settings.AI_RETRY_BACKOFF = 0.01
    return stub_llm


@pytest.fixture
def celery_worker_app():
    """A real Celery worker (in-process thread) consuming a real Redis broker on a queue of its own."""
    from celery.contrib.testing.worker import start_worker

    from journal_project.celery import app

    broker = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/13")
    queue = f"test-sessions-{uuid.uuid4().hex[:8]}"
    previous = {
        key: app.conf.get(key)
        for key in ("broker_url", "task_always_eager", "task_default_queue", "broker_connection_retry_on_startup")
    }
    app.conf.update(
        broker_url=broker, task_always_eager=False, task_default_queue=queue, broker_connection_retry_on_startup=False
    )
    # Producers, queues and routes built earlier in this process (for another broker or
    # queue) are cached on the app: drop them so this worker's settings apply.
    app._pool = None
    app.__dict__.pop("amqp", None)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(previous)
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.__dict__.pop("amqp", None)
