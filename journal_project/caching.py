"""The one caching mechanism of the project: keys, generations, `cached()`, invalidation.

Every cached read in the project goes through `cached()` (or its siblings here:
`cached_bytes()` for rendered responses, `cached_many()` for values keyed by their own
version); every invalidation is one `bump()`, called by model signals. The design, and
why it holds the properties in docs/architecture.md:

* **Keys** are built here only: ``j:<namespace>:<scope>:<epoch>.<generation>:<label>:<digest>``
  (the epoch names the copy of the database, so a restored backup never meets old keys).
  A user-scoped namespace has the user's id as scope, so one user's request can only
  ever compute keys under its own id.
* **Generations live in PostgreSQL** (`core.CacheGeneration`). A write bumps the
  generation *inside its own transaction*, so the new generation becomes visible at
  the very instant the new rows do. A reader reads the generation first and the rows
  second; whatever it then stores lands under the generation it read, which is dead as
  soon as the write commits. A reader racing a writer therefore cannot park stale rows
  where later readers look, and a Redis outage during the write cannot lose an
  invalidation, because the invalidation never went to Redis.
* **Reading the generation is free** for requests: the authentication query brings
  every generation of the user (and the global ones) along as subqueries
  (`generation_annotations()`), and they are remembered for the rest of the request.
* **Two levels**: a small process-local LRU (L1) in front of the shared cache (L2,
  Redis through django-redis). Both store encoded bytes under the same generation-bearing
  key, so the L1 is exactly as fresh as the L2 and callers never share mutable objects.
* **Degrades**: the cache backend has a circuit breaker (journal_project.cache_backend);
  when Redis fails, reads fall through to PostgreSQL and are counted as errors.
* **Stampede-safe**: a miss takes a short lock (in the lookup's round trip) so one
  request rebuilds a hot key while the others wait briefly for its value.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgpack
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

logger = logging.getLogger(__name__)

T = TypeVar("T")

USER = "user"
GLOBAL = "global"
GLOBAL_SCOPE_ID = 0


@dataclass(frozen=True)
class Namespace:
    """A family of cached values that one write invalidates together."""

    name: str
    scope: str  # USER or GLOBAL
    ttl: int | None = None  # seconds in Redis; None = JOURNAL_CACHE_TTL
    local: bool = True  # may the process-local L1 hold it?

    @property
    def annotation(self) -> str:
        return f"_cache_gen_{self.name}"


# Every namespace is declared here, so the authentication query can fetch all of a
# user's generations in the same round trip.
ENTRIES = Namespace("entries", USER)
# One entry's representation, keyed by the entry's own version (its `updated_at`, which
# every change to what the representation shows moves: the sync API relies on the same
# rule). A write to one entry therefore leaves every other entry's value in place, where
# ENTRIES moves for any write. Its generation moves only for changes that alter entries
# without touching their rows (a tag renamed or deleted while in use, account events).
ENTRY_VERSIONS = Namespace("entry_versions", USER)
SESSIONS = Namespace("sessions", USER)
KNOWLEDGE = Namespace("knowledge", GLOBAL, ttl=24 * 3600)

NAMESPACES: tuple[Namespace, ...] = (ENTRIES, ENTRY_VERSIONS, SESSIONS, KNOWLEDGE)
USER_NAMESPACES = tuple(ns for ns in NAMESPACES if ns.scope == USER)

# --- Observation (the monitoring app subscribes) ----------------------------------------

CacheObserver = Callable[[str, str, float], None]
_observers: list[CacheObserver] = []


def add_observer(observer: CacheObserver) -> None:
    """Call `observer(namespace, result, seconds)` for every `cached()` read.

    `result` is one of "hit" (L2), "local_hit" (L1), "miss", "error" (the cache failed
    and the value came from the database) or "bypass" (the cache was off or unsafe).
    """
    if observer not in _observers:
        _observers.append(observer)


def remove_observer(observer: CacheObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


class _Stats:
    """Process-local counters per namespace and result; cheap, for tests and the dashboard."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[tuple[str, str], int] = {}

    def record(self, namespace: str, result: str) -> None:
        with self._lock:
            key = (namespace, result)
            self.counts[key] = self.counts.get(key, 0) + 1

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self.counts)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()


