"""Users in the admin: an operator can delete an account (with its journal) and reset a
password, and both do what the person's own settings page does."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.test import Client

from entries.models import Entry, Tag
from journal_project.accounts.models import ApiToken
from journal_project.accounts.services import token_issue
from sessions_app.models import Message, ReflectionSession
from tests.entries.factories import EntryFactory
from tests.factories import PASSWORD
from tests.sessions_app.factories import MessageFactory

pytestmark = pytest.mark.django_db

SECRET = "my secret diary walrus"


def _journal(user) -> None:
    """A journal full of the secret word, a login record and a token."""
    EntryFactory(user=user, title=SECRET, body=SECRET, tags=[f"{SECRET} tag"])
    MessageFactory(session__user=user, session__title=SECRET, content=SECRET)
    Client().post("/login/", {"username": user.username, "password": PASSWORD})
    token_issue(user=user)
    assert AccessLog.objects.filter(username=user.username).exists()


def _gone(user) -> None:
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Entry.objects.filter(user_id=user.pk).exists()
    assert not Tag.objects.filter(user_id=user.pk).exists()
    assert not ReflectionSession.objects.filter(user_id=user.pk).exists()
    assert not Message.objects.filter(session__user_id=user.pk).exists()
    assert not ApiToken.objects.filter(user_id=user.pk).exists()
    # The login records (address, browser) go too, as with the settings page's deletion.
    assert not AccessLog.objects.filter(username=user.username).exists()


def test_an_operator_deletes_an_account_with_its_journal_from_its_delete_page(staff_client, user, other_user):
    """The entry and tag admins are read-only, so Django's admin refused to delete any
    user who had written something ("your account doesn't have permission to delete
    ... entry, tag"), and deleting one who had not kept their login records."""
    _journal(user)
    _journal(other_user)
    page = staff_client.get(f"/admin/auth/user/{user.pk}/delete/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "permission to delete" not in html
    assert "Are you sure" in html
    assert "walrus" not in html  # metadata only, as everywhere in the admin

    response = staff_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    _gone(user)
    assert Entry.objects.filter(user=other_user).count() == 1  # the neighbour keeps everything
    assert AccessLog.objects.filter(username=other_user.username).exists()


def test_the_delete_action_deletes_the_selected_accounts_the_same_way(staff_client, user, other_user):
    _journal(user)
    _journal(other_user)
    selected = {"action": "delete_selected", "_selected_action": [user.pk, other_user.pk]}
    confirmation = staff_client.post("/admin/auth/user/", selected)
    assert confirmation.status_code == 200
    assert "permission to delete" not in confirmation.content.decode()
    assert "walrus" not in confirmation.content.decode()

    response = staff_client.post("/admin/auth/user/", {**selected, "post": "yes"})
    assert response.status_code == 302
    _gone(user)
    _gone(other_user)


def test_a_password_set_by_an_operator_revokes_the_accounts_api_tokens(staff_client, user):
    """An operator resets the password of an account that may be compromised: as when the
    person changes it themselves, no token issued before keeps working."""
    from tests.conftest import make_api_client

    api = make_api_client(user)
    assert api.get("/api/v1/auth/me/").status_code == 200
    new = "an-operator-chosen-passphrase-9"
    response = staff_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.check_password(new)
    assert api.get("/api/v1/auth/me/").status_code == 401


def test_failed_login_records_shown_in_the_admin_hold_no_search_or_form_token(client, user):
    """django-axes keeps the query and form of each failed login for the admin. A login
    page reached from an expired session carries `next`, the page the person was on:
    possibly a search of their journal. The CSRF token is a secret of the browser."""
    from axes.models import AccessAttempt

    login = client.get("/login/", {"next": "/search/?q=my secret divorce"})
    token = str(login.context["csrf_token"])
    client.post(
        "/login/?next=/search/%3Fq%3Dmy%2Bsecret%2Bdivorce",
        {
            "username": user.username,
            "password": "wrong",
            "next": "/search/?q=my secret divorce",
            "csrfmiddlewaretoken": token,
        },
    )
    attempt = AccessAttempt.objects.get(username=user.username)
    recorded = attempt.get_data + attempt.post_data
    assert "next=" in recorded  # the parameter's name stays
    for secret in ("secret", "divorce", token, "wrong"):
        assert secret not in recorded, secret

    # Any other parameter of the URL too: a crafted link can put anything there.
    client.post("/login/?next=/entries/&q=my+secret+divorce&utm=x", {"username": user.username, "password": "wrong"})
    attempt.refresh_from_db()
    assert "q=" in attempt.get_data
    assert "secret" not in attempt.get_data
    assert "utm=x" not in attempt.get_data


def test_beat_clears_expired_browser_sessions_and_old_login_records(settings, user, other_user):
    """Nothing removed expired browser sessions (Django leaves that to the site) nor the
    login records django-axes keeps (address and browser of every sign-in): both grew for
    ever. A daily task removes sessions past their expiry and records older than
    LOGIN_RECORDS_DAYS."""
    import datetime

    from axes.models import AccessFailureLog
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from journal_project.accounts import tasks

    assert settings.CELERY_BEAT_SCHEDULE["accounts-prune"]["task"] == "journal_project.accounts.tasks.accounts_prune"
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - datetime.timedelta(1))
    old = timezone.now() - datetime.timedelta(days=settings.LOGIN_RECORDS_DAYS + 1)
    AccessLog.objects.create(username=user.username, ip_address="10.0.0.1", user_agent="old", attempt_time=old)
    AccessLog.objects.create(username=user.username, ip_address="10.0.0.2", user_agent="recent")
    AccessFailureLog.objects.create(username=other_user.username, ip_address="10.0.0.3", attempt_time=old)
    AccessLog.objects.filter(user_agent="old").update(attempt_time=old)  # auto_now_add on create
    AccessFailureLog.objects.update(attempt_time=old)

    tasks.accounts_prune()

    assert set(Session.objects.values_list("session_key", flat=True)) >= {live.session_key}
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert list(AccessLog.objects.values_list("user_agent", flat=True)) == ["recent"]
    assert not AccessFailureLog.objects.exists()


def test_the_admin_login_page_has_one_h1_and_keeps_the_admins_own_styling(client):
    page = client.get("/admin/login/")
    assert page.status_code == 200
    html = page.content.decode()
    headings = re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    assert len(headings) == 1  # Django's own login page has none
    assert re.sub(r"<[^>]+>", "", headings[0]).strip()  # and it says something
    assert "/static/admin/css/login.css" in html  # the stock login styles (which style `#header h1`)
    assert not re.search(r"""(?:src|href)=["']https?://""", html)  # nothing from elsewhere
