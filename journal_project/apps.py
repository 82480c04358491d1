from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The project package as an app: the cache generation and idempotency tables, health checks, base templates."""

    name = "journal_project"
    label = "core"
    verbose_name = "Core"
