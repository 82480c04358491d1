"""Health endpoints (django-health-check 4.8): full report, readiness and liveness.

* `/health/`        every check of what is configured; names hosts and paths, so only
                    staff or `Authorization: Bearer $METRICS_TOKEN` may read it.
* `/health/ready/`  what the app cannot serve without: the database and its migrations.
                    Redis is deliberately absent: without it the app serves from PostgreSQL.
* `/health/live/`   the process answers; nothing else is checked.

Performance targets are not health: they live on the monitoring dashboard, because a
cold cache must not fail a probe.
"""

from __future__ import annotations

import dataclasses
import hmac
import re
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Cache as StockCache
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView
from redis.exceptions import AuthenticationError as RedisAuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from journal_project.exceptions import error_body
from monitoring import metrics

_migrations_verified: set[str] = set()


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Fails while the database lacks migrations that this code expects."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        # Once applied, migrations stay applied for the life of this code: check once.
        if self.alias in _migrations_verified:
            return
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as error:
            raise ServiceUnavailable("Cannot read the migration state") from error
        finally:
            connection.close()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} unapplied migration(s)")
        _migrations_verified.add(self.alias)


@dataclasses.dataclass(repr=False)  # keep the stock repr (host, port, db): it names the check
class RedisPing(Redis):
    """django-health-check's Redis check, also measuring the PING round trip.

    It fails only when Redis cannot be reached (refused, timed out, connection error):
    a slow but answering Redis is a performance target on the monitoring dashboard, not
    a failed probe. The round trip shows in the check's status and is recorded as a
    Redis command sample ("health_ping").
    """

    latency_ms: float | None = dataclasses.field(default=None, init=False, repr=False, compare=False)

    async def run(self) -> None:
        client = self.client_factory()
        try:
            await client.ping()  # connects
            started = time.perf_counter()
            await client.ping()  # the round trip alone
            elapsed = time.perf_counter() - started
        except ConnectionRefusedError as error:
            raise ServiceUnavailable("Unable to connect to Redis: Connection was refused.") from error
        except RedisTimeoutError as error:
            raise ServiceUnavailable("Unable to connect to Redis: Timeout.") from error
        except RedisAuthenticationError as error:
            # A subclass of ConnectionError: said apart, or the operator looks at the network
            # while the password in REDIS_URL is what Redis refuses.
            raise ServiceUnavailable(f"Redis refused the credentials in REDIS_URL: {error}") from error
        except RedisConnectionError as error:
            raise ServiceUnavailable("Unable to connect to Redis: Connection Error") from error
        except RedisError as error:
            # Reached and answering, but refusing: "ERR DB index is out of range" for a
            # database number the server does not have. The stock check said "unknown error".
            raise ServiceUnavailable(f"Redis answered with an error: {error}") from error
        finally:
            await client.aclose()
        self.latency_ms = elapsed * 1000
        metrics.observe("redis_command", elapsed, operation="health_ping")

    def pretty_status(self) -> str:
        return "OK" if self.latency_ms is None else f"OK (PING {self.latency_ms:.2f} ms)"


@dataclasses.dataclass(repr=False)  # the stock repr, "Cache(alias='default')", names the check
class Cache(StockCache):
    """django-health-check's cache check, naming Redis when Redis is the cause.

    Our cache turns Redis errors into misses (IGNORE_EXCEPTIONS: a page must never fail
    because of Redis), so the stock check only sees its value not come back and reports
    "Cache key djangohealthcheck_test:<uuid> does not match". The cache's circuit breaker
    saw the real cause: a failed Redis call during the check, or the breaker still open
    after one. The `Redis` check next to this one tells refused from timed out.
    """

    async def run(self) -> None:
        breaker = getattr(caches[self.alias], "breaker", None) if self.alias in settings.CACHES else None
        failures, rejections = (breaker.failures, breaker.rejections) if breaker is not None else (0, 0)
        try:
            await super().run()
        except HealthCheckException as error:
            if breaker is None:
                raise
            if breaker.last_reply and (breaker.failures > failures or breaker.rejections > rejections):
                # Redis answers, but refuses: its PING may succeed (out of memory, a read-only
                # replica), and the Redis check beside this one then says OK.
                raise ServiceUnavailable(
                    f"Redis answered the cache with an error: {breaker.last_reply}; pages are served "
                    f"from the database (the cache is off for up to {breaker.cooldown:g} s at a time)"
                ) from error
            if breaker.failures > failures:
                raise ServiceUnavailable(
                    "Redis failed the cache's write or read; pages are served from the database"
                ) from error
            if breaker.rejections > rejections:
                raise ServiceUnavailable(
                    "Redis unavailable (a recent call failed, the cache is off for up to "
                    f"{breaker.cooldown:g} s at a time); pages are served from the database"
                ) from error
            raise


