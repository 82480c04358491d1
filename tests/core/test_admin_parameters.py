"""The admin's changelists turn query parameters into database lookups: bad ones are a 400, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/?username=%00",
        "/admin/auth/user/?username__exact=a%00b",
        "/admin/axes/accessattempt/?username=%00",
        "/admin/django_celery_beat/periodictask/?task=%00",
        "/admin/monitoring/target/?slug__exact=%00",
        "/admin/sessions_app/reflectionsession/?status__exact=%00",
        "/admin/auth/user/?q=%00",
        "/admin/auth/user/?%00=1",
    ],
)
def test_a_nul_character_in_an_admin_parameter_is_a_bad_request(staff_client, url):
    """PostgreSQL refuses text holding NUL: each of these was a 500 (a DataError)."""
    response = staff_client.get(url)
    assert response.status_code == 400


def test_admin_parameters_without_nul_still_filter(staff_client, staff_user):
    response = staff_client.get("/admin/auth/user/", {"username": staff_user.username})
    assert response.status_code == 200
    assert staff_user.username in response.content.decode()


def test_the_app_s_own_pages_keep_reading_nul_as_before(browser_client):
    assert browser_client.get("/search/?q=lake%00").status_code == 200
