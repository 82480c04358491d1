"""django-redis with a circuit breaker and per-command timing.

django-redis already turns connection errors into misses (`IGNORE_EXCEPTIONS`). What it
cannot do alone is stop paying for a hung Redis: with a 250 ms socket timeout every cache
call of every request would wait that long. After one failure the breaker opens and for
`CACHE_BREAKER_COOLDOWN` seconds every cache call in this process fails instantly (a
miss, served from PostgreSQL); then one call is let through to probe, and success closes
the breaker again, so the hit rate recovers by itself.

Everything that uses the default cache goes through it: our read path, sessions,
throttles, monitoring. (The login lockout counts in the database, so it holds while
Redis is down.)
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import lz4.block
from django.conf import settings
from django_redis.cache import RedisCache, omit_exception
from django_redis.client import DefaultClient, SentinelClient
from django_redis.client.default import _main_exceptions
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import (
    InvalidResponse,
    NoPermissionError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisError,
    ResponseError,
)

logger = logging.getLogger(__name__)

# Called with (operation, seconds, ok) after every Redis call the cache makes.
RedisObserver = Callable[[str, float, bool], None]
_observers: list[RedisObserver] = []
_call_state = threading.local()


def add_observer(observer: RedisObserver) -> None:
    if observer not in _observers:
        _observers.append(observer)


def remove_observer(observer: RedisObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


def last_call_failed() -> bool:
    """Did the last cache call in this thread fail (or get refused by the open breaker)?"""
    return getattr(_call_state, "failed", False)


class CircuitBreaker:
    """Process-wide: opens on a failure, lets one probe through after the cool-down."""

    def __init__(self, cooldown: float) -> None:
        self.cooldown = cooldown
        self.failures = 0
        self.rejections = 0
        self._open_until = 0.0
        self._lock = threading.Lock()
        self._is_tripped = False
        # Redis's error reply when the last failure was one (out of memory, a read-only
        # replica, MISCONF), for the health report: its PING may still succeed, and
        # "unavailable" would send the operator to the network.
        self.last_reply = ""

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def allow(self) -> bool:
        if time.monotonic() >= self._open_until:
            return True
        with self._lock:
            self.rejections += 1
        return False

    def record_failure(self, operation: str, error: BaseException | None) -> None:
        described = describe_error(error)
        with self._lock:
            self.last_reply = error_reply(error)
            self.failures += 1
            first = not self._is_tripped
            self._is_tripped = True
            self._open_until = time.monotonic() + self.cooldown
        if first:
            logger.error(
                "Redis unavailable (%s failed: %s); serving from the database for %.1fs",
                operation,
                described,
                self.cooldown,
            )

    def record_success(self) -> None:
        if self._is_tripped:
            with self._lock:
                if not self._is_tripped:
                    return
                self._is_tripped = False
                self._open_until = 0.0
            logger.warning("Redis is reachable again; cache resumed")

    def reset(self) -> None:
        with self._lock:
            self._is_tripped = False
            self._open_until = 0.0
            self.last_reply = ""


# redis-py raises these for Redis's error replies without the reply's code word.
_ERROR_CODES = ((OutOfMemoryError, "OOM"), (ReadOnlyError, "READONLY"))


def error_reply(error: BaseException | None) -> str:
    """Redis's own error reply, as redis-cli shows it ("OOM command not allowed…"); "" when
    the failure was not Redis answering with an error. The replies name no host or key."""
    if not isinstance(error, ResponseError):
        return ""
    reply = " ".join(str(error).split())[:160]
    for kind, code in _ERROR_CODES:
        if isinstance(error, kind) and not reply.startswith(code):
            return f"{code} {reply}"
    return reply


def describe_error(error: BaseException | None) -> str:
    """A failure in a few words: Redis's error reply, else the kind of error."""
    if error is None:
        return "error"
    return error_reply(error) or type(error).__name__


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str) -> CircuitBreaker:
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = CircuitBreaker(getattr(settings, "CACHE_BREAKER_COOLDOWN", 5.0))
        return breaker


def all_breakers() -> dict[str, CircuitBreaker]:
    return dict(_breakers)


