#!/usr/bin/env python
"""Where the mix's CPU goes, per kind of request: a deterministic replay in one process.

    .venv/bin/python bench/mixcost.py [--mode cached|uncached|cachalot] [--requests 8000]
                                      [--profile "search"] [--window 2500] [--monitoring-off]

Under load (`make bench`) the figures move with the host and the scheduler. This replays
the mix of bench/load.lua (the same shares, visits, pages and bodies, drawn from Python's
seeded random instead of LuaJIT's) through Django's request handler, one request at a
time, on a fresh copy of the seeded data, and measures each request's CPU: this
process's (the whole Django stack, middleware included), the PostgreSQL backend's and the
Redis server's (from /proc/<pid>/schedstat, in nanoseconds). The sixteen clients take
turns request by request, as the benchmark's connections interleave, so a person's reads
follow their own writes as under load.

Per kind it prints the share, the CPU per request in each process, the kind's part of the
whole, the share of requests answered from the cache, and how the misses split between a
key asked for the first time (a cold cache) and a key asked again (its value invalidated
by a write since, or never stored). `--window N` prints the CPU per request of every N
requests, to see how long the cache takes to settle; `--profile KIND` runs cProfile
over that kind's measured requests.

Needs the seeded template of `make bench` (journal_bench_seed, made if missing); uses its
own copy (`journal_mixcost_<mode>`) and Redis key prefix, and drops both at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402

MODES = {
    "cached": {},
    "uncached": {"JOURNAL_CACHE_ENABLED": "false"},
    "cachalot": {"DJANGO_SETTINGS_MODULE": "bench.settings_cachalot"},
}
VISIT = 20
MIX = [("list", 30), ("detail", 25), ("stats", 10), ("search", 10), ("session", 10), ("knowledge", 5), ("write", 10)]


def _schedstat_ns(pid: int) -> int:
    """CPU time a process has run, in nanoseconds (the first field of its schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def _redis_pid() -> int:
    import redis

    return int(redis.Redis.from_url(run.REDIS_URL).info("server")["process_id"])


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    body: str | None
    token: str


class Client:
    """One of the benchmark's connections: its people, a visit of VISIT requests at a time (bench/load.lua)."""

    def __init__(self, number: int, data: dict[str, Any], clients: int, rng: random.Random) -> None:
        self.data = data
        self.rng = rng
        self.people = data["people"][number::clients] or [data["people"][number % len(data["people"])]]
        self.turn = rng.randrange(len(self.people))
        self.left = VISIT

    def _weighted(self, choices: list[tuple[str, int]]) -> str:
        x = self.rng.randint(1, 100)
        for choice, share in choices:
            x -= share
            if x <= 0:
                return choice
        return choices[-1][0]

    def _zipf(self, items: list[Any]) -> Any:
        """An item with weight 1/rank: a few are popular, many are rare."""
        weights = [1 / rank for rank in range(1, len(items) + 1)]
        return self.rng.choices(items, weights)[0]

    def _between(self, items: list[Any], first: int, last: int) -> Any:
        last = min(last, len(items))
        if first > last:
            return self.rng.choice(items)
        return items[self.rng.randint(first, last) - 1]

    def _entry_id(self, entries: list[int]) -> int:
        x = self.rng.randint(1, 100)
        if x <= 60:
            return self._between(entries, 1, 20)
        if x <= 85:
            return self._between(entries, 21, 60)
        return self._between(entries, 61, len(entries))

    def next(self) -> Request:
        if self.left <= 0:
            self.turn = (self.turn + 1) % len(self.people)
            self.left = VISIT
        self.left -= 1
        person = self.people[self.turn]
        kind, method, path, body = getattr(self, f"_{self._weighted(MIX)}")(person)
        return Request(kind, method, path, body, person["token"])

    def _list(self, person: dict[str, Any]) -> tuple[str, str, str, str | None]:
        x = self.rng.randint(1, 100)
        if x <= 60:
            return "list p1", "GET", "/api/v1/entries/", None
        if x <= 80:
            return "list p2", "GET", "/api/v1/entries/?page=2", None
        if x <= 90:
            return "list p3", "GET", "/api/v1/entries/?page=3", None
        return "list tag", "GET", f"/api/v1/entries/?tag={self._zipf(person['tags'])}", None

    def _detail(self, person: dict[str, Any]) -> tuple[str, str, str, str | None]:
        return "detail", "GET", f"/api/v1/entries/{self._entry_id(person['entries'])}/", None

    def _stats(self, person: dict[str, Any]) -> tuple[str, str, str, str | None]:
        days = self._weighted([("", 70), ("?days=7", 20), ("?days=365", 10)])
        return "stats", "GET", f"/api/v1/stats/{days}", None

    def _search(self, person: dict[str, Any]) -> tuple[str, str, str, str | None]:
        path = f"/api/v1/entries/?q={self._zipf(self.data['search_terms'])}"
        if self.rng.randint(1, 10) == 1:
            path += "&page=2"
        return "search", "GET", path, None

    def _session(self, person: dict[str, Any]) -> tuple[str, str, str, str | None]:
        sessions = person["sessions"]
        older = self.rng.randint(1, 2) == 2 and len(sessions) > 1
        chosen = self.rng.choice(sessions[:-1]) if older else sessions[-1]
        return "session", "GET", f"/api/v1/sessions/{chosen}/", None

    def _knowledge(self, person: dict[str, Any]) -> tuple[str, str, str, str | None]:
        x = self.rng.randint(1, 100)
        if x <= 20:
            path = "/api/v1/knowledge/"
        elif x <= 40:
            path = f"/api/v1/knowledge/?category={self.rng.choice(self.data['categories'])}"
        elif x <= 80:
            path = f"/api/v1/knowledge/{self._zipf(self.data['slugs'])}/"
        else:
            path = f"/api/v1/knowledge/?q={self.rng.choice(self.data['knowledge_terms'])}"
        return "knowledge", "GET", path, None

    def _write(self, person: dict[str, Any]) -> tuple[str, str, str, str | None]:
        x = self.rng.randint(1, 100)
        if x <= 40:
            return "write create", "POST", "/api/v1/entries/", self.rng.choice(self.data["create_bodies"])
        if x <= 70:
            entry = self._between(person["entries"], 1, 20)
            return "write edit", "PATCH", f"/api/v1/entries/{entry}/", self.rng.choice(self.data["patch_bodies"])
        session = person["sessions"][-1]
        body = self.rng.choice(self.data["message_bodies"])
        return "write message", "POST", f"/api/v1/sessions/{session}/messages/", body


@dataclass
class KindCost:
    count: int = 0
    django_ms: float = 0.0
    postgres_ms: float = 0.0
    redis_ms: float = 0.0
    hits: int = 0
    misses: dict[str, int] = field(default_factory=lambda: {"first": 0, "again": 0})


def _print_table(costs: dict[str, KindCost], mode: str, skip: int, errors: int) -> None:
    total = sum(cost.count for cost in costs.values())
    grand = sum(cost.django_ms + cost.postgres_ms + cost.redis_ms for cost in costs.values())
    print(f"mode {mode}: {total} requests measured after {skip}, {errors} errors")
    header = ["kind", "share", "django ms", "pg ms", "redis ms", "of the CPU", "hits", "miss: first", "again"]
    widths = [14, 6, 10, 7, 9, 11, 6, 12, 6]
    print(
        " ".join(
            f"{name:>{width}}" if i else f"{name:<{width}}"
            for i, (name, width) in enumerate(zip(header, widths, strict=True))
        )
    )
    for kind, cost in sorted(costs.items()):
        n = cost.count
        cpu = cost.django_ms + cost.postgres_ms + cost.redis_ms
        # The hit columns come from our cache's observers: they mean nothing for other modes.
        reads = not kind.startswith("write") and mode == "cached"
        cells = [
            f"{n / total:.1%}",
            f"{cost.django_ms / n:.3f}",
            f"{cost.postgres_ms / n:.3f}",
            f"{cost.redis_ms / n:.3f}",
            f"{cpu / grand:.1%}",
            f"{cost.hits / n:.1%}" if reads else "",
            f"{cost.misses['first'] / n:.1%}" if reads else "",
            f"{cost.misses['again'] / n:.1%}" if reads else "",
        ]
        print(f"{kind:<14} " + " ".join(f"{cell:>{width}}" for cell, width in zip(cells, widths[1:], strict=True)))
    per = [
        sum(getattr(cost, name) for cost in costs.values()) / total for name in ("django_ms", "postgres_ms", "redis_ms")
    ]
    print(f"{'per request':<14} {'':>6} {per[0]:>10.3f} {per[1]:>7.3f} {per[2]:>9.3f}   total {sum(per):.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="cached")
    parser.add_argument("--requests", type=int, default=8000, help="requests measured")
    parser.add_argument("--skip", type=int, default=1000, help="requests replayed before measuring (warm-up)")
    parser.add_argument("--clients", type=int, default=run.CLIENTS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=int, default=0, help="print the CPU per request of every N requests")
    parser.add_argument("--profile", metavar="KIND", help='cProfile one kind of request ("search") or "all"')
    parser.add_argument("--monitoring-off", action="store_true", help="with the monitoring app switched off")
    args = parser.parse_args()

    database = f"{run.DB.replace('bench', 'mixcost')}_{args.mode}"
    prefix = f"mixcost_{args.mode}"
    run.preflight()
    run.ensure_seeded()
    run.copy_database(database, run.TEMPLATE)
    run.clear_keys(prefix)
    os.environ.update(run.SERVER_ENV)
    os.environ.update(MODES[args.mode])
    os.environ.update({"DATABASE_URL": f"{run.PG}/{database}", "CACHE_KEY_PREFIX": prefix})
    # As the server runs, unless the replay is to show what monitoring costs.
    os.environ["MONITORING_ENABLED"] = "false" if args.monitoring_off else "true"
    import django

    django.setup()
    from django.db import connection, connections
    from django.test import Client as TestClient

    from bench import loaddata
    from journal_project import caching

    lookups: list[str] = []
    caching.add_observer(lambda namespace, result, seconds: lookups.append(result))
    costs: dict[str, KindCost] = defaultdict(KindCost)
    asked: set[tuple[str, str]] = set()
    errors = 0
    profiler = cProfile.Profile() if args.profile else None
    window = [0.0, 0]
    try:
        data = loaddata.data(seed_value=run.PARAMS.seed, clients=args.clients)
        rng = random.Random(args.seed)
        clients = [Client(number, data, args.clients, rng) for number in range(args.clients)]
        http = TestClient(SERVER_NAME="127.0.0.1")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        redis_pid = _redis_pid()

        for number in range(args.skip + args.requests):
            request = clients[number % len(clients)].next()
            headers = {"HTTP_AUTHORIZATION": f"Bearer {request.token}", "HTTP_ACCEPT": "application/json"}
            measured = number >= args.skip
            profiling = profiler is not None and measured and args.profile in (request.kind, "all")
            lookups.clear()
            if profiling:
                profiler.enable()
            before = (time.process_time_ns(), _schedstat_ns(backend), _schedstat_ns(redis_pid))
            if request.method == "GET":
                response = http.get(request.path, **headers)
            else:
                response = http.generic(
                    request.method, request.path, request.body, content_type="application/json", **headers
                )
            after = (time.process_time_ns(), _schedstat_ns(backend), _schedstat_ns(redis_pid))
            if profiling:
                profiler.disable()
            if response.status_code >= 400:
                errors += 1
                if errors <= 3:
                    print(f"{request.method} {request.path}: {response.status_code}", file=sys.stderr)
            spent = [(end - start) / 1e6 for start, end in zip(before, after, strict=True)]
            key = (request.token, request.path)
            first_time = key not in asked
            asked.add(key)
            if args.window:
                window[0] += sum(spent)
                window[1] += 1
                if window[1] == args.window:
                    first = number + 2 - args.window
                    print(f"requests {first:>6}-{number + 1:<6} {window[0] / window[1]:.3f} ms CPU each")
                    window[:] = [0.0, 0]
            if not measured:
                continue
            cost = costs[request.kind]
            cost.count += 1
            cost.django_ms += spent[0]
            cost.postgres_ms += spent[1]
            cost.redis_ms += spent[2]
            if lookups and lookups[0] in ("hit", "local_hit"):
                cost.hits += 1
            else:
                cost.misses["first" if first_time else "again"] += 1
    finally:
        # The replay's own monitoring samples go with its keys: nothing may flush them later.
        from monitoring.collector import collector

        collector.stop_thread()
        collector.discard()
        connections.close_all()
        run.drop_database(database)
        run.clear_keys(prefix)

    _print_table(costs, args.mode, args.skip, errors)
    if profiler is not None:
        path = run.TMP / f"mixcost-{args.mode}-{args.profile.replace(' ', '-')}.prof"
        path.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(path)
        pstats.Stats(str(path)).sort_stats("cumulative").print_stats(40)
        print(f"profile: {path}")


if __name__ == "__main__":
    main()
