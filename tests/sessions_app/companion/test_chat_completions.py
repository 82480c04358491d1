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


@pytest.mark.parametrize("mode", ["error", "throttled"])  # a 500, and a 429 without Retry-After
def test_server_errors_are_retried_with_backoff(server, mode):
    server.mode = mode
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


def test_an_answer_nested_past_the_json_parser_s_depth_is_malformed(server):
    """`json.loads` raises RecursionError, not ValueError, on such a document: it escaped as
    an unexpected error instead of the malformed answer it is."""
    server.mode = "nested"
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


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("A NUL\x00 in the middle.", "A NUL in the middle."),
        ("A lone surrogate \ud83d here.", "A lone surrogate \ufffd here."),
        ("A bell\x07, an \x1b[31mescape\x1b[0m and a C1\x85 control.", "A bell, an [31mescape[0m and a C1 control."),
        ("Lines\nand\ttabs stay.", "Lines\nand\ttabs stay."),
    ],
)
def test_a_reply_is_cleaned_of_what_cannot_be_stored_or_shown(server, sent, kept):
    """A NUL in a reply made PostgreSQL refuse it, and a lone surrogate made UTF-8 refuse it:
    the person's message was left without a reply (a 500 inline, a failed task on a worker)."""
    server.reply = sent
    assert complete(config(server), MESSAGES) == kept


def test_a_reply_of_control_characters_only_is_empty():
    """…and one with nothing left is no reply: the offline companion answers instead."""
    from sessions_app.companion.providers.chat_completions import clean_reply

    assert clean_reply("\x00\x07 \x1b") == ""


def test_a_huge_reply_is_cut_at_a_word_boundary():
    from sessions_app.companion.providers.chat_completions import MAX_REPLY_CHARS, clean_reply

    text = clean_reply("word " * 2000)
    assert len(text) <= MAX_REPLY_CHARS
    assert text.endswith("word…")
    assert clean_reply("x" * 5000) == "x" * (MAX_REPLY_CHARS - 1) + "…"


def test_a_retry_after_the_provider_asks_for_is_honoured(server):
    """A 429's Retry-After was ignored: the retries came after 1 s and 2 s and earned 429s."""
    server.mode, server.retry_after = "throttled", "3"
    delays = []
    with pytest.raises(ProviderUnavailable):
        complete(config(server, backoff=0.5, timeout=5.0), MESSAGES, sleep=delays.append)
    assert delays == [3.0, 3.0]  # what was asked, not 0.5 then 1.0
    assert len(server.requests) == 3


def test_a_retry_after_longer_than_an_attempt_ends_the_retries_at_once(server):
    """Waiting minutes for a rate limit would keep the person from the offline reply."""
    server.mode, server.retry_after = "throttled", "120"
    delays = []
    with pytest.raises(ProviderUnavailable):
        complete(config(server, backoff=0.5, timeout=5.0), MESSAGES, sleep=delays.append)
    assert delays == []
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 0 ", 0.0),
        ("Sat, 28 Nov 2026 20:00:30 GMT", 30.0),
        ("Sat, 28 Nov 2026 19:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header, seconds):
    import datetime

    from sessions_app.companion.providers.chat_completions import retry_after_seconds

    now = datetime.datetime(2026, 11, 28, 20, 0, tzinfo=datetime.UTC).timestamp()
    assert retry_after_seconds(header, now=now) == seconds


def test_a_response_far_larger_than_a_completion_is_refused_not_read_whole(server):
    """A 500 MB answer (a URL pointing at something else) was read whole into memory."""
    from sessions_app.companion.providers.chat_completions import MAX_RESPONSE_BYTES

    server.reply = "A" * (MAX_RESPONSE_BYTES + 10)
    with pytest.raises(ProviderMalformed):
        complete(config(server), MESSAGES)
    assert len(server.requests) == 1  # not retried: it would be as large again


def test_a_response_just_under_the_cap_is_read(server):
    server.reply = "word " * 100_000  # 500 KB
    assert complete(config(server), MESSAGES).endswith("…")
