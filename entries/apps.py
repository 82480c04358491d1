from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "entries"
    verbose_name = "Journal entries"

    def ready(self) -> None:
        from entries import signals  # noqa: F401  (connects the cache invalidation handlers)
