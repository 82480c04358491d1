"""The read cache's values go to Redis as the bytes they are: stored with a header, big ones compressed."""

from __future__ import annotations

import copy
import os

import pytest
import redis
from django.core.cache import cache

from journal_project import cache_backend, caching
from tests.core.test_caching import new_request, no_monitoring_flush, read_time_zone  # noqa: F401 (a fixture)
from tests.support.redis_server import RedisServer


def stored_in_redis(key: str) -> bytes:
    """What Redis itself holds under one of the cache's keys."""
    return cache.client.get_client(write=False).get(cache.make_key(key))


def test_small_values_are_stored_as_they_are_and_read_back():
    cache.set_bytes_many({"bytes:a": b"\x93\x01\x02\x03", "bytes:b": b"{}"}, 60)

    assert stored_in_redis("bytes:a") == b"\x00\x93\x01\x02\x03"
    assert cache.get_bytes("bytes:a") == b"\x93\x01\x02\x03"
    assert cache.get_bytes_many(["bytes:a", "bytes:missing", "bytes:b"]) == {
        "bytes:a": b"\x93\x01\x02\x03",
        "bytes:b": b"{}",
    }
    assert 0 < cache.ttl("bytes:a") <= 60


def test_large_values_are_compressed():
    page = b'{"results": [' + b",".join(b'{"title": "a quiet morning walk"}' for _ in range(200)) + b"]}"
    cache.set_bytes_many({"bytes:page": page}, 60)

    stored = stored_in_redis("bytes:page")
    assert stored[:1] == b"\x01"
    assert len(stored) < len(page) / 4
    assert cache.get_bytes("bytes:page") == page
    assert cache.get_bytes_many(["bytes:page"]) == {"bytes:page": page}


def test_values_that_do_not_compress_are_stored_as_they_are():
    noise = os.urandom(4096)  # lz4 cannot shrink it
    cache.set_bytes_many({"bytes:noise": noise}, 60)
    assert stored_in_redis("bytes:noise")[:1] == b"\x00"
    assert cache.get_bytes("bytes:noise") == noise


def test_anything_else_under_a_key_reads_as_a_miss():
    client = cache.client.get_client(write=True)
    client.set(cache.make_key("bytes:foreign"), b"\x05not ours")
    client.set(cache.make_key("bytes:broken"), b"\x01\xff\xff\xff\xffnot lz4")
    cache.set("bytes:django-redis", "a value django-redis encoded")

    assert cache.get_bytes("bytes:foreign") is None
    assert cache.get_bytes("bytes:broken") is None
    assert cache.get_bytes_many(["bytes:foreign", "bytes:broken", "bytes:django-redis"]) == {}


@pytest.mark.django_db
def test_the_read_cache_stores_its_values_through_the_bytes_commands(user):
    read_time_zone(user.pk)
    key = caching.make_key(
        caching.ENTRIES, user.pk, caching.current_generation(caching.ENTRIES, user.pk), "time-zone", ()
    )
    assert stored_in_redis(key) == b"\x00" + caching._encode("UTC")


@pytest.mark.django_db
def test_a_client_class_without_the_bytes_commands_still_caches(user, settings):
    # A deployment may name django-redis's own client (an older settings file, Sentinel):
    # the values then go through its get/set, encoded by its serializer.
    base = copy.deepcopy(settings.CACHES["default"])
    base["OPTIONS"]["CLIENT_CLASS"] = "django_redis.client.DefaultClient"
    settings.CACHES = {**settings.CACHES, "default": base}
    assert not cache.stores_bytes

    calls: list = []
    assert read_time_zone(user.pk, calls) == "UTC"
    new_request()
    assert read_time_zone(user.pk, calls) == "UTC"
    assert calls == [1]


def test_the_sentinel_client_has_the_bytes_commands():
    assert issubclass(cache_backend.BytesSentinelClient, cache_backend.BytesCommands)


def test_a_lookup_that_misses_takes_the_stampede_lock_in_the_same_round_trip():
    assert cache.get_bytes_or_lock("bytes:value", "bytes:value:lock", 10) == (None, True)
    assert 0 < cache.ttl("bytes:value:lock") <= 10
    # The next reader finds the lock taken: it waits for the value instead of building it.
    assert cache.get_bytes_or_lock("bytes:value", "bytes:value:lock", 10) == (None, False)

    cache.set_bytes_many({"bytes:value": b"\x91\x01"}, 60)
    cache.delete("bytes:value:lock")
    assert cache.get_bytes_or_lock("bytes:value", "bytes:value:lock", 10) == (b"\x91\x01", False)
    assert cache.get("bytes:value:lock") is None  # a hit takes no lock


def test_stores_sent_without_waiting_land_in_order():
    cache.send_bytes_many({"bytes:sent": b"first", "bytes:other": b"\x90"}, 60)
    cache.send_bytes_many({"bytes:sent": b"second"}, 60)
    cache.drain_sent()
    assert cache.get_bytes_many(["bytes:sent", "bytes:other"]) == {"bytes:sent": b"second", "bytes:other": b"\x90"}
    assert 0 < cache.ttl("bytes:sent") <= 60


