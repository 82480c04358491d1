"""Admin pages of the monitoring app: for staff only, violations acknowledgeable, history read only."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.models import Violation
from tests.monitoring.factories import MetricSnapshotFactory, TargetFactory, ViolationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/monitoring/target/",
        "/admin/monitoring/violation/",
        "/admin/monitoring/metricsnapshot/",
        "/admin/monitoring/violation/?status=open",
        "/admin/monitoring/violation/?status=resolved",
        "/admin/monitoring/violation/?status=unacknowledged",
        "/admin/monitoring/violation/?severity=critical",
    ],
)
def test_changelists_render_for_staff(staff_client, url):
    ViolationFactory()
    ViolationFactory(ended_at=timezone.now(), target=TargetFactory())
    MetricSnapshotFactory()
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/monitoring/target/", "/admin/monitoring/violation/"])
def test_changelists_are_refused_to_non_staff(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def _results(page: str) -> str:
    """The changelist's result table only (the filter sidebar names every target too)."""
    return re.search(r'<table id="result_list">.*?</table>', page, re.S).group(0)


def test_violation_filters_narrow_the_list(staff_client):
    open_one = ViolationFactory(target=TargetFactory(name="Open target"))
    ViolationFactory(target=TargetFactory(name="Closed target"), ended_at=timezone.now())
    results = _results(staff_client.get("/admin/monitoring/violation/?status=open").content.decode())
    assert "Open target" in results
    assert "Closed target" not in results
    url = f"/admin/monitoring/violation/?target__id__exact={open_one.target_id}"
    results = _results(staff_client.get(url).content.decode())
    assert "Open target" in results
    assert "Closed target" not in results


def test_violation_list_shows_the_duration(staff_client):
    start = timezone.now() - timedelta(hours=1, minutes=5)
    ViolationFactory(started_at=start, ended_at=start + timedelta(minutes=12, seconds=3))
    assert "12 min 03 s" in staff_client.get("/admin/monitoring/violation/").content.decode()


def test_acknowledge_action(staff_client, staff_user):
    violation = ViolationFactory()
    response = staff_client.post(
        "/admin/monitoring/violation/",
        {"action": "acknowledge", "_selected_action": [violation.pk]},
        follow=True,
    )
    assert response.status_code == 200
    violation.refresh_from_db()
    assert violation.acknowledged_by == staff_user
    assert violation.acknowledged_at is not None


def test_targets_are_editable(staff_client):
    target = TargetFactory(threshold=10.0)
    response = staff_client.post(
        f"/admin/monitoring/target/{target.pk}/change/",
        {
            "name": target.name,
            "slug": target.slug,
            "description": "",
            "enabled": "on",
            "severity": "critical",
            "metric": target.metric,
            "statistic": target.statistic,
            "comparison": target.comparison,
            "threshold": "12.5",
            "window_minutes": "3",
            "min_samples": "30",
        },
    )
    assert response.status_code == 302, response.content
    target.refresh_from_db()
    assert (target.threshold, target.window_minutes, target.severity) == (12.5, 3, "critical")


def test_a_hit_rate_only_exists_for_cache_reads(staff_client):
    target = TargetFactory()
    response = staff_client.post(
        f"/admin/monitoring/target/{target.pk}/change/",
        {
            "name": target.name,
            "slug": target.slug,
            "severity": "warning",
            "metric": "db_query",
            "statistic": "hit_rate",
            "comparison": "gt",
            "threshold": "80",
            "window_minutes": "5",
            "min_samples": "10",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "The hit rate exists only for cache reads." in response.content.decode()


def test_violations_and_snapshots_cannot_be_made_or_edited_by_hand(staff_client):
    snapshot = MetricSnapshotFactory()
    assert staff_client.get("/admin/monitoring/violation/add/").status_code == 403
    assert staff_client.get("/admin/monitoring/metricsnapshot/add/").status_code == 403
    page = staff_client.get(f"/admin/monitoring/metricsnapshot/{snapshot.pk}/change/")
    assert page.status_code == 200
    assert 'name="count"' not in page.content.decode()  # shown, not editable
    assert Violation.objects.count() == 0


def test_admin_index_links_to_the_dashboard(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert 'href="/admin/monitoring/dashboard/"' in page
    assert re.search(r"<caption>Monitoring</caption>", page)


def test_metric_history_shows_durations_rounded_like_the_rest_of_the_admin(staff_client):
    """The history listed raw floats ("4.424999999999999", "0.4714285714285714") where the
    targets and violations show "4.42 ms"."""
    MetricSnapshotFactory(p50_ms=0.4714285714285714, p95_ms=4.424999999999999, p99_ms=15.028932300047745, max_ms=120.4)
    page = staff_client.get("/admin/monitoring/metricsnapshot/").content.decode()
    assert "4.424999" not in page
    assert "0.47 ms" in page
    assert "4.42 ms" in page
    assert "15.0 ms" in page
    assert "120 ms" in page
    # Still sortable by each duration.
    assert staff_client.get("/admin/monitoring/metricsnapshot/?o=6").status_code == 200
