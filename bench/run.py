#!/usr/bin/env python
"""`make bench`: the whole benchmark in one invocation (docs/performance.md explains the method).

1. Seeds the bench database once (`journal_bench_seed`, a PostgreSQL template) and reuses
   it while the seed parameters match; never touches any other database.
2. Gives each mode its own copy of the template (`journal_bench` for `cached`,
   `journal_bench_<mode>` for the others, dropped at the end) with the same fresh tokens,
   and its own Redis key prefix; starts one gunicorn per mode with the production profile;
   then runs each scenario on every mode in turn (interleaved, so the runs a ratio
   compares are close in time): a warm-up (discarded), then the measured run. For
   `cached` it also reads the monitoring app's server-side figures for exactly each
   measured window.
3. Writes bench/results/latest.json (CONTRACT §7), latest.meta.json (machine, method,
   extra figures, the bars), latest.md and latency.svg, and prints the table.

Environment: BENCH_QUICK=1 (short run), BENCH_MODES (subset, e.g. "cached,uncached"),
BENCH_SCENARIOS (subset, e.g. "mix,list"; a partial run for development, its bars are
incomplete), BENCH_WORKERS / BENCH_THREADS (gunicorn), BENCH_CLIENTS, BENCH_DURATION / BENCH_WARMUP
(seconds), BENCH_PG (server URL without database), BENCH_DB (working database name),
BENCH_REDIS_URL, BENCH_KEY_PREFIX.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report, sysinfo  # noqa: E402
from bench.params import SeedParams  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TMP = RESULTS / "tmp"
PYTHON = sys.executable


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}


QUICK = _flag("BENCH_QUICK")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
MEASURE = float(os.environ.get("BENCH_DURATION") or (3 if QUICK else 20))
# The measured time of a scenario is cut into slices, and the modes take turns slice by
# slice, so that every mode samples the machine at the same moments (see run_phases).
SLICES = max(1, int(os.environ.get("BENCH_SLICES") or (1 if QUICK else 4)))
WARMUP = float(os.environ.get("BENCH_WARMUP") or (1 if QUICK else 5))
# Chosen by measurement on this 2-core machine (docs/performance.md, "Workers").
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("BENCH_DB", "journal_bench")
TEMPLATE = f"{DB}_seed"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
KEY_PREFIX = os.environ.get("BENCH_KEY_PREFIX", "bench")
# Monitoring flushes every second here (default 5 s) so each scenario's figures can be
# read a moment after it ends; that is more flushing than production, not less.
FLUSH_INTERVAL = 1.0
FLUSH_WAIT = FLUSH_INTERVAL + 0.4
PARAMS = SeedParams()
# On a shared machine: before each mode, wait while other processes use more than this
# share of the CPU, for at most BENCH_QUIET_WAIT seconds over the whole run.
QUIET_PERCENT = float(os.environ.get("BENCH_QUIET_PERCENT", "15"))
QUIET_WAIT = float(os.environ.get("BENCH_QUIET_WAIT", "0" if QUICK else "240"))

READS = ["list", "detail", "stats", "search", "session", "knowledge"]
# The mix's shares (bench/load.lua). The "read mix" is its read part: the hit rate bar is
# the read scenarios' hit rates weighted by these shares (each read does one cached lookup).
MIX_SHARES = {"list": 30, "detail": 25, "stats": 10, "search": 10, "session": 10, "knowledge": 5, "write": 10}
SCENARIOS = [*READS, "write", "mix"]

# What the server runs with in every mode: the production profile over plain HTTP on
# loopback, on the bench's own database and Redis keys, throttles raised (one machine
# pretending to be many people), Celery tasks inline (no broker: the sentiment task runs
# right after each write's commit, on the same two cores a worker would use).
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "SECRET_KEY": "bench-only-secret-key-loopback-never-deployed-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "DATABASE_URL": f"{PG}/{DB}",
    "REDIS_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": KEY_PREFIX,
    "CELERY_BROKER_URL": "",
    # Raised far beyond any client here, and per second rather than per minute: DRF's
    # throttle keeps every request of the window in one cached list, so a one-minute
    # window at benchmark rates (~600 searches a minute per person) would make that list
    # ten times longer than production's ever gets (60), and every search pay for it.
    "THROTTLE_SEARCH": "1000/s",
    "THROTTLE_COMPANION": "1000/s",
    # Without a broker the server runs beat's schedule itself, abandoning idle sessions at
    # start: the seeded database is reused for as long as its parameters match, so its
    # open sessions' last activity may be days old, and every message to them a 409.
    "SESSION_IDLE_MINUTES": str(60 * 24 * 365),
    "MONITORING_FLUSH_INTERVAL": str(FLUSH_INTERVAL),
    "LOG_LEVEL": "WARNING",
    "LOG_FORMAT": "text",
}


@dataclass
class Phase:
    mode: str
    scenarios: list[str]
    env: dict[str, str] = field(default_factory=dict)
    figures: bool = False  # read the monitoring figures per scenario (the `cached` mode)

    @property
    def database(self) -> str:
        # `cached` uses the names this process is configured with: its monitoring figures
        # are read from there.
        return DB if self.figures else f"{DB}_{self.mode}"

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIX if self.figures else f"{KEY_PREFIX}_{self.mode}"


# Each mode has its own copy of the data and its own Redis keys, and its server runs for
# the whole benchmark; the scenarios run in this order, each one mode after the other
# (see run_phases). The mix comes first, so every mode's mix meets the same state:
# fresh data, empty caches, nothing warmed by other scenarios.
SCENARIO_ORDER = ["mix", *READS, "ceiling", "write"]
# The scenarios measured against the ceiling. Each of their slices is followed by a slice
# of the ceiling on the cached server, so that a ratio compares the same moments (run as
# a scenario of its own, minutes later, the ceiling met a differently fast machine).
CEILING_PAIRED = ("list", "detail")
PHASES = [
    # The ceiling runs on the cached server: same stack, the minimal endpoint.
    Phase("cached", ["mix", *READS, "ceiling", "write"], figures=True),
    # Monitoring's overhead on the mix and on `list` (the cheapest cached read, where a
    # per-request cost weighs most), each run right after the same scenario on `cached`.
    Phase("monitoring_off", ["mix", "list"], {"MONITORING_ENABLED": "false"}),
    Phase("uncached", ["mix", *READS, "write"], {"JOURNAL_CACHE_ENABLED": "false"}),
    Phase("cachalot", ["mix", *READS, "write"], {"DJANGO_SETTINGS_MODULE": "bench.settings_cachalot"}),
]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Services ---------------------------------------------------------------------------


def _admin_connection() -> Any:
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=5)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def preflight() -> None:
    try:
        with _admin_connection() as conn:
            conn.execute("SELECT 1")
    except Exception as error:
        sys.exit(f"PostgreSQL is not reachable at {PG} ({error}). Start it (see .ci/run) and retry.")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as error:
        sys.exit(f"Redis is not reachable at {REDIS_URL} ({error}). Start it (see .ci/run) and retry.")
    if shutil.which("wrk") is None:
        log("wrk not found: installing it from Debian (apt-get install wrk)")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=False)
        if shutil.which("wrk") is None:
            sys.exit("wrk is required: `apt-get install wrk` (Debian/Ubuntu) or build it from github.com/wg/wrk.")
    for module, requirement in (("gunicorn", "requirements/prod.txt"), ("cachalot", "bench/requirements.txt")):
        try:
            __import__(module)
        except ImportError:
            sys.exit(f"{module} is missing: pip install -r {requirement} (make bench does it).")


def _seed_signature() -> dict[str, Any]:
    return {"params": PARAMS.as_dict()}


def ensure_seeded() -> dict[str, Any]:
    """The template database with the data set; reused while its parameters match."""
    wanted = _seed_signature()
    with _admin_connection() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [TEMPLATE]
        ).fetchone()
    found: dict[str, Any] = {}
    if row is not None and row[0]:
        try:
            found = json.loads(row[0])
        except ValueError:
            found = {}
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": f"{PG}/{TEMPLATE}", "MONITORING_ENABLED": "false"}
    manage = [PYTHON, str(ROOT / "manage.py")]
    if {key: found.get(key) for key in wanted} == wanted and found.get("complete"):
        log(f"reusing the seeded database {TEMPLATE} (anchor day {found.get('anchor')})")
        # The code may have migrations the template has not seen yet (a new trigger, a
        # column): the data stays, the schema follows the code being measured.
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        return found
    log(f"seeding {TEMPLATE}: {PARAMS.users} people x {PARAMS.entries} entries, {PARAMS.sessions} sessions each")
    started = time.perf_counter()
    with _admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(TEMPLATE)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quote(TEMPLATE)}")
    anchor = datetime.date.today().isoformat()
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    seed_args = [
        f"--users={PARAMS.users}",
        f"--entries={PARAMS.entries}",
        f"--sessions={PARAMS.sessions}",
        f"--seed={PARAMS.seed}",
        f"--anchor={anchor}",
    ]
    out = subprocess.run(
        [*manage, "bench_seed", *seed_args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    meta = {**wanted, "anchor": anchor, "seeded": summary, "complete": True}
    with _admin_connection() as conn:
        conn.execute(f"COMMENT ON DATABASE {_quote(TEMPLATE)} IS '{json.dumps(meta)}'")
    log(f"seeded in {time.perf_counter() - started:.0f}s: {summary}")
    return meta


def collect_static() -> None:
    """The production profile's static files, as an operator collects them before the start
    (gunicorn refuses to start without them: journal_project/gunicorn.conf.py)."""
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": f"{PG}/{TEMPLATE}", "MONITORING_ENABLED": "false"}
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )


def copy_database(name: str, template: str) -> None:
    """`name` as a fresh copy of `template` (replacing any earlier copy)."""
    with _admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")


def drop_database(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


def restore() -> None:
    """A fresh working copy of the seeded data (`DB`, the cached mode's database)."""
    from django.db import connections

    connections.close_all()
    copy_database(DB, TEMPLATE)


def clear_keys(prefix: str) -> None:
    """Delete the Redis keys under one of the bench's prefixes (it has its own Redis database too)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.unlink(*batch)
            batch.clear()
    if batch:
        client.unlink(*batch)


def setup_django() -> None:
    os.environ.update(SERVER_ENV)
    # This process only reads figures and issues tokens: it must not record samples itself.
    os.environ["MONITORING_ENABLED"] = "false"
    import django

    django.setup()


# --- The server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, phase: Phase, workers: int, threads: int) -> None:
        self.phase = phase
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = TMP / f"gunicorn-{phase.mode}.log"
        self.env = {
            **os.environ,
            **SERVER_ENV,
            "MONITORING_ENABLED": "true",  # this process runs with it off; the server as configured
            **phase.env,
            "DATABASE_URL": f"{PG}/{phase.database}",
            "CACHE_KEY_PREFIX": phase.key_prefix,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "journal_project/gunicorn.conf.py", "journal_project.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/live/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60s; see {self.log_path}")

    def pids(self) -> set[int]:
        if self.process is None:
            return set()
        return {self.process.pid, *sysinfo.children(self.process.pid)}

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.log_file.close()


# --- Load -------------------------------------------------------------------------------


def wrk(
    server: Server, scenario: str, seconds: float, data_file: Path, run: int = 0
) -> tuple[dict[str, Any], sysinfo.CpuUse]:
    """One wrk run; returns its summary and who used the CPU meanwhile.

    `run` numbers the runs of a scenario (0 the warm-up, then each slice): each draws a
    different request sequence, the same in every mode.
    """
    command = [
        "wrk",
        f"-t{CLIENTS}",
        f"-c{CLIENTS}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "load.lua"),
        server.url,
        "--",
        scenario,
        str(data_file),
        str(run),
    ]
    servers = server.pids()
    sampler = sysinfo.CpuSampler()
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    use = sampler.finish(servers)
    lines = [line for line in out.stdout.splitlines() if line.startswith('{"requests"')]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    return json.loads(lines[-1]), use


def wait_for_quiet(budget: dict[str, float]) -> None:
    """Wait (within a budget for the whole run) while other processes keep the cores busy."""
    if budget["left"] <= 0:
        return  # no budget (a quick run): not even the two seconds of sampling
    while True:
        sampler = sysinfo.CpuSampler()
        time.sleep(2)
        foreign = sampler.finish(set()).foreign_percent
        if foreign < QUIET_PERCENT or budget["left"] <= 0:
            if foreign >= QUIET_PERCENT:
                log(f"other processes use {foreign:.0f}% of the CPU; no waiting budget left, measuring anyway")
            return
        log(f"other processes use {foreign:.0f}% of the CPU: waiting for them ({budget['left']:.0f}s of budget left)")
        time.sleep(min(10.0, budget["left"]))
        budget["left"] -= 12.0
        budget["waited"] += 12.0


def figures(summary: dict[str, Any]) -> dict[str, Any]:
    latency = summary["latency_us"]
    errors = sum(summary["errors"].values())
    seconds = summary["duration_us"] / 1e6
    return {
        "requests": summary["requests"],
        "rps": round(summary["requests"] / seconds, 1),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p95_ms": round(latency["p95"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "errors": errors,
    }


def merge(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """One wrk summary from the slices of a run: counts add up; latencies are the slices'
    percentiles weighted by their requests (max: the largest), an approximation that is
    close when the slices are alike, and is documented as such."""
    if len(summaries) == 1:
        return summaries[0]
    total = sum(part["requests"] for part in summaries) or 1

    def weighted(name: str) -> float:
        return sum(part["latency_us"][name] * part["requests"] for part in summaries) / total

    return {
        "requests": sum(part["requests"] for part in summaries),
        "duration_us": sum(part["duration_us"] for part in summaries),
        "bytes": sum(part["bytes"] for part in summaries),
        "errors": {key: sum(part["errors"][key] for part in summaries) for key in summaries[0]["errors"]},
        "latency_us": {
            **{name: weighted(name) for name in ("p50", "p95", "p99", "mean")},
            "max": max(part["latency_us"]["max"] for part in summaries),
        },
    }


Slices = list[tuple[dict[str, Any], sysinfo.CpuUse]]


def _record(
    meta: dict[str, Any], mode: str, label: str, parts: Slices, *, hit_rate: float | None = None
) -> dict[str, Any]:
    """One run's figures from its slices; its CPU use per request goes into meta["runs"]."""
    summary = merge([summary for summary, _ in parts])
    uses = [use for _, use in parts]
    result = figures(summary)
    if hit_rate is not None:
        result["cache_hit_rate"] = hit_rate
    requests = max(1, summary["requests"])
    foreign = max(use.foreign_percent for use in uses)
    wall = sum(use.wall for use in uses)
    details = meta.setdefault("runs", {}).setdefault(mode, {})
    details[label] = {
        "server_cpu_ms_per_request": round(1000 * sum(use.server for use in uses) / requests, 3),
        "services_cpu_ms_per_request": round(1000 * sum(use.services for use in uses) / requests, 3),
        "client_cpu_ms_per_request": round(1000 * sum(use.clients for use in uses) / requests, 3),
        "other_processes_cpu_pct": round(foreign, 1),
        # Cores nobody used during the slices: a mode whose workers wait out many round
        # trips leaves the machine partly idle even when the load generator never stops.
        "idle_cpu_pct": round(sum(use.idle_percent * use.wall for use in uses) / max(1e-9, wall), 1),
        "slices_rps": [round(part["requests"] / (part["duration_us"] / 1e6), 1) for part, _ in parts],
        "mean_ms": round(summary["latency_us"]["mean"] / 1000, 2),
        "max_ms": round(summary["latency_us"]["max"] / 1000, 2),
        "errors_by_kind": summary["errors"],
    }
    shown = f", hit rate {hit_rate}" if hit_rate is not None else ""
    log(
        f"  {mode:>14} {label:<9} {result['rps']:>8.1f} rps  p50 {result['p50_ms']:>7.2f}  "
        f"p99 {result['p99_ms']:>7.2f} ms  errors {result['errors']}{shown}  "
        f"server {details[label]['server_cpu_ms_per_request']:.2f} ms CPU/request"
        + (f"  (other processes used up to {foreign:.0f}% CPU)" if foreign >= 10 else "")
    )
    return result


def totals() -> dict[str, int]:
    from monitoring.store import get_store

    return get_store().read_totals()


def prepare(phases: list[Phase], data_file: Path) -> None:
    """A fresh copy of the seeded data per mode, the same tokens in each, and no cached value."""
    from django.db import connections

    from bench import loaddata

    restore()  # the first mode's database, from the template
    loaddata.write(data_file, seed_value=PARAMS.seed, clients=CLIENTS)  # its tokens
    connections.close_all()  # the copies below need the first database without connections
    for phase in phases:
        if phase.database != DB:
            copy_database(phase.database, DB)
    for prefix in {KEY_PREFIX, *(phase.key_prefix for phase in phases)}:
        clear_keys(prefix)


def drop_copies(phases: list[Phase]) -> None:
    for phase in phases:
        if phase.database != DB:
            drop_database(phase.database)


def run_phases(
    phases: list[Phase], data_file: Path, workers: int, threads: int, meta: dict[str, Any], budget: dict[str, float]
) -> dict[str, dict[str, Any]]:
    """Every mode's server up at once; per scenario, every mode warms up, then the modes
    take turns in SLICES slices of the measured time (cached 5 s, monitoring_off 5 s,
    uncached 5 s, cachalot 5 s, cached again, ...).

    On a shared virtual machine the speed of the cores drifts, by tens of percent within
    a minute at times; measured one after the other, that drift would show up as a
    difference between the modes. Taking turns, every mode samples the same moments.
    """
    from monitoring.store import subtract_fields

    log(f"modes {', '.join(p.mode for p in phases)}: a fresh copy of the data each, gunicorn {workers}x{threads}")
    prepare(phases, data_file)
    servers = {phase.mode: Server(phase, workers, threads) for phase in phases}
    results: dict[str, dict[str, Any]] = {phase.mode: {} for phase in phases}
    deltas: dict[str, dict[str, int]] = {}
    order = [scenario for scenario in SCENARIO_ORDER if any(scenario in phase.scenarios for phase in phases)]
    cached_phase = next((phase for phase in phases if phase.mode == "cached"), None)
    pairs = (
        [name for name in CEILING_PAIRED if name in cached_phase.scenarios]
        if cached_phase is not None and "ceiling" in cached_phase.scenarios
        else []
    )
    if pairs:
        order.remove("ceiling")  # measured within the paired scenarios instead
    ceiling_parts: dict[str, Slices] = {name: [] for name in pairs}
    try:
        for server in servers.values():
            server.start()
        for scenario in order:
            wait_for_quiet(budget)
            active = [phase for phase in phases if scenario in phase.scenarios]
            for phase in active:
                wrk(servers[phase.mode], scenario, WARMUP, data_file)
            if scenario in ceiling_parts:
                wrk(servers["cached"], "ceiling", WARMUP, data_file)
            before: dict[str, int] = {}
            if any(phase.figures for phase in active):
                time.sleep(FLUSH_WAIT)  # the warm-up's samples are flushed before the mark
                before = totals()
            parts: dict[str, Slices] = {phase.mode: [] for phase in active}
            seconds = MEASURE / SLICES
            for number in range(1, SLICES + 1):
                for phase in active:
                    parts[phase.mode].append(wrk(servers[phase.mode], scenario, seconds, data_file, number))
                if scenario in ceiling_parts:
                    ceiling_parts[scenario].append(wrk(servers["cached"], "ceiling", seconds, data_file, number))
            if before:
                # Only the cached server records under this prefix, and only in its slices
                # (in list and detail, the ceiling's slices on the same server too: they
                # make no cache lookups, so the hit rate is the scenario's own).
                time.sleep(FLUSH_WAIT)
                deltas[scenario] = subtract_fields(totals(), before)
            for phase in active:
                hit_rate = None
                if phase.figures and scenario != "ceiling":
                    hit_rate = report.server_figures([deltas[scenario]])["cache_hit_rate"]
                results[phase.mode][scenario] = _record(
                    meta, phase.mode, scenario, parts[phase.mode], hit_rate=hit_rate
                )
            if scenario in ceiling_parts:
                paired = _record(meta, "cached", f"ceiling during {scenario}", ceiling_parts[scenario])
                meta.setdefault("ceiling_by_scenario", {})[scenario] = paired
        if pairs:
            every = [part for name in pairs for part in ceiling_parts[name]]
            results["cached"]["ceiling"] = _record(meta, "cached", "ceiling", every)
    finally:
        for server in servers.values():
            server.stop()
        drop_copies(phases)
    if deltas:
        cached = results["cached"]
        meta["server_by_scenario"] = {name: report.server_figures([delta]) for name, delta in deltas.items()}
        reads = [name for name in READS if name in deltas]
        meta["read_scenarios_cache_hit_rate"] = report.server_figures([deltas[s] for s in reads])["cache_hit_rate"]
        if reads == READS:
            weight = sum(MIX_SHARES[name] for name in READS)
            meta["read_mix_cache_hit_rate"] = round(
                sum(MIX_SHARES[name] * (cached[name]["cache_hit_rate"] or 0) for name in READS) / weight, 4
            )
        meta["server_cached_runs"] = report.server_figures(list(deltas.values()))
    return results


# --- Main -------------------------------------------------------------------------------


def assemble(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    scenarios = {
        scenario: {
            mode: results[mode][scenario]
            for mode in ("cached", "uncached", "cachalot")
            if scenario in results.get(mode, {})
        }
        for scenario in SCENARIOS
    }
    return {
        "cpus": os.cpu_count(),
        "quick": QUICK,
        "clients": CLIENTS,
        "scenarios": scenarios,
        "ceiling": results.get("cached", {}).get("ceiling"),
        "monitoring_off": results.get("monitoring_off", {}).get("mix"),
        "server": meta.get("server_cached_runs"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--compare-workers",
        metavar="WxT,...",
        help="Instead of the benchmark: the cached and uncached mix for each gunicorn workers x threads.",
    )
    args = parser.parse_args()
    started = time.monotonic()
    TMP.mkdir(parents=True, exist_ok=True)
    preflight()
    seed_meta = ensure_seeded()
    collect_static()
    setup_django()
    data_file = TMP / "data.lua"

    if args.compare_workers:
        compare_workers(args.compare_workers, data_file)
        return

    selected = [m.strip() for m in os.environ.get("BENCH_MODES", "").split(",") if m.strip()]
    phases = [phase for phase in PHASES if not selected or phase.mode in selected]
    only = {name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",") if name.strip()}
    if only:
        phases = [Phase(p.mode, [s for s in p.scenarios if s in only], p.env, p.figures) for p in phases]
        phases = [phase for phase in phases if phase.scenarios]
    meta: dict[str, Any] = {
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": sysinfo.machine(PG, REDIS_URL),
        "method": {
            "tool": "wrk " + sysinfo.wrk_version(),
            "clients": CLIENTS,
            "warmup_s": WARMUP,
            "measure_s": MEASURE,
            "gunicorn": {"workers": WORKERS, "threads": THREADS, "worker_class": "gthread"},
            "throttles": {key: SERVER_ENV[key] for key in ("THROTTLE_SEARCH", "THROTTLE_COMPANION")},
            "monitoring_flush_interval_s": FLUSH_INTERVAL,
            "modes": [phase.mode for phase in phases],
        },
        "seed": seed_meta,
    }
    budget = {"left": QUIET_WAIT, "waited": 0.0}
    results = run_phases(phases, data_file, WORKERS, THREADS, meta, budget)
    meta["waited_for_quiet_s"] = budget["waited"]
    meta["monitoring_off_list"] = results.get("monitoring_off", {}).get("list")

    output = assemble(results, meta)
    meta["bars"] = report.bars(output, meta)
    meta["duration_s"] = round(time.monotonic() - started)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(output, indent=2) + "\n")
    (RESULTS / "latest.meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    (RESULTS / "latency.svg").write_text(report.chart(output))
    (RESULTS / "latest.md").write_text(report.markdown(output, meta))
    print()
    print(report.table(output, meta))
    log(f"done in {meta['duration_s']}s: bench/results/latest.json, latest.meta.json, latest.md, latency.svg")


def compare_workers(spec: str, data_file: Path) -> None:
    """Throughput and the server figures for each gunicorn configuration (how the default was chosen)."""
    rows = []
    budget = {"left": QUIET_WAIT, "waited": 0.0}
    for item in spec.split(","):
        workers, threads = (int(part) for part in item.lower().split("x"))
        meta: dict[str, Any] = {}
        phases = [
            Phase("cached", ["ceiling", "list", "mix"], figures=True),
            Phase("uncached", ["mix"], PHASES[2].env),
        ]
        results = run_phases(phases, data_file, workers, threads, meta, budget)
        server = meta["server_by_scenario"]["mix"]
        rows.append((f"{workers}x{threads}", results["cached"], results["uncached"]["mix"], server))
    print(
        f"\n{'gunicorn':<10}{'ceiling':>9}{'list':>9}{'mix':>9}{'mix unc.':>9}{'mix p99':>9}{'redis p99':>10}"
        f"{'session p99':>12}{'knowl. p99':>11}"
    )
    for config, cached, uncached, server in rows:
        print(
            f"{config:<10}{cached['ceiling']['rps']:>9.1f}{cached['list']['rps']:>9.1f}{cached['mix']['rps']:>9.1f}"
            f"{uncached['rps']:>9.1f}{cached['mix']['p99_ms']:>9.1f}{server['redis_p99_ms'] or 0:>10.2f}"
            f"{server['session_retrieval_p99_ms'] or 0:>12.2f}{server['knowledge_lookup_p99_ms'] or 0:>11.2f}"
        )


if __name__ == "__main__":
    main()
