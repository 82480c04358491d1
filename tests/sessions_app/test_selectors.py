"""Cached reads: knowledge lookups and session state are hits when they can be, and never stale."""

from __future__ import annotations

import datetime
import itertools

import pytest

from journal_project import caching
from journal_project.exceptions import NotFound
from sessions_app import selectors, services
from sessions_app.models import Message, Technique

pytestmark = pytest.mark.usefixtures("knowledge_base")


def new_request() -> None:
    caching.reset_request_state()


def counts(namespace: str) -> dict[str, int]:
    snapshot = caching.stats.snapshot()
    return {result: n for (name, result), n in snapshot.items() if name == namespace}


# --- Knowledge ------------------------------------------------------------------------------


def test_a_knowledge_lookup_is_served_from_the_cache_the_second_time(django_assert_max_num_queries):
    selectors.knowledge_detail(slug="box-breathing")
    new_request()
    caching.stats.reset()
    with django_assert_max_num_queries(1):  # the generation; the auth query brings it in a request
        item = selectors.knowledge_detail(slug="box-breathing")
    assert item["name"] == "Box breathing"
    assert counts("knowledge") == {"local_hit": 1}


def test_an_editors_change_is_visible_at_once_even_through_the_local_level():
    assert selectors.knowledge_detail(slug="box-breathing")["summary"] != "Edited."
    new_request()
    technique = Technique.objects.get(slug="box-breathing")
    technique.summary = "Edited."
    services.technique_save(technique=technique)
    new_request()
    assert selectors.knowledge_detail(slug="box-breathing")["summary"] == "Edited."
    assert selectors.knowledge_list(q="Edited")["results"][0]["slug"] == "box-breathing"


def test_the_companions_compiled_knowledge_follows_edits():
    kb = selectors.companion_knowledge()
    assert selectors.companion_knowledge() is kb  # compiled once per process
    technique = Technique.objects.get(slug="labeling")
    technique.patterns = [*technique.patterns, r"\bnumpty\b"]
    services.technique_save(technique=technique)
    new_request()
    fresh = selectors.companion_knowledge()
    assert fresh is not kb
    assert r"\bnumpty\b" in fresh.get("labeling").patterns


def test_full_text_search_ranks_and_stems():
    results = selectors.knowledge_list(q="breathing")["results"]
    assert results[0]["slug"] == "box-breathing"
    assert "worry-time" in [r["slug"] for r in selectors.knowledge_list(q="worrying")["results"]]  # stemmed
    assert selectors.knowledge_list(q="zzzqqq")["count"] == 0


def test_a_search_configuration_postgresql_lacks_does_not_break_the_lookups(user, settings):
    """JOURNAL_SEARCH_CONFIG was read per lookup: a typo in it made every uncached knowledge
    search, and so every companion reply, a 500. It takes effect through `entries_reindex`
    (which checks it), as for the entries."""
    settings.JOURNAL_SEARCH_CONFIG = "klingon"
    assert selectors.knowledge_list(q="breathing")["results"][0]["slug"] == "box-breathing"
    session = services.session_create(user=user)
    services.message_post(user=user, session_id=session.pk, content="I keep worrying about the deadline.")
    assert Message.objects.filter(session=session, role=Message.Role.COMPANION).count() == 2


def test_full_text_search_finds_techniques_by_their_category():
    cbt = {r["slug"] for r in selectors.knowledge_list(q="CBT", page_size=100)["results"]}
    assert "thought-record" in cbt
    gratitude = {r["slug"] for r in selectors.knowledge_list(q="gratitude", page_size=100)["results"]}
    assert {"three-good-things", "savouring", "gratitude-letter"} <= gratitude


def slugs(q: str) -> list[str]:
    return [r["slug"] for r in selectors.knowledge_list(q=q, page_size=100)["results"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("anxious", "worry-time"),
        ("nervous", "worry-time"),
        ("panic", "worry-time"),
        ("feeling sad", "behavioural-activation"),
        ("sadness", "behavioural-activation"),
        ("depression", "behavioural-activation"),
        ("loneliness", "prompt-connection"),
        ("anger", "opposite-action"),
        ("stress", "box-breathing"),
        ("overwhelmed", "box-breathing"),
        ("insomnia", "progressive-muscle-relaxation"),
        ("lonely", "prompt-connection"),
        ("so self-critical", "self-compassion-break"),
    ],
)
@pytest.mark.parametrize("postgres", [True, False], ids=["postgres", "sqlite-fallback"])
def test_the_library_finds_techniques_for_how_a_person_feels(q, expected, postgres, settings):
    """These found nothing: the techniques say what they work on ("worry"), people type how they feel."""
    settings.USES_POSTGRES = postgres
    assert expected in slugs(q)


