"""The dashboard's health section: the same checks as /health/, run in-process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.utils.module_loading import import_string


@dataclass
class HealthRow:
    name: str
    ok: bool
    status: str
    milliseconds: float


def _instantiate(spec: Any) -> Any:
    try:
        check, options = spec
    except (TypeError, ValueError):
        check, options = spec, {}
    if isinstance(check, str):
        check = import_string(check)
    return check(**options)


def run_health_checks() -> list[HealthRow]:
    """Run journal_project.health.full_checks() concurrently, as /health/ does."""
    from journal_project.health import full_checks

    checks = [_instantiate(spec) for spec in full_checks()]

    async def gather() -> list[Any]:
        return await asyncio.gather(*(check.get_result() for check in checks))

    results = async_to_sync(gather)()
    rows = []
    for result in results:
        ok = result.error is None
        rows.append(
            HealthRow(
                name=repr(result.check),
                ok=ok,
                status=result.check.pretty_status() if ok else str(result.error),
                milliseconds=result.time_taken * 1000,
            )
        )
    return rows
