"""Evaluate every performance target now (recording violations as the scheduled check does) and print the table."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring import services
from monitoring.models import TargetStatus, format_value
from monitoring.store import get_store

HEADERS = ("target", "condition", "current", "samples", "window", "status", "open violation")


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            choices=["auto", "windows", "snapshots"],
            default="auto",
            help="Where current values come from: the live per-minute windows (Redis) or the stored "
            "snapshots. auto: windows when they are shared in Redis; snapshots in the embedded default, "
            "whose windows live in the server process.",
        )
        parser.add_argument(
            "--fail-on-breach",
            action="store_true",
            help="Exit with status 1 when any target is breached, and with 2 when the metrics could not be "
            "read (a gate must not pass blind).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        if source == "auto":
            source = "windows" if get_store().shared else "snapshots"
        readings = services.evaluate_targets(source=source)
        rows = [
            (
                reading.target.name,
                reading.target.condition,
                format_value(reading.value, reading.target.unit),
                str(reading.samples),
                f"{reading.target.window_minutes} min",
                reading.status_label,
                f"since {reading.open_violation.started_at:%Y-%m-%d %H:%M}" if reading.open_violation else "–",
            )
            for reading in readings
        ]
        widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write(line(HEADERS))
        self.stdout.write(line(tuple("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write(f"\nValues from the {source}; evaluated {len(readings)} target(s).")
        if options["fail_on_breach"]:
            if any(r.status == TargetStatus.BREACHED for r in readings):
                raise CommandError("At least one performance target is breached.", returncode=1)
            if any(r.status == TargetStatus.UNAVAILABLE for r in readings):
                # No evidence either way: a pipeline gate that passed here would pass blind.
                raise CommandError("The metrics could not be read; nothing was evaluated.", returncode=2)
