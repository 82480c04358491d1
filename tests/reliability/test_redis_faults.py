"""Redis unreachable and Redis slow, across the whole API and every page (BRIEF caching property 5).

The cache talks to the real Redis through a TCP proxy (the `redis_proxy` fixture) that
the test cuts or slows down; the app's own driver meets real refused connections and
real socket timeouts. tests/core/test_caching.py proves the mechanism; these tests prove
what a person and an operator see.
"""

from __future__ import annotations

import time

import pytest

from journal_project import cache_backend, caching
from tests.reliability.conftest import record
from tests.reliability.sweep import (
    assert_writes_are_visible,
    build_journal,
    hit_rate,
    new_process,
    read_everything,
    wait_for_cache,
    write_during_fault,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fault, pytest.mark.usefixtures("knowledge_base", "generous_throttles")]

HEALTH_TOKEN = "reliability-health-token"
REDIS_SOCKET_TIMEOUT = 0.25  # settings.base default; the test settings keep it
# A request that meets a slow Redis pays at most one socket timeout (then the breaker
# answers at once) plus its PostgreSQL work. The bound leaves room for a loaded CI machine.
SLOW_REDIS_REQUEST_BOUND = 1.0


def full_health(client, settings) -> tuple[int, dict[str, str]]:
    settings.METRICS_TOKEN = HEALTH_TOKEN
    response = client.get("/health/", HTTP_AUTHORIZATION=f"Bearer {HEALTH_TOKEN}", HTTP_ACCEPT="application/json")
    return response.status_code, response.json()


def test_redis_unreachable_serves_everything_from_postgresql_and_recovers_by_itself(
    auth_client, browser_client, user, client, settings, redis_proxy
):
    journal = build_journal(auth_client, browser_client)
    read_everything(journal)
    before = read_everything(journal)  # the second round is served from the cache
    assert all(answer.status == 200 for answer in before), [(a.label, a.status) for a in before]
    assert hit_rate(caching.stats.snapshot()) > 0
    etag_before = auth_client.get("/api/v1/entries/")["ETag"]

    # --- Redis goes away -------------------------------------------------------------
    redis_proxy.cut()
    caching.stats.reset()
    new_process()
    writes = write_during_fault(journal)["answers"]
    reads = read_everything(journal)
    answers = writes + reads
    failed = [(answer.label, answer.status) for answer in answers if answer.status >= 400]
    assert failed == []
    assert all(200 <= answer.status < 400 for answer in answers)
    assert_writes_are_visible(journal, user)  # persisted, and read back from PostgreSQL
    during = caching.stats.snapshot()
    assert sum(n for (_, result), n in during.items() if result == "error") > 0  # counted as degraded

    status, checks = full_health(client, settings)
    assert status == 500  # the operator's report says what is down ...
    failing = {name for name, state in checks.items() if state != "OK"}
    assert any("Redis" in name for name in failing)
    assert any("Cache" in name for name in failing)
    assert not any("Database" in name for name in failing)
    assert client.get("/health/ready/").status_code == 200  # ... and the load balancer keeps the app
    record("fault: redis unreachable: requests", len(answers))
    record("fault: redis unreachable: writes persisted", len(writes))

    # --- Redis comes back: nobody resets anything --------------------------------------
    redis_proxy.restore()
    recovered_after = wait_for_cache(journal)
    new_process()  # another process: nothing in its memory, so stale data could only come from Redis
    assert auth_client.get("/api/v1/entries/")["ETag"] != etag_before
    assert_writes_are_visible(journal, user)  # the values cached before the outage stay unreachable

    caching.stats.reset()
    read_everything(journal)  # rebuilds what the writes invalidated
    caching.stats.reset()
    for _ in range(3):
        new_process()
        after = read_everything(journal)
        assert all(answer.status == 200 for answer in after)
    recovered = caching.stats.snapshot()
    assert not any(result == "error" for (_, result) in recovered)
    assert hit_rate(recovered) >= 0.9, recovered
    assert full_health(client, settings)[0] == 200
    record("fault: redis unreachable: hit rate after recovery (%)", round(hit_rate(recovered) * 100))
    record("fault: redis unreachable: recovery after restore (ms)", round(recovered_after * 1000))


