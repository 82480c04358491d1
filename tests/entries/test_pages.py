"""The entry pages: every core flow works with plain forms (no JavaScript), and the CSP holds."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.test import Client

from entries import rendering
from entries.models import Entry
from tests.entries.factories import EntryFactory
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/today/", "/entries/", "/entries/new/", "/search/", "/calendar/", "/insights/", "/export/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_without_inline_script_or_style(browser_client, user, path):
    EntryFactory(user=user, tags=["x"], mood=3)
    response = browser_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Content-Security-Policy" in response.headers
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html
    assert " style=" not in html
    assert 'name="viewport"' in html


def test_home_sends_people_to_today(browser_client):
    assert browser_client.get("/")["Location"] == "/today/"


def test_today_shows_prompt_streak_and_on_this_day(browser_client, user):
    today = datetime.date.today()
    EntryFactory(user=user, title="Years back", entry_date=today.replace(year=today.year - 2))
    EntryFactory(user=user, title="Written today", entry_date=today)
    html = browser_client.get("/today/").content.decode()
    assert "Years back" in html
    assert "2 years ago" in html
    assert "Written today" in html
    assert "1</strong> day in a row" in html
    assert 'class="prompt"' in html


def test_quick_write_on_today_makes_a_title(browser_client, user):
    response = browser_client.post("/today/", {"body": "## A calm morning\nTea and rain.", "mood": "4"})
    assert response.status_code == 302
    entry = Entry.objects.get(user=user)
    assert (entry.title, entry.mood) == ("A calm morning", 4)
    assert entry.entry_date is not None


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("today entry about *gardening*\nmore", "today entry about gardening"),
        ("\n\n## A **calm** _morning_", "A calm morning"),
        ("> [a link](https://example.test) and `code` & ~~no~~ __more__", "a link and code & ~~no~~ more"),
        ("---\n- first of a list", "first of a list"),
        ("<b>bold</b> 3 < 4", "bold 3 < 4"),
    ],
)
def test_todays_title_is_the_first_lines_plain_text(browser_client, user, body, title):
    assert browser_client.post("/today/", {"body": body}).status_code == 302
    assert Entry.objects.get(user=user).title == title


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (">\n" * 50_000, "Today"),  # each line rendered on its own: 4 s before
        ("\n" * 99_000 + "late words", "late words"),  # blank lines are not rendered
        ("---\n" * 19 + "found", "found"),
        ("---\n" * 20 + "too far", "Today"),
    ],
    ids=["quotes", "blank lines", "within the lines read", "past them"],
)
def test_todays_title_is_looked_for_in_the_first_lines_only(browser_client, user, body, title, monkeypatch):
    from entries import forms

    rendered = []
    monkeypatch.setattr(forms, "render_markdown", lambda line: rendered.append(line) or rendering.render_markdown(line))
    assert browser_client.post("/today/", {"body": body}).status_code == 302
    assert Entry.objects.get(user=user).title == title
    assert len(rendered) <= forms.TITLE_LINES


def test_full_editor_from_today_carries_what_was_typed_without_javascript(browser_client, user):
    today_page = browser_client.get("/today/").content.decode()
    form = today_page.split('<form method="post" action="/today/"')[1].split("</form>")[0]
    button = re.search(r"<button[^>]*>Full editor</button>", form)
    assert button, "the Full editor button is a button of Today's form"
    assert 'formaction="/entries/new/"' in button.group(0)
    assert 'name="full_editor"' in button.group(0)

    typed = {"body": "Half a thought <about> the sea", "mood": "4", "title": "", "tags": "sea, calm"}
    response = browser_client.post("/entries/new/", {**typed, "full_editor": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Half a thought &lt;about&gt; the sea</textarea>" in html
    assert re.search(r'<input type="radio" name="mood" value="4"[^>]*checked', html)
    assert 'value="sea, calm"' in html
    assert "errorlist" not in html  # not a failed save: Today's optional title is not "required" yet
    assert 'data-draft-bound="true"' in html  # entries.js keeps the carried text over an older draft
    assert not Entry.objects.filter(user=user).exists()

    # Saving in the editor retires the Today draft too (entries.js reads the message's classes).
    saved = browser_client.post(
        "/entries/new/", {**typed, "title": "By the sea", "entry_date": "", "from_today": "1"}, follow=True
    )
    entry = Entry.objects.get(user=user)
    assert (entry.title, entry.body, entry.mood) == ("By the sea", typed["body"], 4)
    assert "clear-draft-new clear-draft-today" in saved.content.decode()


def test_create_flow_with_preview_without_javascript(browser_client, user):
    data = {"title": "Preview me", "body": "**bold** <script>x</script>", "mood": "5", "tags": "a, B", "preview": "1"}
    response = browser_client.post("/entries/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html  # the sanitized rendering
    assert "<script>x" not in html
    assert 'value="Preview me"' in html  # the form keeps what was typed
    assert not Entry.objects.exists()
    data.pop("preview")
    response = browser_client.post("/entries/new/", data)
    entry = Entry.objects.get(user=user)
    assert response["Location"] == f"/entries/{entry.pk}/"
    assert sorted(entry.tags.values_list("name", flat=True), key=str.lower) == ["a", "B"]
    page = browser_client.get(response["Location"]).content.decode()
    assert "clear-draft-new" in page  # tells entries.js the local draft is saved


def test_create_form_errors_are_shown(browser_client):
    response = browser_client.post("/entries/new/", {"title": "", "body": "  ", "mood": "9", "tags": "x" * 60})
    assert response.status_code == 200
    assert response.content.decode().count('class="errorlist"') >= 3
    assert not Entry.objects.exists()


def test_new_entry_defaults_to_today_in_the_users_zone(browser_client):
    html = browser_client.get("/entries/new/").content.decode()
    assert f'value="{datetime.date.today().isoformat()}"' in html or 'type="date"' in html


def test_dates_are_taken_as_the_date_picker_sends_them_never_month_first(browser_client, auth_client, user):
    """The form read a typed 03/04/2024 as 4 March (the en-us locale's month-first format),
    silently, where the API refuses it; the list's date filters too."""
    refused = browser_client.post("/entries/new/", {"title": "typed", "body": "b", "entry_date": "03/04/2024"})
    assert refused.status_code == 200
    assert "Enter a date as YYYY-MM-DD." in refused.content.decode()
    assert not Entry.objects.filter(title="typed").exists()
    assert (
        browser_client.post("/entries/new/", {"title": "iso", "body": "b", "entry_date": "2024-04-03"}).status_code
        == 302
    )
    assert Entry.objects.get(title="iso").entry_date == datetime.date(2024, 4, 3)
    assert auth_client.get("/api/v1/entries/", {"date_from": "03/04/2024"}).status_code == 400
    assert auth_client.get("/api/v1/entries/", {"date_from": "2024-04-03"}).json()["count"] == 1
    page = browser_client.get("/entries/", {"date_to": "03/04/2024"}).content.decode()
    assert "iso" in page  # an unreadable filter filters nothing, as before, rather than a guess
    assert (
        'value="2024-04-03"'
        in browser_client.get(f"/entries/{Entry.objects.get(title='iso').pk}/edit/").content.decode()
    )


def test_edit_flow(browser_client, user):
    entry = EntryFactory(user=user, title="Old", body="old body", mood=2, tags=["t"])
    html = browser_client.get(f"/entries/{entry.pk}/edit/").content.decode()
    assert 'value="Old"' in html
    assert 'value="2" id="id_mood_2" checked' in html
    response = browser_client.post(
        f"/entries/{entry.pk}/edit/", {"title": "New", "body": "new body", "mood": "", "tags": "t, u"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.mood) == ("New", "new body", None)
    assert f"clear-draft-entry-{entry.pk}" in browser_client.get(response["Location"]).content.decode()


def _opened_as(html: str) -> str:
    return re.search(r'name="opened_as" value="([0-9a-f]+)"', html).group(1)


def test_an_editor_saved_after_another_devices_save_does_not_undo_it(browser_client, user):
    # Two devices: the laptop opens the editor, the phone adds a line and saves, then the
    # laptop saves its (older) form. That save used to replace the phone's silently, with
    # "Changes saved." on both.
    entry = EntryFactory(user=user, title="Trip", body="Day one at the lake.", tags=["trip"])
    laptop = browser_client.get(f"/entries/{entry.pk}/edit/").content.decode()
    phone = Client()
    _log_in(phone, user)
    opened_on_phone = _opened_as(phone.get(f"/entries/{entry.pk}/edit/").content.decode())
    saved = {"title": "Trip", "body": "Day one at the lake.\n\nSaw a heron.", "tags": "trip", "mood": ""}
    assert phone.post(f"/entries/{entry.pk}/edit/", {**saved, "opened_as": opened_on_phone}).status_code == 302

    mine = {"title": "Trip", "body": "Day one at the lake. A long laptop paragraph.", "tags": "trip", "mood": ""}
    response = browser_client.post(f"/entries/{entry.pk}/edit/", {**mine, "opened_as": _opened_as(laptop)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed on another device (or in another tab) after you opened it" in html
    assert "A long laptop paragraph." in html  # the person's text, still in the form
    assert "Saw a heron." in html  # and the version saved meanwhile, to compare
    entry.refresh_from_db()
    assert entry.body == "Day one at the lake.\n\nSaw a heron."

    # Saving again replaces it knowingly: the form now carries the version it was shown.
    response = browser_client.post(f"/entries/{entry.pk}/edit/", {**mine, "opened_as": _opened_as(html)})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "Day one at the lake. A long laptop paragraph."


def test_an_editor_saved_twice_or_after_a_background_change_saves(browser_client, user):
    entry = EntryFactory(user=user, title="Walk", body="By the river.", tags=["Outside"], mood=3)
    opened = _opened_as(browser_client.get(f"/entries/{entry.pk}/edit/").content.decode())
    # The server's own change (the background sentiment of a long text) is no one's edit.
    Entry.objects.filter(pk=entry.pk).update(sentiment=0.5, updated_at=entry.updated_at + datetime.timedelta(seconds=3))
    form = {"title": "Walk", "body": "By the river.\r\nThen home.", "tags": "outside", "mood": "3", "opened_as": opened}
    assert browser_client.post(f"/entries/{entry.pk}/edit/", form).status_code == 302
    # The same form sent again (its answer was lost): the same text, so no conflict.
    assert browser_client.post(f"/entries/{entry.pk}/edit/", form).status_code == 302
    entry.refresh_from_db()
    assert entry.body == "By the river.\nThen home."


def test_delete_needs_a_confirmation_post(browser_client, user):
    entry = EntryFactory(user=user, title="Doomed")
    page = browser_client.get(f"/entries/{entry.pk}/delete/")
    assert b"Delete this entry?" in page.content
    assert Entry.objects.filter(pk=entry.pk).exists()
    response = browser_client.post(f"/entries/{entry.pk}/delete/")
    assert response["Location"] == "/entries/"
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_live_preview_endpoint_sanitizes(browser_client):
    response = browser_client.post("/entries/preview/", {"body": "_hi_ <img src=x onerror=alert(1)>"})
    assert response.json() == {"html": "<p><em>hi</em> </p>"}
    assert browser_client.get("/entries/preview/").status_code == 405


def test_live_preview_answers_a_script_in_json_when_signed_out_or_too_long(browser_client):
    from django.test import Client

    # A redirect to the login page is nothing the page's script can use.
    signed_out = Client().post("/entries/preview/", {"body": "hello"})
    assert signed_out.status_code == 401
    assert signed_out.json()["error"]["code"] == "not_authenticated"
    too_long = browser_client.post("/entries/preview/", {"body": "x" * 100_001})
    assert too_long.status_code == 400
    assert too_long.json()["error"]["code"] == "invalid"


def test_list_filters_pagination_and_empty_states(browser_client, user):
    assert b"Your journal is empty" in browser_client.get("/entries/").content
    for day in range(25):
        EntryFactory(
            user=user, title=f"day-{day}", mood=5 if day == 3 else 1, entry_date=datetime.date(2024, 1, 1 + day)
        )
    page = browser_client.get("/entries/").content.decode()
    assert "day-24" in page
    assert "day-4" not in page
    assert "page=2" in page
    assert "day-4" in browser_client.get("/entries/?page=2").content.decode()
    filtered = browser_client.get("/entries/?mood=5").content.decode()
    assert "day-3" in filtered
    assert "day-24" not in filtered
    assert b"No entries match" in browser_client.get("/entries/?tag=nothing").content
    assert browser_client.get("/entries/?page=9").status_code == 404
    assert browser_client.get("/entries/?mood=77").status_code == 200  # shown as a form error


def test_list_filter_form_offers_only_what_the_page_applies(browser_client, user):
    EntryFactory(user=user, title="Garden day", tags=["garden"], entry_date=datetime.date(2024, 5, 1))
    EntryFactory(user=user, title="Office day", tags=["work"], entry_date=datetime.date(2024, 5, 2))
    html = browser_client.get("/entries/").content.decode()
    form = html.split('class="filter-form"')[1].split("</form>")[0]
    assert 'name="q"' not in form  # words are searched on the search page, linked from here
    assert 'href="/search/"' in form
    assert 'name="updated_since"' not in form  # the sync API's, not a person's
    assert "Updated at" not in form
    assert "[invalid name]" not in form
    assert '<label for="id_tag">Tag:</label>' in form
    for name in ("tag", "mood", "date_from", "date_to"):
        assert f'name="{name}"' in form

    # A URL asking for words is sent to the search page, with its other filters.
    response = browser_client.get("/entries/", {"q": "garden", "tag": "garden", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=garden&tag=garden"
    found = browser_client.get(response["Location"]).content.decode()
    assert "1 result for" in found
    assert "Office day" not in found
    # Filters the page does not offer are not applied behind the person's back either.
    listed = browser_client.get("/entries/", {"q": " ", "updated_since": "2999-01-01T00:00:00Z"}).content.decode()
    assert "Garden day" in listed
    assert "Office day" in listed


def test_search_page_highlights_safely(browser_client, user):
    EntryFactory(user=user, title="Harbour <b>walk</b>", body="The harbour at dusk <img src=x onerror=alert(1)//")
    html = browser_client.get("/search/", {"q": "harbour"}).content.decode()
    assert "<mark>harbour</mark>" in html.lower()
    assert "<img src=x" not in html
    assert "1 result" in html
    assert "result" not in browser_client.get("/search/").content.decode().split("<main")[1].split("</form>")[1]


def test_calendar_shows_the_month(browser_client, user):
    EntryFactory(user=user, entry_date=datetime.date(2024, 2, 29), mood=5)
    html = browser_client.get("/calendar/?month=2024-02").content.decode()
    assert "February 2024" in html
    assert "date_from=2024-02-29" in html
    assert "month=2024-01" in html
    assert "month=2024-03" in html
    assert browser_client.get("/calendar/?month=garbage").status_code == 200


@pytest.mark.parametrize(
    ("month", "shown", "previous", "following"),
    [
        ("9999-12", "December 9999", "month=9999-11", None),
        ("1-1", "January 0001", None, "month=0001-02"),
        ("0001-01", "January 0001", None, "month=0001-02"),
        ("12345-06", "December 9999", "month=9999-11", None),  # beyond the last year: its last month
        ("0-06", "January 0001", None, "month=0001-02"),
    ],
)
def test_calendar_at_the_edges_of_the_date_range(browser_client, user, month, shown, previous, following):
    # Entries may be dated on the first and last day a date can have; Previous/Next from them
    # reach these months, whose weeks run into days that no date can hold.
    EntryFactory(user=user, entry_date=datetime.date(9999, 12, 31))
    EntryFactory(user=user, entry_date=datetime.date(1, 1, 1))
    response = browser_client.get("/calendar/", {"month": month})
    assert response.status_code == 200
    html = response.content.decode()
    assert shown in html
    assert "1 entry this month." in html
    nav = html.split('aria-label="Months"')[1].split("</nav>")[0]
    assert ('rel="prev"' in nav) == bool(previous)
    assert ('rel="next"' in nav) == bool(following)
    for link in (previous, following):
        if link:
            assert f"?{link}" in nav


def test_insights_draw_an_svg_chart(browser_client, user, run_commit_hooks):
    today = datetime.date.today()
    run_commit_hooks(EntryFactory, user=user, mood=4, body="A good day.", entry_date=today, tags=["t"])
    EntryFactory(user=user, mood=2, entry_date=today - datetime.timedelta(days=1))
    html = browser_client.get("/insights/?days=90").content.decode()
    assert '<svg class="trend-chart"' in html
    assert 'class="line-mood"' in html
    assert 'class="dot-sentiment"' in html
    assert "<title" in html
    assert browser_client.get("/insights/?days=12345").status_code == 200


def test_insights_write_dates_as_the_rest_of_the_app_does(browser_client, user):
    """The chart's axis, its dots' labels and the table said "2026-10-31" where every other
    page writes "31 Oct 2026"."""
    today = datetime.date.today()
    EntryFactory(user=user, mood=4, entry_date=today)
    html = browser_client.get("/insights/?days=30").content.decode()
    start = today - datetime.timedelta(days=29)
    for day in (start, today):
        assert f">{day.day} {day:%b %Y}</text>" in html  # the axis
    assert f"<title>{today.day} {today:%b %Y}: 1 entry, mood 4" in html
    assert f'<time datetime="{today.isoformat()}">{today.day} {today:%b %Y}</time>' in html  # the table
    assert today.isoformat() + "<" not in html


def test_export_page_downloads_and_imports(browser_client, user):
    EntryFactory(user=user, title="Exported")
    download = browser_client.get("/export/download/", {"format": "json"})
    assert download["Content-Disposition"].startswith("attachment")
    document = json.loads(download.content)
    Entry.objects.all().delete()
    response = browser_client.post("/export/", {"file": io.BytesIO(download.content)})
    assert response.status_code == 302
    assert Entry.objects.get(user=user).title == "Exported"
    assert b"Imported 1 new entry" in browser_client.get(response["Location"]).content
    document["entries"][0]["mood"] = 42
    bad = browser_client.post("/export/", {"file": io.BytesIO(json.dumps(document).encode())})
    assert bad.status_code == 200
    assert b"errorlist" in bad.content
    unknown = browser_client.get("/export/download/", {"format": "exe"})
    assert unknown.status_code == 400
    # The export page with a word on what it offers, not a bare line of text.
    assert b"There is no export in that format: choose JSON or Markdown below." in unknown.content
    assert b"Download JSON" in unknown.content


def test_an_import_file_with_half_a_utf16_pair_is_a_form_error_not_a_500(browser_client, user):
    # The page repeats the file's errors, and an unexpected field's name was half a pair:
    # the page could not be encoded.
    for raw in (
        b'{"entries": [{"title": "t", "body": "b", "\\ud800": 1}]}',
        b'{"entries": [], "sessions": [{"status": "\\udfff"}]}',
    ):
        response = browser_client.post("/export/", {"file": io.BytesIO(raw)})
        assert response.status_code == 200
        assert "half of a UTF-16 pair" in response.content.decode()
    assert not Entry.objects.filter(user=user).exists()


def test_an_import_file_with_a_number_too_long_to_read_is_a_form_error_not_a_500(browser_client, user):
    raw = b'{"version": 2, "entries": [{"title": "t", "body": "b", "mood": ' + b"9" * 5000 + b"}]}"
    response = browser_client.post("/export/", {"file": io.BytesIO(raw)})
    assert response.status_code == 200
    assert "a number in it is too long" in response.content.decode()
    assert not Entry.objects.filter(user=user).exists()


def test_export_page_says_what_the_download_holds(browser_client):
    html = browser_client.get("/export/").content.decode()
    assert "every reflection session with all its messages" in html
    assert "<code>sessions/</code>" in html
    assert "time zone" in html


def test_static_assets_are_served(client):
    for path in ("/static/entries/entries.css", "/static/entries/entries.js"):
        response = client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize(
    "path", ["/today/", "/entries/", "/entries/{id}/", "/search/?q=entry", "/calendar/", "/insights/"]
)
def test_cached_pages_cost_only_the_session_user_query(browser_client, user, path, django_assert_num_queries):
    from tests.entries.conftest import fresh_process

    entry = EntryFactory(user=user, title="entry", tags=["a"])
    path = path.format(id=entry.pk)
    browser_client.get(path)
    fresh_process()
    # The user with its generations (the session is in Redis); an entry's page also reads
    # that entry's version, under which its representation is stored.
    with django_assert_num_queries(2 if path == f"/entries/{entry.pk}/" else 1):
        assert browser_client.get(path).status_code == 200


def test_text_people_write_takes_its_direction_from_itself(browser_client, user):
    # A Hebrew or Arabic entry reads right to left inside a left-to-right page.
    entry = EntryFactory(user=user, title="שלום עולם", body="יום טוב.", tags=["עברית"])
    detail = browser_client.get(f"/entries/{entry.pk}/").content.decode()
    assert '<h1 dir="auto">שלום עולם</h1>' in detail
    assert '<div class="entry-body" dir="auto">' in detail
    assert 'class="badge" dir="auto"' in detail
    listing = browser_client.get("/entries/").content.decode()
    assert '<h2 class="entry-card-title" dir="auto">' in listing
    assert "<bdi>עברית</bdi>" in browser_client.get("/insights/").content.decode()


# --- Signed out while writing -------------------------------------------------------------

WRITTEN = {"title": "Late thoughts", "body": "A careful paragraph that must not be lost.", "mood": "4", "tags": "night"}


def _log_in(client, user) -> None:
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("path", "extra"),
    [("/entries/new/", {"entry_date": "2026-03-04", "save": "1"}), ("/today/", {}), ("edit", {"save": "1"})],
)
def test_text_saved_after_the_session_ended_is_back_in_the_form_after_logging_in(browser_client, user, path, extra):
    if path == "edit":
        path = f"/entries/{EntryFactory(user=user, title='Before').pk}/edit/"
    before = Entry.objects.count()
    browser_client.post("/logout/")  # in another tab

    response = browser_client.post(path, {**WRITTEN, **extra, "writer": str(user.pk)})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    login_page = browser_client.get(response["Location"]).content.decode()
    assert "You were signed out before your entry was saved." in login_page

    _log_in(browser_client, user)
    html = browser_client.get(path).content.decode()
    assert "A careful paragraph that must not be lost." in html
    assert 'value="Late thoughts"' in html
    assert 'value="night"' in html
    assert re.search(r'value="4"[^>]*checked', html)
    assert "It is not saved yet." in html
    assert Entry.objects.count() == before  # shown, not saved behind the person's back
    # Once: the next visit is the ordinary empty (or stored) form.
    assert "A careful paragraph" not in browser_client.get(path).content.decode()


def test_text_left_by_someone_signed_out_is_never_shown_to_the_next_person(browser_client, user, other_user):
    browser_client.post("/logout/")
    browser_client.post("/entries/new/", {**WRITTEN, "save": "1", "writer": str(user.pk)})

    _log_in(browser_client, other_user)  # the next person on this browser
    assert "A careful paragraph" not in browser_client.get("/today/").content.decode()
    browser_client.post("/logout/")
    _log_in(browser_client, user)
    # Dropped when the other person came in, not kept for later either.
    assert "A careful paragraph" not in browser_client.get("/entries/new/").content.decode()


def test_a_search_refused_as_too_long_keeps_the_words_and_says_why_in_words(browser_client):
    words = "harbour-" * 30  # 240 characters, longer than a search may be
    html = browser_client.get("/search/", {"q": words}).content.decode()
    assert f'value="{words}"' in html
    assert "<li>Ensure this value has at most 200 characters (it has 240).</li>" in html
    assert "q:" not in html
    assert 'aria-invalid="true"' in html


def _stats(html: str) -> list[str]:
    cards = re.findall(r'<span class="stat-value">(.*?)</span><span class="muted">(.*?)</span>', html)
    return [f"{value} {label}" for value, label in cards]


def test_insights_counts_read_as_english(browser_client, user):
    """One entry is "1 entry", not "1 entries"; thousands are grouped ("12,241 words")."""
    assert _stats(browser_client.get("/insights/").content.decode())[:2] == ["0 entries", "0 words"]
    EntryFactory(user=user, body="word " * 1234, entry_date=datetime.date.today())
    html = browser_client.get("/insights/").content.decode()
    assert _stats(html) == ["1 entry", "1,234 words", "1 day in a row", "1 day, the longest run"]


def test_a_search_for_only_common_words_says_why_it_finds_nothing(browser_client, user):
    """PostgreSQL drops stop words: "the" found nothing in a journal full of it, and the page
    said only "Nothing matches", as if the word were not there."""
    EntryFactory(user=user, title="The walk", body="The river and the rain.")
    page = browser_client.get("/search/", {"q": "the"}).content.decode()
    assert "too common" in page
    assert "<title>“the” · Search · Journal</title>" in page  # the history and tabs say what was searched
    # A word that is simply not there keeps the ordinary answer.
    absent = browser_client.get("/search/", {"q": "zebra"}).content.decode()
    assert "Nothing matches “zebra”" in absent
    assert "too common" not in absent
    assert "too common" not in browser_client.get("/search/", {"q": "***"}).content.decode()
    assert "<title>Search · Journal</title>" in browser_client.get("/search/").content.decode()


def test_a_refused_import_says_nothing_was_imported_in_words(browser_client, user):
    """The errors read as sentences, not as the file's field names ("entries: Expected…")."""

    def refused(content: bytes) -> str:
        upload = io.BytesIO(content)
        upload.name = "journal.json"
        response = browser_client.post("/export/", {"file": upload})
        assert response.status_code == 200
        return re.sub(r"\s+", " ", response.content.decode())

    page = refused(b'{"not": "an export"}')
    assert "Nothing was imported" in page
    assert "<li>entries: " not in page
    assert "<li>Not a JSON file" in refused(b"not json at all")  # not "file: Not a JSON file"
    # Where an entry is at fault, the page says which one, counting from 1 as people do.
    export = {"format": "journal-export", "version": 1, "entries": [{"title": "ok", "body": "x"}, {"title": "t"}]}
    assert "Entry 2" in refused(json.dumps(export).encode())
    assert not Entry.objects.filter(user=user).exists()


def test_titles_say_which_month_and_which_entry(browser_client, user):
    """A tab or a history list of "Calendar", "Edit entry", "Delete entry" did not say which."""
    entry = EntryFactory(user=user, title="Rainy Tuesday", entry_date=datetime.date(2026, 3, 3))

    def title(path: str) -> str:
        return re.search(r"<title>(.*?)</title>", browser_client.get(path).content.decode()).group(1)

    assert title("/calendar/?month=2026-03") == "March 2026 · Calendar · Journal"
    assert title(f"/entries/{entry.pk}/edit/") == "Edit “Rainy Tuesday” · Journal"
    assert title(f"/entries/{entry.pk}/delete/") == "Delete “Rainy Tuesday”? · Journal"


def test_search_pages_are_not_labelled_newer_and_older(browser_client, user, run_commit_hooks):
    """Search results are ranked by how well they match, not by date: "← Newer" and
    "Older →" (right on the entry list) were wrong there."""
    for day in range(21):
        run_commit_hooks(EntryFactory, user=user, body="rain", entry_date=datetime.date(2026, 1, 1 + day))
    search = browser_client.get("/search/", {"q": "rain", "page": 2}).content.decode()
    assert 'rel="prev">← Previous</a>' in search
    assert "Newer" not in search
    first = browser_client.get("/search/", {"q": "rain"}).content.decode()
    assert 'rel="next">Next →</a>' in first
    assert "Older" not in first
    listing = browser_client.get("/entries/").content.decode()
    assert 'rel="next">Older →</a>' in listing


def test_an_excerpt_keeps_a_heading_apart_from_the_text_after_it(browser_client, user):
    """A heading "# Monday" then "Slept well." read "Monday Slept well." in the list."""
    EntryFactory(user=user, title="t", body="# Monday at *home*\n\nSlept well.\n\n## Why?\n\nNo idea.")
    page = browser_client.get("/entries/").content.decode()
    assert "Monday at home. Slept well. Why? No idea." in page


def test_an_excerpt_keeps_list_items_and_lines_apart(browser_client, user):
    """ "- milk" "- eggs" "- bread" read "milk eggs bread" in the list."""
    EntryFactory(user=user, title="Errands", body="To buy:\n\n- milk\n- eggs\n- bread\n\nthen home\nand rest")
    page = browser_client.get("/entries/").content.decode()
    assert "To buy: milk. eggs. bread. then home. and rest" in page


def test_a_title_made_from_the_first_heading_is_shown_once(browser_client, auth_client, user):
    """The Today page takes the title from the first line: "## About *gardening*" showed as
    the page's title and again at the top of the text, and the excerpt repeated it too."""
    assert browser_client.post("/today/", {"body": "## About *gardening*\n\nThe tomatoes came up."}).status_code == 302
    entry = Entry.objects.get(user=user)
    assert entry.title == "About gardening"
    page = browser_client.get(f"/entries/{entry.pk}/").content.decode()
    assert page.count("gardening") == 2  # the <title> and the page's heading
    assert '<div class="entry-body" dir="auto"><p>The tomatoes came up.</p></div>' in page
    listing = browser_client.get("/entries/").content.decode()
    assert '<p class="excerpt" dir="auto">The tomatoes came up.</p>' in listing
    # The entry itself is as written: the API (and the editor) keep the heading.
    item = auth_client.get(f"/api/v1/entries/{entry.pk}/").json()
    assert item["body"] == "## About *gardening*\n\nThe tomatoes came up."
    assert item["body_html"].startswith("<h2>About <em>gardening</em></h2>")
    assert "## About *gardening*" in browser_client.get(f"/entries/{entry.pk}/edit/").content.decode()


def test_a_first_heading_other_than_the_title_is_still_shown(browser_client, user):
    entry = EntryFactory(user=user, title="Saturday", body="# The garden\n\nTomatoes.")
    page = browser_client.get(f"/entries/{entry.pk}/").content.decode()
    assert "<h1>The garden</h1>" in page
    assert "The garden. Tomatoes." in browser_client.get("/entries/").content.decode()


def test_a_list_right_after_a_line_shows_as_a_list(browser_client, user):
    """What people type in a journal: Python-Markdown wanted a blank line before a list."""
    assert browser_client.post("/today/", {"body": "Shopping:\n- milk\n- eggs"}).status_code == 302
    entry = Entry.objects.get(user=user)
    page = browser_client.get(f"/entries/{entry.pk}/").content.decode()
    assert "<p>Shopping:</p>\n<ul>\n<li>milk</li>\n<li>eggs</li>\n</ul>" in page
    assert "Shopping: milk. eggs" in browser_client.get("/entries/").content.decode()  # the excerpt
    # The live preview is the same rendering.
    preview = browser_client.post("/entries/preview/", {"body": "Today I did\n1. laundry\n2. call mum"}).json()
    assert preview["html"] == "<p>Today I did</p>\n<ol>\n<li>laundry</li>\n<li>call mum</li>\n</ol>"


def test_cards_and_headlines_kept_from_before_are_made_again_after_the_migration(browser_client, user):
    """Excerpts are cached (the list's cards, search headlines, the API's answers and their
    ETags): the migration that came with the new excerpts moves every person's generations."""
    from importlib import import_module

    from django.apps import apps

    from journal_project import caching

    migration = import_module("entries.migrations.0006_excerpts_keep_blocks_apart")
    EntryFactory(user=user, title="Errands", body="- milk\n- eggs")
    browser_client.get("/entries/")
    before = [caching.current_generation(namespace, user.pk) for namespace in (caching.ENTRIES, caching.ENTRY_VERSIONS)]
    migration.invalidate_cached_entries(apps, None)
    caching.reset_request_state()
    after = [caching.current_generation(namespace, user.pk) for namespace in (caching.ENTRIES, caching.ENTRY_VERSIONS)]
    assert all(new > old for old, new in zip(before, after, strict=True))


def test_applied_filters_are_named_and_leave_the_entries_in_view(browser_client, user):
    """A calendar day's link opened the list with the whole filter form unfolded: on a phone
    the entries began below the first screen, under "2 entries match these filters"."""
    EntryFactory(user=user, title="On the day", tags=["work"], mood=5, entry_date=datetime.date(2026, 11, 17))
    day = browser_client.get("/entries/", {"date_from": "2026-11-17", "date_to": "2026-11-17"}).content.decode()
    assert '<details class="card filters">' in day  # folded
    assert re.sub(r"\s+", " ", day).count('1 entry on 17 November 2026. <a href="/entries/">Clear filters</a>') == 1
    several = browser_client.get(
        "/entries/", {"tag": "work", "mood": 5, "date_from": "2026-11-01", "date_to": "2026-11-30"}
    ).content.decode()
    assert "1 entry tagged “work”, mood Great, from 1 November 2026 to 30 November 2026." in several
    since = browser_client.get("/entries/", {"date_from": "2026-11-01"}).content.decode()
    assert "1 entry since 1 November 2026." in since
    # A refused filter keeps the form open, to show what was wrong.
    assert '<details class="card filters" open>' in browser_client.get("/entries/", {"mood": "9"}).content.decode()


def test_a_dense_year_is_drawn_as_lines_without_a_dot_per_day(browser_client, user):
    """400 days of entries drew 365 overlapping dots 1.6 units apart on the year's chart: a
    solid band that hid the lines. Past one dot per few units the lines alone are drawn (the
    numbers stay in the table); a sparse year keeps its dots."""
    today = datetime.date.today()
    for day in range(5):
        EntryFactory(user=user, mood=1 + day % 5, entry_date=today - datetime.timedelta(days=day * 60))
    sparse = browser_client.get("/insights/?days=365").content.decode()
    assert sparse.count('<circle class="dot-mood"') == 5
    for day in range(1, 200):
        if day % 60:
            EntryFactory(user=user, mood=3, body="x", entry_date=today - datetime.timedelta(days=day))
    dense = browser_client.get("/insights/?days=365").content.decode()
    assert '<polyline class="line-mood"' in dense
    assert '<circle class="dot-mood"' not in dense
    assert dense.count("<tr><td>") > 150  # every day still in the table


@pytest.mark.parametrize("path", ["/entries/", "/entries/?tag=garden", "/search/?q=garden"])
def test_a_warm_list_page_renders_no_card_and_every_write_shows_at_once(browser_client, user, path):
    """The cards of a page are rendered once per version of its entries (docs/performance.md, Pages)."""
    from entries import selectors, services
    from entries.models import Tag
    from tests.entries.conftest import fresh_process

    entry = EntryFactory(user=user, title="Garden walk", body="A garden **path**.", tags=["garden"])
    card = "entries/_entry_card.html"

    def read() -> str:  # the page's text, search marks taken out
        return browser_client.get(path).content.decode().replace("<mark>", "").replace("</mark>", "")

    first = browser_client.get(path)
    assert card in [template.name for template in first.templates]
    for reader in ("this process", "another process"):
        if reader == "another process":
            fresh_process()  # its cards come from Redis, not from this process's memory
        warm = browser_client.get(path)
        assert card not in [template.name for template in warm.templates], reader
        assert warm.content.decode().count('class="card entry-card"') == 1
        assert "Garden walk" in warm.content.decode().replace("<mark>", "").replace("</mark>", "")

    # Every change the cards show is on the very next read: text, tags, a tag renamed, a new entry, a deletion.
    services.entry_update(entry=selectors.entry_for_write(user=user, entry_id=entry.pk), title="Garden run")
    assert "Garden run" in read()
    tag = Tag.objects.get(user=user, name="garden")
    tag.name = "Garden"
    tag.save()
    assert 'href="/entries/?tag=Garden"' in read()
    EntryFactory(user=user, title="Garden again", body="garden", tags=["garden"])
    assert read().count('class="card entry-card"') == 2
    services.entry_delete(entry=selectors.entry_for_write(user=user, entry_id=entry.pk))
    html = read()
    assert "Garden run" not in html
    assert html.count('class="card entry-card"') == 1


def test_word_counts_group_thousands_on_every_page(browser_client, user):
    """Insights said "12,183 words" while the same entry's card and page said "12120 words"."""
    entry = EntryFactory(user=user, title="Long", body="river " * 1234)
    for path in ["/entries/", f"/entries/{entry.pk}/", "/search/?q=river"]:
        assert "1,234 words" in browser_client.get(path).content.decode(), path


def test_an_entrys_tone_is_said_in_words_with_its_scale(browser_client, user):
    """It said "Tone: 0.04", the scale only in a tooltip a phone never shows."""
    from entries import services

    entry = services.entry_create(user=user, title="Walk", body="A lovely, wonderful walk by the sea.")
    entry.refresh_from_db()
    assert 0.05 < entry.sentiment < 0.5
    page = browser_client.get(f"/entries/{entry.pk}/").content.decode()
    assert f"Tone: somewhat light (+{entry.sentiment:.2f})" in page


def test_importing_the_markdown_zip_says_what_it_is_not_a_decoder_error(browser_client, user):
    """The Markdown export is the natural file to try: the page said "Not a JSON file: 'utf-8'
    codec can't decode byte 0xe3 in position 10: invalid continuation byte"."""
    EntryFactory(user=user, title="Zipped")
    archive = io.BytesIO(browser_client.get("/export/download/", {"format": "markdown"}).content)
    archive.name = "journal-markdown.zip"
    page = re.sub(r"\s+", " ", browser_client.post("/export/", {"file": archive}).content.decode())
    assert "Nothing was imported." in page
    assert "this is a zip archive (a Markdown export?). Only a JSON export can be imported." in page
    assert "codec" not in page
    binary = io.BytesIO(b"\xff\xd8\xff\xe0 a photo")
    binary.name = "photo.json"
    page = browser_client.post("/export/", {"file": binary}).content.decode()
    assert "Not a JSON file: it is not text (UTF-8)." in page
    assert "codec" not in page


def test_importing_a_file_again_says_that_everything_in_it_was_already_there(browser_client, user):
    """The second import of the same file said "Imported 0 new entries.", as if it had been empty."""
    EntryFactory(user=user, title="Kept")
    exported = browser_client.get("/export/download/", {"format": "json"}).content
    document = json.loads(exported)
    response = browser_client.post("/export/", {"file": io.BytesIO(exported)}, follow=True)
    assert b"Nothing new to import: everything in this file is already in your journal (1 entry)." in response.content
    # A file with something new and something already there says both.
    document["entries"].append({"title": "New", "body": "From elsewhere."})
    response = browser_client.post("/export/", {"file": io.BytesIO(json.dumps(document).encode())}, follow=True)
    assert b"Imported 1 new entry. Already in your journal: 1 entry." in response.content


def test_a_filtered_entry_list_names_its_filters_in_the_title(browser_client, user):
    """A tag's or a day's list was titled "Entries", like the whole journal: tabs and history
    could not be told apart (the calendar, the editor and search name theirs)."""
    EntryFactory(user=user, tags=["work"])
    html = browser_client.get("/entries/", {"tag": "work"}).content.decode()
    assert "<title>Entries tagged “work” · Journal</title>" in html
    assert "<title>Entries · Journal</title>" in browser_client.get("/entries/").content.decode()
