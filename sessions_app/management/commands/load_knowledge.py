"""`manage.py load_knowledge`: upsert the shipped knowledge base (idempotent; `make run` calls it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sessions_app import knowledge, services


class Command(BaseCommand):
    help = "Load the psychology knowledge base shipped in sessions_app/knowledge/ (upsert by slug)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Also overwrite items an editor changed in the admin.")
        parser.add_argument(
            "--prune", action="store_true", help="Delete items no longer shipped (never customized ones)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.knowledge_load(items=knowledge.items(), force=options["force"], prune=options["prune"])
        self.stdout.write(
            f"Knowledge base: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.skipped_customized} customized kept, {result.deleted} deleted."
        )
