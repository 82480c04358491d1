"""The `cachalot` mode: our read cache off, django-cachalot caching every ORM query in the same Redis.

The off-the-shelf alternative a Django team would reach for. django-cachalot is installed
from bench/requirements.txt only; this overlay is the only place that enables it.
"""

from __future__ import annotations

import copy

from bench.settings import *  # noqa: F403
from bench.settings import CACHES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "cachalot"]
# Same code path, our cache switched off: every read goes to the ORM, where cachalot sits.
JOURNAL_CACHE_ENABLED = False
# The same Redis, database and key prefix as everything else, through the same backend
# (so its commands are timed like ours), but with django-redis's default pickle
# serializer: cachalot stores query results (UUIDs, datetimes), which msgpack cannot.
CACHES = {**CACHES, "cachalot": copy.deepcopy(CACHES["default"])}
CACHES["cachalot"]["OPTIONS"].pop("SERIALIZER", None)
CACHALOT_CACHE = "cachalot"
CACHALOT_TIMEOUT = 3600  # like JOURNAL_CACHE_TTL
# Cachalot's defaults otherwise: every table cached, raw-SQL writes invalidate too.