def test_what_the_words_match_comes_before_what_their_theme_adds():
    found = slugs("anxiety")  # said by the grounding exercise; "anxi..." is the worry theme
    assert found[0] == "grounding-5-4-3-2-1"
    assert "worry-time" in found


def test_exclusions_and_phrases_are_searched_as_typed():
    assert slugs("anxious -sleep") == []
    assert slugs('"anxious"') == []


def test_category_filter_and_pagination():
    page = selectors.knowledge_list(category="cognitive_distortion", page=1, page_size=5)
    assert page["count"] == 11
    assert len(page["results"]) == 5
    assert {r["category"] for r in page["results"]} == {"cognitive_distortion"}


def test_unknown_slug_is_not_found():
    with pytest.raises(NotFound):
        selectors.knowledge_detail(slug="nope")


def test_theme_search_returns_techniques_only():
    slugs = selectors.theme_search("sleep")
    assert slugs
    kinds = set(Technique.objects.filter(slug__in=slugs).values_list("category", flat=True))
    assert not kinds & {"cognitive_distortion", "journaling_prompt"}


def test_todays_prompt_comes_from_the_knowledge_base_and_is_stable_for_the_day(user, other_user):
    day = datetime.date(2026, 3, 1)
    prompt = selectors.prompt_for_today(user, today=day)
    assert prompt["slug"].startswith("prompt-")
    assert prompt["text"]
    assert prompt["source"]
    assert selectors.prompt_for_today(user, today=day) == prompt
    days = {selectors.prompt_for_today(user, today=day + datetime.timedelta(days=n))["slug"] for n in range(10)}
    assert len(days) > 1


def test_a_new_prompt_every_day_and_every_prompt_before_one_comes_back(user, other_user):
    """Picked by a hash of the person and the day, the same prompt came two days running about
    one day in 46, against "different tomorrow"."""
    count = Technique.objects.filter(category="journaling_prompt").count()
    start = datetime.date(2026, 12, 30)  # across a year's end, too
    for person in (user, other_user):
        slugs = [
            selectors.prompt_for_today(person, today=start + datetime.timedelta(days=n))["slug"]
            for n in range(3 * count)
        ]
        assert all(first != second for first, second in itertools.pairwise(slugs))
        for begin in range(2 * count):
            assert len(set(slugs[begin : begin + count])) == count
    mine = [selectors.prompt_for_today(user, today=start + datetime.timedelta(days=n))["slug"] for n in range(count)]
    theirs = [
        selectors.prompt_for_today(other_user, today=start + datetime.timedelta(days=n))["slug"] for n in range(count)
    ]
    assert mine != theirs  # each person has an order of their own


def test_prompt_falls_back_while_the_knowledge_base_is_empty(user):
    Technique.objects.all().delete()
    new_request()
    assert selectors.prompt_for_today(user)["slug"] == "three-good-things"


# --- Sessions -------------------------------------------------------------------------------


