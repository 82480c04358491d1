"""The monitoring dashboard: staff only, targets now, SVG charts, violations, health."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from monitoring import catalog, services
from tests.factories import UserFactory
from tests.monitoring.factories import TargetFactory, ViolationFactory

pytestmark = pytest.mark.django_db

URL = "/admin/monitoring/dashboard/"


def test_staff_without_the_dashboard_permission_get_a_403_and_no_link(client):
    # Staff for something else (say, the journal's accounts) do not see monitoring.
    operator = UserFactory(is_staff=True)
    client.force_login(operator)
    assert client.get(URL).status_code == 403
    index = client.get("/admin/").content.decode()
    assert URL not in index
    assert "<caption>Monitoring</caption>" not in index


def test_staff_with_the_dashboard_permission_see_it_and_its_link(client):
    operator = UserFactory(is_staff=True)
    operator.user_permissions.add(
        Permission.objects.get(codename="view_dashboard", content_type__app_label="monitoring")
    )
    client.force_login(operator)
    page = client.get(URL)
    assert page.status_code == 200
    assert f'href="{URL}"' in client.get("/admin/").content.decode()
    # Only links they may follow: the violations' changelist needs its own permission.
    assert "All violations" not in page.content.decode()
    operator.user_permissions.add(
        Permission.objects.get(codename="view_violation", content_type__app_label="monitoring")
    )
    assert "All violations" in client.get(URL).content.decode()
    # The permission without staff is not enough: the admin's own rule comes first.
    operator.is_staff = False
    operator.save(update_fields=["is_staff"])
    assert client.get(URL)["Location"].startswith("/admin/login/")


def test_anonymous_and_non_staff_are_sent_to_the_admin_login(client, user):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_dashboard_shows_targets_with_current_values_and_status(staff_client, put):
    TargetFactory(name="Session speed", threshold=10.0, min_samples=5)
    put(catalog.SESSION_RETRIEVAL, 0.030, 10)
    page = staff_client.get(URL).content.decode()
    row = re.search(r"Session speed.*?</tr>", page, re.S).group(0)
    assert "p99 &lt; 10.0 ms" in row
    assert "status-breached" in row
    assert re.search(r"\b29\.\d\d ms|\b30\.00 ms", row)


@pytest.mark.parametrize("period", ["hour", "day", "week"])
def test_dashboard_draws_history_charts_as_svg(staff_client, put, period):
    then = timezone.now() - timedelta(minutes=3)
    put(catalog.SESSION_RETRIEVAL, 0.002, 20, at=then)
    put(catalog.CACHE_READ, 0.0001, 20, at=then, labels=(("namespace", "entries"), ("result", "hit")))
    services.rollup_windows()
    page = staff_client.get(URL, {"period": period}).content.decode()
    assert page.count('<figure class="chart">') == 6  # hit rate and five latency charts
    assert re.search(r'<path class="line line-p99" d="M[\d. ]+', page)
    assert re.search(r'<path class="line line-rate" d="M[\d. ]+', page)
    assert f"<strong>last {period}</strong>" in page


def test_dashboard_respects_the_content_security_policy(staff_client):
    page = staff_client.get(URL).content.decode()
    assert "<style" not in page
    assert ' style="' not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # only external scripts (the admin's own)
    assert "/static/monitoring/dashboard.css" in page


def test_dashboard_lists_recent_violations_and_health(staff_client):
    ViolationFactory(target=TargetFactory(name="Slow sessions"))
    page = staff_client.get(URL).content.decode()
    assert "Slow sessions" in page
    assert "Health checks" in page
    assert "Database" in page
    assert re.search(r"OK \(PING \d+\.\d\d ms\)", page)  # the Redis check reports its latency


def test_dashboard_still_renders_with_redis_down(staff_client, redis_proxy):
    TargetFactory(name="Session speed")
    redis_proxy.cut()
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert "metrics unavailable" in response.content.decode()


def test_dashboard_warns_when_the_targets_are_no_longer_evaluated(staff_client):
    # Beat stopped: the live values still showed "breached" with no violation and no alert,
    # and nothing on the page said the evaluation had stopped.
    target = TargetFactory(name="Session speed", last_evaluated_at=timezone.now() - timedelta(minutes=12))
    page = staff_client.get(URL).content.decode()
    assert "evaluation-stale" in page
    assert "last evaluated" in page.lower()

    target.last_evaluated_at = timezone.now() - timedelta(seconds=50)
    target.save()
    assert "evaluation-stale" not in staff_client.get(URL).content.decode()


def test_dashboard_warns_when_the_targets_were_never_evaluated(staff_client):
    TargetFactory(name="Session speed")
    assert "evaluation-stale" in staff_client.get(URL).content.decode()
