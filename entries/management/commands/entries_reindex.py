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
        try:
            config = search.search_config()
        except ValueError as error:
            raise CommandError(str(error)) from None
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT cfgname FROM pg_ts_config ORDER BY cfgname")
                known = [name for (name,) in cursor.fetchall() if name != search.CONFIG]
                if config not in known:
                    # Before, PostgreSQL's own error came out as a traceback.
                    raise CommandError(
                        f"JOURNAL_SEARCH_CONFIG={config!r} is no text search configuration of this "
                        f"database; it has: {', '.join(known)}. Nothing was changed."
                    )
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
            # The knowledge base's lookups use the same configuration.
            caching.bump(caching.KNOWLEDGE)
        accents = "accents folded" if folded else "accent-sensitive: the unaccent extension is unavailable"
        self.stdout.write(f"Reindexed {count} entries with the {config!r} configuration ({accents}).")
