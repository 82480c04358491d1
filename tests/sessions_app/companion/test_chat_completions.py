"""The chat-completions client against a local server speaking the real wire format."""

from __future__ import annotations

import time

import pytest

from sessions_app.companion.providers.chat_completions import (
    ProviderConfig,
    ProviderMalformed,
    ProviderTimeout,
    ProviderUnavailable,
    build_messages,
    complete,
)
from tests.sessions_app.stub_llm import StubChatServer


@pytest.fixture
def server():
    stub = StubChatServer(reply="  What would a kind friend say about that?  ")
    try:
        yield stub
    finally:
        stub.close()


def config(server: StubChatServer, **overrides) -> ProviderConfig:
    values = {
        "url": server.url,
        "model": "llama3",
        "api_key": "sk-test",
        "timeout": 0.5,
        "max_retries": 2,
        "backoff": 0.01,
    }
    return ProviderConfig(**{**values, **overrides})


MESSAGES = build_messages([{"role": "user", "content": "Hello"}, {"role": "companion", "content": "Hi"}], "grounding")


def test_success_returns_the_assistant_message(server):
    assert complete(config(server), MESSAGES) == "What would a kind friend say about that?"
    body = server.requests[0]
    assert server.paths == ["/v1/chat/completions"]
    assert body["model"] == "llama3"
    assert body["stream"] is False
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant"]
    assert server.headers[0]["Authorization"] == "Bearer sk-test"


def test_a_full_endpoint_url_is_used_as_is(server):
    complete(config(server, url=f"{server.url}/chat/completions"), MESSAGES)
    assert server.paths == ["/v1/chat/completions"]


def test_no_key_sends_no_authorization_header(server):
    complete(config(server, api_key=""), MESSAGES)
    assert "Authorization" not in server.headers[0]


def test_a_slow_provider_times_out_after_the_retries(server):
    server.mode, server.delay = "slow", 1.5
    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        complete(config(server, timeout=0.3, max_retries=1), MESSAGES)
    assert time.monotonic() - started < 1.5  # two short timeouts, not the server's delay
    assert len(server.requests) == 2


def test_server_errors_are_retried_with_backoff(server):
    server.mode = "error"
    delays = []
    with pytest.raises(ProviderUnavailable):
        complete(config(server, backoff=0.5), MESSAGES, sleep=delays.append)
    assert len(server.requests) == 3
    assert delays == [0.5, 1.0]  # exponential


def test_a_malformed_answer_is_not_retried(server):
    server.mode = "malformed"
    with pytest.raises(ProviderMalformed):
        complete(config(server), MESSAGES)
    assert len(server.requests) == 1


def test_an_unreachable_provider_is_unavailable():
    with pytest.raises(ProviderUnavailable):
        complete(ProviderConfig(url="http://127.0.0.1:9/v1", model="m", timeout=0.3, max_retries=0), MESSAGES)


def test_a_provider_trickling_its_answer_times_out_at_the_wall_clock_limit(server):
    """Each byte came well within the per-read timeout, so the call lasted as long as the provider liked."""
    server.mode = "trickle"
    server.delay = 0.05  # the whole completion would take over ten seconds
    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        complete(config(server, max_retries=0), MESSAGES)
    assert time.monotonic() - started < 1.0  # the 0.5 s limit, plus scheduling


def test_an_oversized_answer_is_refused_without_retrying(server):
    server.mode = "huge"
    with pytest.raises(ProviderMalformed):
        complete(config(server, timeout=5.0), MESSAGES)
    assert len(server.requests) == 1