def test_the_read_after_a_new_message_is_a_written_through_hit(user, django_capture_on_commit_callbacks):
    session = services.session_create(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(user=user, session_id=session.pk, content="My boss must think I'm useless.")
    new_request()
    caching.local_cache.clear()  # prove it is in Redis, not just this process
    caching.stats.reset()
    detail = selectors.session_detail(user=user, session_id=session.pk)
    assert [m["role"] for m in detail["messages"]] == ["companion", "user", "companion"]
    assert detail["messages"][1]["content"] == "My boss must think I'm useless."
    assert counts("sessions") == {"hit": 1}
    assert detail["techniques_used"]
    assert detail["awaiting_reply"] is False


def test_a_sessions_messages_have_the_shape_of_a_single_message(user):
    """The session state reads its messages as plain rows; they must match the API's single messages."""
    session = services.session_create(user=user)
    services.message_post(user=user, session_id=session.pk, content="I always mess things up.")
    new_request()
    detail = selectors.session_detail(user=user, session_id=session.pk)
    stored = Message.objects.filter(session=session).select_related("technique").order_by("created_at", "id")
    assert detail["messages"] == [selectors.message_dict(message) for message in stored]
    assert any(message["technique"] for message in detail["messages"])  # the joined columns are covered


def test_session_state_is_never_stale_even_without_the_write_through(user):
    session = services.session_create(user=user)
    assert len(selectors.session_detail(user=user, session_id=session.pk)["messages"]) == 1  # cached
    new_request()
    services.message_post(user=user, session_id=session.pk, content="I feel anxious about tomorrow.")
    new_request()
    detail = selectors.session_detail(user=user, session_id=session.pk)
    assert len(detail["messages"]) == 3
    assert "worry" in detail["themes"]


def test_a_reply_is_awaited_while_any_message_has_none(user, provider):
    """Two quick messages, answered one at a time by a worker: the first reply must not end the wait."""
    session = services.session_create(user=user)
    # No on-commit callbacks run here, so both replies stay owed, as with a busy worker.
    first = services.message_post(user=user, session_id=session.pk, content="Work was hard today.")
    second = services.message_post(user=user, session_id=session.pk, content="And I snapped at my sister.")
    assert first.status == second.status == "pending"
    new_request()
    assert selectors.session_detail(user=user, session_id=session.pk)["awaiting_reply"] is True

    services.companion_reply_generate(message_id=first.message.pk)
    new_request()
    detail = selectors.session_detail(user=user, session_id=session.pk)
    assert [m["role"] for m in detail["messages"]][-1] == "companion"  # the last message is a reply…
    assert detail["awaiting_reply"] is True  # …but not to the last question

    services.companion_reply_generate(message_id=second.message.pk)
    new_request()
    assert selectors.session_detail(user=user, session_id=session.pk)["awaiting_reply"] is False


def test_a_flagged_message_awaits_nothing_and_an_ended_session_awaits_nothing(user, provider):
    session = services.session_create(user=user)
    services.message_post(user=user, session_id=session.pk, content="I wanna die.")
    new_request()
    assert selectors.session_detail(user=user, session_id=session.pk)["awaiting_reply"] is False
    # The next message gets the fixed reply that follows a crisis reply, at once.
    services.message_post(user=user, session_id=session.pk, content="I'm safe, thanks.")
    new_request()
    assert selectors.session_detail(user=user, session_id=session.pk)["awaiting_reply"] is False
    services.message_post(user=user, session_id=session.pk, content="Work was hard today.")
    new_request()
    assert selectors.session_detail(user=user, session_id=session.pk)["awaiting_reply"] is True
    services.session_end(user=user, session_id=session.pk)
    new_request()
    assert selectors.session_detail(user=user, session_id=session.pk)["awaiting_reply"] is False


def test_the_list_reflects_new_sessions_and_counts(user):
    services.session_create(user=user)
    assert selectors.session_list(user=user)["count"] == 1
    new_request()
    second = services.session_create(user=user)
    new_request()
    listing = selectors.session_list(user=user)
    assert listing["count"] == 2
    assert listing["results"][0]["id"] == second.pk
    assert listing["results"][0]["message_count"] == 1


def test_another_users_session_is_not_found_and_not_cached_for_them(user, other_user):
    session = services.session_create(user=other_user)
    with pytest.raises(NotFound):
        selectors.session_detail(user=user, session_id=session.pk)
    new_request()
    assert selectors.session_detail(user=other_user, session_id=session.pk)["id"] == session.pk


def test_session_keys_are_scoped_to_the_user(user):
    session = services.session_create(user=user)
    selectors.session_detail(user=user, session_id=session.pk)
    generation = caching.current_generation(caching.SESSIONS, user.pk)
    key = caching.make_key(caching.SESSIONS, user.pk, generation, selectors.SESSION_LABEL, [session.pk])
    assert key.startswith(f"j:sessions:{user.pk}:")


def test_session_retrieval_and_knowledge_lookup_are_timed(user):
    from monitoring import metrics

    seen: list[str] = []

    def recorder(name: str, seconds: float, labels: dict) -> None:
        seen.append(name)

    metrics.add_recorder(recorder)
    try:
        session = services.session_create(user=user)
        selectors.session_detail(user=user, session_id=session.pk)
        selectors.knowledge_detail(slug="box-breathing")
    finally:
        metrics._recorders.remove(recorder)
    assert "session_retrieval" in seen
    assert "knowledge_lookup" in seen
