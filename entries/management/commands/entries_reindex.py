"""Rebuild the full-text index, e.g. after changing JOURNAL_SEARCH_CONFIG (PostgreSQL only).

Rebuilds `journal_search` as a copy of JOURNAL_SEARCH_CONFIG (accents folded), points the
trigger at it and recomputes every vector, all in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from entries import search
from entries.models import Entry
from journal_project import caching


class Command(BaseCommand):
    help = "Recreate the search trigger function with JOURNAL_SEARCH_CONFIG and recompute every entry's search vector."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Full-text search needs PostgreSQL; SQLite uses a simple fallback with no index.")
        config = search.search_config()
        with transaction.atomic():
            with connection.cursor() as cursor:
                folded = search.install_config(cursor, config)
                cursor.execute(search.function_sql(search.CONFIG))
                # Setting the vector fires the trigger, which computes it again.
                cursor.execute("UPDATE entries_entry SET search_vector = NULL")
                count = cursor.rowcount
            # Cached search results were ranked under the old configuration, and the headlines
            # kept per entry version marked its words: the versions do not move with a reindex.
            for user_id in Entry.objects.values_list("user_id", flat=True).distinct():
                caching.bump(caching.ENTRIES, user_id)
                caching.bump(caching.ENTRY_VERSIONS, user_id)
        accents = "accents folded" if folded else "accent-sensitive: the unaccent extension is unavailable"
        self.stdout.write(f"Reindexed {count} entries with the {config!r} configuration ({accents}).")
