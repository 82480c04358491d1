"""In-process metric recording used by every app (filled out by the monitoring app).

`observe(name, seconds)` records one duration; `timed(name)` wraps a function or block.
Names used by other apps: "session_retrieval", "knowledge_lookup".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_recorders: list[Callable[[str, float, dict[str, str]], None]] = []


def add_recorder(recorder: Callable[[str, float, dict[str, str]], None]) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


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
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                observe(name, time.perf_counter() - started)

        return wrapper  # type: ignore[return-value]

    return decorator
