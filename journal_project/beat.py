"""Celery beat's scheduler: django-celery-beat's, keeping the schedules operators edit in the admin.

django-celery-beat's DatabaseScheduler copies CELERY_BEAT_SCHEDULE into its table at every
start with `update_or_create`, so an interval changed in the admin (say, the Redis probe
from every 15 s to every minute) held until the next deploy restarted beat and then
silently went back to the settings' value. Here the settings only install a task the table
does not have yet; for one it has, they update what the release owns (the task, its
arguments and options such as the expiry) and leave its schedule, and whether it is
enabled, as the table says.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler as BaseDatabaseScheduler
from django_celery_beat.schedulers import ModelEntry as BaseModelEntry


class ModelEntry(BaseModelEntry):
    @classmethod
    def from_entry(cls, name: str, app: Celery | None = None, **entry: Any) -> ModelEntry:
        fields = cls._unpack_fields(**entry)
        task = PeriodicTask._default_manager.filter(name=name).first()
        if task is None:
            task = PeriodicTask._default_manager.create(name=name, **fields)
            return cls(task, app=app)
        # The operator's: one of these is the schedule (the others stay empty).
        schedule_fields = [field for _, _, field in cls.model_schedules]
        changed = [key for key, value in fields.items() if key not in schedule_fields and getattr(task, key) != value]
        if changed:
            for key in changed:
                setattr(task, key, fields[key])
            task.save(update_fields=changed)
        return cls(task, app=app)


class DatabaseScheduler(BaseDatabaseScheduler):
    Entry = ModelEntry
