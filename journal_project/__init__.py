# Before anything reads a setting: a configuration error that stops the process is then
# one line naming the variable, not a traceback (journal_project/environment.py).
import journal_project.environment  # noqa: F401

# The Celery app is loaded with Django so that @shared_task binds to it.
from journal_project.celery import app as celery_app

__all__ = ("celery_app",)
