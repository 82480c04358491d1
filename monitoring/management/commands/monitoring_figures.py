"""Print the benchmark's server figures (JSON) from what every process flushed to Redis.

    manage.py monitoring_figures --mark > mark.json      # before a benchmark mode
    manage.py monitoring_figures --since-mark mark.json  # after it: that mode only
    manage.py monitoring_figures --since 2025-01-01T12:00:00Z
    manage.py monitoring_figures                          # everything in the totals

Processes flush every MONITORING_FLUSH_INTERVAL seconds: wait that long after the load
stops before reading (and before taking the next mark).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from monitoring.selectors import figures_mark, server_figures
from monitoring.store import StoreUnavailable


class Command(BaseCommand):
    help = "Print the benchmark's server figures as JSON (see docs/monitoring.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--mark", action="store_true", help="Print a mark to measure from later.")
        group.add_argument("--since-mark", metavar="FILE", help="Figures since the mark saved in FILE.")
        group.add_argument("--since", metavar="ISO_DATETIME", help="Figures from this minute's window on.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["mark"]:
                result: Any = figures_mark()
            elif options["since_mark"]:
                result = server_figures(since=json.loads(Path(options["since_mark"]).read_text()))
            elif options["since"]:
                moment = parse_datetime(options["since"])
                if moment is None or moment.tzinfo is None:
                    raise CommandError("--since needs an ISO datetime with a time zone, e.g. 2025-01-01T12:00:00Z")
                result = server_figures(since=moment)
            else:
                result = server_figures()
        except StoreUnavailable as error:
            raise CommandError(f"The metrics store (Redis) is unavailable: {error}") from error
        self.stdout.write(json.dumps(result, indent=2, sort_keys=True))
