"""gunicorn settings for production: `gunicorn -c journal_project/gunicorn.conf.py journal_project.wsgi`.

Every value can be overridden from the environment; scale out by raising WEB_CONCURRENCY
(processes) on one machine or by running more machines against the same PostgreSQL and Redis.
"""

import datetime
import logging
import multiprocessing
import os
from pathlib import Path
from typing import Any

import environ
from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

# The .env next to manage.py counts here as it does for the app (real environment variables
# win): gunicorn reads this file before it imports the app, so WEB_CONCURRENCY and GUNICORN_*
# set there were ignored.
environ.Env.read_env(str(Path(__file__).resolve().parent.parent / ".env"), overwrite=False)

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads let a worker overlap waiting on PostgreSQL and Redis; the app is thread-safe.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks can never accumulate. Not too often: a new
# worker pays ~1 s of CPU to boot and starts with a cold in-process cache, and at a few
# hundred requests per second 5000 meant a restart every ~10 s (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
# The request metrics middleware already records every request; the app logs JSON.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# If it is switched on: the path without its query string (`q` is what someone searched their
# journal for) and no referrer (the previous page's URL, query included). Gunicorn's default
# format logs the whole request line ("%(r)s") and the referrer ("%(f)s").
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class _UtcJsonFormatter(JsonFormatter):
    # As the app's (journal_project.logging.utc_time, not imported here: this file is read
    # before Django is set up): UTC with its zone, `2026-11-29T08:53:39.125Z`.
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonErrorLogger(Logger):
    """gunicorn's own log (workers booting, timing out, exiting) in the app's JSON shape.

    With LOG_FORMAT=json the app writes one JSON object per line, but gunicorn wrote its
    lines as text (`[2026-11-29 08:36:42 +0000] [27542] [INFO] Booting worker ...`) to the
    same stream, which a JSON log pipeline cannot parse: and a worker timing out is the
    line an operator most needs. The access log keeps its own documented format.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = _UtcJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)


if os.environ.get("LOG_FORMAT", "json").strip().lower() == "json":
    logger_class = JsonErrorLogger
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (for `gunicornc`) defaults to one path per user account
# ($HOME/.gunicorn/gunicorn.ctl), so a second instance on the machine (a staging copy, a
# second site) took it over from the first. Off unless a path is given; signals (HUP,
# TTIN/TTOU, TERM) control the master as before.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