@dataclasses.dataclass(repr=False)
class CeleryPing(Ping):
    """django-health-check's Celery check, named after the broker (without its password).

    The stock name is the dataclass repr, "Ping(app=<Celery journal_project at 0x7f…>)":
    the app object's memory address, so each process keyed its JSON answer differently.
    """

    def __repr__(self) -> str:
        try:
            with self.app.connection_for_write() as connection:  # not connected: only its URL is read
                broker = connection.as_uri()  # the password masked
        except Exception:  # a name must never fail the report
            broker = "?"
        return f"Celery(broker={broker!r})"

    def run(self) -> None:
        """The stock check's ping and queue test, on a connection of its own, tried once.

        The stock check borrows a connection from the app's pool and lets kombu retry:
        * after the broker restarted (a Redis broker, every deploy of it), the pooled
          connection had been closed by the server, and the first `/health/` of every web
          process (and its dashboard) reported "Connection closed by server" with the
          broker up and a worker answering;
        * with the broker down, kombu retried the connection for `broker_connection_timeout`
          (4 s), so `/health/` took 6 s refused (4 s hung) to report "Timed out after 2
          seconds": a poller with a 5 s timeout saw no answer at all.
        A fresh connection cannot be stale, and one attempt bounded by the check's own
        timeout says what is wrong in about that time.
        """
        budget = self.timeout.total_seconds()
        try:
            connection = self.app.connection_for_write(
                connect_timeout=budget,
                transport_options={**self.app.conf.broker_transport_options, "max_retries": 0},
            )
            with connection:
                connection.ensure_connection(max_retries=0, timeout=budget)
                replies = self.app.control.ping(timeout=budget, limit=self.limit, connection=connection)
                if not replies:
                    raise ServiceUnavailable("Celery workers unavailable")
                self._check_queues(list(self.active_workers(replies)), connection)
        except HealthCheckException:
            raise
        except Exception as error:  # kombu's errors vary by transport; the stock check said "unknown error"
            cause = re.sub(r"://[^@/\s]*@", "://**@", str(error))[:200]
            raise ServiceUnavailable(f"The broker did not take the ping: {type(error).__name__}: {cause}") from error

    def _check_queues(self, workers: list[str], connection: Any) -> None:
        """The stock `check_active_queues`, asking on the same connection."""
        try:
            defined = {queue.name for queue in self.app.conf.task_queues}
        except TypeError:  # task_queues may be None
            defined = {self.app.conf.task_default_queue}
        inspect = self.app.control.inspect(workers, timeout=self.timeout.total_seconds(), connection=connection)
        active = {queue.get("name") for queues in (inspect.active_queues() or {}).values() for queue in queues}
        for queue in sorted(defined - active):
            raise ServiceUnavailable(f"No worker for Celery task queue {queue}")


def _redis_client(url: str) -> Any:
    from redis.asyncio import Redis

    return Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def full_checks() -> list[Any]:
    checks: list[Any] = [
        "health_check.checks.Database",
        Migrations,
        Cache,
        ("health_check.contrib.psutil.Disk", {"path": str(settings.BASE_DIR), "max_disk_usage_percent": 95.0}),
        ("health_check.contrib.psutil.Memory", {"max_memory_usage_percent": 95.0}),
    ]
    if settings.REDIS_URL:
        checks.append((RedisPing, {"client_factory": partial(_redis_client, settings.REDIS_URL)}))
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        from datetime import timedelta

        # limit=1: the contract asks for a worker answering a ping, and without a limit the
        # check waits its whole timeout for more answers, so every /health/ (and dashboard)
        # took 2 s. Every worker consumes the default queue, so the first one to answer
        # also passes the check's queue test.
        checks.append((CeleryPing, {"timeout": timedelta(seconds=2), "limit": 1}))
    return checks


def _has_metrics_token(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _, supplied = header.partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip(), expected)


async def _is_operator(request: HttpRequest) -> bool:
    if _has_metrics_token(request):
        return True
    user = await request.auser()
    return bool(user.is_authenticated and user.is_staff)


def _failing_checks_are_the_answer(response: HttpResponse) -> HttpResponse:
    """Keep a 500 of failing checks out of `django.request` (and so out of the admins' mail).

    Monitors and load balancers poll these every few seconds: logged as a server error,
    every poll during an outage mailed the admins "Internal Server Error: /health/".
    django-health-check already logs each failing check (WARNING, logger `health_check`),
    and alerting on the status is the poller's job.
    """
    if response.status_code >= 500:
        response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own flag (log_response)
    return response


class FullHealthView(HealthCheckView):
    async def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not await _is_operator(request):
            response = JsonResponse(
                error_body("forbidden", "The full health report is for operators (staff or METRICS_TOKEN)."),
                status=403,
            )
            response["Cache-Control"] = "no-store"
            return response
        return _failing_checks_are_the_answer(await super().dispatch(request, *args, **kwargs))

    def get_checks(self):  # type: ignore[no-untyped-def]
        self.checks = full_checks()
        return super().get_checks()


class ReadinessView(HealthCheckView):
    checks = ("health_check.checks.Database", Migrations)

    async def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _failing_checks_are_the_answer(await super().dispatch(request, *args, **kwargs))


@never_cache
def liveness(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})