stats = _Stats()


def _observe(namespace: Namespace, result: str, started: float) -> None:
    stats.record(namespace.name, result)
    if _observers:
        elapsed = time.perf_counter() - started
        for observer in _observers:
            try:
                observer(namespace.name, result, elapsed)
            except Exception:  # monitoring must never break a read
                logger.exception("cache observer failed")


# --- Generations ------------------------------------------------------------------------

# Generations already read in this request (or task), keyed by (namespace, scope).
_memo: contextvars.ContextVar[dict[tuple[str, int], int] | None] = contextvars.ContextVar(
    "journal_cache_generations", default=None
)
# (namespace, scope) pairs bumped by a transaction that has not committed yet.
_dirty = threading.local()


def _memo_dict() -> dict[tuple[str, int], int]:
    memo = _memo.get()
    if memo is None:
        memo = {}
        _memo.set(memo)
    return memo


def reset_request_state() -> None:
    """Forget remembered generations: called at the start and end of every request and task."""
    _memo.set(None)


# --- Writes sent together -----------------------------------------------------------------

# Values a request stores go to Redis together when it ends: one pipelined round trip
# instead of one per value (a list page rebuilt after a write stored its entries, its
# value and its rendered response, three round trips). The process-local level has them
# at once; other processes may miss them for the rest of the request, and a reader
# waiting on the stampede lock gets them when they land. Outside a request (tasks,
# commands, tests calling selectors directly) nothing is deferred.
_deferred: contextvars.ContextVar[list[tuple[str, bytes, int]] | None] = contextvars.ContextVar(
    "journal_cache_deferred_writes", default=None
)


def defer_writes() -> None:
    """From now on, keep this context's stores for `flush_writes()` (request start)."""
    _deferred.set([])


def flush_writes() -> None:
    """Send the deferred stores (request end): one round trip per distinct TTL, and stop deferring."""
    pending = _deferred.get()
    _deferred.set(None)
    if not pending:
        return
    by_timeout: dict[int, dict[str, bytes]] = {}
    for key, payload, timeout in pending:
        by_timeout.setdefault(timeout, {})[key] = payload
    # Sent without waiting for Redis's replies (cache_backend._SendChannel): the values
    # are in the process-local level already, and another process that asks for one
    # before Redis has it only misses.
    send = cache.send_bytes_many if _stores_bytes() else _send
    try:
        for timeout, values in by_timeout.items():
            send(values, timeout)
    except Exception:
        # The request's work is done and its answer ready: values that could not be
        # stored are only misses later, never a failed request.
        logger.exception("could not store %d cached values at the end of the request", len(pending))


# Payloads are bytes already. The real stack's backend stores them as they are
# (cache_backend.BytesClient); any other backend (the embedded default's local memory,
# a django-redis client class without the bytes commands) takes them through its own
# get/set.


def _stores_bytes() -> bool:
    return getattr(cache, "stores_bytes", False)


def _send(values: dict[str, bytes], timeout: int) -> None:
    if _stores_bytes():
        cache.set_bytes_many(values, timeout)
    elif len(values) == 1:
        cache.set(*next(iter(values.items())), timeout)
    else:
        cache.set_many(values, timeout)


def _get_payload(key: str) -> bytes | None:
    return cache.get_bytes(key) if _stores_bytes() else cache.get(key)


def _get_payload_or_lock(key: str, lock_key: str) -> tuple[bytes | None, bool]:
    """The payload under `key`, else whether this call took its stampede lock: one round trip."""
    if _stores_bytes():
        return cache.get_bytes_or_lock(key, lock_key, _LOCK_TTL)
    payload = cache.get(key)
    if payload is not None or _cache_failed():
        return payload, False
    return None, bool(cache.add(lock_key, 1, _LOCK_TTL))


