import pytest

from monitoring import catalog
from monitoring.collector import collector
from monitoring.middleware import RequestMetricsMiddleware

pytestmark = pytest.mark.django_db


def _requests() -> dict:
    return {
        labels: histogram.count
        for (name, labels), histogram in collector.peek().items()
        if name == catalog.HTTP_REQUEST
    }


def test_requests_are_labelled_by_route_pattern_never_by_path(client, staff_user):
    client.force_login(staff_user)
    collector.discard()
    response = client.get(f"/admin/auth/user/{staff_user.pk}/change/")
    assert response.status_code == 200
    recorded = _requests()
    assert recorded == {
        (("method", "GET"), ("route", "/admin/auth/user/<path:object_id>/change/"), ("status", "2xx")): 1
    }
    assert not any(str(staff_user.pk) in value for labels in recorded for _, value in labels)


def test_unknown_paths_share_one_label(client):
    client.get("/no/such/page/12345/")
    client.get("/another/missing/page/")
    assert _requests() == {(("method", "GET"), ("route", "<unmatched>"), ("status", "4xx")): 2}


def test_static_files_have_their_own_label(client):
    response = client.get("/static/monitoring/dashboard.css")
    assert response.status_code == 200
    assert (("method", "GET"), ("route", "<static>"), ("status", "2xx")) in _requests()


def test_unusual_methods_are_folded_into_other(client):
    client.generic("PROPFIND", "/health/live/")
    (labels,) = _requests()
    assert dict(labels)["method"] == "OTHER"


def test_switched_off_the_middleware_leaves_the_chain(settings):
    from django.core.exceptions import MiddlewareNotUsed

    settings.MONITORING_ENABLED = False
    with pytest.raises(MiddlewareNotUsed):
        RequestMetricsMiddleware(lambda request: None)


def test_it_is_the_outermost_so_its_time_covers_the_stack_and_the_cache_writes(settings):
    # The request state middleware sends the request's cache writes when the request ends.
    assert settings.MIDDLEWARE[:2] == [
        "monitoring.middleware.RequestMetricsMiddleware",
        "journal_project.middleware.CacheRequestStateMiddleware",
    ]


def test_requests_succeed_with_redis_down_and_their_samples_are_kept_for_later(client, staff_user, redis_proxy):
    redis_proxy.cut()
    client.force_login(staff_user)
    assert client.get("/login/").status_code in (200, 302)
    assert client.get("/api/v1/monitoring/summary/").status_code == 200
    assert client.get("/admin/monitoring/target/").status_code == 200
    recorded = sum(_requests().values())
    assert recorded == 3

    result = collector.flush()

    assert not result.stored
    assert collector.retained_samples >= recorded
