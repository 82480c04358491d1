"""The collection hooks, exercised through the real database, cache and Redis."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

from journal_project import cache_backend, caching
from monitoring import catalog, instrumentation, metrics
from monitoring.collector import collector

pytestmark = pytest.mark.django_db


def _counts(name: str) -> dict:
    return {labels: histogram.count for (series, labels), histogram in collector.peek().items() if series == name}


def test_every_database_query_is_timed_with_its_operation():
    get_user_model().objects.count()
    recorded = _counts(catalog.DB_QUERY)
    assert recorded.get((("alias", "default"), ("operation", "select")), 0) >= 1


def test_queries_run_by_migrate_are_not_counted():
    from django.apps import apps
    from django.db.models.signals import post_migrate, pre_migrate

    config = apps.get_app_config("monitoring")
    pre_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default")
    get_user_model().objects.count()
    assert _counts(catalog.DB_QUERY) == {}
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default")
    get_user_model().objects.count()
    assert _counts(catalog.DB_QUERY)


def test_cached_reads_are_recorded_per_namespace_and_result():
    def build():
        return {"answer": 42}

    caching.cached(caching.KNOWLEDGE, None, "test-label", ["x"], build)
    caching.cached(caching.KNOWLEDGE, None, "test-label", ["x"], build)
    recorded = _counts(catalog.CACHE_READ)
    assert recorded[(("namespace", "knowledge"), ("result", "miss"))] == 1
    assert recorded[(("namespace", "knowledge"), ("result", "local_hit"))] == 1


def test_redis_commands_of_the_cache_are_timed():
    cache.set("monitoring-test-key", 1)
    cache.get("monitoring-test-key")
    recorded = _counts(catalog.REDIS_COMMAND)
    assert recorded[(("operation", "set"),)] == 1
    assert recorded[(("operation", "get"),)] == 1


def test_failed_redis_commands_are_counted(redis_proxy):
    redis_proxy.cut()
    assert cache.get("monitoring-test-key") is None  # served as a miss
    assert collector.peek_counters()[(catalog.REDIS_ERRORS, (("operation", "get"),))] == 1


def test_timed_selectors_are_recorded_under_their_name():
    @metrics.timed(catalog.SESSION_RETRIEVAL)
    def load_session() -> str:
        return "session"

    assert load_session() == "session"
    with metrics.timing(catalog.KNOWLEDGE_LOOKUP, source="test"):
        pass
    assert _counts(catalog.SESSION_RETRIEVAL) == {(): 1}
    assert _counts(catalog.KNOWLEDGE_LOOKUP) == {(("source", "test"),): 1}


def test_names_prometheus_cannot_carry_are_refused():
    metrics.observe("Bad Name!", 0.1)
    assert not any(name == "Bad Name!" for name, _ in collector.peek())


def test_switched_off_nothing_is_hooked_or_recorded(settings, client):
    settings.MONITORING_ENABLED = False
    assert not instrumentation.is_installed()
    assert instrumentation.on_cache_read not in caching._observers
    assert instrumentation.on_redis_call not in cache_backend._observers
    assert not metrics._recorders
    assert instrumentation._db_wrapper not in connection.execute_wrappers

    get_user_model().objects.count()
    cache.get("monitoring-test-key")
    metrics.observe(catalog.SESSION_RETRIEVAL, 0.001)
    assert client.get("/health/live/").status_code == 200
    assert collector.peek() == {}


def test_switched_back_on_everything_is_hooked_again(settings):
    settings.MONITORING_ENABLED = False
    settings.MONITORING_ENABLED = True
    assert instrumentation.is_installed()
    get_user_model().objects.count()
    assert _counts(catalog.DB_QUERY)


def test_stores_sent_without_waiting_are_not_timed_as_round_trips_but_their_failures_count(redis_proxy):
    cache.send_bytes_many({"monitoring-test-key": b"\x01"}, 60)
    cache.drain_sent()
    assert (("operation", "send_bytes_many"),) not in _counts(catalog.REDIS_COMMAND)

    redis_proxy.cut()
    # The first send may still leave into the dropped connection; the next one finds out.
    cache.send_bytes_many({"monitoring-test-key": b"\x01"}, 60)
    cache.send_bytes_many({"monitoring-test-key": b"\x01"}, 60)
    assert collector.peek_counters()[(catalog.REDIS_ERRORS, (("operation", "send_bytes_many"),))] >= 1


def test_every_session_and_knowledge_read_is_timed_once_even_when_served_from_the_response_cache(
    auth_client, knowledge_base
):
    # A repeated read is answered from the rendered response cache without calling the
    # selector: it must still count, or the targets judge only the rebuilds (a few a
    # minute) and sit at "too few samples" while thousands of reads are served.
    from sessions_app import services
    from sessions_app.models import Technique

    session = services.session_create(user=auth_client.user, title="timed")
    slug = Technique.objects.values_list("slug", flat=True).first()
    collector.discard()

    for _ in range(3):
        assert auth_client.get(f"/api/v1/sessions/{session.pk}/").status_code == 200
    for _ in range(3):
        assert auth_client.get(f"/api/v1/knowledge/{slug}/").status_code == 200
    for _ in range(2):
        assert auth_client.get("/api/v1/knowledge/?q=breathing").status_code == 200

    # Once each: the selector's own timing inside a timed view does not add a second sample.
    assert _counts(catalog.SESSION_RETRIEVAL) == {(): 3}
    assert _counts(catalog.KNOWLEDGE_LOOKUP) == {(): 5}


def test_a_timing_nested_in_one_of_the_same_name_records_once():
    @metrics.timed(catalog.SESSION_RETRIEVAL)
    def inner() -> str:
        return "session"

    @metrics.timed(catalog.SESSION_RETRIEVAL)
    def outer() -> str:
        with metrics.timing(catalog.SESSION_RETRIEVAL):
            return inner()

    assert outer() == "session"
    assert inner() == "session"  # on its own again: recorded
    with metrics.timing(catalog.KNOWLEDGE_LOOKUP):
        inner()  # another name around it: both recorded
    assert _counts(catalog.SESSION_RETRIEVAL) == {(): 3}
    assert _counts(catalog.KNOWLEDGE_LOOKUP) == {(): 1}