@pytest.mark.usefixtures("no_monitoring_flush")
def test_request_threads_that_come_and_go_do_not_use_up_the_connection_pool(settings):
    """`make run` serves each connection on a new thread (runserver), and Django gives each
    thread a cache object of its own. Each kept its own send channel, holding a connection
    from the process's shared pool for good: after about REDIS_MAX_CONNECTIONS requests the
    pool was empty, every cache call failed (MaxConnectionsError) and the cache stayed off
    until the process was restarted, while Redis itself was fine."""
    import threading

    from django.core.cache import caches

    pool = cache.client.get_client(write=True).connection_pool
    limit = pool.max_connections
    assert limit <= 1000

    def one_request(number: int) -> None:
        per_thread = caches["default"]  # a cache object of this thread's own, as in a request
        per_thread.send_bytes_many({f"bytes:thread:{number}": b"\x90"}, 60)

    for number in range(limit + 10):
        thread = threading.Thread(target=one_request, args=(number,))
        thread.start()
        thread.join()
    assert len(pool._in_use_connections) <= 2
    failures = cache.breaker.failures
    cache.drain_sent()
    assert cache.get_bytes(f"bytes:thread:{limit + 9}") == b"\x90"
    assert cache.breaker.failures == failures


@pytest.mark.usefixtures("no_monitoring_flush")
def test_the_send_channel_outlives_a_dropped_connection(redis_proxy):
    cache.send_bytes_many({"bytes:before": b"1"}, 60)
    redis_proxy.drop_connections()  # Redis restarted, say: the unread replies are gone with it

    cache.send_bytes_many({"bytes:after": b"2"}, 60)  # a new connection, no error
    cache.drain_sent()
    assert not cache.breaker.is_open
    assert cache.get_bytes("bytes:after") == b"2"


@pytest.mark.usefixtures("no_monitoring_flush")
def test_a_failed_send_opens_the_breaker_and_recovers(redis_proxy):
    cache.send_bytes_many({"bytes:first": b"0"}, 60)
    redis_proxy.cut()
    # Sent without waiting, a store into a connection Redis has dropped may still leave
    # this process; the next send reads the lost replies, fails to reconnect and opens
    # the breaker. Like every cache call in an outage, neither raises.
    cache.send_bytes_many({"bytes:lost": b"1"}, 60)
    cache.send_bytes_many({"bytes:lost": b"1"}, 60)
    assert cache.breaker.is_open
    redis_proxy.restore()
    cache.breaker.reset()
    cache.send_bytes_many({"bytes:kept": b"2"}, 60)
    cache.drain_sent()
    assert cache.get_bytes_many(["bytes:lost", "bytes:kept"]) == {"bytes:kept": b"2"}


@pytest.fixture
def redis_without_scripts(settings):
    """The default cache as a Redis user that may run everything but Lua scripts."""
    admin = cache.client.get_client(write=True)
    admin.execute_command("ACL", "SETUSER", "journal_test_noscript", "on", "nopass", "~*", "&*", "+@all", "-@scripting")
    base = copy.deepcopy(settings.CACHES["default"])
    base["LOCATION"] = base["LOCATION"].replace("redis://", "redis://journal_test_noscript@", 1)
    settings.CACHES = {**settings.CACHES, "default": base}
    try:
        yield
    finally:
        admin.execute_command("ACL", "DELUSER", "journal_test_noscript")


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_without_scripts")
def test_a_redis_that_refuses_scripts_still_gets_its_stampede_locks(user, caplog):
    calls: list = []
    assert read_time_zone(user.pk, calls) == "UTC"
    assert "refused a Lua script" in caplog.text
    assert not cache.breaker.is_open
    key = caching.make_key(
        caching.ENTRIES, user.pk, caching.current_generation(caching.ENTRIES, user.pk), "time-zone", ()
    )
    assert cache.get(f"{key}:lock") == 1
    new_request()
    assert read_time_zone(user.pk, calls) == "UTC"
    assert calls == [1]


@pytest.fixture
def full_redis(settings):
    """The default cache on a Redis of its own, out of memory (maxmemory reached, noeviction)."""
    server = RedisServer()
    server.start()
    base = copy.deepcopy(settings.CACHES["default"])
    base["LOCATION"] = server.url
    settings.CACHES = {**settings.CACHES, "default": base}
    admin = redis.Redis(port=server.port)
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", "1")
    try:
        yield admin
    finally:
        admin.close()
        server.stop()


@pytest.mark.usefixtures("no_monitoring_flush")
def test_a_full_redis_fails_the_lookup_without_turning_scripts_off_for_good(full_redis, caplog):
    # Out of memory, Redis refuses the script (it may write) and the lock's SET: the
    # lookup is a miss without a lock, and the breaker opens, as for any failing Redis.
    assert cache.get_bytes_or_lock("bytes:full", "bytes:full:lock", 10) == (None, False)
    assert cache.breaker.is_open
    assert "refused a Lua script" not in caplog.text

    full_redis.config_set("maxmemory", "0")
    cache.breaker.reset()
    scripts_before = full_redis.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0)
    assert cache.get_bytes_or_lock("bytes:full", "bytes:full:lock", 10) == (None, True)
    assert full_redis.info("commandstats")["cmdstat_evalsha"]["calls"] == scripts_before + 1  # one round trip again


@pytest.mark.usefixtures("no_monitoring_flush")
def test_a_resp3_handshake_with_a_server_that_is_not_redis_is_a_failure_not_an_exception(settings, redis_proxy):
    # With RESP3 redis-py reads HELLO's reply as a map; "+OK" makes its handshake raise
    # AttributeError, which neither redis-py nor django-redis turns into a Redis error.
    location = f"{settings.CACHES['default']['LOCATION']}?protocol=3"
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": location}}
    assert cache.set("bytes:resp3", 1)
    redis_proxy.set_mode(redis_proxy.WRONG_REPLIES)
    assert cache.get_bytes("bytes:resp3") is None
    assert cache.breaker.is_open
