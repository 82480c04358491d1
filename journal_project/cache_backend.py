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
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError

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
        with self._lock:
            self.failures += 1
            first = not self._is_tripped
            self._is_tripped = True
            self._open_until = time.monotonic() + self.cooldown
        if first:
            logger.error(
                "Redis unavailable (%s failed: %s); serving from the database for %.1fs",
                operation,
                type(error).__name__ if error else "error",
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


class ResilientRedisCache(RedisCache):
    """The default cache on the real stack: django-redis plus the breaker."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.breaker = breaker_for(server)
        self._guarded: _GuardedClient | None = None

    @property
    def client(self) -> Any:  # type: ignore[override]
        if self._guarded is None:
            self._guarded = _GuardedClient(RedisCache.client.fget(self), self.breaker)
        return self._guarded
