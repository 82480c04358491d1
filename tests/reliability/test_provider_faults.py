"""The language model provider down, failing or slow: the person still gets the offline companion's reply.

tests/sessions_app/test_tasks.py covers slow, erroring and malformed providers at the
service level; this adds the provider that is not there at all (connection refused) and
checks all of them where a person meets them, through the API.
"""

from __future__ import annotations

import time

import pytest

from sessions_app.models import Message
from tests.reliability.conftest import record
from tests.sessions_app.stub_llm import StubChatServer
from tests.support.redis_server import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.fault, pytest.mark.usefixtures("knowledge_base")]

AI_TIMEOUT = 0.3


@pytest.mark.parametrize("fault", ["refused", "error", "slow"])
def test_the_offline_companion_answers_when_the_provider_fails(
    fault, auth_client, settings, django_capture_on_commit_callbacks
):
    stub = StubChatServer(mode="error" if fault == "error" else "slow")
    stub.delay = AI_TIMEOUT * 5
    settings.AI_PROVIDER_URL = f"http://127.0.0.1:{free_port()}/v1" if fault == "refused" else stub.url
    settings.AI_MODEL = "test-model"
    settings.AI_TIMEOUT = AI_TIMEOUT
    settings.AI_MAX_RETRIES = 1
    settings.AI_RETRY_BACKOFF = 0.01
    try:
        session = auth_client.post("/api/v1/sessions/", {}, format="json").json()
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):  # the queued reply task runs (eagerly)
            posted = auth_client.post(
                f"/api/v1/sessions/{session['id']}/messages/", {"content": "Work was hard today."}, format="json"
            )
        elapsed = time.monotonic() - started
    finally:
        stub.close()
    assert posted.status_code == 201
    assert posted.json()["status"] == "pending"
    detail = auth_client.get(f"/api/v1/sessions/{session['id']}/").json()
    assert detail["awaiting_reply"] is False
    reply = detail["messages"][-1]
    assert reply["role"] == "companion"
    assert reply["content"].strip()
    assert Message.objects.get(pk=reply["id"]).provider == Message.Provider.OFFLINE
    # Two attempts of at most AI_TIMEOUT each, then the offline reply: bounded, never stuck.
    assert elapsed < 2 * AI_TIMEOUT + 2
    record(f"fault: provider {fault}: offline replies", 1)
