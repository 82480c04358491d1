import logging

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The project package as an app: the cache generation and idempotency tables, health checks, base templates."""

    name = "journal_project"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Python's warnings go to the "py.warnings" logger (settings.LOGGING), so they are
        # log lines in the configured format: printed by `warnings` itself, a plain-text
        # line ("…/base.py:61: UserWarning: No directory at: …/staticfiles/") broke the
        # JSON stream. Django stopped doing this itself long ago.
        logging.captureWarnings(True)
