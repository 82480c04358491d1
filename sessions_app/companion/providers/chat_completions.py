"""A small client for OpenAI-compatible chat completions (a hosted API, Ollama, llama.cpp, vLLM).

`POST {AI_PROVIDER_URL}/chat/completions` with the recent turns and the retrieved
techniques as grounding. Timeouts, connection errors, 429 and 5xx are retried with
exponential backoff; any other failure raises `ProviderError` at once, and the caller
falls back to the offline companion. Each attempt has a wall-clock limit
(`ProviderConfig.timeout`) for the whole exchange, not only for each network step.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from sessions_app.companion.compose import short_citation
from sessions_app.companion.knowledge import Item

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
# A completion of MAX_REPLY_CHARS is a few kilobytes of JSON; anything near this is not a reply.
MAX_RESPONSE_BYTES = 1_000_000
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

SYSTEM_PROMPT = (
    "You are a gentle reflective-journaling companion inside a private journaling app. You are not a therapist "
    "and you do not diagnose or give medical advice. Reply in two to four sentences: briefly reflect the "
    "person's own words, then ask exactly one open question or offer one small, concrete suggestion. When one "
    "of the techniques below fits, draw on it and say in a few words why. Never repeat a question you already "
    "asked in this conversation. If the person seems to be in danger, encourage them to contact local emergency "
    "services or a crisis line."
)


class ProviderError(Exception):
    """The provider could not give a usable reply."""


class ProviderTimeout(ProviderError):
    pass


class ProviderUnavailable(ProviderError):
    pass


class ProviderMalformed(ProviderError):
    pass


@dataclass(frozen=True)
class ProviderConfig:
    url: str
    model: str
    api_key: str = ""
    timeout: float = 20.0
    max_retries: int = 2
    backoff: float = 1.0

    @classmethod
    def from_settings(cls, *, inline: bool = False) -> ProviderConfig:
        """The configured provider; `inline` for a call made while a request waits for it.

        Inline, a hung provider must not hold the request for the whole retry chain
        (AI_TIMEOUT × (AI_MAX_RETRIES + 1) plus backoff, a minute by default): one
        attempt of at most AI_INLINE_TIMEOUT, and the caller falls back to the offline
        companion.
        """
        if inline:
            timeout, max_retries = min(settings.AI_TIMEOUT, settings.AI_INLINE_TIMEOUT), 0
        else:
            timeout, max_retries = settings.AI_TIMEOUT, settings.AI_MAX_RETRIES
        return cls(
            url=settings.AI_PROVIDER_URL,
            model=settings.AI_MODEL,
            api_key=settings.AI_API_KEY,
            timeout=timeout,
            max_retries=max_retries,
            backoff=settings.AI_RETRY_BACKOFF,
        )

    @property
    def endpoint(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def grounding_text(techniques: Sequence[Item], distortions: Sequence[Item] = ()) -> str:
    """The knowledge the reply may draw on, as plain text for the system message (pure)."""
    lines = ["Techniques you may draw on:"]
    for item in techniques:
        steps = " ".join(f"({index}) {step}" for index, step in enumerate(item.steps, 1))
        cites = "; ".join(short_citation(source) for source in item.sources)
        lines.append(f"- {item.name}: {item.summary} {('Steps: ' + steps) if steps else ''} [{cites}]".strip())
    if distortions:
        names = ", ".join(item.lower_name for item in distortions)
        lines.append(f"The app noticed possible {names} in the latest message (it may be wrong).")
    return "\n".join(lines)


def build_messages(history: Sequence[dict[str, str]], grounding: str) -> list[dict[str, str]]:
    """Chat messages in the wire format: system, then the turns as user/assistant (pure)."""
    messages = [{"role": "system", "content": f"{SYSTEM_PROMPT}\n\n{grounding}"}]
    for turn in history:
        role = "assistant" if turn["role"] == "companion" else "user"
        messages.append({"role": role, "content": turn["content"]})
    return messages


def _parse(body: bytes) -> str:
    try:
        data: Any = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ProviderMalformed(f"unexpected response shape: {type(error).__name__}") from None
    if not isinstance(content, str) or not content.strip():
        raise ProviderMalformed("empty reply")
    return content.strip()[:MAX_REPLY_CHARS]


def _exchange(
    config: ProviderConfig, payload: dict[str, Any], headers: dict[str, str], deadline: float
) -> tuple[int, bytes]:
    """One POST: the status and the whole (decoded) body, read by the deadline and under the size cap."""
    timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0))
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("POST", config.endpoint, json=payload, headers=headers) as response,
        ):
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if time.monotonic() > deadline:
                    raise ProviderTimeout(f"no complete answer within {config.timeout}s")
                if len(body) > MAX_RESPONSE_BYTES:
                    raise ProviderMalformed(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
            return response.status_code, bytes(body)
    except httpx.TimeoutException:
        raise ProviderTimeout(f"no answer within {config.timeout}s") from None
    except httpx.HTTPError as error:
        raise ProviderUnavailable(type(error).__name__) from None


def _attempt(config: ProviderConfig, payload: dict[str, Any], headers: dict[str, str]) -> tuple[int, bytes]:
    """`_exchange` within `config.timeout` seconds of wall-clock time in all.

    httpx's timeouts bound each network step (connect, send, each read), not their sum:
    a provider that trickles its answer a byte at a time keeps every step short. The
    exchange runs in a daemon thread, and the caller stops waiting at the deadline. The
    thread stops at its next chunk past the deadline, or by httpx's own timeouts; it
    holds no database connection.
    """
    deadline = time.monotonic() + config.timeout
    outcome: queue.SimpleQueue[tuple[int, bytes] | BaseException] = queue.SimpleQueue()

    def run() -> None:
        try:
            outcome.put(_exchange(config, payload, headers, deadline))
        except BaseException as error:  # handed to the caller's thread, raised there
            outcome.put(error)

    threading.Thread(target=run, name="chat-provider", daemon=True).start()
    try:
        result = outcome.get(timeout=max(deadline - time.monotonic(), 0.0))
    except queue.Empty:
        raise ProviderTimeout(f"no complete answer within {config.timeout}s") from None
    if isinstance(result, BaseException):
        raise result
    return result


def complete(
    config: ProviderConfig,
    messages: list[dict[str, str]],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """The provider's reply text, or ProviderError after the retries are spent."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    payload = {"model": config.model, "messages": messages, "temperature": 0.7, "max_tokens": 300, "stream": False}
    last_error: ProviderError = ProviderUnavailable("not attempted")
    for attempt in range(config.max_retries + 1):
        try:
            status, body = _attempt(config, payload, headers)
        except ProviderMalformed:
            raise  # an oversized answer: asking again would bring the same
        except ProviderError as error:
            last_error = error
        else:
            if status in RETRYABLE_STATUS:
                last_error = ProviderUnavailable(f"HTTP {status}")
            elif status >= 400:
                # 400/401/404…: retrying cannot help (wrong URL, key or model).
                raise ProviderUnavailable(f"HTTP {status}")
            else:
                return _parse(body)
        if attempt < config.max_retries:
            delay = config.backoff * (2**attempt)
            logger.warning("Chat provider attempt %d failed (%s); retrying in %.2fs", attempt + 1, last_error, delay)
            sleep(delay)
    raise last_error
