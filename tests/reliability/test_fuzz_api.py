"""Schemathesis over every operation of /api/v1/schema/, as an authenticated user.

Every answer must be no server error and must conform to the schema (status code,
content type, headers, body), and data the schema forbids must be refused. The suite
runs a bounded, derandomized number of examples per operation, so CI is repeatable;
`make fuzz` runs many more with a fresh seed (FUZZ_MAX_EXAMPLES, FUZZ_SEED).

The requests go through the whole WSGI stack (middleware, authentication, throttles,
exception handler) against the real PostgreSQL and Redis of the test run.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from entries import services as entry_services
from entries.models import Entry
from journal_project.accounts.services import token_issue
from sessions_app import services as session_services
from sessions_app.models import ReflectionSession, Technique
from tests.factories import UserFactory
from tests.reliability.conftest import record

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
SEED = os.environ.get("FUZZ_SEED")
FULL = os.environ.get("FUZZ_FULL") == "1"

config = SchemathesisConfig.from_dict(
    {
        # In the suite the same cases every run (a failure is reproducible, CI is not
        # flaky); `make fuzz` passes a seed of its own.
        "seed": int(SEED) if SEED else 20261128,
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
        # Our validation has rules no schema can state (a password's strength, a technique
        # that exists, a date range's order, an export file's content), so schema-valid
        # input may rightly answer 400. The syntactic rules are in the schema, and
        # negative_data_rejection checks that everything the schema forbids is refused.
        "checks": {"positive_data_acceptance": {"enabled": False}},
        "operations": [
            {
                # The coverage phase tries every value of an enum: for the ~600 time zones
                # that is most of the run. The suite leaves those two operations to the
                # random phases; `make fuzz` (FUZZ_FULL=1) covers them too.
                "include-operation-id": ["auth_register_create", "auth_me_partial_update"],
                "phases": {"coverage": {"enabled": FULL}},
            }
        ],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=config)


@pytest.fixture
def wsgi_keeps_the_test_transaction() -> Iterator[None]:
    # Django closes "old" connections at the start and end of each request. Through the
    # raw WSGI app that would close the connection holding the test's transaction;
    # Django's own test client disconnects these handlers for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_user(knowledge_base, generous_throttles, wsgi_keeps_the_test_transaction) -> Any:
    return UserFactory()


def ensure_objects(user: Any) -> dict[str, Any]:
    """Real ids for path parameters: an entry, an active session and a technique of this user.

    The fuzzer may have deleted the entry or ended the session in an earlier example.
    """
    entry = Entry.objects.filter(user=user).first() or entry_services.entry_create(
        user=user, title="Fuzzed", body="Something to *fuzz*.", tags=["fuzz"]
    )
    session = ReflectionSession.objects.filter(
        user=user, status=ReflectionSession.Status.ACTIVE
    ).first() or session_services.session_create(user=user)
    return {"id": entry.pk, "session_id": session.pk, "slug": Technique.objects.values_list("slug", flat=True)[0]}


def _negative(meta: Any, location: str) -> bool:
    """Did the fuzzer make this part of the request invalid on purpose?"""
    if meta is None:
        return False
    return any(where.value == location and info.mode == "negative" for where, info in meta.components.items())


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_answers_within_its_schema(case: Any, fuzz_user: Any) -> None:
    real = ensure_objects(fuzz_user)
    meta = getattr(case, "_meta", None)
    positive = meta is None or meta.generation.mode == "positive"
    # Random ids almost never exist: send a real one in half the valid cases, so the code
    # behind the 404 gets fuzzed too. (An invalid case keeps its invalid id: replacing it
    # would make the request valid while the check still expects a rejection.)
    for name, value in list((case.path_parameters or {}).items()):
        if positive and name in real and zlib.crc32(repr(value).encode()) % 2 == 0:  # hash() varies per process
            case.path_parameters[name] = real[name]
    # A fresh token per case: the fuzzer calls logout, which revokes the token it used.
    # A case whose headers are invalid on purpose keeps them (a malformed Authorization
    # must be refused); every other case is sent as our user.
    token = token_issue(user=fuzz_user).raw
    headers = {} if _negative(meta, "header") else {"Authorization": f"Bearer {token}"}
    response = case.call_and_validate(headers=headers)
    record("fuzz: cases")
    record(f"fuzz op: {case.operation.label}")
    record(f"fuzz: status {response.status_code}")
