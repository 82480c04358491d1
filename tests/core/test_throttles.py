"""The throttles count atomically in Redis: a burst over many threads or workers lets exactly
the limit through, `Retry-After` is when the oldest counted request leaves the window, and
a Redis that fails or refuses scripts never turns into errors or into no limit at all.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from journal_project.api.throttles import AuthRateThrottle
from tests.core.test_cache_bytes import redis_without_scripts  # noqa: F401 (a fixture)
from tests.support.app_server import AppServer, suite_cache_env, suite_database_url

BURST = 40


@pytest.fixture
def auth_rate(settings):
    def set_rate(rate: str) -> None:
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": rate}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rate


def hit(address: str = "10.9.8.7") -> AuthRateThrottle:
    throttle = AuthRateThrottle()
    throttle.allowed = throttle.allow_request(RequestFactory().post("/", REMOTE_ADDR=address), None)
    return throttle


def burst(n: int) -> list[bool]:
    """`n` requests of one client at the same instant, each on a thread (and cache connection) of its own."""
    start = threading.Barrier(n)

    def one(_: int) -> bool:
        start.wait(10)
        return hit().allowed

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_a_burst_on_many_connections_lets_exactly_the_limit_through(auth_rate):
    # DRF's throttle read the request times and wrote them back in two calls: the burst's
    # requests all read the same short list, and most of them got through.
    auth_rate("5/min")
    assert sum(burst(BURST)) == 5
    assert not hit().allowed
    assert hit("10.9.8.8").allowed  # another client has its own count


def test_retry_after_is_when_the_oldest_counted_request_leaves_the_window(auth_rate):
    auth_rate("3/min")
    assert hit().allowed
    time.sleep(1.2)
    assert hit().allowed
    assert hit().allowed
    refused = hit()
    assert not refused.allowed
    # The first request leaves the window 60 s after it came, ~1.2 s ago (not 60 s from
    # the newest one).
    assert 57.5 < refused.wait() <= 58.9


def test_requests_count_again_once_the_window_has_passed(auth_rate):
    auth_rate("2/s")
    assert hit().allowed
    assert hit().allowed
    refused = hit()
    assert not refused.allowed
    assert 0 < refused.wait() <= 1
    time.sleep(refused.wait() + 0.05)
    assert hit().allowed


def test_the_count_lives_in_one_expiring_sorted_set_per_client(auth_rate):
    auth_rate("5/min")
    throttle = hit()
    key = cache.make_key(f"{throttle.key}:window")
    redis = cache.client.get_client(write=False)
    assert redis.type(key) == b"zset"
    assert redis.zcard(key) == 1
    assert 0 < redis.pttl(key) <= 60_000


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_without_scripts")
def test_a_redis_that_refuses_scripts_still_counts_atomically(auth_rate, caplog):
    auth_rate("5/min")
    assert sum(burst(BURST)) == 5
    assert "refused a Lua script" in caplog.text
    refused = hit()
    assert not refused.allowed
    assert 55 < refused.wait() <= 60
    assert not cache.breaker.is_open


@pytest.mark.django_db
def test_while_redis_is_down_each_process_still_counts_and_nothing_fails(auth_client, settings, redis_proxy):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "search": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    redis_proxy.cut()
    answers = [auth_client.get("/api/v1/entries/", {"q": f"walk{n}"}) for n in range(5)]
    # The first call fails and opens the breaker; the others meet the open breaker.
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert cache.breaker.is_open
    assert 0 < int(answers[3]["Retry-After"]) <= 60


@pytest.mark.fault  # a server of its own
@pytest.mark.django_db(transaction=True)
def test_a_burst_spread_over_several_gunicorn_workers_lets_exactly_the_limit_through(settings):
    server = AppServer(
        {
            "DATABASE_URL": suite_database_url(),
            **suite_cache_env(),
            "THROTTLE_AUTH": "6/min",
            "WEB_CONCURRENCY": "3",
            "GUNICORN_THREADS": "4",
        },
        gunicorn=True,
        workers=3,
    )
    server.start()
    try:
        body = '{"username": "nobody", "password": "wrong-password"}'
        headers = {"Content-Type": "application/json"}
        start = threading.Barrier(BURST)

        def one(_: int) -> int:
            start.wait(10)
            return server.request("POST", "/api/v1/auth/token/", headers=headers, body=body, timeout=30)[0]

        with ThreadPoolExecutor(BURST) as pool:
            statuses = list(pool.map(one, range(BURST)))
        assert statuses.count(429) == BURST - 6, (statuses, server.log())
        assert set(statuses) == {401, 429}
        assert server.log().count("Booting worker") >= 3, server.log()
    finally:
        server.stop()
