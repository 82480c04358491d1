"""Settings overlay for the benchmark: the production profile plus the `bench` app.

Everything that differs from a real deployment is set by bench/run.py through the same
environment variables an operator would use (and listed in docs/performance.md):
plain HTTP on loopback (SECURE_SSL_REDIRECT and secure cookies off), raised per-user
throttles, a dedicated database and Redis database/key prefix.
"""

from __future__ import annotations

from journal_project.settings.production import *  # noqa: F403
from journal_project.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