def _get_payloads(keys: list[str]) -> dict[str, bytes]:
    return cache.get_bytes_many(keys) if _stores_bytes() else cache.get_many(keys)


def _store(values: dict[str, bytes], timeout: int) -> None:
    """Put encoded values in Redis, now or (in a request) with the request's other stores."""
    pending = _deferred.get()
    if pending is not None:
        pending.extend((key, payload, timeout) for key, payload in values.items())
    else:
        _send(values, timeout)


def _scope_id(namespace: Namespace, scope_id: int | None) -> int:
    if namespace.scope == GLOBAL:
        return GLOBAL_SCOPE_ID
    if scope_id is None:
        raise ValueError(f"namespace {namespace.name!r} is per user: pass the user's id")
    return int(scope_id)


def _initial_generation() -> int:
    # Not 1: a scope that is deleted and later re-created (a test database rolled back,
    # an id reused by SQLite) must not meet keys that an earlier life left in Redis.
    return time.time_ns() // 1000


def generation_annotations(user_ref: str = "pk") -> dict[str, Any]:
    """Subqueries that fetch every generation along with a user row.

    `user_ref` is the path from the queried model to the user's id ("pk" on the user,
    "user_id" on a token). Apply with `.annotate(**generation_annotations(...))`, then
    hand the instance to `remember_generations()`.
    """
    from journal_project.models import CacheGeneration

    annotations: dict[str, Any] = {}
    for namespace in NAMESPACES:
        scope = OuterRef(user_ref) if namespace.scope == USER else Value(GLOBAL_SCOPE_ID)
        annotations[namespace.annotation] = Coalesce(
            Subquery(CacheGeneration.objects.filter(namespace=namespace.name, scope_id=scope).values("value")[:1]),
            Value(0),
        )
    return annotations


def remember_generations(instance: Any, user_id: int) -> None:
    """Remember the generations that `generation_annotations()` put on `instance`."""
    memo = _memo_dict()
    for namespace in NAMESPACES:
        value = getattr(instance, namespace.annotation, 0)
        if value:  # 0 means the row does not exist yet; it is created on first use
            memo[(namespace.name, _scope_id(namespace, user_id))] = value


def current_generation(namespace: Namespace, scope_id: int | None = None) -> int:
    """The generation readers must use now (remembered for the request, else from the database)."""
    from journal_project.models import CacheGeneration

    scope = _scope_id(namespace, scope_id)
    memo = _memo_dict()
    key = (namespace.name, scope)
    value = memo.get(key)
    if value is not None:
        return value
    # Inside a transaction that bumped this scope the value is uncommitted: never
    # remember it, or a rollback would leave the request using a generation that
    # another writer may commit later for different rows.
    remember = not _must_bypass(key)
    value = (
        CacheGeneration.objects.filter(namespace=namespace.name, scope_id=scope).values_list("value", flat=True).first()
    )
    if value is None:
        CacheGeneration.objects.bulk_create(
            [CacheGeneration(namespace=namespace.name, scope_id=scope, value=_initial_generation())],
            ignore_conflicts=True,
        )
        value = CacheGeneration.objects.filter(namespace=namespace.name, scope_id=scope).values_list(
            "value", flat=True
        )[0]
    if remember:
        memo[key] = value
    return value


def _dirty_set() -> set[tuple[str, int]]:
    dirty = getattr(_dirty, "scopes", None)
    if dirty is None:
        dirty = _dirty.scopes = set()
    return dirty


