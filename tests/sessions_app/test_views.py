"""Pages: work with plain form posts, 404 for others' sessions, no inline script or style."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app import services
from sessions_app.models import Message, ReflectionSession

pytestmark = pytest.mark.usefixtures("knowledge_base")


def assert_no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert 'style="' not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_the_list_page_shows_sessions_the_form_and_todays_prompt(browser_client):
    services.session_create(user=browser_client.user, title="Tuesday thoughts")
    response = browser_client.get("/reflect/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tuesday thoughts" in html
    assert "Today's prompt" in html
    assert '<label for="id_technique"' in html
    assert_no_inline_code(html)


def test_starting_a_session_by_form_post_redirects_to_the_chat(browser_client):
    response = browser_client.post("/reflect/", {"title": "", "technique": "box-breathing"})
    session = ReflectionSession.objects.get(user=browser_client.user)
    assert response.status_code == 302
    assert response["Location"] == f"/reflect/{session.pk}/"
    assert session.technique.slug == "box-breathing"


def test_the_chat_works_by_plain_form_posts(browser_client):
    session = services.session_create(user=browser_client.user)
    response = browser_client.post(f"/reflect/{session.pk}/", {"content": "I always mess things up."})
    assert response.status_code == 302
    assert response["Location"].endswith("#latest")
    page = browser_client.get(f"/reflect/{session.pk}/")
    html = page.content.decode()
    assert "I always mess things up." in html
    assert "overgeneralization" in html
    assert 'aria-live="polite"' in html
    assert "sessions_app/chat.js" in html
    assert f'data-api-url="/api/v1/sessions/{session.pk}/messages/"' in html
    assert_no_inline_code(html)


def test_message_text_is_escaped(browser_client):
    session = services.session_create(user=browser_client.user)
    browser_client.post(f"/reflect/{session.pk}/", {"content": "<script>alert(1)</script> hello"})
    html = browser_client.get(f"/reflect/{session.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_an_empty_message_redisplays_the_form_with_an_error(browser_client):
    session = services.session_create(user=browser_client.user)
    response = browser_client.post(f"/reflect/{session.pk}/", {"content": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_the_chat_page_posts_through_the_api_with_the_session_and_csrf(browser_client):
    session = services.session_create(user=browser_client.user)
    page = browser_client.get(f"/reflect/{session.pk}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    browser_client.handler.enforce_csrf_checks = True
    url = f"/api/v1/sessions/{session.pk}/messages/"
    refused = browser_client.post(url, {"content": "hi there"}, content_type="application/json")
    assert refused.status_code == 403
    accepted = browser_client.post(
        url, {"content": "hi there"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_ending_with_save_shows_the_summary_and_stops_the_form(browser_client):
    session = services.session_create(user=browser_client.user)
    services.message_post(user=browser_client.user, session_id=session.pk, content="Work was stressful.")
    assert browser_client.get(f"/reflect/{session.pk}/end/").status_code == 200
    response = browser_client.post(f"/reflect/{session.pk}/end/", {"save_as_entry": "on"})
    assert response.status_code == 302
    html = browser_client.get(f"/reflect/{session.pk}/").content.decode()
    assert "Summary" in html
    assert "Saved to your journal" in html
    # …with the way to it (the page only said so).
    session.refresh_from_db()
    assert f'href="/entries/{session.entry_id}/">open the entry</a>' in html
    assert 'id="chat-form"' not in html
    late = browser_client.post(f"/reflect/{session.pk}/", {"content": "One more?"})
    assert late.status_code == 409  # the page, with the text shown back (not sent)
    assert Message.objects.filter(session=session, content="One more?").count() == 0


def test_the_summary_page_says_how_the_tone_moved_in_words(browser_client):
    """It showed "Mood: From 0.00 to 0.70 (lighter)": bare scores with no scale, where the saved
    entry says what they mean."""
    session = services.session_create(user=browser_client.user)
    services.message_post(user=browser_client.user, session_id=session.pk, content="I had a dull day.")
    services.message_post(user=browser_client.user, session_id=session.pk, content="Dinner with friends was lovely!")
    browser_client.post(f"/reflect/{session.pk}/end/", {"save_as_entry": "on"})
    html = browser_client.get(f"/reflect/{session.pk}/").content.decode()
    mood = re.search(r"<dt>Mood</dt><dd>(.*?)</dd>", html).group(1)
    assert mood.startswith("Your first message read as ")
    assert "a lighter tone by the end." in mood
    session.refresh_from_db()
    from entries.models import Entry

    assert mood[1:] in Entry.objects.get(pk=session.entry_id).body  # the page and the saved entry agree


def test_another_users_session_pages_are_404(browser_client, other_user):
    theirs = services.session_create(user=other_user)
    assert browser_client.get(f"/reflect/{theirs.pk}/").status_code == 404
    assert browser_client.post(f"/reflect/{theirs.pk}/", {"content": "hello"}).status_code == 404
    assert browser_client.get(f"/reflect/{theirs.pk}/end/").status_code == 404
    assert browser_client.post(f"/reflect/{theirs.pk}/end/", {}).status_code == 404
    assert ReflectionSession.objects.get(pk=theirs.pk).status == "active"


def test_the_library_searches_and_filters(browser_client):
    html = browser_client.get("/library/?q=breathing").content.decode()
    assert "Box breathing" in html
    filtered = browser_client.get("/library/?category=journaling_prompt").content.decode()
    assert "A kindness" in filtered
    assert "Catastrophizing" not in filtered
    assert_no_inline_code(html)


def test_a_technique_page_shows_steps_and_sources(browser_client):
    html = browser_client.get("/library/box-breathing/").content.decode()
    assert "Steps" in html
    assert "Zaccaro" in html
    assert browser_client.get("/library/not-a-thing/").status_code == 404


def test_pages_need_a_login(client):
    response = client.get("/reflect/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_library_page_links_carry_the_search_but_one_page_number(browser_client):
    first = browser_client.get("/library/", {"category": ""}).content.decode()
    assert 'href="?category=&amp;page=2"' in first
    # Following Next, then Next again: each link names one page, never the pages before it.
    second = browser_client.get("/library/?category=&page=2").content.decode()
    links = re.findall(r'<nav class="pagination".*?</nav>', second, re.S)[0]
    assert 'href="?category=&amp;page=1"' in links
    assert links.count("page=") == len(re.findall(r"<a ", links))
    plain = browser_client.get("/library/?page=2").content.decode()
    assert 'href="?page=1"' in plain


def test_a_technique_page_links_the_related_items_both_ways(browser_client):
    """The knowledge base names what helps with each distortion, but the page linked nothing:
    a reader of "Catastrophizing" had no way to the techniques for it."""
    html = browser_client.get("/library/catastrophizing/").content.decode()
    assert "Techniques that can help" in html
    assert 'href="/library/decatastrophizing/"' in html
    # …and the technique's page names the distortions it helps with.
    technique = browser_client.get("/library/decatastrophizing/").content.decode()
    assert "Can help with" in technique
    assert 'href="/library/catastrophizing/"' in technique
    assert_no_inline_code(technique)


def test_a_long_session_can_be_ended_and_saved_as_an_entry(browser_client, user):
    """Its messages (5,000 characters each) made the entry longer than an entry may be: the end
    page answered 500 (the API a 400 naming a `body` nobody sent) and the session stayed open."""
    from entries.models import BODY_MAX_LENGTH, Entry

    session = services.session_create(user=user, title="A long evening")
    for _ in range(21):
        services.message_post(user=user, session_id=session.pk, content=("I feel sad today. " * 280)[:5000])
    response = browser_client.post(f"/reflect/{session.pk}/end/", {"save_as_entry": "on"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == ReflectionSession.Status.ENDED
    entry = Entry.objects.get(pk=session.entry_id)
    assert len(entry.body) <= BODY_MAX_LENGTH
    assert "kept in the session" in entry.body


def test_a_right_to_left_session_title_keeps_its_direction(browser_client, user):
    """The chat page's heading had dir="auto", but the session list and the end page showed a
    Hebrew or Arabic title laid out left to right (the entries' pages already did this)."""
    session = services.session_create(user=user, title="שיחה על העבודה")
    listing = browser_client.get("/reflect/").content.decode()
    assert f'href="/reflect/{session.pk}/#latest" dir="auto"><strong>שיחה על העבודה</strong>' in listing
    end = browser_client.get(f"/reflect/{session.pk}/end/").content.decode()
    assert "<bdi>שיחה על העבודה</bdi>" in end


def test_a_message_sent_after_the_session_ended_is_back_in_the_box_after_logging_in(browser_client, other_user):
    from tests.factories import PASSWORD

    user = browser_client.user
    session = services.session_create(user=user, title="Signed out mid-thought")
    browser_client.post("/logout/")  # in another tab

    response = browser_client.post(
        f"/reflect/{session.pk}/", {"content": "Words I typed while signed out", "writer": str(user.pk)}
    )
    assert response["Location"] == f"/login/?next=/reflect/{session.pk}/"
    assert (
        "You were signed out before your message was saved."
        in browser_client.get(response["Location"]).content.decode()
    )
    browser_client.post("/login/", {"username": user.username, "password": PASSWORD})
    html = browser_client.get(f"/reflect/{session.pk}/").content.decode()
    assert re.search(r"<textarea[^>]*>\s*Words I typed while signed out</textarea>", html)
    assert not Message.objects.filter(session=session, role="user").exists()

    # Someone else logging in on that browser never sees it.
    browser_client.post("/logout/")
    browser_client.post(f"/reflect/{session.pk}/", {"content": "Not for the next person", "writer": str(user.pk)})
    browser_client.post("/login/", {"username": other_user.username, "password": PASSWORD})
    assert "Not for the next person" not in browser_client.get("/reflect/").content.decode()


def test_a_throttled_message_stays_in_the_box(browser_client, settings):
    """Without JavaScript, a message refused by the companion's throttle was thrown away:
    the page said to try again after a redirect that dropped what was typed."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "companion": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    session = services.session_create(user=browser_client.user)
    assert browser_client.post(f"/reflect/{session.pk}/", {"content": "First thought."}).status_code == 302
    response = browser_client.post(f"/reflect/{session.pk}/", {"content": "A second thought I want to keep"})
    assert response.status_code == 429
    assert response["Retry-After"]
    html = response.content.decode()
    assert "a lot of messages in a short time" in html
    assert re.search(r"<textarea[^>]*>\s*A second thought I want to keep</textarea>", html)
    assert Message.objects.filter(session=session, role="user").count() == 1


def test_a_message_to_a_session_ended_meanwhile_is_shown_back_not_lost(browser_client):
    """Without JavaScript, a message sent to a session ended in another tab (or set aside
    while idle) was thrown away: the page said the session had ended, and the text was gone."""
    session = services.session_create(user=browser_client.user)
    services.session_end(user=browser_client.user, session_id=session.pk)  # in another tab
    response = browser_client.post(f"/reflect/{session.pk}/", {"content": "Words I do not want to lose"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "This session has ended" in html
    assert re.search(r"<textarea[^>]*readonly[^>]*>\s*Words I do not want to lose</textarea>", html)
    assert not Message.objects.filter(session=session, role="user").exists()
    assert_no_inline_code(html)
    # Shown to its writer once, in that answer: reloading the page does not repeat it.
    assert "Words I do not want to lose" not in browser_client.get(f"/reflect/{session.pk}/").content.decode()


def test_a_message_kept_through_the_login_is_shown_back_if_the_session_ended_meanwhile(browser_client):
    """Signed out while writing, and the session set aside meanwhile (a long pause does
    both): after logging in, the page said "Here is what you wrote" over no message box,
    and the text was gone."""
    from tests.factories import PASSWORD

    user = browser_client.user
    session = services.session_create(user=user, title="A long pause")
    browser_client.post("/logout/")
    browser_client.post(f"/reflect/{session.pk}/", {"content": "Words written over an hour", "writer": str(user.pk)})
    ReflectionSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now() - timedelta(days=1))
    assert services.sessions_abandon_idle() == 1
    browser_client.post("/login/", {"username": user.username, "password": PASSWORD})
    html = browser_client.get(f"/reflect/{session.pk}/").content.decode()
    assert re.search(r"<textarea[^>]*readonly[^>]*>\s*Words written over an hour</textarea>", html)
    assert not Message.objects.filter(session=session, role="user").exists()


def test_without_javascript_the_box_waits_with_the_page_that_reloads_for_the_reply(browser_client, settings):
    """The page reloads itself every 4 s while a reply is owed (no JavaScript), and a reload
    empties the box: a message typed while waiting was lost. The box now waits too, unless it
    holds text that a reload must not lose (a refused post)."""
    session = services.session_create(user=browser_client.user)
    Message.objects.create(session_id=session.pk, role=Message.Role.USER, content="Still thinking about it.")
    html = browser_client.get(f"/reflect/{session.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="4">' in html
    assert re.search(r'<form[^>]*id="chat-form"[^>]*\shidden data-shown-by-script', html)
    assert "You can write again when the reply is here" in html

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "companion": "0/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    refused = browser_client.post(f"/reflect/{session.pk}/", {"content": "Words to keep"}).content.decode()
    assert 'http-equiv="refresh"' not in refused
    assert not re.search(r'<form[^>]*id="chat-form"[^>]*\shidden', refused)

    Message.objects.create(
        session_id=session.pk,
        role=Message.Role.COMPANION,
        content="And?",
        reply_to_id=(Message.objects.get(session_id=session.pk, role=Message.Role.USER).pk),
    )
    answered = browser_client.get(f"/reflect/{session.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in answered
    assert not re.search(r'<form[^>]*id="chat-form"[^>]*\shidden', answered)


def test_an_active_session_opens_at_its_latest_message(browser_client):
    """A long conversation opened from the list (or "Keep going") started at its first
    message: the person scrolled through all of it to reach where they were, and the box."""
    user = browser_client.user
    active = services.session_create(user=user, title="Going on")
    ended = services.session_create(user=user, title="Done")
    services.session_end(user=user, session_id=ended.pk)
    listing = browser_client.get("/reflect/").content.decode()
    assert f'href="/reflect/{active.pk}/#latest"' in listing
    assert f'href="/reflect/{ended.pk}/"' in listing  # an ended one reads from the start, to its summary
    ending = browser_client.get(f"/reflect/{active.pk}/end/").content.decode()
    assert f'href="/reflect/{active.pk}/#latest">Keep going</a>' in ending


@pytest.mark.parametrize("path", ["/reflect/", "/library/", "/entries/", "/search/?q=lake"])
@pytest.mark.parametrize("number", ["99999999999999999999999", "100001", str(2**63)])
def test_a_page_number_past_any_end_is_not_a_server_error(browser_client, path, number):
    """?page=10**22 became an SQL OFFSET past PostgreSQL's bigint: a 500 on the sessions list."""
    joiner = "&" if "?" in path else "?"
    response = browser_client.get(f"{path}{joiner}page={number}")
    assert response.status_code in (200, 404)


def test_a_library_search_is_named_in_the_title_and_its_empty_state_links_back(browser_client):
    """Every search of the library was titled "Library" (tabs and history could not be told
    apart, where the journal's search names its query), and "clear the filters" linked nowhere."""
    html = browser_client.get("/library/?q=breathing").content.decode()
    assert "<title>“breathing” · Library · Journal</title>" in html
    assert "<title>Library · Journal</title>" in browser_client.get("/library/").content.decode()
    empty = browser_client.get("/library/?q=xyzzy&category=grounding").content.decode()
    assert 'or <a href="/library/">clear the filters</a>.' in empty