class _GuardedClient:
    """Wraps django-redis's client: every public method passes the breaker and is timed."""

    def __init__(self, client: Any, breaker: CircuitBreaker) -> None:
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name.startswith("_") or not callable(attribute):
            return attribute
        breaker = self._breaker

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not breaker.allow():
                _call_state.failed = True
                error = ConnectionInterrupted(connection=None)
                error.__cause__ = RedisConnectionError("circuit breaker open")
                raise error
            started = time.perf_counter()
            try:
                result = attribute(*args, **kwargs)
            except ConnectionInterrupted as error:
                _call_state.failed = True
                breaker.record_failure(name, error.__cause__)
                _notify(name, time.perf_counter() - started, False)
                raise
            except Exception as error:
                # Not a broken connection, but not Redis answering either: another
                # service on the port, a TLS mismatch, replies that do not parse or do
                # not have the shape asked for (redis-py's own handshake then fails with
                # an AttributeError). django-redis lets these through; they fail like an
                # unreachable Redis. What is not a RedisError is logged in full, in case
                # it is a bug of ours rather than a stranger on the port.
                if not isinstance(error, RedisError):
                    logger.warning("Redis call %s failed with %s", name, type(error).__name__, exc_info=True)
                _call_state.failed = True
                breaker.record_failure(name, error)
                _notify(name, time.perf_counter() - started, False)
                raise ConnectionInterrupted(connection=None) from error
            _call_state.failed = False
            breaker.record_success()
            _notify(name, time.perf_counter() - started, True)
            return result

        # Remember the wrapper so the next call skips __getattr__.
        setattr(self, name, guarded)
        return guarded


def _notify(operation: str, seconds: float, ok: bool) -> None:
    for observer in _observers:
        try:
            observer(operation, seconds, ok)
        except Exception:
            logger.exception("redis observer failed")


# --- Values that are already bytes -------------------------------------------------------

# The read cache (journal_project.caching) stores values it has encoded itself (msgpack)
# and rendered responses. Through django-redis's get/set they would be serialized and
# compressed again, and every value of an MGET decoded one by one: for a list page's
# twenty entries that took 320 µs against 140 µs for the MGET alone (unloaded). These
# commands store the bytes with a one-byte header instead, compressed (lz4) when large.
_RAW = b"\x00"
_LZ4 = b"\x01"
COMPRESS_MIN_BYTES = 1024


def pack_bytes(payload: bytes) -> bytes:
    """What Redis stores for `payload`: a header byte, then the bytes as they are or compressed."""
    if len(payload) >= COMPRESS_MIN_BYTES:
        compressed = lz4.block.compress(payload)
        if len(compressed) < len(payload):
            return _LZ4 + compressed
    return _RAW + payload


def unpack_bytes(stored: Any) -> bytes | None:
    """The payload `pack_bytes` stored; None (a miss) for anything else under the key."""
    if not isinstance(stored, bytes):
        return None  # not a string reply: nothing this cache wrote
    header = stored[:1]
    if header == _RAW:
        return stored[1:]
    if header == _LZ4:
        try:
            return lz4.block.decompress(memoryview(stored)[1:])
        except (lz4.block.LZ4BlockError, ValueError):  # not what pack_bytes wrote
            return None
    return None


# A read that misses takes the key's stampede lock next (journal_project.caching): one
# script does both, and takes no lock when the value is there.
_GET_OR_LOCK = """
local value = redis.call('GET', KEYS[1])
if value then return {value, 0} end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return {false, 1} end
return {false, 0}
"""


def _refuses_scripts(error: ResponseError) -> bool:
    """Does this error say the server will not run scripts at all (ACL, renamed commands)?"""
    if isinstance(error, NoPermissionError):
        return True
    return "unknown command" in str(error).lower()


# A throttle's count (journal_project.api.throttles): a sliding window of the client's
# request times in a sorted set, checked and added to in one script, so requests on
# several workers at once can never both see room for one more. DRF's own throttle read
# the list of times and wrote it back in two calls: a burst over two workers let 63
# through at 60/min. Times are Redis's clock (every worker sees the same one), in ms;
# members are the caller's random ids (two requests in one millisecond both count).
# Answers {1, 0} when the request counts, {0, ms until the oldest counted one leaves}.
_THROTTLE_HIT = """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] == nil then return {0, window} end
return {0, tonumber(oldest[2]) + window - now}
"""


