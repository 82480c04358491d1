"""`manage.py load_knowledge`: idempotent upsert by slug that respects editors' changes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from journal_project import caching
from sessions_app import knowledge, services
from sessions_app.models import Technique
from tests.sessions_app.factories import TechniqueFactory


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_knowledge", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loading_twice_creates_once_and_changes_nothing_the_second_time():
    assert "80 created" in load() or Technique.objects.count() == len(knowledge.items())
    generation = caching.current_generation(caching.KNOWLEDGE)
    caching.reset_request_state()
    second = load()
    assert "0 created, 0 updated" in second
    assert Technique.objects.count() == len(knowledge.items())
    caching.reset_request_state()
    assert caching.current_generation(caching.KNOWLEDGE) == generation  # an unchanged load keeps caches warm


@pytest.mark.django_db
def test_a_changed_shipped_item_is_updated_and_invalidates_the_cache():
    load()
    Technique.objects.filter(slug="box-breathing").update(summary="stale")
    caching.reset_request_state()
    before = caching.current_generation(caching.KNOWLEDGE)
    assert "1 updated" in load()
    caching.reset_request_state()
    assert Technique.objects.get(slug="box-breathing").summary != "stale"
    assert caching.current_generation(caching.KNOWLEDGE) > before


@pytest.mark.django_db
def test_an_editors_change_is_kept_unless_forced():
    load()
    technique = Technique.objects.get(slug="box-breathing")
    technique.summary = "Our clinic's own wording."
    services.technique_save(technique=technique)
    assert "1 customized kept" in load()
    assert Technique.objects.get(slug="box-breathing").summary == "Our clinic's own wording."
    load("--force")
    refreshed = Technique.objects.get(slug="box-breathing")
    assert refreshed.summary != "Our clinic's own wording."
    assert not refreshed.is_customized


@pytest.mark.django_db
def test_prune_removes_items_no_longer_shipped_but_never_customized_ones():
    load()
    TechniqueFactory(slug="old-item")
    TechniqueFactory(slug="our-own", is_customized=True)
    assert "1 deleted" in load("--prune")
    assert not Technique.objects.filter(slug="old-item").exists()
    assert Technique.objects.filter(slug="our-own").exists()


@pytest.mark.django_db
def test_a_shipped_rename_reaches_the_sessions_that_used_the_technique(user):
    """load_knowledge updates in bulk (no signals): sessions' cached state names techniques."""
    from sessions_app import selectors

    load()
    session = services.session_create(user=user, technique_slug="box-breathing")
    caching.reset_request_state()
    assert selectors.session_detail(user=user, session_id=session.pk)["technique"]["name"] == "Box breathing"
    Technique.objects.filter(slug="box-breathing").update(name="Old name")  # what the deployed release shipped
    caching.bump_every_scope(caching.SESSIONS)  # (the update above stands for that release's load)
    caching.reset_request_state()
    assert selectors.session_detail(user=user, session_id=session.pk)["technique"]["name"] == "Old name"
    caching.reset_request_state()
    assert "1 updated" in load()  # this release ships the name back
    caching.reset_request_state()
    assert selectors.session_detail(user=user, session_id=session.pk)["technique"]["name"] == "Box breathing"
