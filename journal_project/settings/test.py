"""Test profile: the real stack (PostgreSQL and Redis) with a key prefix per test run.

Defaults point at the local services; DATABASE_URL and REDIS_URL override them.
"""

from __future__ import annotations

import os
import uuid

# Set before base reads the environment, so the test run always uses the real stack.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/journal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("LOG_FORMAT", "text")

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REST_FRAMEWORK

# Each run (and each xdist worker) gets its own key space in the shared Redis, so
# parallel runs and developers never read each other's keys.
TEST_RUN_ID = os.environ.get("JOURNAL_TEST_RUN_ID") or uuid.uuid4().hex[:12]
CACHES["default"]["KEY_PREFIX"] = f"test-{TEST_RUN_ID}"
CACHE_KEY_PREFIX = CACHES["default"]["KEY_PREFIX"]
# Its own database too, so two runs on one machine never drop each other's.
DATABASES["default"]["TEST"] = {"NAME": f"test_journal_{TEST_RUN_ID}"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")

# Throttles stay on (they are tested) but generous enough for the suite itself.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}}

# Without a broker the flush threads would roll up and evaluate every minute (as `make run`
# does), on a connection of their own that outlives each test's database and changes the
# targets under the tests' feet. Tests that need it call the maintenance themselves.
MONITORING_INLINE_MAINTENANCE = False