class _SendChannel:
    """A connection of its own that sends stores without waiting for Redis's replies.

    A request's stores go to Redis when it ends. Waiting there for the replies costs the
    worker a round trip in which its core mostly idles (on loopback here ~100 µs of wake-ups
    for a few µs of Redis's work). The replies are read before the next send instead, by
    when they have arrived, so a store that failed still reaches the breaker, one send
    later. Nothing else uses this connection, so no reply can ever be read as another
    command's.
    """

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._connection: Any = None
        self._pid = 0
        self._pending = 0
        self._lock = threading.Lock()

    def send(self, commands: list[tuple[Any, ...]]) -> None:
        with self._lock:
            try:
                self._drain()
                # With every reply read, the connection has nothing more to say unless
                # Redis closed it (restarted, or a proxy dropped it): a send into it would
                # seem to succeed and be lost. One non-blocking poll tells.
                if self._connection is not None and self._pid == os.getpid() and self._connection.can_read(timeout=0):
                    raise RedisConnectionError("the send channel's connection was closed")
            except RedisConnectionError:
                # The connection broke since the last send (Redis restarted, a proxy
                # dropped it): those replies are lost with it, and the stores they
                # acknowledged are at worst misses later. Send on a new one, as redis-py
                # retries its own commands once on a new connection. A timeout is not
                # retried: a hung Redis costs one timeout, then the breaker answers.
                self._close()
            except BaseException:
                self._close()
                raise
            packed = None
            for attempt in (1, 2):
                connection = self._open()
                try:
                    packed = packed or connection.pack_commands(commands)
                    connection.send_packed_command(packed, check_health=False)
                except RedisConnectionError:
                    self._close()
                    if attempt == 2:
                        raise
                    continue
                except BaseException:
                    self._close()
                    raise
                self._pending = len(commands)
                return

    def drain(self) -> None:
        """Wait for the replies of what was sent (tests; a process about to exit)."""
        with self._lock:
            try:
                self._drain()
            except BaseException:
                self._close()
                raise

    def _open(self) -> Any:
        if self._connection is not None and self._pid != os.getpid():
            self._connection, self._pending = None, 0  # a forked child: the parent's connection is not ours
        if self._connection is None:
            # Taken from the client's pool (so its settings, TLS or Sentinel, apply) and kept.
            self._connection = self._pool.get_connection()
            self._pid = os.getpid()
        return self._connection

    def _drain(self) -> None:
        while self._pending:
            self._pending -= 1
            try:
                self._connection.read_response()
            except ResponseError:
                pass  # a store Redis refused (out of memory, say): only a miss later

    def _close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.disconnect()
            self._pool.release(self._connection)
        self._connection, self._pending = None, 0


# One send channel per connection pool, for the whole process. Django gives every thread
# a cache object (and django-redis client) of its own, over one shared pool: a channel per
# client held one pooled connection per thread for good, and a server that starts a
# thread per connection (runserver, i.e. `make run`) used up the pool within
# REDIS_MAX_CONNECTIONS requests, after which every cache call failed. The channel's lock
# serialises the sends, which only write to a socket and read replies that have arrived.
_send_channels: weakref.WeakKeyDictionary[Any, _SendChannel] = weakref.WeakKeyDictionary()
_send_channels_lock = threading.Lock()


def _send_channel_for(pool: Any) -> _SendChannel:
    channel = _send_channels.get(pool)
    if channel is None:
        with _send_channels_lock:
            channel = _send_channels.get(pool)
            if channel is None:
                channel = _send_channels[pool] = _SendChannel(pool)
    return channel


