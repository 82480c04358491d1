"""Full-text search on PostgreSQL: weights, websearch syntax, ranking, safe headlines, the index."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from entries import search, selectors, services
from entries.models import Entry
from tests.entries.factories import EntryFactory

pytestmark = pytest.mark.django_db


def titles(user, q, **filters):
    return [item["title"] for item in selectors.entry_list(user=user, filters={"q": q, **filters})["results"]]


def test_title_outranks_tags_outranks_body(user):
    EntryFactory(user=user, title="In the body", body="I watched the lighthouse keeper.")
    EntryFactory(user=user, title="In the title: lighthouse", body="Nothing here.")
    EntryFactory(user=user, title="In the tags", body="Nothing here either.", tags=["lighthouse"])
    EntryFactory(user=user, title="Unrelated", body="Mountains.")
    assert titles(user, "lighthouse") == ["In the title: lighthouse", "In the tags", "In the body"]


def test_every_page_of_a_search_counts_all_its_matches(user):
    for number in range(23):
        EntryFactory(user=user, title=f"Harbour {number}", body="Boats in the harbour.")
    EntryFactory(user=user, title="Elsewhere", body="Mountains.")
    first = selectors.entry_list(user=user, filters={"q": "harbour"}, page=1, page_size=20)
    second = selectors.entry_list(user=user, filters={"q": "harbour"}, page=2, page_size=20)
    assert (first["count"], len(first["results"])) == (23, 20)
    assert (second["count"], len(second["results"])) == (23, 3)
    assert selectors.entry_list(user=user, filters={"q": "harbour"}, page=3, page_size=20) == {
        "count": 23,
        "results": [],
    }


def test_stemming_finds_other_forms(user):
    EntryFactory(user=user, title="Run", body="We were running along the river.")
    assert titles(user, "runs") == ["Run"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"green tea"', ["Phrase"]),
        ("green tea", ["Scattered", "Phrase"]),
        ("tea -green", ["Only tea"]),
        ("coffee or scattered", ["Coffee", "Scattered"]),
    ],
)
def test_websearch_syntax(user, q, expected):
    EntryFactory(user=user, title="Phrase", body="A cup of green tea at dawn.")
    EntryFactory(user=user, title="Scattered", body="Tea in the morning, a green park later.")
    EntryFactory(user=user, title="Only tea", body="Black tea.")
    EntryFactory(user=user, title="Coffee", body="Espresso.")
    assert sorted(titles(user, q)) == sorted(expected)


def test_headline_marks_matches(auth_client, user):
    EntryFactory(user=user, title="Garden notes", body="The tomatoes finally ripened in the garden today.")
    item = auth_client.get("/api/v1/entries/", {"q": "tomato"}).json()["results"][0]
    assert "<mark>tomatoes</mark>" in item["headline"]
    assert item["title_headline"] == "Garden notes"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)//",
        "<svg/onload=alert(1)>",
        "<scr<script>ipt>alert(1)</script>",
        '"><iframe src=javascript:alert(1)>',
    ],
)
def test_headlines_cannot_carry_markup_from_the_text(auth_client, user, payload):
    EntryFactory(user=user, title=f"harbour {payload}", body=f"harbour {payload} harbour")
    item = auth_client.get("/api/v1/entries/", {"q": "harbour"}).json()["results"][0]
    for html in (item["headline"], item["title_headline"]):
        stripped = html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped, html
        assert "<mark>harbour</mark>" in html


def test_a_search_that_matches_nothing(auth_client, user):
    EntryFactory(user=user)
    data = auth_client.get("/api/v1/entries/", {"q": "xylophone"}).json()
    assert (data["count"], data["results"]) == (0, [])
    assert auth_client.get("/api/v1/entries/", {"q": "the and of"}).json()["count"] == 0  # only stop words


@pytest.mark.parametrize(
    ("written", "searched"),
    [("Résumé", "Re\u0301sume\u0301"), ("Re\u0301sume\u0301", "Résumé")],
    ids=["composed text, decomposed query", "decomposed text, composed query"],
)
def test_an_accent_written_either_way_is_found_either_way(auth_client, user, written, searched):
    # One "é" is a single code point or "e" plus a combining accent (a file from a Mac,
    # some keyboards): they look the same, but search compared code points and never
    # found the other spelling. Text and queries are NFC.
    created = auth_client.post("/api/v1/entries/", {"title": "Jobs", "body": f"My {written} is ready"}, format="json")
    assert created.json()["body"] == "My Résumé is ready"
    data = auth_client.get("/api/v1/entries/", {"q": searched}).json()
    assert [item["title"] for item in data["results"]] == ["Jobs"]
    assert "<mark>Résumé</mark>" in data["results"][0]["headline"]


@pytest.mark.parametrize("q", ["-" * 33, "- " * 40 + "tea", "-!" * 40 + "tea", "tea " + "-" * 100 + "green"])
def test_a_long_run_of_minus_signs_is_a_search_not_a_server_error(auth_client, browser_client, user, q):
    # websearch_to_tsquery keeps NOTs in a row on a stack of 32: "tsquery stack too small".
    EntryFactory(user=user, title="Tea", body="Black tea.")
    assert auth_client.get("/api/v1/entries/", {"q": q}).status_code == 200
    assert browser_client.get("/search/", {"q": q}).status_code == 200


@pytest.mark.parametrize(
    ("q", "expected"),
    [("tea --green", ["Phrase"]), ("tea ---green", ["Only tea"]), ("tea - - -green", ["Only tea"])],
)
def test_minus_signs_in_a_row_keep_their_meaning(user, q, expected):
    EntryFactory(user=user, title="Phrase", body="A cup of green tea at dawn.")
    EntryFactory(user=user, title="Only tea", body="Black tea.")
    assert titles(user, search.websearch_text(q)) == expected


def test_dashes_inside_words_are_left_to_the_words():
    assert search.websearch_text("well-being a--b tea -green") == "well-being a--b tea -green"


def test_search_combines_with_filters(user):
    EntryFactory(user=user, title="Happy kite", body="kite", mood=5)
    EntryFactory(user=user, title="Sad kite", body="kite", mood=1)
    assert titles(user, "kite", mood=5) == ["Happy kite"]


def test_the_database_keeps_the_vector_current(user):
    entry = EntryFactory(user=user, title="Before", body="original words")
    services.entry_update(entry=entry, body="completely different vocabulary")
    assert titles(user, "original") == []
    assert titles(user, "vocabulary") == ["Before"]
    # Even a write that bypasses the services is indexed by the trigger.
    Entry.objects.filter(pk=entry.pk).update(body="quokka")
    assert Entry.objects.filter(pk=entry.pk, search_vector="quokka").exists()
    services.entry_update(entry=entry, tags=["marmot"])
    assert titles(user, "marmot") == ["Before"]


def test_updates_that_leave_the_texts_alone_keep_the_vector(user):
    entry = EntryFactory(user=user, title="Kept", body="heron")
    with connection.cursor() as cursor:
        # A marker the trigger would never compute (planted with triggers off for this
        # session): it shows whether the trigger ran since.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE entries_entry SET search_vector = 'marker' WHERE id = %s", [entry.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    services.entry_sentiment_refresh(entry_id=entry.pk)  # sentiment and updated_at only
    Entry.objects.filter(pk=entry.pk).update(mood=2)
    assert Entry.objects.filter(pk=entry.pk, search_vector="marker").exists()
    # Any text, or the vector itself, is computed again.
    Entry.objects.filter(pk=entry.pk).update(title="Kept still")
    assert Entry.objects.filter(pk=entry.pk, search_vector="heron").exists()
    Entry.objects.filter(pk=entry.pk).update(search_vector=None)
    assert Entry.objects.filter(pk=entry.pk, search_vector="heron").exists()


def test_gin_index_exists_and_is_used(user):
    EntryFactory.create_batch(3, user=user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [search.INDEX])
        assert "gin (search_vector)" in cursor.fetchone()[0]
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = Entry.objects.filter(search_vector=search.SearchQuery("word", search_type="websearch")).explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert search.INDEX in plan


def test_the_configuration_comes_from_settings_and_reindex_applies_it(user, settings):
    EntryFactory(user=user, title="Cats", body="The cats were sleeping.")
    assert titles(user, "cat") == ["Cats"]  # english: stemmed
    settings.JOURNAL_SEARCH_CONFIG = "simple"
    call_command("entries_reindex", stdout=io.StringIO())
    assert titles(user, "cats") == ["Cats"]
    assert titles(user, "cat") == []  # simple: no stemming
    settings.JOURNAL_SEARCH_CONFIG = "english"
    call_command("entries_reindex", stdout=io.StringIO())
    assert titles(user, "cat") == ["Cats"]


def test_search_folds_accents_both_ways_and_marks_the_accented_word(auth_client, user):
    """ "cafe" did not find "café": the english configuration keeps accents, so they are different words."""
    EntryFactory(user=user, title="Morning", body="Coffee with Zoë at the café by the river.")
    EntryFactory(user=user, title="Evening", body="Back to the cafe, alone this time.")
    assert sorted(titles(user, "cafe")) == ["Evening", "Morning"]
    assert sorted(titles(user, "café")) == ["Evening", "Morning"]
    assert titles(user, "zoe") == ["Morning"]
    items = {item["title"]: item for item in auth_client.get("/api/v1/entries/", {"q": "cafe"}).json()["results"]}
    assert "<mark>café</mark>" in items["Morning"]["headline"]
    assert "<mark>cafe</mark>" in items["Evening"]["headline"]


def test_reindex_keeps_accents_folded_in_the_new_configuration(user, settings):
    EntryFactory(user=user, title="Crème brûlée", body="Dessert.")
    settings.JOURNAL_SEARCH_CONFIG = "simple"
    out = io.StringIO()
    call_command("entries_reindex", stdout=out)
    assert "accents folded" in out.getvalue()
    assert titles(user, "creme brulee") == ["Crème brûlée"]
    settings.JOURNAL_SEARCH_CONFIG = "english"
    call_command("entries_reindex", stdout=io.StringIO())
    assert titles(user, "brulee") == ["Crème brûlée"]


def test_reindex_drops_the_headlines_kept_under_the_old_configuration(user, settings):
    """Headlines are kept per entry version and query; a new configuration marks other
    words (english stems "walked" to "walk", simple does not), and the entries' versions
    do not move with a reindex."""
    EntryFactory(user=user, title="Evening", body="I walked far, then took a short walk home.")

    def marked(q):
        (item,) = selectors.entry_list(user=user, filters={"q": q})["results"]
        return item["headline"]

    assert "<mark>walked</mark>" in marked("walk")  # english: stemmed, and now kept
    settings.JOURNAL_SEARCH_CONFIG = "simple"
    call_command("entries_reindex", stdout=io.StringIO())
    headline = marked("walk")
    assert "<mark>walk</mark>" in headline
    assert "<mark>walked</mark>" not in headline
    settings.JOURNAL_SEARCH_CONFIG = "english"
    call_command("entries_reindex", stdout=io.StringIO())


def test_reindex_with_a_configuration_postgresql_lacks_says_so_and_changes_nothing(user, settings):
    EntryFactory(user=user, title="Cats", body="The cats were sleeping.")
    settings.JOURNAL_SEARCH_CONFIG = "klingon"
    with pytest.raises(CommandError, match=r"'klingon' is no text search configuration .* it has: .*english"):
        call_command("entries_reindex", stdout=io.StringIO())
    assert titles(user, "cat") == ["Cats"]  # the index is as it was


def test_an_unsafe_configuration_name_is_refused(settings):
    settings.JOURNAL_SEARCH_CONFIG = "english'; DROP TABLE x; --"
    with pytest.raises(ValueError, match="JOURNAL_SEARCH_CONFIG"):
        search.search_config()
    with pytest.raises(ValueError, match="invalid"):
        search.trigger_sql("bad name")
    with connection.cursor() as cursor, pytest.raises(ValueError, match="invalid"):
        search.install_config(cursor, "english; DROP TABLE x")


def test_search_is_throttled_only_with_q(auth_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "search": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for _ in range(4):
        assert auth_client.get("/api/v1/entries/").status_code == 200
    assert auth_client.get("/api/v1/entries/", {"q": "a"}).status_code == 200
    assert auth_client.get("/api/v1/entries/", {"q": "b"}).status_code == 200
    response = auth_client.get("/api/v1/entries/", {"q": "c"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert auth_client.get("/api/v1/entries/").status_code == 200


def test_fallback_search_without_postgres():
    """The SQLite path, exercised directly: every word must occur; -word excludes; snippets are escaped."""
    assert search._fallback_terms('green "black tea" -coffee or') == ([["green", "black tea"]], ["coffee"])
    assert search._fallback_terms("tired sleep OR running") == ([["tired", "sleep"], ["running"]], [])
    assert search._fallback_terms('"or" tea') == ([["or", "tea"]], [])  # quoted, it is a word
    # Punctuation is no word to PostgreSQL either: `*` found every Markdown list on SQLite.
    assert search._fallback_terms("* -? tea ...") == ([["tea"]], [])
    assert search._fallback_terms("*") == ([], [])
    snippet = search._fallback_snippet("x" * 300 + " <b>Green</b> tea " + "y" * 300, ["green"])
    assert snippet.startswith("… ")
    assert "&lt;b&gt;<mark>Green</mark>&lt;/b&gt;" in snippet
    assert search._highlight("a <script> green", ["green"]) == "a &lt;script&gt; <mark>green</mark>"


def test_the_sqlite_fallback_path_searches_with_icontains(user, monkeypatch):
    """What the embedded default runs: the same selector with the simple fallback (exercised on PostgreSQL)."""
    monkeypatch.setattr(search, "uses_postgres", lambda: False)
    EntryFactory(user=user, title="Garden", body="Tomatoes <b>ripe</b> today", tags=["home"])
    EntryFactory(user=user, title="Office", body="Tomatoes at work")
    result = selectors.entry_list(user=user, filters={"q": "tomatoes -work"})
    assert [item["title"] for item in result["results"]] == ["Garden"]
    # As the entry's page shows it: the HTML the sanitizer allows is markup, not text.
    assert result["results"][0]["headline"] == "<mark>Tomatoes</mark> ripe today"
    assert selectors.entry_list(user=user, filters={"q": "HOME"})["count"] == 1
    assert selectors.entry_list(user=user, filters={"q": "-work"})["count"] == 0
    # `or` as the search page documents it, not a word every entry must contain.
    assert selectors.entry_list(user=user, filters={"q": "ripe or office"})["count"] == 2
    assert selectors.entry_list(user=user, filters={"q": "ripe home or nothing"})["count"] == 1


@pytest.mark.parametrize("postgres", [True, False], ids=["postgresql", "sqlite-fallback"])
def test_punctuation_alone_finds_nothing_on_either_database(user, monkeypatch, postgres):
    monkeypatch.setattr(search, "uses_postgres", lambda: postgres)
    EntryFactory(user=user, title="List", body="* milk\n* eggs")
    assert selectors.entry_list(user=user, filters={"q": "*"})["count"] == 0
    assert selectors.entry_list(user=user, filters={"q": "* milk"})["count"] == 1


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # An excluded phrase: on SQLite it was split at its space, "no green, and tea".
        ('tea -"green tea"', ["Only tea", "Scattered"]),
        ('-"green tea" tea', ["Only tea", "Scattered"]),
        # A phrase left open runs to the end, as websearch_to_tsquery reads it.
        ('"green tea', ["Phrase"]),
        ('"', []),
    ],
)
@pytest.mark.parametrize("postgres", [True, False], ids=["postgresql", "sqlite-fallback"])
def test_phrases_excluded_or_left_open_mean_the_same_on_either_database(user, monkeypatch, postgres, q, expected):
    monkeypatch.setattr(search, "uses_postgres", lambda: postgres)
    EntryFactory(user=user, title="Phrase", body="A cup of green tea at dawn.")
    EntryFactory(user=user, title="Scattered", body="Tea in the morning, a green park later.")
    EntryFactory(user=user, title="Only tea", body="Black tea.")
    assert sorted(titles(user, search.websearch_text(q))) == expected


def test_after_a_write_a_search_makes_headlines_only_for_the_changed_entries(user):
    from django.test.utils import CaptureQueriesContext

    from tests.entries.conftest import fresh_process

    found = [EntryFactory(user=user, title=f"Walk {number}", body="a long walk by the river") for number in range(4)]
    assert len(selectors.entry_list(user=user, filters={"q": "walk"})["results"]) == 4
    services.entry_update(entry=found[1], body="a short walk to the shop")

    fresh_process()  # only Redis: the process-local level cannot help
    with CaptureQueriesContext(connection) as queries:
        results = selectors.entry_list(user=user, filters={"q": "walk"})["results"]
    headline_queries = [query["sql"] for query in queries.captured_queries if "ts_headline" in query["sql"]]
    assert len(headline_queries) == 1
    assert f"ANY('{{{found[1].pk}}}'" in headline_queries[0]  # the ids, one array parameter
    by_id = {item["id"]: item["headline"] for item in results}
    assert "<mark>walk</mark> to the shop" in by_id[found[1].pk]
    assert "long <mark>walk</mark> by the river" in by_id[found[0].pk]


def test_a_short_body_comes_back_whole_in_its_headline(user):
    EntryFactory(user=user, title="Night", body="Bad sleep again")
    EntryFactory(user=user, title="Later", body="Could not sleep at all")
    headlines = {
        item["title"]: item["headline"] for item in selectors.entry_list(user=user, filters={"q": "sleep"})["results"]
    }
    assert headlines == {"Night": "Bad <mark>sleep</mark> again", "Later": "Could not <mark>sleep</mark> at all"}


def test_the_compiled_search_ranks_pages_and_counts_each_persons_own_entries(user, other_user):
    import datetime

    from entries.filters import EntryFilter

    # Newest first would put the body-only matches first; rank puts the title first.
    title = EntryFactory(user=user, title="Kayak trip", body="water", entry_date=datetime.date(2024, 1, 1))
    for day in range(2, 26):
        EntryFactory(user=user, title=f"Day {day}", body="a kayak outing", entry_date=datetime.date(2024, 1, day))
    EntryFactory(user=other_user, title="Kayak", body="kayak kayak")
    EntryFactory(user=user, title="Bread", body="baking")

    for q, page in (("kayak", 1), ("kayak", 2), ("bread", 1), ("kayak", 1)):
        got = selectors.entry_list(user=user, filters={"q": q}, page=page)
        rows = list(
            selectors._ranked(EntryFilter.apply(Entry.objects.filter(user=user), {"q": q}))[(page - 1) * 20 : page * 20]
        )
        assert [item["id"] for item in got["results"]] == [pk for pk, _, _ in rows]
        assert got["count"] == (25 if q == "kayak" else 1)
    assert selectors.entry_list(user=user, filters={"q": "kayak"})["results"][0]["id"] == title.pk
    assert selectors.entry_list(user=other_user, filters={"q": "kayak"})["count"] == 1
    assert selectors.entry_list(user=user, filters={"q": "kayak"}, page=3) == {"count": 25, "results": []}


def test_the_compiled_headlines_take_any_number_of_entries(user, other_user):
    mine = [EntryFactory(user=user, title=f"River {n}", body=f"by the river, day {n}") for n in range(3)]
    theirs = EntryFactory(user=other_user, title="River", body="the river")
    for count in (1, 3):
        rows = selectors._SEARCH_HEADLINES.rows(user.pk, [entry.pk for entry in mine[:count]] + [theirs.pk], "river")
        marks = search.marked(rows)
        assert sorted(marks) == sorted(entry.pk for entry in mine[:count])  # never another person's entry
        assert all("<mark>River</mark>" in title for _, title in marks.values())


def test_the_fallback_folds_case_and_accents_in_every_script():
    """What SQLite compares: its LIKE folded only ASCII ("москва" missed "Москва")."""
    assert search.fold("Москва ZOË Café Straße") == "москва zoe cafe strasse"
    assert search.fold("Cafe\u0301") == "cafe"  # a combining accent, should one get through
    assert search._fallback_terms("_ tea") == ([["tea"]], [])  # no letter or digit: no word
    assert search._highlight("Zoë and ZOË at the CAFÉ", ["zoe", "café"]) == (
        "<mark>Zoë</mark> and <mark>ZOË</mark> at the <mark>CAFÉ</mark>"
    )
    assert search._highlight("Москва <b>", ["москва"]) == "<mark>Москва</mark> &lt;b&gt;"
    assert search._highlight("Straße", ["strasse"]) == "<mark>Straße</mark>"
    assert search._highlight("Straße", ["s"]) == "<mark>S</mark>tra<mark>ß</mark>e"  # "ß" is "ss": marked once
    snippet = search._fallback_snippet("ä" * 300 + " Zoë " + "ö" * 300, ["zoe"])
    assert snippet.startswith("… ")
    assert "<mark>Zoë</mark>" in snippet


def test_the_embedded_default_folds_each_text_once_whatever_the_number_of_words(monkeypatch):
    """SQLite folded every column of every row again for each word: 100 words, 6 s for 300 entries."""
    import sqlite3

    folded = []
    real_fold = search.fold
    monkeypatch.setattr(search, "fold", lambda text: folded.append(text) or real_fold(text))
    search._fold_recent.cache_clear()
    database = sqlite3.connect(":memory:")
    database.create_function(search.FOLD_FUNCTION, 1, search._sql_fold, deterministic=True)
    database.execute("CREATE TABLE entry (title TEXT, tags TEXT, body TEXT)")
    rows = [(f"Титул {number}", "Теги", f"Москва {number} " * 200) for number in range(20)]
    database.executemany("INSERT INTO entry VALUES (?, ?, ?)", rows)
    words = sorted(set("москватитулеги"))  # every one of them in every row: all are compared
    condition = " AND ".join(
        "(instr(journal_fold(title), ?) > 0 OR instr(journal_fold(tags), ?) > 0 OR instr(journal_fold(body), ?) > 0)"
        for _ in words
    )
    database.execute(f"SELECT count(*) FROM entry WHERE {condition}", [word for word in words for _ in range(3)])
    assert len(folded) <= 3 * len(rows)
    assert search._fallback_terms("a a A a -b -b") == ([["a", "A"]], ["b"])  # one condition per word


def test_the_embedded_default_finds_words_whatever_their_case_and_accents(tmp_path):
    """A real SQLite database, as `make run` with no environment uses it."""
    from tests.core.test_settings_profiles import clean_env, run_manage

    env = clean_env(SQLITE_PATH=str(tmp_path / "journal.sqlite3"), LOG_FORMAT="text")
    migrate = run_manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr
    code = (
        "import json; from django.contrib.auth import get_user_model; from entries import selectors, services; "
        "user = get_user_model().objects.create_user('reader', password='a long passphrase'); "
        "services.entry_create(user=user, title='Москва trip', body='Zoë and ZOË at the ÉCOLE.', tags=['Россия']); "
        "services.entry_create(user=user, title='Plain', body='Nothing here.'); "
        "found = lambda q: [(e['title'], e['headline']) "
        "for e in selectors.entry_list(user=user, filters={'q': q})['results']]; "
        "print(json.dumps({q: found(q) for q in ['москва', 'zoe', 'ecole', 'РОССИЯ', 'zoe -москва', '_']}))"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert [title for title, _ in found["москва"]] == ["Москва trip"]
    assert found["zoe"] == [["Москва trip", "<mark>Zoë</mark> and <mark>ZOË</mark> at the ÉCOLE."]]
    assert [title for title, _ in found["ecole"]] == ["Москва trip"]
    assert [title for title, _ in found["РОССИЯ"]] == ["Москва trip"]  # a tag
    assert found["zoe -москва"] == []
    assert found["_"] == []


MARKDOWN_BODY = (
    "# Saturday\n\n"
    "I walked by the **lake** with [Anna](https://example.com/anna) and _Tom_.\n\n"
    "- bread\n- `coffee`\n\n> the ~~cold~~ lake was still\n\n---\n\n![a photo](https://example.com/lake.jpg)"
)


@pytest.mark.parametrize("postgres", [True, False], ids=["postgresql", "sqlite-fallback"])
def test_headlines_read_as_text_without_markdown_marks(user, monkeypatch, postgres):
    """A snippet is read, not rendered: it showed "**lake** with [Anna](https://example.com/anna)"."""
    monkeypatch.setattr(search, "uses_postgres", lambda: postgres)
    EntryFactory(user=user, title="Weekend", body=MARKDOWN_BODY)
    headline = selectors.entry_list(user=user, filters={"q": "lake"})["results"][0]["headline"]
    text = headline.replace("<mark>", "").replace("</mark>", "")
    for mark in ("**", "](", "https://", "# ", "- ", "`", "> ", "---", "!["):
        assert mark not in text, (mark, headline)
    assert "the <mark>lake</mark> with Anna and Tom" in headline
    assert "Saturday. I walked" in text  # a heading ends as excerpts end it
    if postgres:  # the fallback's snippet is the text around the first match only
        # As the entry shows it: Python-Markdown has no strikethrough, so the tildes are text.
        assert "the ~~cold~~ <mark>lake</mark> was still" in headline


# Long enough for ts_headline to cut fragments: each word searched for puts their edges
# somewhere else, inside the link, the bold or the italic phrase.
LONG_MARKDOWN_BODY = (
    "Woke up early and went for a long walk along the river before breakfast. The air was cold "
    "but the light was beautiful, and I stopped to watch the herons fishing near the old bridge. "
    "Later I met [my sister Clara and her two kids](https://example.org/clara) at the market, where "
    "we bought **fresh bread, apples, cheese and a bunch of flowers** for the weekend. In the "
    "afternoon I tried to finish the report for work but kept getting distracted by _thoughts "
    "about the move next month and everything still left to pack_. Dinner was quiet. I read a "
    "few chapters of the novel Clara lent me and fell asleep before ten."
)


def test_a_fragment_cut_inside_a_link_or_an_emphasis_keeps_none_of_its_marks(user):
    """Fragments were cut from the Markdown: "kids](https://example.org/clara) at the market",
    "a bunch of flowers** for the weekend", "distracted by _thoughts about"."""
    EntryFactory(user=user, title="Saturday", body=LONG_MARKDOWN_BODY)
    for q in ("herons", "market", "apples", "bunch", "afternoon", "report", "quiet", "chapters", "clara"):
        (item,) = selectors.entry_list(user=user, filters={"q": q})["results"]
        text = item["headline"].replace("<mark>", "").replace("</mark>", "")
        for mark in ("](", "https", "example.org", "[", "]", "*", "_"):
            assert mark not in text, (q, item["headline"])
        assert len(text.split()) >= 12, (q, item["headline"])  # fragments, not the whole body


def test_a_headline_shows_what_the_entry_shows(user):
    """Not the fences of a code block, the pipes of a table, nor the text of a `<script>`
    that the sanitizer removed from the entry; `&` and `<` written in the entry read as
    themselves, escaped once."""
    body = (
        "## Things I noticed\n\n- the water was cold\n\n```python\nprint('otter')\n```\n\n"
        "| day | mood |\n| --- | --- |\n| Mon | otter |\n\n"
        "An otter <script>alert(1)</script> swam by: Tom & Jerry <3, 2 * 3 * 4 = 24, snake_case."
    )
    entry = EntryFactory(user=user, title="Otters", body=body)
    assert "alert" not in entry.body_html
    (item,) = selectors.entry_list(user=user, filters={"q": "otter"})["results"]
    headline = item["headline"]
    for mark in ("```", "|", "---", "alert", "##"):
        assert mark not in headline, (mark, headline)
    assert "Things I noticed. the water was cold" in headline
    assert "swam by: Tom &amp; Jerry &lt;3, 2 * 3 * 4 = 24" in headline


@pytest.mark.parametrize("postgres", [True, False], ids=["postgresql", "sqlite-fallback"])
def test_a_search_is_ranked_title_over_tags_over_body_on_either_database(user, monkeypatch, postgres):
    """CONTRACT §3: with `q`, ranked. The embedded default listed matches newest first, so an
    old entry titled with the word came after every newer one that merely mentioned it."""
    monkeypatch.setattr(search, "uses_postgres", lambda: postgres)
    EntryFactory(user=user, title="Tomatoes", body="Planted today.", entry_date=datetime.date(2024, 1, 1))
    EntryFactory(user=user, title="Garden", body="Nothing.", tags=["tomatoes"], entry_date=datetime.date(2024, 2, 1))
    EntryFactory(user=user, title="Market", body="Bought tomatoes.", entry_date=datetime.date(2024, 3, 1))
    EntryFactory(user=user, title="Unrelated", body="Rain.", entry_date=datetime.date(2024, 4, 1))
    assert titles(user, "tomatoes") == ["Tomatoes", "Garden", "Market"]
    # More of the words, ranked higher; equals newest first.
    EntryFactory(user=user, title="Salad", body="Tomatoes and basil.", entry_date=datetime.date(2024, 5, 1))
    assert titles(user, "tomatoes basil or planted") == ["Tomatoes", "Salad"]
    EntryFactory(user=user, title="Later market", body="More tomatoes.", entry_date=datetime.date(2024, 6, 1))
    assert titles(user, "tomatoes")[2:] == ["Later market", "Salad", "Market"]


def test_the_embedded_default_ranks_its_search(tmp_path):
    """The ranking in the SQL SQLite runs (`journal_fold()` inside CASE), as `make run` has it."""
    from tests.core.test_settings_profiles import clean_env, run_manage

    env = clean_env(SQLITE_PATH=str(tmp_path / "journal.sqlite3"), LOG_FORMAT="text")
    migrate = run_manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stderr
    code = (
        "import json, datetime; from django.contrib.auth import get_user_model; "
        "from entries import selectors, services; "
        "user = get_user_model().objects.create_user('reader', password='a long passphrase'); "
        "services.entry_create(user=user, title='Café', body='Old.', entry_date=datetime.date(2020, 1, 1)); "
        "services.entry_create(user=user, title='Later', body='At the cafe.', entry_date=datetime.date(2024, 1, 1)); "
        "print(json.dumps([e['title'] for e in selectors.entry_list(user=user, filters={'q': 'CAFE'})['results']]))"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["Café", "Later"]


@pytest.mark.parametrize("postgres", [True, False])
def test_a_headline_keeps_list_items_and_lines_apart(user, monkeypatch, postgres):
    """ "- milk" "- eggs" read "milk eggs" in the search result, as in the list's excerpts."""
    if not postgres:
        monkeypatch.setattr(search, "uses_postgres", lambda: False)
    EntryFactory(user=user, title="Shopping", body="- milk\n- eggs\n- bread\n\nthen home\nand rest")
    result = selectors.entry_list(user=user, filters={"q": "eggs"})
    assert result["results"][0]["headline"] == "milk. <mark>eggs</mark>. bread. then home. and rest"


def test_the_sql_and_python_read_a_body_alike(user):
    """Headlines (PostgreSQL's regular expressions) and excerpts (Python's) share one pattern."""
    from html import unescape

    from django.db.models import F

    from entries import rendering

    bodies = [
        "# Monday at *home*\n\nSlept well.\n\n## Why?\n\nNo idea.",
        "- fruit\n    - **apple**\n- veg\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "a\n\n```\ncode\nmore\n```\nb\n\n> quote\n\n1. one\n2. two",
        "<ul><li>written</li><li>html</li></ul>\n\nTom & Jerry <3\nline",
        "今日は晴れ\n\n明日",
    ]
    for body in bodies:
        entry = EntryFactory(user=user, body=body)
        shown = (
            Entry.objects.filter(pk=entry.pk).annotate(shown=search._shown_body()).values_list("shown", F("body_html"))
        )
        sql, body_html = shown.get()
        assert " ".join(unescape(sql).split()) == rendering.plain_text(body_html), body
