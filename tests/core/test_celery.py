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


@pytest.mark.django_db
def test_beat_sends_the_periodic_tasks_with_the_expiry_the_settings_give_them(settings):
    """Beat runs django-celery-beat's DatabaseScheduler, which copies CELERY_BEAT_SCHEDULE
    into its table. A task queued while no worker runs must expire (a probe after 15 s, the
    roll-up and the evaluation after a minute) instead of piling up and running in a burst
    when a worker returns."""
    from journal_project.beat import ModelEntry

    assert settings.CELERY_BEAT_SCHEDULER == "journal_project.beat:DatabaseScheduler"
    # What the scheduler does with each entry at start: store it in its table, and send
    # the task with the options read back from there.
    schedule = {
        name: ModelEntry.from_entry(name, app=app, **entry) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    expected = {
        "monitoring-probe-redis": 15,
        "monitoring-rollup": 60,
        "monitoring-evaluate": 60,
        "sessions-abandon-idle": 600,
        "sessions-answer-overdue": 60,
    }
    for name, seconds in expected.items():
        assert schedule[name].options.get("expires") == seconds, (name, schedule[name].options)


def _start_beat_scheduler() -> dict:
    """What `celery beat` does at start: its scheduler's entries install CELERY_BEAT_SCHEDULE
    into the table (the scheduler itself closes the test's database connection)."""
    from celery.utils.imports import symbol_by_name
    from django.conf import settings

    entry = symbol_by_name(app.conf.beat_scheduler).Entry
    installed = {
        name: entry.from_entry(name, app=app, **fields) for name, fields in settings.CELERY_BEAT_SCHEDULE.items()
    }
    return {name: entry for name, entry in installed.items() if entry.model.enabled}


@pytest.mark.django_db
def test_a_schedule_edited_in_the_admin_survives_a_restart_of_beat(settings):
    """docs/operations.md: the schedule is in the database, editable in the admin. A restart
    of beat (every deploy) must not put the settings' interval back."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    _start_beat_scheduler()
    task = PeriodicTask.objects.get(name="monitoring-probe-redis")
    assert (task.interval.every, task.interval.period) == (15, "seconds")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    task.interval = every_minute
    task.save()
    PeriodicTask.objects.filter(name="sessions-abandon-idle").update(enabled=False)

    schedule = _start_beat_scheduler()

    task.refresh_from_db()
    assert (task.interval.every, task.interval.period) == (60, "seconds")
    assert schedule["monitoring-probe-redis"].schedule.run_every.total_seconds() == 60
    assert not PeriodicTask.objects.get(name="sessions-abandon-idle").enabled
    assert "sessions-abandon-idle" not in schedule


@pytest.mark.django_db
def test_a_release_still_updates_what_it_owns_of_an_installed_task(settings):
    """The task, its arguments and options (the expiry) come from the settings at each start;
    only the schedule and `enabled` are the operator's."""
    from django_celery_beat.models import PeriodicTask

    _start_beat_scheduler()
    PeriodicTask.objects.filter(name="monitoring-rollup").update(expire_seconds=None, task="old.name")

    _start_beat_scheduler()

    task = PeriodicTask.objects.get(name="monitoring-rollup")
    assert (task.task, task.expire_seconds) == ("monitoring.tasks.rollup_windows", 60)
    assert (task.interval.every, task.interval.period) == (60, "seconds")
