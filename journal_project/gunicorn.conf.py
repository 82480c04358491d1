"""gunicorn settings for production: `python -m journal_project.serve` (journal_project/serve.py),
or `gunicorn -c journal_project/gunicorn.conf.py`.

Every value can be overridden from the environment; scale out by raising WEB_CONCURRENCY
(processes) on one machine or by running more machines against the same PostgreSQL and Redis.
"""

import multiprocessing
import re
import sys
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

# The project on the import path even when gunicorn is started from another directory
# (`--chdir` applies after this file is read).
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from journal_project.environment import Env, one_line  # noqa: E402

env = Env()
# The .env next to manage.py counts here as it does for the app (real environment variables
# win): gunicorn reads this file before it imports the app, so WEB_CONCURRENCY and GUNICORN_*
# set there were ignored.
env.read_env(str(ROOT / ".env"), overwrite=False)

# The app's settings are read here, once, in the master: a value they refuse stops the
# start with its one line, where each worker failed to boot with a traceback (and the
# gunicorn values below come from the same strict reader: `WEB_CONCURRENCY=x` was
# "ValueError: invalid literal for int()" in a traceback, `WEB_CONCURRENCY=0` a master
# with no worker at all, answering nothing).
try:
    from django.conf import settings as django_settings

    django_settings.LOG_LEVEL  # noqa: B018  (imports the settings profile)
    bind = env.str("GUNICORN_BIND", default="0.0.0.0:8000")
    _port = re.fullmatch(r"(?:\[[0-9a-fA-F:.]+\]|[^:\[\]]*):(\d+)", bind)
    if not (bind.startswith(("unix:", "fd://")) or (_port and 1 <= int(_port.group(1)) <= 65535)):
        raise env.refuse("GUNICORN_BIND", "HOST:PORT with a port from 1 to 65535 (e.g. 0.0.0.0:8000), or unix:PATH")
    workers = env.int("WEB_CONCURRENCY", default=multiprocessing.cpu_count() * 2 + 1, minimum=1, maximum=1000)
    # Threads let a worker overlap waiting on PostgreSQL and Redis; the app is thread-safe.
    threads = env.int("GUNICORN_THREADS", default=4, minimum=1, maximum=1000)
    timeout = env.int("GUNICORN_TIMEOUT", default=30, minimum=1, maximum=86_400, unit="seconds")
    # Recycle workers now and then so slow leaks can never accumulate. Not too often: a new
    # worker pays ~1 s of CPU to boot and starts with a cold in-process cache, and at a few
    # hundred requests per second 5000 meant a restart every ~10 s (docs/performance.md).
    max_requests = env.int("GUNICORN_MAX_REQUESTS", default=100_000, minimum=0, maximum=1_000_000_000)
except Exception as error:
    line = one_line(error)
    if line is None:
        raise
    sys.exit(line)  # SystemExit: gunicorn prints a traceback for any other exception in this file


def missing_static_manifest() -> str | None:
    """The refusal when the static files were never collected, or None.

    The production profile serves static files through a manifest storage: without
    `collectstatic` every page that links a stylesheet was a 500, and so was the 500 page
    (a long chained traceback per request, nothing said at start).
    """
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.utils.module_loading import import_string

    storage = import_string(django_settings.STORAGES["staticfiles"]["BACKEND"])
    manifest = Path(django_settings.STATIC_ROOT) / getattr(storage, "manifest_name", "staticfiles.json")
    if not issubclass(storage, ManifestFilesMixin) or manifest.exists():
        return None
    return (
        f"ImproperlyConfigured: the static files are not collected ({manifest} is missing): "
        "run `python manage.py collectstatic --noinput` with the same settings, then start again."
    )


def on_starting(server: Any) -> None:
    # In the master, before any worker boots (not when this file is only read).
    refusal = missing_static_manifest()
    if refusal:
        sys.exit(refusal)


# The app when none is named on the command line.
wsgi_app = "journal_project.wsgi"
worker_class = "gthread"
graceful_timeout = 30
keepalive = 5
max_requests_jitter = max_requests // 10
# The request metrics middleware already records every request; the app logs JSON.
accesslog = env.str("GUNICORN_ACCESS_LOG", default="") or None
# If it is switched on: the path without its query string (`q` is what someone searched their
# journal for) and no referrer (the previous page's URL, query included). Gunicorn's default
# format logs the whole request line ("%(r)s") and the referrer ("%(f)s").
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
errorlog = "-"
# The app's LOG_LEVEL and LOG_FORMAT, as its settings read them (any case, spaces around).
loglevel = django_settings.LOG_LEVEL.lower()


class JsonErrorLogger(Logger):
    """gunicorn's own log (workers booting, timing out, exiting) in the app's JSON shape.

    With LOG_FORMAT=json the app writes one JSON object per line, but gunicorn wrote its
    lines as text (`[2026-11-29 08:36:42 +0000] [27542] [INFO] Booting worker ...`) to the
    same stream, which a JSON log pipeline cannot parse: and a worker timing out is the
    line an operator most needs. The access log keeps its own documented format.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # The app's formatter (UTC times with their zone), importable now: the settings
        # were read above.
        from journal_project.logging import PrivateJsonFormatter

        formatter = PrivateJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)


if django_settings.LOG_FORMAT == "json":
    logger_class = JsonErrorLogger
forwarded_allow_ips = env.str("FORWARDED_ALLOW_IPS", default="127.0.0.1")
# gunicorn's control socket (for `gunicornc`) defaults to one path per user account
# ($HOME/.gunicorn/gunicorn.ctl), so a second instance on the machine (a staging copy, a
# second site) took it over from the first. Off unless a path is given; signals (HUP,
# TTIN/TTOU, TERM) control the master as before.
control_socket = env.str("GUNICORN_CONTROL_SOCKET", default="")
control_socket_disable = not control_socket