def bump(namespace: Namespace, scope_id: int | None = None) -> None:
    """Invalidate everything cached in `namespace` for `scope_id`, atomically with the caller's write.

    Runs one upsert in the current transaction. Call it from model signals, not views.
    """
    from journal_project.models import CacheGeneration

    scope = _scope_id(namespace, scope_id)
    key = (namespace.name, scope)
    in_transaction = _in_transaction()
    if in_transaction and _bumped_in_this_transaction(key):
        # This transaction already moved the generation: readers outside see the move
        # when it commits, readers inside skip the cache until then. Once is enough.
        return
    table = connection.ops.quote_name(CacheGeneration._meta.db_table)
    returning = " RETURNING value" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (namespace, scope_id, value) VALUES (%s, %s, %s) "
            f"ON CONFLICT (namespace, scope_id) DO UPDATE SET value = {table}.value + 1{returning}",
            [namespace.name, scope, _initial_generation()],
        )
        moved_to = cursor.fetchone()[0] if returning else None
    _memo_dict().pop(key, None)
    if in_transaction:

        def remember_the_move() -> None:
            memo = _memo_dict()
            if moved_to is None:
                memo.pop(key, None)
            else:
                # The rest of this request reads under the generation its own write made
                # (read-your-writes) without asking the database again. A later write's
                # generation wins if this request has already seen one.
                memo[key] = max(moved_to, memo.get(key, moved_to))

        _bypass_until_commit(key, remember_the_move)


def _bypass_until_commit(key: tuple[str, int], after_commit: Callable[[], None]) -> None:
    """Until the transaction ends, reads of `key` skip the cache; `after_commit` runs at commit.

    A value built from uncommitted rows must never be stored, in case the transaction
    rolls back (a rollback runs no on_commit hook: `_must_bypass` then drops the flag).
    """
    _dirty_set().add(key)

    def _committed() -> None:
        _dirty_set().discard(key)
        _bump_hooks().pop(key, None)
        after_commit()

    transaction.on_commit(_committed)
    _bump_hooks()[key] = (_transaction_token(), _committed)


# Stands for "every scope" of a namespace in the dirty flags and bump hooks.
EVERY_SCOPE = -1


