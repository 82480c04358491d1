import pytest

from journal_project.timestamps import iso_timestamp
from monitoring import catalog
from monitoring.models import Target
from tests.conftest import make_api_client
from tests.monitoring.factories import TargetFactory, ViolationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/summary/"


def test_staff_get_every_target_with_value_threshold_and_status(staff_user, put):
    Target.objects.all().delete()
    breached = TargetFactory(slug="sessions", threshold=10.0, min_samples=5)
    violation = ViolationFactory(target=breached)
    TargetFactory(slug="knowledge", metric="knowledge_lookup", threshold=2.0, min_samples=50)
    put(catalog.SESSION_RETRIEVAL, 0.030, 10)

    response = make_api_client(staff_user).get(URL)

    assert response.status_code == 200
    results = {item["slug"]: item for item in response.json()["results"]}
    assert results["sessions"]["status"] == "breached"
    assert results["sessions"]["threshold"] == 10.0
    assert results["sessions"]["unit"] == "ms"
    assert results["sessions"]["value"] == pytest.approx(30.0, rel=0.05)
    assert results["sessions"]["samples"] == 10
    assert results["sessions"]["violation_open_since"] == iso_timestamp(violation.started_at)
    assert results["knowledge"]["status"] == "no_data"
    assert results["knowledge"]["value"] is None


def test_regular_users_are_refused(auth_client):
    response = auth_client.get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_anonymous_is_refused(api_client):
    assert api_client.get(URL).status_code in (401, 403)


def test_answers_with_redis_down(staff_user, redis_proxy):
    TargetFactory(slug="sessions")
    redis_proxy.cut()
    response = make_api_client(staff_user).get(URL)
    assert response.status_code == 200
    statuses = {item["slug"]: item["status"] for item in response.json()["results"]}
    assert statuses["sessions"] == "unavailable"


def test_the_summary_is_a_list_in_the_shape_of_every_list(staff_user):
    """CONTRACT §3: lists are `{"next", "previous", "results"}`; the summary answered
    `{"results": [...]}` alone. It pages like the others, and conforms to its schema."""
    from tests.core.test_schema import assert_conforms

    Target.objects.all().delete()
    first = TargetFactory(slug="first")
    ViolationFactory(target=first)
    TargetFactory(slug="second")
    client = make_api_client(staff_user)

    body = client.get(URL).json()
    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None
    assert [item["slug"] for item in body["results"]] == ["first", "second"]
    assert_conforms(body, "Summary")

    page = client.get(URL, {"page_size": 1}).json()
    assert [item["slug"] for item in page["results"]] == ["first"]
    assert page["next"].endswith("page=2&page_size=1")
    second = client.get(page["next"]).json()
    assert [item["slug"] for item in second["results"]] == ["second"]
    assert second["next"] is None
    assert second["previous"]
    assert client.get(URL, {"page": 3}).status_code == 404
    assert client.get(URL, {"page_size": 0}).status_code == 400
