"""The admin shows entries and tags as metadata; never what people wrote, unless configured."""

from __future__ import annotations

import pytest

from tests.entries.factories import EntryFactory

pytestmark = pytest.mark.django_db
SECRET = "privatethoughts"


@pytest.fixture
def entry(user):
    return EntryFactory(user=user, title=f"{SECRET} title", body=f"{SECRET} body", tags=[SECRET], mood=4)


def test_changelists_and_detail_show_metadata_only(staff_client, entry, user):
    pages = [
        "/admin/entries/entry/",
        f"/admin/entries/entry/{entry.pk}/change/",
        "/admin/entries/tag/",
        f"/admin/entries/tag/{entry.tags.get().pk}/change/",
        f"/admin/entries/entry/?q={user.username}",
    ]
    for path in pages:
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert SECRET.encode() not in response.content, path
    listing = staff_client.get("/admin/entries/entry/").content.decode()
    assert user.username in listing


def test_content_is_shown_when_configured(staff_client, entry, settings):
    settings.JOURNAL_ADMIN_SHOWS_CONTENT = True
    assert f"{SECRET} title".encode() in staff_client.get("/admin/entries/entry/").content
    assert f"{SECRET} body".encode() in staff_client.get(f"/admin/entries/entry/{entry.pk}/change/").content
    assert SECRET.encode() in staff_client.get("/admin/entries/tag/").content


def test_admin_is_read_only(staff_client, entry):
    assert staff_client.get("/admin/entries/entry/add/").status_code == 403
    assert staff_client.get(f"/admin/entries/entry/{entry.pk}/delete/").status_code == 403
    response = staff_client.post(f"/admin/entries/entry/{entry.pk}/change/", {"mood": 1})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.mood == 4


def test_filters_on_metadata(staff_client, entry):
    assert staff_client.get("/admin/entries/entry/?mood__exact=4").status_code == 200
    assert staff_client.get(f"/admin/entries/entry/?entry_date__year={entry.entry_date.year}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/entries/entry/?title__icontains={SECRET}",
        f"/admin/entries/entry/?body__icontains={SECRET}",
        f"/admin/entries/entry/?body_html__contains={SECRET}",
        f"/admin/entries/entry/?search_vector={SECRET}",
        f"/admin/entries/tag/?name={SECRET}",
        f"/admin/entries/tag/?name__startswith={SECRET[:4]}",
    ],
)
def test_the_text_cannot_be_filtered_on_from_the_url(staff_client, entry, path):
    # A filter on a hidden field would tell whose entries contain a word without showing it.
    response = staff_client.get(path)
    assert response.status_code == 400
    assert entry.user.username.encode() not in response.content


def test_the_text_can_be_filtered_on_when_the_admin_shows_it(staff_client, entry, settings):
    settings.JOURNAL_ADMIN_SHOWS_CONTENT = True
    response = staff_client.get(f"/admin/entries/entry/?body__icontains={SECRET}")
    assert response.status_code == 200
    assert f"{SECRET} title".encode() in response.content
