"""The Celery app against a real broker and a real worker."""

from __future__ import annotations

import time

import pytest
from django_guid import clear_guid, set_guid

from journal_project.celery import app
from tests.support.celery_worker import running_worker

seen_request_ids: list[str | None] = []


@app.task(name="tests.record_request_id")
def record_request_id() -> None:
    from django_guid import get_guid

    seen_request_ids.append(get_guid())


@pytest.fixture
def real_worker():
    with running_worker("redis://127.0.0.1:6379/11"):
        yield


def test_configuration_is_json_only_with_late_acks():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit
    assert app.conf.task_soft_time_limit


@pytest.mark.worker
def test_task_logs_carry_the_id_of_the_request_that_queued_it(real_worker):
    seen_request_ids.clear()
    set_guid("queued-by-request-1234")
    try:
        record_request_id.delay()
    finally:
        clear_guid()
    deadline = time.monotonic() + 20
    while not seen_request_ids and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen_request_ids == ["queued-by-request-1234"]
