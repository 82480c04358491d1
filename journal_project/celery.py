"""The one Celery app. Tasks take ids, call a service, are idempotent, and are queued on commit."""

from __future__ import annotations

from celery import Celery, signals

from journal_project.envfile import choose_settings_module

# The first module of the package to run (journal_project/__init__.py imports it), so this
# covers manage.py, the WSGI/ASGI modules and the worker: a profile chosen in .env is honoured.
choose_settings_module()

app = Celery("journal_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _inline_without_a_broker(sender: Celery, **kwargs: object) -> None:
    # Without CELERY_BROKER_URL tasks run inline, but Celery still acquires a producer for
    # them, and an empty broker URL means amqp://localhost: kombu warned "No hostname was
    # supplied" on the first saved entry of every `make run`. The in-memory transport (with
    # a host named, or kombu warns the same) is what "no broker" means; nothing goes through it.
    if not sender.conf.broker_url:
        sender.conf.broker_url = "memory://localhost//"


REQUEST_ID_HEADER = "request_id"


@signals.worker_init.connect
def _log_mode(**kwargs: object) -> None:
    from journal_project.startup import log_mode

    log_mode("Celery worker")


@signals.before_task_publish.connect
def _attach_request_id(headers: dict | None = None, **kwargs: object) -> None:
    """Carry the id of the request that queued the task, so its logs can be joined."""
    from django_guid import get_guid

    if headers is not None:
        request_id = get_guid()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id


def _is_eager(task: object) -> bool:
    request = getattr(task, "request", None)
    return bool(getattr(request, "is_eager", False))


@signals.task_prerun.connect
def _adopt_request_id(task: object = None, **kwargs: object) -> None:
    # An inline (eager) task runs inside the request that queued it and shares its state.
    if _is_eager(task):
        return
    from django_guid import set_guid

    from journal_project import caching

    caching.reset_request_state()
    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID_HEADER, None)
    if request_id:
        set_guid(str(request_id))


@signals.task_postrun.connect
def _forget_request_id(task: object = None, **kwargs: object) -> None:
    if _is_eager(task):
        return
    from django_guid import clear_guid

    from journal_project import caching

    caching.reset_request_state()
    clear_guid()
