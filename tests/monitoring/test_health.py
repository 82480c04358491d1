"""Redis in /health/: latency reported, failure only when unreachable; readiness never needs Redis."""

import pytest

from journal_project.health import RedisPing, full_checks
from monitoring import catalog
from monitoring.collector import collector
from monitoring.health import run_health_checks

pytestmark = pytest.mark.django_db


def test_the_redis_check_measures_the_ping_round_trip(client, settings):
    settings.METRICS_TOKEN = "t0ken"
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer t0ken", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert any(name.startswith("Redis(") and status == "OK" for name, status in response.json().items())
    assert collector.peek()[(catalog.REDIS_COMMAND, (("operation", "health_ping"),))].count == 1


def test_the_redis_check_is_ours_and_only_when_redis_is_configured(settings):
    assert any(isinstance(spec, tuple) and spec[0] is RedisPing for spec in full_checks())
    settings.REDIS_URL = ""
    assert not any(isinstance(spec, tuple) and spec[0] is RedisPing for spec in full_checks())


def test_dashboard_health_rows_show_the_redis_latency():
    rows = {row.name: row for row in run_health_checks()}
    redis_row = next(row for name, row in rows.items() if name.startswith("Redis("))
    assert redis_row.ok
    assert redis_row.status.startswith("OK (PING ")


def test_unreachable_redis_fails_the_check(redis_proxy):
    redis_proxy.cut()
    rows = run_health_checks()
    redis_row = next(row for row in rows if row.name.startswith("Redis("))
    assert not redis_row.ok
    assert "Unable to connect to Redis" in redis_row.status


def test_readiness_answers_while_redis_hangs(client, redis_proxy):
    redis_proxy.hang()
    assert client.get("/health/ready/").status_code == 200
    assert client.get("/health/live/").status_code == 200
