"""The collection hooks: database queries, cached reads, Redis commands, `metrics.observe`.

`install()` runs in `MonitoringConfig.ready()` when MONITORING_ENABLED is on, in every
process (web and Celery). With monitoring off nothing here is connected: queries run
without a wrapper, the caching module finds no observer, and `metrics.timed` skips even
the clock, so "off" costs nothing measurable.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate

from journal_project import cache_backend, caching
from monitoring import catalog, metrics
from monitoring.collector import collector

_installed = False
# Off while `migrate` runs: DDL taking seconds on a deploy is not the app's query time,
# and would breach the database target right after every release.
_migrating = False

# Label tuples are interned per value: the hot path then allocates nothing.
_db_labels: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
_cache_labels: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
_redis_labels: dict[str, tuple[tuple[str, str], ...]] = {}
_valid_names: dict[str, bool] = {}
_OPERATIONS = ("select", "insert", "update", "delete")
_MAX_INTERNED = 10_000  # raw SQL could start with anything: never grow without bound

# Calls through the cache's breaker wrapper that are not Redis round trips.
_NOT_COMMANDS = frozenset(
    {
        "get_next_client_index",
        "get_client",
        "get_client_with_index",
        "connect",
        "disconnect",
        "close",
        "do_close_clients",
        "make_key",
        "make_pattern",
        "encode",
        "decode",
    }
)


def _operation(sql: Any) -> str:
    if isinstance(sql, str):
        head = sql[:8].lstrip().lower()
        for operation in _OPERATIONS:
            if head.startswith(operation):
                return operation
    return "other"


def _query_labels(alias: str, sql: Any) -> tuple[tuple[str, str], ...]:
    # Keyed by the statement's first characters ("SELECT", "INSERT", ...): one dict
    # lookup per query instead of parsing the SQL every time.
    key = (alias, sql[:6] if isinstance(sql, str) else "")
    labels = _db_labels.get(key)
    if labels is None:
        labels = (("alias", alias), ("operation", _operation(sql)))
        if len(_db_labels) < _MAX_INTERNED:
            _db_labels[key] = labels
    return labels


def _db_wrapper(execute: Any, sql: Any, params: Any, many: bool, context: dict[str, Any]) -> Any:
    if not _installed or _migrating:  # (uninstalled while this connection lived on in another thread)
        return execute(sql, params, many, context)
    started = perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        collector.record(catalog.DB_QUERY, perf_counter() - started, _query_labels(context["connection"].alias, sql))


def _add_wrapper(connection: Any) -> None:
    if _db_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_db_wrapper)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    _add_wrapper(connection)


def migrating() -> bool:
    """Whether this process is applying migrations (the tables may not exist yet)."""
    return _migrating


def _on_pre_migrate(**kwargs: Any) -> None:
    global _migrating
    _migrating = True


def _on_post_migrate(**kwargs: Any) -> None:
    global _migrating
    _migrating = False


# Commands sent without waiting for the reply (journal_project.cache_backend._SendChannel):
# their time is the send's, not a round trip's, so it stays out of the latency figures;
# their failures count.
_SENT_WITHOUT_REPLY = frozenset({"send_bytes_many"})


def on_cache_read(namespace: str, result: str, seconds: float) -> None:
    key = (namespace, result)
    labels = _cache_labels.get(key)
    if labels is None:
        labels = _cache_labels[key] = (("namespace", namespace), ("result", result))
    collector.record(catalog.CACHE_READ, seconds, labels)


def on_redis_call(operation: str, seconds: float, ok: bool) -> None:
    if operation in _NOT_COMMANDS:
        return
    labels = _redis_labels.get(operation)
    if labels is None:
        labels = _redis_labels[operation] = (("operation", operation),)
    if operation not in _SENT_WITHOUT_REPLY:
        collector.record(catalog.REDIS_COMMAND, seconds, labels)
    if not ok:
        collector.increment(catalog.REDIS_ERRORS, labels)


def on_observe(name: str, seconds: float, labels: dict[str, str]) -> None:
    valid = _valid_names.get(name)
    if valid is None:
        valid = catalog.is_valid_name(name)
        if len(_valid_names) < _MAX_INTERNED:
            _valid_names[name] = valid
    if not valid:
        return  # a name Prometheus could not carry; refuse rather than export garbage
    collector.record(name, seconds, tuple(sorted(labels.items())) if labels else ())


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    connection_created.connect(_on_connection_created, dispatch_uid="monitoring.db_wrapper")
    pre_migrate.connect(_on_pre_migrate, dispatch_uid="monitoring.pre_migrate")
    post_migrate.connect(_on_post_migrate, dispatch_uid="monitoring.post_migrate")
    # Connections opened before install (only this thread's are reachable) get it now.
    for connection in connections.all(initialized_only=True):
        _add_wrapper(connection)
    caching.add_observer(on_cache_read)
    cache_backend.add_observer(on_redis_call)
    metrics.add_recorder(on_observe)


def uninstall() -> None:
    global _installed
    _installed = False
    connection_created.disconnect(dispatch_uid="monitoring.db_wrapper")
    pre_migrate.disconnect(dispatch_uid="monitoring.pre_migrate")
    post_migrate.disconnect(dispatch_uid="monitoring.post_migrate")
    for connection in connections.all(initialized_only=True):
        if _db_wrapper in connection.execute_wrappers:
            connection.execute_wrappers.remove(_db_wrapper)
    caching.remove_observer(on_cache_read)
    cache_backend.remove_observer(on_redis_call)
    metrics.remove_recorder(on_observe)


def is_installed() -> bool:
    return _installed
