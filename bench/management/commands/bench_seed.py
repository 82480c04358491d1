"""`manage.py bench_seed`: write the benchmark's data set into an empty, migrated database.

bench/run.py calls it on a database of its own (never yours): 50 people × 400 entries,
reflection sessions with messages, and the knowledge base. Deterministic for given
parameters and anchor day.
"""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from bench.params import SeedParams
from bench.seed import seed


class Command(BaseCommand):
    help = "Seed the benchmark data set (deterministic) into the current, empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = SeedParams()
        parser.add_argument("--users", type=int, default=defaults.users)
        parser.add_argument("--entries", type=int, default=defaults.entries, help="Entries per user.")
        parser.add_argument("--sessions", type=int, default=defaults.sessions, help="Reflection sessions per user.")
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--anchor", type=datetime.date.fromisoformat, default=None, help="'Today' of the data.")

    def handle(self, *args: Any, **options: Any) -> None:
        params = SeedParams(
            users=options["users"], entries=options["entries"], sessions=options["sessions"], seed=options["seed"]
        )
        anchor = options["anchor"] or datetime.date.today()
        started = time.perf_counter()
        call_command("load_knowledge", stdout=self.stdout)
        result = seed(params, anchor=anchor, log=lambda line: self.stderr.write(f"  {line}"))
        summary = {**result.__dict__, "seconds": round(time.perf_counter() - started, 1)}
        self.stdout.write(json.dumps(summary))
