"""The machine the benchmark ran on, and how much CPU other processes took during each run.

On a 2-core machine anything else running (a test suite, an editor's indexer) takes CPU
from the server and the clients alike, so every measured run reports the share of CPU
used by processes that are not part of the benchmark (gunicorn, wrk, this process,
PostgreSQL, Redis): `foreign_percent`. A high value marks a run as disturbed. The server's
own CPU per request is reported too: unlike throughput, it hardly moves when something
else competes for the cores.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CLOCK = os.sysconf("SC_CLK_TCK")
_SERVICES = {"postgres", "redis-server"}


def _stat(pid: str) -> tuple[str, int, float, float] | None:
    """(comm, ppid, own CPU seconds, reaped children's CPU seconds) of one process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is state; utime, stime, cutime, cstime are fields 14-17 of the full line.
    ppid = int(fields[1])
    own = (int(fields[11]) + int(fields[12])) / _CLOCK
    children = (int(fields[13]) + int(fields[14])) / _CLOCK
    return comm, ppid, own, children


def _snapshot() -> dict[int, tuple[str, int, float, float]]:
    result = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(entry)
            if stat is not None:
                result[int(entry)] = stat
    return result


def _busy_seconds() -> float:
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: everything but idle and iowait.
    return (sum(values[:8]) - values[3] - values[4]) / _CLOCK


def _own_cpu() -> float:
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has exited
    return self_usage.ru_utime + self_usage.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class CpuUse:
    """CPU seconds during one run, by whom, and the share other processes took."""

    wall: float
    server: float  # gunicorn master and workers
    services: float  # PostgreSQL and Redis (all of their processes: they serve others too)
    clients: float  # wrk (and this process)
    foreign_percent: float
    idle_percent: float = 0.0  # of all the cores: what nobody used (round trips waited out)


class CpuSampler:
    """Started before a run; `finish()` after it."""

    def __init__(self) -> None:
        self.busy = _busy_seconds()
        self.own = _own_cpu()
        self.snapshot = _snapshot()
        self.wall = os.times().elapsed

    def finish(self, servers: set[int]) -> CpuUse:
        end = _snapshot()
        wall = os.times().elapsed - self.wall
        used = _busy_seconds() - self.busy
        clients = _own_cpu() - self.own
        server = services = 0.0
        for pid, stat in end.items():
            before = self.snapshot.get(pid)
            delta = stat[2] - (before[2] if before else 0.0)
            if pid in servers:  # the gunicorn master, and the workers it recycled and reaped
                server += delta + stat[3] - (before[3] if before else 0.0)
            elif stat[1] in servers:
                server += delta
            elif stat[0] in _SERVICES:
                services += delta
        for pid, stat in self.snapshot.items():
            if pid not in end and stat[1] in servers:
                server -= stat[2]  # counted in the master's reaped-children time already
        cpus = os.cpu_count() or 1
        foreign = max(0.0, 100.0 * (used - server - services - clients) / (wall * cpus)) if wall > 0 else 0.0
        idle = max(0.0, 100.0 * (1 - used / (wall * cpus))) if wall > 0 else 0.0
        return CpuUse(
            wall=wall, server=server, services=services, clients=clients, foreign_percent=foreign, idle_percent=idle
        )


def children(pid: int) -> set[int]:
    return {child for child, stat in _snapshot().items() if stat[1] == pid}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].split()[1] if text and len(text[0].split()) > 1 else "unknown"


def machine(pg_url: str, redis_url: str) -> dict[str, Any]:
    import django
    import gunicorn
    import psycopg
    import redis

    with psycopg.connect(f"{pg_url}/postgres", connect_timeout=5) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    redis_version = redis.Redis.from_url(redis_url).info("server").get("redis_version")
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgresql": pg_version,
        "redis": redis_version,
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }
