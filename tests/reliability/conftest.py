"""Shared pieces of the reliability suite: figures for docs/reliability.md, the knowledge base.

Every test here records what it tried (fault scenarios, fuzz cases, isolation cases)
in `figures`; the terminal summary prints the totals, which is where the numbers in
docs/reliability.md come from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.proxy import TcpProxy

figures: Counter[str] = Counter()


def record(name: str, count: int = 1) -> None:
    figures[name] += count


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not figures:
        return
    terminalreporter.section("reliability figures")
    for name in sorted(figures):
        terminalreporter.write_line(f"{name}: {figures[name]}")


@pytest.fixture
def generous_throttles(settings):
    """Throttles out of the way, for tests about something else (throttles have their own)."""
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def redis_port_proxy() -> Iterator[TcpProxy]:
    """A TCP proxy in front of the suite's Redis, for a process the test cuts off from it."""
    proxy = TcpProxy("127.0.0.1", 6379)
    try:
        yield proxy
    finally:
        proxy.close()
