"""Production profile: no insecure defaults, HTTPS everywhere, `check --deploy` clean."""

from __future__ import annotations

from journal_project.environment import ConfigurationError

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY, YEAR, _hosts, env

# Fail loudly: a production process must never run on the development key.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ConfigurationError("SECRET_KEY must be set in the environment for the production profile.")

DEBUG = env.bool("DEBUG", default=False)
# Required: the base profile's local names would answer every request through the proxy 400.
if "ALLOWED_HOSTS" not in env.ENVIRON:
    raise ConfigurationError("ALLOWED_HOSTS must be set for the production profile, e.g. journal.example.org.")
ALLOWED_HOSTS = _hosts("ALLOWED_HOSTS", [])

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# No SECURE_PROXY_SSL_HEADER: Django would believe an `X-Forwarded-Proto: https` from any
# client that reaches gunicorn directly (its port is 0.0.0.0:8000 by default). gunicorn
# already sets the request's scheme from that header, and only for the proxies in
# FORWARDED_ALLOW_IPS (docs/configuration.md), which Django then reads.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=YEAR, minimum=0, maximum=2 * YEAR, unit="seconds")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# The load balancer probes over plain HTTP; these paths answer without the redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/(live|ready)/$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
