"""Fixtures shared by the whole suite. Tests run on real PostgreSQL and Redis."""

from __future__ import annotations

import copy

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from journal_project import cache_backend, caching
from journal_project.accounts.services import token_issue
from journal_project.api import throttles
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.support.proxy import TcpProxy


def _reset_process_cache_state() -> None:
    caching.reset_request_state()
    caching.local_cache.clear()
    caching.stats.reset()
    getattr(caching._dirty, "scopes", set()).clear()
    for breaker in cache_backend.all_breakers().values():
        breaker.reset()
    throttles._local_counts.clear()  # what the throttles counted while Redis was down


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Every test starts with an empty key space (this run's prefix only) and fresh process state."""
    _reset_process_cache_state()
    yield
    _reset_process_cache_state()
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture
def knowledge_base(db):
    """The shipped knowledge base, loaded through the real loader."""
    from sessions_app import knowledge, selectors, services

    services.knowledge_load(items=knowledge.items())
    selectors._kb_memo.clear()
    yield
    selectors._kb_memo.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return StaffFactory()


@pytest.fixture
def staff_client(client, staff_user):
    """The test client signed in as an operator (StaffFactory: staff and superuser)."""
    client.force_login(staff_user)
    return client


def make_api_client(user) -> APIClient:
    client = APIClient()
    issued = token_issue(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    client.user = user
    client.token = issued.raw
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    return make_api_client(user)


@pytest.fixture
def other_client(other_user) -> APIClient:
    return make_api_client(other_user)


@pytest.fixture
def browser_client(client, user):
    """Django's test client, logged in through the real login page."""
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    client.user = user
    return client


@pytest.fixture
def redis_proxy(settings):
    """The default cache talks to the real Redis through a proxy the test can cut, hang or slow."""
    base = copy.deepcopy(settings.CACHES["default"])
    proxy = TcpProxy("127.0.0.1", _redis_port(base["LOCATION"]))
    location = base["LOCATION"].replace(f":{_redis_port(base['LOCATION'])}/", f":{proxy.port}/")
    settings.CACHES = {**settings.CACHES, "default": {**base, "LOCATION": location}}
    settings.REDIS_URL = location
    settings.CACHE_BREAKER_COOLDOWN = 0.5
    for breaker in cache_backend.all_breakers().values():
        breaker.cooldown = 0.5
    try:
        yield proxy
    finally:
        proxy.close()


def _redis_port(url: str) -> int:
    from urllib.parse import urlparse

    return urlparse(url).port or 6379
