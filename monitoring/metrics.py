"""In-process metric recording used by every app: the public API of the monitoring app.

`observe(name, seconds)` records one duration; `timing(name)` and `timed(name)` wrap a
block or a function. Names used by other apps: "session_retrieval", "knowledge_lookup".
Labels must come from a small, fixed set of values (never ids, paths or user text): each
distinct combination is a separate series in Redis and in Prometheus.

Recording is done by whatever `add_recorder()` registered: the monitoring app registers
its in-process aggregator (monitoring.collector) when MONITORING_ENABLED is on. With
monitoring off no recorder is registered, and `timed` calls the function straight through.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

Recorder = Callable[[str, float, dict[str, str]], None]
_recorders: list[Recorder] = []


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
    started = time.perf_counter()
    try:
        yield
    finally:
        observe(name, time.perf_counter() - started, **labels)


def timed(name: str) -> Callable[[F], F]:
    def decorator(function: F) -> F:
        @wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _recorders:  # monitoring off: not even the clock is read
                return function(*args, **kwargs)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                observe(name, time.perf_counter() - started)

        return wrapper  # type: ignore[return-value]

    return decorator
