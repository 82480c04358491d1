"""The admin: knowledge editable; sessions and messages as metadata, never the text by default."""

from __future__ import annotations

import pytest

from sessions_app import services
from sessions_app.models import Message, Technique

pytestmark = pytest.mark.usefixtures("knowledge_base")
SECRET = "my very private sentence about Aunt Mabel"


@pytest.fixture
def session(user):
    session = services.session_create(user=user, title="Private title about Mabel")
    services.message_post(user=user, session_id=session.pk, content=SECRET)
    services.session_end(user=user, session_id=session.pk)
    return session


def test_sessions_and_messages_show_metadata_but_no_text(staff_client, session, user):
    pages = [
        "/admin/sessions_app/reflectionsession/",
        f"/admin/sessions_app/reflectionsession/{session.pk}/change/",
        "/admin/sessions_app/message/",
        f"/admin/sessions_app/message/{Message.objects.filter(session=session).first().pk}/change/",
    ]
    for url in pages:
        response = staff_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "Aunt Mabel" not in html, url
        assert "Mabel" not in html, url
    listing = staff_client.get("/admin/sessions_app/reflectionsession/").content.decode()
    assert user.username in listing


def test_searching_sessions_never_searches_the_text(staff_client, session):
    html = staff_client.get("/admin/sessions_app/message/?q=Mabel").content.decode()
    assert "0 messages" in html or "0 results" in html


def test_with_the_setting_on_the_text_is_shown(staff_client, session, settings):
    settings.JOURNAL_ADMIN_SHOWS_CONTENT = True
    assert SECRET in staff_client.get("/admin/sessions_app/message/").content.decode()
    change = staff_client.get(f"/admin/sessions_app/reflectionsession/{session.pk}/change/").content.decode()
    assert "Private title about Mabel" in change


def test_the_knowledge_base_is_editable_and_edits_are_kept(staff_client):
    technique = Technique.objects.get(slug="box-breathing")
    url = f"/admin/sessions_app/technique/{technique.pk}/change/"
    assert staff_client.get(url).status_code == 200
    data = {
        "name": technique.name,
        "slug": technique.slug,
        "category": technique.category,
        "summary": "Our own words.",
        "explanation": technique.explanation,
        "steps": '["In for four."]',
        "questions": '["Would you like to try it?"]',
        "related": "[]",
        "sources": '["Zaccaro et al. (2018)."]',
        "patterns": "[]",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    technique.refresh_from_db()
    assert technique.summary == "Our own words."
    assert technique.is_customized
    assert staff_client.get("/api/v1/knowledge/box-breathing/").status_code in (200, 401, 403)


def test_sessions_cannot_be_added_or_changed_in_the_admin(staff_client, session):
    assert staff_client.get("/admin/sessions_app/reflectionsession/add/").status_code == 403
    assert staff_client.get("/admin/sessions_app/message/add/").status_code == 403


def test_sessions_and_messages_cannot_be_deleted_one_by_one_in_the_admin(staff_client, session):
    """Ninth pass (operator): the docs call the journal admins read-only, and the entries'
    are, but a superuser could delete a person's message (the companion's reply still
    quoting it) or a whole session. They go with their account (the user's delete)."""
    message = session.messages.filter(role=Message.Role.USER).get()
    for path in (f"/admin/sessions_app/message/{message.pk}/", f"/admin/sessions_app/reflectionsession/{session.pk}/"):
        assert staff_client.get(path + "delete/").status_code == 403
        assert staff_client.post(path + "delete/", {"post": "yes"}).status_code == 403
    for changelist, pk in (("message", message.pk), ("reflectionsession", session.pk)):
        page = staff_client.get(f"/admin/sessions_app/{changelist}/").content.decode()
        assert "delete_selected" not in page
        staff_client.post(
            f"/admin/sessions_app/{changelist}/", {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
        )
    assert Message.objects.filter(pk=message.pk).exists()
    assert type(session).objects.filter(pk=session.pk).exists()


def _technique_form(technique: Technique, **changes: str) -> dict[str, str]:
    import json

    data = {
        "name": technique.name,
        "slug": technique.slug,
        "category": technique.category,
        "summary": technique.summary,
        "explanation": technique.explanation,
        "steps": json.dumps(technique.steps),
        "questions": json.dumps(technique.questions),
        "related": json.dumps(technique.related),
        "sources": json.dumps(technique.sources),
        "patterns": json.dumps(technique.patterns),
    }
    return {**data, **changes}


def test_a_technique_renamed_or_deleted_in_the_admin_is_not_shown_by_its_old_name_in_sessions(
    staff_client, user, auth_client
):
    """A session's cached state names the techniques it used (the session's own and each
    companion message's). Those are the knowledge base's rows, edited by operators: a
    rename or a deletion moved only the knowledge base's generation, and every session kept
    showing the old name (or a technique that no longer exists) until its own next write."""
    technique = Technique.objects.get(slug="box-breathing")
    session = services.session_create(user=user, title="t", technique_slug="box-breathing")
    Message.objects.filter(session=session).update(technique=technique)  # a reply that drew on it
    services.message_post(user=user, session_id=session.pk, content="hello")  # rebuilds and caches the state
    before = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert before["technique"]["name"] == "Box breathing"
    assert auth_client.get("/api/v1/sessions/").json()["results"][0]["technique"]["name"] == "Box breathing"

    url = f"/admin/sessions_app/technique/{technique.pk}/change/"
    assert staff_client.post(url, _technique_form(technique, name="Square breathing")).status_code == 302
    after = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert after["technique"]["name"] == "Square breathing"
    assert {m["technique_name"] for m in after["messages"] if m["technique"]} == {"Square breathing"}
    assert auth_client.get("/api/v1/sessions/").json()["results"][0]["technique"]["name"] == "Square breathing"

    response = staff_client.post(f"/admin/sessions_app/technique/{technique.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    gone = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert gone["technique"] is None
    assert all(m["technique"] is None for m in gone["messages"])
    assert auth_client.get("/api/v1/sessions/").json()["results"][0]["technique"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/admin/sessions_app/message/?content__icontains=Mabel",
        "/admin/sessions_app/reflectionsession/?title__icontains=Mabel",
        "/admin/sessions_app/reflectionsession/?summary__icontains=Mabel",
        "/admin/sessions_app/message/?session__title__icontains=Mabel",
    ],
)
def test_the_text_cannot_be_filtered_on_from_the_url(staff_client, session, user, path):
    # Listing who wrote "Mabel" tells the operator what they wrote, shown or not.
    response = staff_client.get(path)
    assert response.status_code == 400
    assert user.username not in response.content.decode()


def test_metadata_filters_still_work(staff_client, session, user):
    for path in [
        "/admin/sessions_app/message/?role__exact=user",
        "/admin/sessions_app/reflectionsession/?status__exact=ended",
        f"/admin/sessions_app/reflectionsession/?user__id__exact={user.pk}",
    ]:
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert user.username in response.content.decode(), path
