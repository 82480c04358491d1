"""In-process metric recording used by every app: the public API of the monitoring app.

`observe(name, seconds)` records one duration; `timing(name)` and `timed(name)` wrap a
block or a function. Names used by other apps: "session_retrieval", "knowledge_lookup".
Labels must come from a small, fixed set of values (never ids, paths or user text): each
distinct combination is a separate series in Redis and in Prometheus.

Recording is done by whatever `add_recorder()` registered: the monitoring app registers
its in-process aggregator (monitoring.collector) when MONITORING_ENABLED is on. With
monitoring off no recorder is registered, and `timed` calls the function straight through.

A `timed`/`timing` inside another of the same name records nothing: the outer one already
times the whole operation (a view that times every session read, including those answered
from the response cache, around the selector that times the rebuild), and one operation
must be one sample.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

Recorder = Callable[[str, float, dict[str, str]], None]
_recorders: list[Recorder] = []
# Names being timed right now in this thread or task (see the module docstring).
_active: ContextVar[frozenset[str]] = ContextVar("monitoring_active_timings", default=frozenset())


def add_recorder(recorder: Recorder) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def remove_recorder(recorder: Recorder) -> None:
    if recorder in _recorders:
        _recorders.remove(recorder)


def observe(name: str, seconds: float, **labels: str) -> None:
    for recorder in _recorders:
        recorder(name, seconds, labels)


@contextmanager
def timing(name: str, **labels: str) -> Iterator[None]:
    active = _active.get()
    if name in active:  # nested in a timing of the same operation: that one counts
        yield
        return
    token = _active.set(active | {name})
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _active.reset(token)
        observe(name, elapsed, **labels)


def timed(name: str) -> Callable[[F], F]:
    def decorator(function: F) -> F:
        @wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _recorders:  # monitoring off: not even the clock is read
                return function(*args, **kwargs)
            active = _active.get()
            if name in active:  # nested in a timing of the same operation: that one counts
                return function(*args, **kwargs)
            token = _active.set(active | {name})
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                _active.reset(token)
                observe(name, elapsed)

        return wrapper  # type: ignore[return-value]

    return decorator
