import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journal_project.settings.base")

application = get_asgi_application()

from journal_project.startup import freeze_loaded_objects, log_mode  # noqa: E402  (needs the configured app)

log_mode("ASGI server")
freeze_loaded_objects()