def test_slow_redis_costs_a_request_at_most_one_socket_timeout(
    auth_client, browser_client, user, settings, redis_proxy
):
    journal = build_journal(auth_client, browser_client)
    read_everything(journal)
    # Production's cool-down (the fixture shortens it): one probe per 5 s may pay the timeout.
    for breaker in cache_backend.all_breakers().values():
        breaker.cooldown = 5.0

    breaker = cache_backend.breaker_for(settings.CACHES["default"]["LOCATION"])
    failures_before, rejections_before = breaker.failures, breaker.rejections

    redis_proxy.latency = REDIS_SOCKET_TIMEOUT * 2  # every Redis answer arrives after the timeout
    caching.stats.reset()
    new_process()
    started = time.perf_counter()
    answers = write_during_fault(journal)["answers"] + read_everything(journal)
    elapsed = time.perf_counter() - started
    assert [(a.label, a.status) for a in answers if a.status >= 400] == []
    slowest = max(answers, key=lambda answer: answer.seconds)
    assert slowest.seconds < SLOW_REDIS_REQUEST_BOUND, (slowest.label, slowest.seconds)
    # A timeout opens the breaker for the cool-down, so the process pays one per 5 s
    # (plus any call already in flight in another thread, e.g. the monitoring flush),
    # where without the breaker every cache call of every request would wait 0.25 s.
    timeouts_paid = breaker.failures - failures_before
    assert 1 <= timeouts_paid <= 2 + int(elapsed // breaker.cooldown), (timeouts_paid, elapsed)
    assert breaker.rejections - rejections_before > 10 * timeouts_paid  # the calls it answered at once instead
    assert_writes_are_visible(journal, user)  # served from PostgreSQL, so nothing stale either
    assert caching.stats.snapshot().get(("entries", "error"), 0) > 0
    record("fault: redis slow: requests", len(answers))
    record("fault: redis slow: slowest request (ms)", round(slowest.seconds * 1000))
    record("fault: redis slow: socket timeouts paid", timeouts_paid)


@pytest.mark.parametrize(("mode", "protocol"), [("not-redis", 2), ("wrong-replies", 2), ("wrong-replies", 3)])
def test_a_server_that_is_not_redis_fails_like_an_unreachable_one(
    auth_client, browser_client, user, settings, redis_proxy, mode, protocol
):
    """Another service on Redis's port (or a TLS mismatch), or a RESP server answering +OK
    to everything: replies that do not parse, or do not have the shape asked for. Every
    request is served from PostgreSQL, the breaker opens, and the cache recovers by itself.
    """
    if protocol == 3:  # RESP3 (`?protocol=3` in REDIS_URL): the handshake itself meets the odd replies
        location = f"{settings.CACHES['default']['LOCATION']}?protocol=3"
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": location}}
        for breaker in cache_backend.all_breakers().values():
            breaker.cooldown = 0.5
    journal = build_journal(auth_client, browser_client)
    read_everything(journal)
    breaker = cache_backend.breaker_for(settings.CACHES["default"]["LOCATION"])
    breaker.cooldown = 0.5
    failures_before = breaker.failures

    redis_proxy.set_mode(mode)
    caching.stats.reset()
    new_process()
    answers = write_during_fault(journal)["answers"] + read_everything(journal)
    assert [(a.label, a.status) for a in answers if a.status >= 400] == []
    assert_writes_are_visible(journal, user)
    assert breaker.failures > failures_before  # counted as Redis failing, not as misses
    record(f"fault: redis {mode} (RESP{protocol}): requests", len(answers))

    redis_proxy.restore()
    wait_for_cache(journal)
    new_process()
    assert_writes_are_visible(journal, user)


def test_a_session_logged_out_while_redis_is_down_stays_logged_out_when_redis_returns(
    client, user, password, settings, redis_proxy
):
    """Browser sessions are `cached_db`: Redis holds a copy of each. A logout while Redis is
    unreachable deletes the row in PostgreSQL, but the copy's deletion fails with Redis;
    when Redis returns, the copy must not sign the cookie's holder in again (BRIEF
    property 1: a failed invalidation must not let old data reappear)."""
    from django.test import Client

    assert client.post("/login/", {"username": user.username, "password": password}).status_code == 302
    assert client.get("/entries/").status_code == 200  # the session is in Redis and in PostgreSQL
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    redis_proxy.cut()
    assert client.post("/logout/").status_code == 302
    redis_proxy.restore()
    time.sleep(settings.CACHE_BREAKER_COOLDOWN + 0.1)

    stolen = Client()  # someone holding the cookie of the signed-out browser
    stolen.cookies[settings.SESSION_COOKIE_NAME] = cookie
    for path in ("/entries/", "/api/v1/entries/", "/admin/"):
        response = stolen.get(path)
        assert response.status_code in (302, 401, 403), (path, response.status_code)
    # ... and the copy is gone from Redis as well, not only refused.
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX

    assert cache_backend_get(KEY_PREFIX + cookie) is None
    record("fault: redis unreachable: logged-out session stays out")


def cache_backend_get(key: str):
    from django.core.cache import cache

    return cache.get(key)


def test_a_session_changed_while_redis_is_down_is_not_read_as_it_was_when_redis_returns(redis_proxy, settings):
    """The copy of a browser session that Redis held before the outage missed the change
    made during it: Django's `cached_db` read that copy back for the session's two weeks."""
    from journal_project.sessions import SessionStore

    session = SessionStore()
    session["step"] = "before"
    session.save()
    assert SessionStore(session.session_key).load()["step"] == "before"  # the copy is in Redis

    redis_proxy.cut()
    changed = SessionStore(session.session_key)
    changed["step"] = "during"
    changed.save()
    redis_proxy.restore()
    time.sleep(settings.CACHE_BREAKER_COOLDOWN + 0.1)

    assert SessionStore(changed.session_key).load()["step"] == "during"
    assert SessionStore(changed.session_key).load()["step"] == "during"  # the copy made from the row
    record("fault: redis unreachable: session change kept")