class BytesCommands:
    """Commands for values that are bytes already (see above), for a django-redis client.

    Keys are made as django-redis makes them (prefix and version), so the cache's
    `keys`, `delete_pattern` and `ttl` see them like any other key.
    """

    get_client: Callable[..., Any]
    make_key: Callable[..., Any]

    def get_bytes(self, key: str) -> bytes | None:
        client = self.get_client(write=False)
        try:
            stored = client.get(self.make_key(key))
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=client) from error
        return None if stored is None else unpack_bytes(stored)

    def get_bytes_many(self, keys: list[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        client = self.get_client(write=False)
        try:
            stored = client.mget([self.make_key(key) for key in keys])
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=client) from error
        found = {}
        for key, value in zip(keys, stored, strict=True):
            payload = None if value is None else unpack_bytes(value)
            if payload is not None:
                found[key] = payload
        return found

    def _script_pair(self, client: Any, source: str, keys: list[Any], args: list[Any], refused: str) -> list | None:
        """Run one of our Lua scripts, whose answer is a pair; None when this Redis refuses
        scripts (a managed service's ACL, say), and from then on without asking again:
        the caller uses plain commands instead (`refused` says what that costs, once)."""
        if getattr(self, "_scripts_refused", False):
            return None
        scripts = self.__dict__.setdefault("_scripts", {})
        script = scripts.get(source)
        if script is None:
            script = scripts[source] = client.register_script(source)
        try:
            reply = script(keys=keys, args=args, client=client)
        except ResponseError as error:
            if not _refuses_scripts(error):
                raise
            logger.warning("Redis refused a Lua script; %s", refused)
            self._scripts_refused = True
            return None
        if not isinstance(reply, list) or len(reply) != 2:
            raise ConnectionInterrupted(connection=client) from InvalidResponse("the script answered something else")
        return reply

    def get_bytes_or_lock(self, key: str, lock_key: str, lock_ttl: int) -> tuple[bytes | None, bool]:
        """The value under `key`; when there is none, take the stampede lock `lock_key` if it
        is free, in the same round trip. Returns (value, whether this call took the lock).
        """
        client = self.get_client(write=True)
        names = [self.make_key(key), self.make_key(lock_key)]
        try:
            try:
                reply = self._script_pair(
                    client, _GET_OR_LOCK, names, [lock_ttl], "stampede locks take a round trip of their own"
                )
            except ResponseError:
                # Not a refusal but out of memory, a replica that is read-only during a
                # failover, a busy script: this call's problem only. The two commands below
                # meet it too, and a failure there opens the breaker.
                reply = None
            if reply is not None:
                stored, locked = reply
                return (None if stored is None else unpack_bytes(stored)), bool(locked)
            stored = client.get(names[0])
            if stored is not None:
                return unpack_bytes(stored), False
            return None, bool(client.set(names[1], 1, nx=True, ex=lock_ttl))
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=client) from error

    def throttle_hit(self, key: str, limit: int, window_ms: int) -> tuple[bool, int]:
        """Count one request against `limit` requests per `window_ms` under `key`, atomically.

        Returns (whether it counts, i.e. is allowed; if not, ms until it would be).
        """
        client = self.get_client(write=True)
        name = self.make_key(key)
        member = secrets.token_hex(8)
        try:
            reply = self._script_pair(
                client, _THROTTLE_HIT, [name], [limit, window_ms, member], "throttles count in a MULTI transaction"
            )
            if reply is not None:
                return bool(reply[0]), int(reply[1])
            return self._throttle_hit_in_transaction(client, name, member, limit, window_ms)
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=client) from error

    @staticmethod
    def _throttle_hit_in_transaction(
        client: Any, name: Any, member: str, limit: int, window_ms: int
    ) -> tuple[bool, int]:
        """The script's count for a Redis that runs no scripts: add, then count, in MULTI.

        Still atomic; a refused request takes its own time out again afterwards, so for
        that moment it may refuse another one (never let one more through). The time is
        this process's clock here.
        """
        now = time.time_ns() // 1_000_000
        pipeline = client.pipeline(transaction=True)
        pipeline.zremrangebyscore(name, "-inf", now - window_ms)
        pipeline.zadd(name, {member: now})
        pipeline.pexpire(name, window_ms)
        pipeline.zcard(name)
        pipeline.zrange(name, 0, 0, withscores=True)
        *_, count, oldest = pipeline.execute()
        if count <= limit:
            return True, 0
        client.zrem(name, member)
        return False, max(1, int(oldest[0][1]) + window_ms - now)

    def send_bytes_many(self, values: dict[str, bytes], timeout: int) -> None:
        """Like `set_bytes_many`, without waiting for the replies (`_SendChannel`)."""
        if not values:
            return
        channel = _send_channel_for(self.get_client(write=True).connection_pool)
        commands = [("SET", self.make_key(key), pack_bytes(payload), "EX", timeout) for key, payload in values.items()]
        try:
            channel.send(commands)
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=None) from error

    def drain_sent(self) -> None:
        """Wait until Redis has taken everything `send_bytes_many` sent."""
        channel = _send_channels.get(self.get_client(write=True).connection_pool)
        if channel is not None:
            try:
                channel.drain()
            except _main_exceptions as error:
                raise ConnectionInterrupted(connection=None) from error

    def set_bytes_many(self, values: dict[str, bytes], timeout: int) -> None:
        """Store every value with the same TTL (seconds), in one round trip."""
        if not values:
            return
        client = self.get_client(write=True)
        try:
            if len(values) == 1:
                key, payload = next(iter(values.items()))
                client.set(self.make_key(key), pack_bytes(payload), ex=timeout)
                return
            pipeline = client.pipeline(transaction=False)
            for key, payload in values.items():
                pipeline.set(self.make_key(key), pack_bytes(payload), ex=timeout)
            pipeline.execute()
        except _main_exceptions as error:
            raise ConnectionInterrupted(connection=client) from error


