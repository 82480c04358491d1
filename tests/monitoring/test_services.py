"""Roll-up, pruning, the probe, and the violation lifecycle with its alerts."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from monitoring import catalog, services
from monitoring.collector import collector
from monitoring.models import MetricSnapshot, Target, TargetStatus, Violation
from monitoring.store import minute_of
from tests.monitoring.factories import (
    HitRateTargetFactory,
    MetricSnapshotFactory,
    TargetFactory,
    ViolationFactory,
)
from tests.monitoring.support import WebhookReceiver

pytestmark = pytest.mark.django_db


def _minute(moment: datetime) -> datetime:
    return datetime.fromtimestamp(minute_of(moment) * 60, tz=UTC)


# --- Roll-up -----------------------------------------------------------------------------


def test_rollup_writes_one_snapshot_per_metric_and_minute(put):
    then = timezone.now() - timedelta(minutes=3)
    put(catalog.SESSION_RETRIEVAL, 0.0009, 50, at=then)
    put(catalog.SESSION_RETRIEVAL, 0.0045, 50, at=then)

    services.rollup_windows()

    snapshot = MetricSnapshot.objects.get(metric=catalog.SESSION_RETRIEVAL, minute=_minute(then))
    assert snapshot.count == 100
    assert snapshot.p50_ms == pytest.approx(1.0)
    assert 4.0 < snapshot.p99_ms <= 4.5
    assert snapshot.max_ms == pytest.approx(4.5)
    assert sum(snapshot.buckets) == 100


def test_rollup_is_idempotent_and_picks_up_late_flushes(put):
    then = timezone.now() - timedelta(minutes=3)
    put(catalog.KNOWLEDGE_LOOKUP, 0.0005, 10, at=then)
    services.rollup_windows()
    services.rollup_windows()
    snapshot = MetricSnapshot.objects.get(metric=catalog.KNOWLEDGE_LOOKUP, minute=_minute(then))
    assert snapshot.count == 10  # twice rolled up, counted once

    put(catalog.KNOWLEDGE_LOOKUP, 0.0005, 5, at=then)  # another process flushed late
    services.rollup_windows()
    snapshot.refresh_from_db()
    assert snapshot.count == 15
    assert MetricSnapshot.objects.filter(metric=catalog.KNOWLEDGE_LOOKUP).count() == 1


def test_rollup_leaves_the_current_minute_alone(put):
    put(catalog.KNOWLEDGE_LOOKUP, 0.0005, 3)
    services.rollup_windows()
    assert not MetricSnapshot.objects.filter(metric=catalog.KNOWLEDGE_LOOKUP).exists()


def test_rollup_records_the_cache_hit_rate(put):
    then = timezone.now() - timedelta(minutes=2, seconds=30)
    hit = (("namespace", "entries"), ("result", "hit"))
    miss = (("namespace", "entries"), ("result", "miss"))
    put(catalog.CACHE_READ, 0.0002, 9, at=then, labels=hit)
    put(catalog.CACHE_READ, 0.004, 1, at=then, labels=miss)
    services.rollup_windows()
    snapshot = MetricSnapshot.objects.get(metric=catalog.CACHE_READ, minute=_minute(then))
    assert (snapshot.hits, snapshot.lookups) == (9, 10)
    assert snapshot.hit_rate == pytest.approx(0.9)


def test_prune_deletes_only_snapshots_older_than_the_retention(settings):
    settings.MONITORING_RETENTION_DAYS = 7
    now = timezone.now()
    old = MetricSnapshotFactory(minute=now - timedelta(days=8))
    recent = MetricSnapshotFactory(minute=now - timedelta(days=6))
    assert services.prune_snapshots(now=now) == 1
    assert not MetricSnapshot.objects.filter(pk=old.pk).exists()
    assert MetricSnapshot.objects.filter(pk=recent.pk).exists()


def test_probe_records_a_redis_round_trip():
    assert services.redis_probe() is not None
    assert collector.peek()[(catalog.REDIS_COMMAND, (("operation", "probe"),))].count == 1


def test_probe_counts_an_unreachable_redis(redis_proxy):
    redis_proxy.cut()
    assert services.redis_probe() is None
    assert collector.peek_counters()[(catalog.REDIS_ERRORS, (("operation", "probe"),))] == 1


# --- Evaluation and violations ---------------------------------------------------------


@pytest.fixture(autouse=True)
def only_test_targets():
    """The seeded targets watch the same metrics; keep them out of these evaluations."""
    Target.objects.all().delete()


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Operator", "ops@example.test")]
    settings.ALERT_WEBHOOK_URL = ""


def evaluate(capture, now):
    with capture(execute=True):
        return services.evaluate_targets(now=now)


def test_violation_lifecycle_breach_stays_one_violation_until_recovery(
    put, admins, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    target = TargetFactory(threshold=10.0, window_minutes=1, min_samples=5)
    start = timezone.now().replace(second=5, microsecond=0)
    caplog.set_level(logging.WARNING, logger="monitoring.alerts")

    put(catalog.SESSION_RETRIEVAL, 0.030, 10, at=start)
    evaluate(django_capture_on_commit_callbacks, start)
    violation = Violation.objects.get(target=target)
    assert violation.is_open
    assert violation.status == "open"
    assert violation.started_at == start
    assert violation.worst_value == pytest.approx(30.0, rel=0.05)
    assert violation.samples == 10

    # Still breached, and worse: the same violation, its worst value moves.
    later = start + timedelta(minutes=1)
    put(catalog.SESSION_RETRIEVAL, 0.200, 10, at=later)
    evaluate(django_capture_on_commit_callbacks, later)
    violation.refresh_from_db()
    assert Violation.objects.filter(target=target).count() == 1
    assert violation.worst_value == pytest.approx(200.0, rel=0.05)
    assert violation.evaluations == 2

    # One alert for the whole violation.
    assert len(mailoutbox) == 1
    assert target.name in mailoutbox[0].subject
    alerts = [r for r in caplog.records if r.name == "monitoring.alerts" and r.levelno == logging.WARNING]
    assert len(alerts) == 1

    # Recovered: closed at the evaluation that saw it met.
    recovered = start + timedelta(minutes=2)
    put(catalog.SESSION_RETRIEVAL, 0.001, 10, at=recovered)
    evaluate(django_capture_on_commit_callbacks, recovered)
    violation.refresh_from_db()
    assert violation.ended_at == recovered
    assert violation.status == "resolved"
    assert violation.worst_value == pytest.approx(200.0, rel=0.05)

    # A new breach is a new violation, with its own alert.
    again = start + timedelta(minutes=3)
    put(catalog.SESSION_RETRIEVAL, 0.050, 10, at=again)
    evaluate(django_capture_on_commit_callbacks, again)
    assert Violation.objects.filter(target=target).count() == 2
    assert Violation.objects.open().get(target=target).started_at == again
    assert len(mailoutbox) == 2


def test_too_few_samples_neither_opens_nor_closes(put, admins, mailoutbox, django_capture_on_commit_callbacks):
    target = TargetFactory(min_samples=20)
    now = timezone.now()
    put(catalog.SESSION_RETRIEVAL, 0.5, 3, at=now)
    (reading,) = [r for r in evaluate(django_capture_on_commit_callbacks, now) if r.target == target]
    assert reading.status == TargetStatus.NO_DATA
    assert not Violation.objects.filter(target=target).exists()

    open_one = ViolationFactory(target=target)
    put(catalog.SESSION_RETRIEVAL, 0.001, 3, at=now)  # looks fine, but on too little evidence
    evaluate(django_capture_on_commit_callbacks, now)
    open_one.refresh_from_db()
    assert open_one.is_open
    assert mailoutbox == []


def test_hit_rate_target_breaches_below_its_threshold(put, admins, django_capture_on_commit_callbacks):
    target = HitRateTargetFactory(threshold=80.0, min_samples=10)
    now = timezone.now()
    put(catalog.CACHE_READ, 0.0002, 7, at=now, labels=(("namespace", "entries"), ("result", "hit")))
    put(catalog.CACHE_READ, 0.002, 3, at=now, labels=(("namespace", "entries"), ("result", "miss")))
    put(catalog.CACHE_READ, 0.002, 90, at=now, labels=(("namespace", "entries"), ("result", "bypass")))
    (reading,) = [r for r in evaluate(django_capture_on_commit_callbacks, now) if r.target == target]
    assert reading.value == pytest.approx(70.0)
    assert reading.samples == 10  # bypassed reads are not lookups
    assert Violation.objects.open().get(target=target).worst_value == pytest.approx(70.0)


def test_the_evaluation_records_the_last_value_on_the_target(put, django_capture_on_commit_callbacks):
    target = TargetFactory()
    now = timezone.now()
    put(catalog.SESSION_RETRIEVAL, 0.001, 10, at=now)
    evaluate(django_capture_on_commit_callbacks, now)
    target.refresh_from_db()
    assert target.last_status == TargetStatus.OK
    assert target.last_samples == 10
    assert target.last_value == pytest.approx(1.0, rel=0.05)
    assert target.last_evaluated_at == now


def test_disabling_a_target_closes_its_open_violation(django_capture_on_commit_callbacks):
    target = TargetFactory(enabled=False)
    violation = ViolationFactory(target=target)
    now = timezone.now()
    evaluate(django_capture_on_commit_callbacks, now)
    violation.refresh_from_db()
    assert violation.ended_at == now


def test_redis_down_leaves_violations_as_they_are(redis_proxy, django_capture_on_commit_callbacks):
    target = TargetFactory()
    violation = ViolationFactory(target=target)
    redis_proxy.cut()
    (reading,) = [r for r in evaluate(django_capture_on_commit_callbacks, timezone.now()) if r.target == target]
    assert reading.status == TargetStatus.UNAVAILABLE
    violation.refresh_from_db()
    assert violation.is_open


def test_the_database_refuses_a_second_open_violation():
    violation = ViolationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ViolationFactory(target=violation.target)


def test_an_alert_is_sent_once_even_when_the_task_runs_twice(admins, mailoutbox):
    violation = ViolationFactory()
    assert services.violation_alert(violation_id=violation.pk)
    assert not services.violation_alert(violation_id=violation.pk)
    assert len(mailoutbox) == 1


def test_a_new_violation_posts_to_the_webhook(settings, admins, put, django_capture_on_commit_callbacks):
    receiver = WebhookReceiver([200])
    settings.ALERT_WEBHOOK_URL = receiver.url
    try:
        target = TargetFactory()
        now = timezone.now()
        put(catalog.SESSION_RETRIEVAL, 0.5, 10, at=now)
        evaluate(django_capture_on_commit_callbacks, now)
    finally:
        receiver.close()
    (payload,) = receiver.received
    assert payload["event"] == "monitoring.violation.opened"
    assert payload["target"] == target.slug
    assert payload["threshold"] == 10.0
    assert payload["value"] == pytest.approx(500, rel=0.05)
    assert Violation.objects.get(target=target).webhook_delivered_at is not None


def test_a_delivered_webhook_is_not_sent_again(settings):
    receiver = WebhookReceiver([200, 200])
    settings.ALERT_WEBHOOK_URL = receiver.url
    try:
        violation = ViolationFactory()
        assert services.violation_webhook_deliver(violation_id=violation.pk)
        assert not services.violation_webhook_deliver(violation_id=violation.pk)
    finally:
        receiver.close()
    assert len(receiver.received) == 1


def test_without_a_worker_a_failing_webhook_is_tried_once_and_breaks_nothing(
    settings, admins, put, mailoutbox, django_capture_on_commit_callbacks
):
    receiver = WebhookReceiver([500] * 5)
    settings.ALERT_WEBHOOK_URL = receiver.url
    try:
        target = TargetFactory()
        now = timezone.now()
        put(catalog.SESSION_RETRIEVAL, 0.5, 10, at=now)
        evaluate(django_capture_on_commit_callbacks, now)  # tasks run inline in the test settings
    finally:
        receiver.close()
    violation = Violation.objects.get(target=target)
    assert violation.is_open
    assert violation.webhook_delivered_at is None
    assert violation.webhook_attempts == 1
    assert len(mailoutbox) == 1  # the rest of the alert went out


def test_acknowledge_records_who_and_when_once(staff_user, other_user):
    violation = ViolationFactory()
    assert services.violation_acknowledge(violation=violation, user=staff_user)
    assert not services.violation_acknowledge(violation=violation, user=other_user)
    violation.refresh_from_db()
    assert violation.acknowledged_by == staff_user
    assert violation.status == "acknowledged"


def test_the_five_contract_targets_are_seeded(seeded_targets):
    by_slug = {target.slug: target for target in seeded_targets}
    assert set(by_slug) == {
        "cache-hit-rate",
        "redis-p99",
        "session-retrieval-p99",
        "db-query-p99",
        "knowledge-lookup-p99",
    }
    assert by_slug["cache-hit-rate"].condition == "hit rate > 80.0 %"
    assert by_slug["redis-p99"].condition == "p99 < 5.00 ms"
    assert by_slug["session-retrieval-p99"].condition == "p99 < 10.0 ms"
    assert by_slug["db-query-p99"].condition == "p99 < 50.0 ms"
    assert by_slug["knowledge-lookup-p99"].condition == "p99 < 2.00 ms"
    assert all(target.enabled for target in seeded_targets)