def bump_every_scope(namespace: Namespace) -> None:
    """Invalidate a per-user namespace for everyone at once, atomically with the caller's write.

    For a shared row that per-user values embed (a technique's name, in every session's
    state that drew on it): one UPDATE moves every user's generation, in the current
    transaction, with the same guarantees as `bump()`. A scope without a generation row
    has nothing cached yet, and starts from the clock when it gets one.
    """
    from journal_project.models import CacheGeneration

    if namespace.scope != USER:
        bump(namespace)
        return
    key = (namespace.name, EVERY_SCOPE)
    in_transaction = _in_transaction()
    if in_transaction and _bumped_in_this_transaction(key):
        return
    table = connection.ops.quote_name(CacheGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET value = value + 1 WHERE namespace = %s", [namespace.name])
    _forget_remembered(namespace)
    if in_transaction:
        _bypass_until_commit(key, lambda: _forget_remembered(namespace))


def _forget_remembered(namespace: Namespace) -> None:
    memo = _memo_dict()
    for key in [key for key in memo if key[0] == namespace.name]:
        del memo[key]


def _bump_hooks() -> dict[tuple[str, int], tuple[Any, Callable[[], None]]]:
    hooks = getattr(_dirty, "bump_hooks", None)
    if hooks is None:
        hooks = _dirty.bump_hooks = {}
    return hooks


def _transaction_token() -> tuple[Any, str | None] | None:
    """Names the running transaction: its outermost atomic block (and savepoint, under a test's).

    The block object itself, not its id(): a finished block's id can be reused by the next
    one, which would make a new transaction look like the old one.
    """
    for index, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return block, (connection.savepoint_ids[index - 1] if index else None)
    return None


def _same_transaction(token: tuple[Any, str | None] | None) -> bool:
    current = _transaction_token()
    if token is None or current is None:
        return token is current
    return token[0] is current[0] and token[1] == current[1]


def _bumped_in_this_transaction(key: tuple[str, int]) -> bool:
    """Has the running transaction already bumped `key` (and not rolled that back)?"""
    found = _bump_hooks().get(key)
    if found is None:
        return False
    token, hook = found
    # Django drops the commit hooks of a transaction or savepoint that rolls back, and the
    # bump went with it: only a hook still pending proves the bump is still there. The
    # token tells a later transaction from this one where hooks never run (under the
    # never-committing transaction of a test) and where an atomic block is reused.
    if _same_transaction(token) and any(pending[1] is hook for pending in connection.run_on_commit):
        return True
    _bump_hooks().pop(key, None)
    return False


def mark_pending(namespace: Namespace, scope_id: int | None = None) -> None:
    """Note that the current transaction changed rows a later `bump()` will invalidate.

    For services that coalesce many row changes into one bump at the end: from the
    first change on, reads in this transaction skip the cache, exactly as after a bump.
    """
    if _in_transaction():
        _dirty_set().add((namespace.name, _scope_id(namespace, scope_id)))


def bump_all_for_user(user_id: int) -> None:
    """Invalidate every user-scoped namespace of one user (account deletion, imports)."""
    for namespace in USER_NAMESPACES:
        bump(namespace, user_id)


def forget_user(user_id: int) -> None:
    """Drop a deleted user's generations; their keys become unreachable and expire.

    A later user with the same id (SQLite can reuse ids) starts from a fresh,
    time-based generation, so it can never meet these keys.
    """
    from journal_project.models import CacheGeneration

    CacheGeneration.objects.filter(
        namespace__in=[namespace.name for namespace in USER_NAMESPACES], scope_id=user_id
    ).delete()
    memo = _memo_dict()
    for namespace in USER_NAMESPACES:
        memo.pop((namespace.name, user_id), None)


def _in_transaction() -> bool:
    """Are we inside a transaction that can still commit or roll back?

    The atomic blocks that Django's TestCase wraps around each test never commit; they
    stand for "autocommit" here, so tests see the same behaviour as production.
    """
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _must_bypass(key: tuple[str, int]) -> bool:
    dirty = _dirty_set()
    if not dirty:
        return False
    flags = [flag for flag in (key, (key[0], EVERY_SCOPE)) if flag in dirty]
    if not flags:
        return False
    if _in_transaction():
        return True
    # The transaction ended (a rollback leaves no on_commit call): forget the flags.
    dirty.difference_update(flags)
    return False


# --- Keys -------------------------------------------------------------------------------


def _digest(parts: Iterable[Any]) -> str:
    raw = "\x1f".join(repr(part) for part in parts).encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


_storage_epoch: str | None = None


def storage_epoch() -> str:
    """Which copy of the database the generations live in: part of every key.

    A restored backup brings its generations back in time, so without this the next
    bump would reach a number that, before the restore, named values built from rows
    the backup does not have. A restore recreates the generation table, and PostgreSQL
    gives the new table a new OID: keys of the old database can never be met again.
    Read once per process (processes are restarted when DATABASE_URL changes anyway).
    """
    global _storage_epoch
    if _storage_epoch is None:
        if connection.vendor == "postgresql":
            from journal_project.models import CacheGeneration

            with connection.cursor() as cursor:
                cursor.execute("SELECT %s::regclass::oid", [CacheGeneration._meta.db_table])
                _storage_epoch = str(cursor.fetchone()[0])
        else:
            # The embedded default's cache lives in the process: a restart forgets it.
            _storage_epoch = "0"
    return _storage_epoch


def make_key(namespace: Namespace, scope_id: int | None, generation: int, label: str, parts: Iterable[Any]) -> str:
    scope = _scope_id(namespace, scope_id)
    return f"j:{namespace.name}:{scope}:{storage_epoch()}.{generation}:{label}:{_digest(parts)}"


def user_key_pattern(user_id: int) -> list[str]:
    """Glob patterns that match every key of one user, for eager clean-up on account deletion."""
    return [f"j:{namespace.name}:{int(user_id)}:*" for namespace in USER_NAMESPACES]


@functools.lru_cache(maxsize=4)
def _etag_key(secret: str) -> bytes:
    return hashlib.blake2b(secret.encode(), digest_size=32, person=b"journal-etag").digest()


def etag_for(namespaces: Iterable[Namespace], scope_id: int | None, *parts: Any) -> str:
    """A strong ETag that changes whenever any of the namespaces changes for the scope.

    The scope is part of it: generations start from the clock and move by one, so two
    people's can be equal, and a client shared by both (a browser's cache, an app's HTTP
    cache, keyed by URL) would then revalidate one person's stored answer with the other's
    credentials and be told 304. Keyed with the secret key, so an ETag seen somewhere (a
    log, a device) cannot be searched offline for the generation behind it, which would tell
    when someone last wrote and how often.
    """
    generations = [(ns.name, current_generation(ns, scope_id)) for ns in namespaces]
    raw = "\x1f".join(repr(part) for part in [storage_epoch(), scope_id, *generations, *parts]).encode()
    return f'"{hashlib.blake2b(raw, digest_size=12, key=_etag_key(settings.SECRET_KEY)).hexdigest()}"'


# --- Process-local first level ------------------------------------------------------------


class _LocalLRU:
    """A small thread-safe LRU of encoded values with expiry, bounded in entries and in bytes."""

    def __init__(self, max_entries: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, payload = item
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._data.move_to_end(key)
            return payload

    def set(self, key: str, payload: bytes, ttl: float) -> None:
        if self.max_entries <= 0 or len(payload) > self.max_bytes // 8:
            return  # one huge value must not push out everything else
        with self._lock:
            self._drop(key)
            self._data[key] = (time.monotonic() + ttl, payload)
            self.size += len(payload)
            while len(self._data) > self.max_entries or self.size > self.max_bytes:
                oldest = next(iter(self._data))
                self._drop(oldest)

    def _drop(self, key: str) -> None:
        item = self._data.pop(key, None)
        if item is not None:
            self.size -= len(item[1])

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.size = 0


local_cache = _LocalLRU(settings.JOURNAL_CACHE_LOCAL_ENTRIES, settings.JOURNAL_CACHE_LOCAL_BYTES)


def _encode(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


def _decode(payload: bytes) -> Any:
    return msgpack.unpackb(payload, raw=False, strict_map_key=False)


# --- The read path ----------------------------------------------------------------------

_MISSING = object()
_LOCK_TTL = 10  # seconds a rebuild may hold the stampede lock
_WAIT_STEP = 0.01
_WAIT_LIMIT = 1.0  # seconds a request waits for another one's rebuild before building itself


def cache_enabled() -> bool:
    return getattr(settings, "JOURNAL_CACHE_ENABLED", True)


def _cache_failed() -> bool:
    from journal_project.cache_backend import last_call_failed

    return last_call_failed()


# Seconds the process-local level keeps a value. Freshness comes from the generation in
# the key, not from this; it only lets values nobody reads make room.
_LOCAL_TTL = 60


def _timeout(namespace: Namespace, ttl: int | None) -> int:
    """Seconds a value lives in Redis: the call's own TTL, else the namespace's, else the default."""
    return ttl or namespace.ttl or settings.JOURNAL_CACHE_TTL


def _keep_locally(namespace: Namespace, key: str, payload: bytes, timeout: int) -> None:
    if namespace.local:
        local_cache.set(key, payload, min(timeout, _LOCAL_TTL))


def cached(
    namespace: Namespace,
    scope_id: int | None,
    label: str,
    parts: Iterable[Any],
    build: Callable[[], T],
    *,
    ttl: int | None = None,
) -> T:
    """Return the cached value for (namespace, scope, label, parts), building it on a miss.

    `build` must return plain data (dicts, lists, str, int, float, bool, None) built from
    committed rows: it is stored encoded and every caller gets a fresh copy.
    """
    started = time.perf_counter()
    if not cache_enabled():
        value = build()
        _observe(namespace, "bypass", started)
        return value
    scope = _scope_id(namespace, scope_id)
    if _must_bypass((namespace.name, scope)):
        value = build()
        _observe(namespace, "bypass", started)
        return value

    parts = tuple(parts)
    key = make_key(namespace, scope, current_generation(namespace, scope), label, parts)
    timeout = _timeout(namespace, ttl)

    payload = _fetch_local(namespace, key, started)
    if payload is not None:
        return _decode(payload)
    lock_key = f"{key}:lock"
    payload, locked = _get_payload_or_lock(key, lock_key)
    if payload is not None:
        _fetched(namespace, key, payload, timeout, started)
        return _decode(payload)
    if _cache_failed():
        value = build()
        _observe(namespace, "error", started)
        return value

    value = _rebuild(namespace, key, lock_key, locked, timeout, build)
    _observe(namespace, "miss", started)
    return value


def cached_bytes(
    namespace: Namespace,
    scope_id: int | None,
    label: str,
    parts: Iterable[Any],
    build: Callable[[], bytes],
    *,
    ttl: int | None = None,
) -> bytes:
    """Like `cached()`, for a value that is already bytes (a rendered response), stored as is.

    Meant as an outer level over selectors that are cached themselves: a hit counts as
    the request's lookup, a miss does not (the selector's own lookup inside `build`
    counts instead), and there is no stampede lock here (the selector has one).
    """
    started = time.perf_counter()
    if not cache_enabled():
        return build()
    scope = _scope_id(namespace, scope_id)
    if _must_bypass((namespace.name, scope)):
        return build()
    key = make_key(namespace, scope, current_generation(namespace, scope), label, tuple(parts))
    timeout = _timeout(namespace, ttl)
    payload = _fetch(namespace, key, timeout, started)
    if payload is not None:
        return payload
    failed = _cache_failed()
    payload = build()
    if not failed and not _must_bypass((namespace.name, scope)):
        _store({key: payload}, timeout)
        _keep_locally(namespace, key, payload, timeout)
    return payload


def cached_many(
    namespace: Namespace,
    scope_id: int | None,
    label: str,
    parts_list: Sequence[tuple[Any, ...]],
    build_many: Callable[[list[tuple[Any, ...]]], dict[tuple[Any, ...], Any]],
    *,
    observe: bool = False,
    ttl: int | None = None,
) -> list[Any]:
    """Values for many keys at once: the process-local level, then one Redis MGET, and
    `build_many(missing_parts)` for the rest (stored with one MSET).

    `build_many` returns {parts: value} for the parts it could build; parts it leaves
    out (a row deleted meanwhile) come back as None. Meant for values keyed by their
    own version (ENTRY_VERSIONS). With `observe`, each key counts as a lookup of the hit
    rate; leave it off for lookups made while building a request-level value, so the
    hit rate stays one lookup per request. No stampede lock: a version's value is built
    from one indexed row, and a request-level value being built holds its own lock.
    """
    started = time.perf_counter()
    parts_list = [tuple(parts) for parts in parts_list]
    if not parts_list:
        return []
    scope = _scope_id(namespace, scope_id)
    if not cache_enabled() or _must_bypass((namespace.name, scope)):
        built = build_many(parts_list)
        if observe:
            for _ in parts_list:
                _observe(namespace, "bypass", started)
        return [built.get(parts) for parts in parts_list]
    generation = current_generation(namespace, scope)
    keys = [make_key(namespace, scope, generation, label, parts) for parts in parts_list]
    timeout = _timeout(namespace, ttl)
    payloads: dict[str, bytes] = {}
    results: dict[str, str] = {}
    if namespace.local:
        for key in keys:
            payload = local_cache.get(key)
            if payload is not None:
                payloads[key] = payload
                results[key] = "local_hit"
    remote = [key for key in keys if key not in payloads]
    if remote:
        found = _get_payloads(remote)
        for key, payload in found.items():
            payloads[key] = payload
            results[key] = "hit"
            _keep_locally(namespace, key, payload, timeout)
    missing = [parts for parts, key in zip(parts_list, keys, strict=True) if key not in payloads]
    failed = bool(missing) and _cache_failed()
    built = build_many(missing) if missing else {}
    if built and not failed and not _must_bypass((namespace.name, scope)):
        encoded = {
            key: _encode(built[parts])
            for parts, key in zip(parts_list, keys, strict=True)
            if parts in built and key not in payloads
        }
        _store(encoded, timeout)
        for key, payload in encoded.items():
            _keep_locally(namespace, key, payload, timeout)
    if observe:
        for key in keys:
            _observe(namespace, results.get(key, "error" if failed else "miss"), started)
    return [
        _decode(payloads[key]) if key in payloads else built.get(parts)
        for parts, key in zip(parts_list, keys, strict=True)
    ]


def _fetch(namespace: Namespace, key: str, timeout: int, started: float) -> bytes | None:
    """The stored payload from the process-local level, else from Redis; observes a hit."""
    payload = _fetch_local(namespace, key, started)
    if payload is None:
        payload = _get_payload(key)
        if payload is not None:
            _fetched(namespace, key, payload, timeout, started)
    return payload


def _fetch_local(namespace: Namespace, key: str, started: float) -> bytes | None:
    """The payload from the process-local level, if it holds it (observed as a local hit)."""
    if not namespace.local:
        return None
    payload = local_cache.get(key)
    if payload is not None:
        _observe(namespace, "local_hit", started)
    return payload


def _fetched(namespace: Namespace, key: str, payload: bytes, timeout: int, started: float) -> None:
    """A payload found in Redis: kept in the process-local level and observed as a hit."""
    _keep_locally(namespace, key, payload, timeout)
    _observe(namespace, "hit", started)


def _rebuild(namespace: Namespace, key: str, lock_key: str, locked: bool, timeout: int, build: Callable[[], T]) -> T:
    """Build a missing value: under the stampede lock if this request took it, else after
    waiting a little for the value of the request that holds it."""
    if not locked:
        # Someone else is rebuilding this key: wait a little for their value.
        deadline = time.monotonic() + _WAIT_LIMIT
        while time.monotonic() < deadline:
            time.sleep(_WAIT_STEP)
            payload = _get_payload(key)
            if payload is not None:
                _keep_locally(namespace, key, payload, timeout)
                return _decode(payload)
            if _cache_failed():
                break
        return build()
    try:
        value = build()
    except BaseException:
        cache.delete(lock_key)  # let the next reader try at once
        raise
    payload = _encode(value)
    _store({key: payload}, timeout)
    # The lock is not deleted: once the value is stored no reader looks at it again (the
    # key embeds the generation), and it expires by itself. One round trip less per miss.
    _keep_locally(namespace, key, payload, timeout)
    return value


def write_through(
    namespace: Namespace,
    scope_id: int | None,
    label: str,
    parts: Iterable[Any],
    value: Any,
    *,
    ttl: int | None = None,
) -> None:
    """Store a value just built from committed rows under the current generation.

    For write-through after a commit (e.g. a session's state after a new message):
    call it from `transaction.on_commit`, never inside the transaction.
    """
    if not cache_enabled():
        return
    scope = _scope_id(namespace, scope_id)
    if _must_bypass((namespace.name, scope)):
        return
    key = make_key(namespace, scope, current_generation(namespace, scope), label, tuple(parts))
    payload = _encode(value)
    timeout = _timeout(namespace, ttl)
    _store({key: payload}, timeout)
    _keep_locally(namespace, key, payload, timeout)


def delete_user_keys(user_id: int) -> int:
    """Eagerly delete one user's keys from Redis (they are unreachable anyway after a bump)."""
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is None:
        return 0
    deleted = 0
    for pattern in user_key_pattern(user_id):
        deleted += delete_pattern(pattern) or 0
    return deleted
