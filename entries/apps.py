from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "entries"
    verbose_name = "Journal entries"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from entries import search, signals  # noqa: F401  (signals connects the cache invalidation handlers)

        # The embedded default's search compares folded text in SQL (entries.search.fold).
        connection_created.connect(search.register_sqlite_functions, dispatch_uid="entries.journal_fold")
