"""The browser's error pages look like the app, say where you are and leave a way on."""

from __future__ import annotations

import re

import pytest
from django.template import loader
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_expired_form_offers_the_form_again_and_names_no_reason(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/entries/new/", {"title": "t", "body": "words"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Form expired · Journal</title>" in html
    # A way on that needs no Back button (a phone's browser may have none in view).
    assert '<a class="button" href="/entries/new/">Open the form again</a>' in html
    # Django's reason ("CSRF cookie not set.") is for the log, not the page.
    assert "CSRF" not in html
    assert "cookie" not in html.lower()


def test_an_expired_login_form_offers_the_login_page(user):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert 'href="/login/">Open the form again</a>' in response.content.decode()


@pytest.mark.parametrize("template", ["400.html", "500.html", "503.html"])
def test_standalone_error_pages_are_titled_like_every_page_and_follow_dark_mode(template):
    # Rendered without a request (the database or the session may be what failed).
    html = loader.render_to_string(template)
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.endswith(" · Journal"), title
    assert '<meta name="color-scheme" content="light dark">' in html


def test_an_address_the_server_is_not_set_up_for_says_so_not_malformed():
    # `make run HOST=0.0.0.0` opened from a phone by the machine's address: every page said
    # "Something in it was malformed. Go back and try again.", which no retry mends.
    response = Client().get("/today/", HTTP_HOST="192.0.2.2:8000")
    assert response.status_code == 400
    html = response.content.decode()
    assert "doesn’t answer at this address" in html
    assert "ALLOWED_HOSTS" in html
    assert "Go back and try again" not in html
    api = Client().get("/api/v1/entries/", HTTP_HOST="192.0.2.2:8000")
    assert api.status_code == 400
    assert "ALLOWED_HOSTS" in api.json()["error"]["message"]


def test_a_malformed_request_still_says_malformed(user):
    html = loader.render_to_string("400.html")
    assert "Go back and try again" in html
