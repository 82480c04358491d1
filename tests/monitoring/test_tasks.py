"""The periodic and alert tasks on a real broker and a real Celery worker."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from journal_project.celery import app
from monitoring import catalog, tasks
from monitoring.models import MetricSnapshot, Violation
from monitoring.store import minute_of
from tests.monitoring.factories import ViolationFactory
from tests.monitoring.support import WebhookReceiver
from tests.support.celery_worker import use_broker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_worker():
    previous = app.conf.broker_url
    use_broker("redis://127.0.0.1:6379/12", eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        use_broker(previous, eager=True)


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_real_worker_rolls_up_what_the_processes_flushed(real_worker, put):
    then = timezone.now() - timedelta(minutes=3)
    put(catalog.SESSION_RETRIEVAL, 0.002, 40, at=then)
    put(catalog.SESSION_RETRIEVAL, 0.008, 10, at=then)

    tasks.rollup_windows.delay()

    minute = datetime.fromtimestamp(minute_of(then) * 60, tz=UTC)
    snapshot = wait_for(lambda: MetricSnapshot.objects.filter(metric=catalog.SESSION_RETRIEVAL, minute=minute).first())
    assert snapshot.count == 50
    assert 7.5 < snapshot.p99_ms <= 8.0


def test_a_real_worker_retries_the_webhook_with_backoff(real_worker, settings):
    settings.MONITORING_WEBHOOK_RETRY_DELAY = 0.05
    receiver = WebhookReceiver([500, 502, 200])
    settings.ALERT_WEBHOOK_URL = receiver.url
    try:
        violation = ViolationFactory()
        tasks.deliver_violation_webhook.delay(violation.pk)
        delivered = wait_for(
            lambda: Violation.objects.filter(pk=violation.pk, webhook_delivered_at__isnull=False).first()
        )
    finally:
        receiver.close()
    assert delivered.webhook_attempts == 3
    assert len(receiver.received) == 3


def test_a_real_worker_gives_up_after_the_last_retry(real_worker, settings):
    from celery.signals import task_failure

    settings.MONITORING_WEBHOOK_RETRY_DELAY = 0.01
    receiver = WebhookReceiver([500] * 20)
    settings.ALERT_WEBHOOK_URL = receiver.url
    failures: list[BaseException] = []

    def on_failure(sender=None, exception=None, **kwargs):
        if sender is not None and sender.name == tasks.deliver_violation_webhook.name:
            failures.append(exception)

    task_failure.connect(on_failure, weak=False)
    try:
        violation = ViolationFactory()
        tasks.deliver_violation_webhook.delay(violation.pk)
        wait_for(lambda: failures)  # retries exhausted: the task fails for good
    finally:
        task_failure.disconnect(on_failure)
        receiver.close()
    violation.refresh_from_db()
    assert violation.webhook_attempts == 9  # the first try and eight retries
    assert len(receiver.received) == 9
    assert violation.webhook_delivered_at is None


def test_a_real_worker_retries_the_alert_mail_until_the_relay_takes_it(real_worker, settings):
    # The relay refused (451) when the violation opened: the alert mail was lost for good
    # (one log line), however soon the relay was back.
    from monitoring import services
    from tests.monitoring.support import SmtpReceiver

    settings.MONITORING_WEBHOOK_RETRY_DELAY = 0.05
    settings.ALERT_WEBHOOK_URL = ""
    settings.ADMINS = [("Operator", "ops@example.test")]
    relay = SmtpReceiver(refusals=2)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", relay.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        violation = ViolationFactory()
        tasks.alert_violation.delay(violation.pk)
        mailed = wait_for(lambda: Violation.objects.filter(pk=violation.pk, mailed_at__isnull=False).first())
        assert not services.violation_mail_deliver(violation_id=violation.pk)  # delivered: never twice
    finally:
        relay.close()
    assert mailed.alerted_at is not None
    assert relay.attempts == 3
    assert len(relay.received) == 1
    assert violation.target.name in relay.received[0]