class BytesClient(BytesCommands, DefaultClient):
    """The client of a single Redis server (CLIENT_CLASS)."""


class BytesSentinelClient(BytesCommands, SentinelClient):
    """The client of a Redis behind Sentinel (CLIENT_CLASS, docs/operations.md)."""


class ResilientRedisCache(RedisCache):
    """The default cache on the real stack: django-redis plus the breaker.

    With a `BytesCommands` client class (`stores_bytes`) it also stores bytes as they
    are (`get_bytes`, `get_bytes_many`, `get_bytes_or_lock`, `send_bytes_many`,
    `set_bytes_many`) and counts throttled requests atomically (`throttle_hit`,
    `counts_atomically`); like every other call, these pass the breaker, are timed, and
    fail as misses. Callers check `stores_bytes` first (journal_project.caching).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.breaker = breaker_for(server)
        self._guarded: _GuardedClient | None = None
        self.stores_bytes = issubclass(self._client_cls, BytesCommands)
        # The throttles count in one script (`throttle_hit`) with such a client.
        self.counts_atomically = self.stores_bytes

    @property
    def client(self) -> Any:  # type: ignore[override]
        if self._guarded is None:
            self._guarded = _GuardedClient(RedisCache.client.fget(self), self.breaker)
        return self._guarded

    @omit_exception
    def get_bytes(self, key: str) -> bytes | None:
        return self.client.get_bytes(key)

    @omit_exception(return_value={})
    def get_bytes_many(self, keys: list[str]) -> dict[str, bytes]:
        return self.client.get_bytes_many(keys)

    @omit_exception(return_value=(None, False))
    def get_bytes_or_lock(self, key: str, lock_key: str, lock_ttl: int) -> tuple[bytes | None, bool]:
        return self.client.get_bytes_or_lock(key, lock_key, lock_ttl)

    @omit_exception
    def send_bytes_many(self, values: dict[str, bytes], timeout: int) -> None:
        self.client.send_bytes_many(values, timeout)

    @omit_exception
    def drain_sent(self) -> None:
        self.client.drain_sent()

    @omit_exception
    def set_bytes_many(self, values: dict[str, bytes], timeout: int) -> None:
        self.client.set_bytes_many(values, timeout)

    @omit_exception(return_value=None)
    def throttle_hit(self, key: str, limit: int, window_ms: int) -> tuple[bool, int] | None:
        """`BytesCommands.throttle_hit`; None when Redis failed or the breaker is open."""
        return self.client.throttle_hit(key, limit, window_ms)
