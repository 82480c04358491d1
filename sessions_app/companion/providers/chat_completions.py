"""A small client for OpenAI-compatible chat completions (a hosted API, Ollama, llama.cpp, vLLM).

`POST {AI_PROVIDER_URL}/chat/completions` with the recent turns and the retrieved
techniques as grounding. Timeouts, connection errors, 429 and 5xx are retried with
exponential backoff; any other failure raises `ProviderError` at once, and the caller
falls back to the offline companion. Each attempt has a wall-clock limit
(`ProviderConfig.timeout`) for the whole exchange, not only for each network step.
"""

from __future__ import annotations

import datetime
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings

from sessions_app.companion.compose import short_citation
from sessions_app.companion.knowledge import Item

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
# A completion of max_tokens=300 is a few kilobytes. Anything far larger (a URL pointing at
# something else, a misbehaving server) is refused as it arrives rather than read whole
# into a worker's or a request's memory.
MAX_RESPONSE_BYTES = 1024 * 1024
# What a reply may not carry into the database or the page: NUL (PostgreSQL's text type
# refuses it, so saving the reply failed and the person's message was left unanswered),
# the other C0 and C1 control characters but tab and line breaks (terminal escapes, a
# bell), and lone UTF-16 surrogates, which JSON's "\ud83d" can produce but UTF-8 cannot
# encode.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

SYSTEM_PROMPT = (
    "You are a gentle reflective-journaling companion inside a private journaling app. You are not a therapist "
    "and you do not diagnose or give medical advice. Reply in two to four sentences: briefly reflect the "
    "person's own words, then ask exactly one open question or offer one small, concrete suggestion. When one "
    "of the techniques below fits, draw on it and say in a few words why. Never repeat a question you already "
    "asked in this conversation. If the person seems to be in danger, encourage them to contact local emergency "
    "services or a crisis line. Write plain text: no Markdown, headings, lists or links, since the app shows your "
    "reply exactly as written."
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


def grounding_text(
    techniques: Sequence[Item],
    distortions: Sequence[Item] = (),
    *,
    guided: Item | None = None,
    next_step: str | None = None,
) -> str:
    """The knowledge the reply may draw on, as plain text for the system message (pure).

    `guided`, `next_step`: the session works through a technique one question at a time.
    The model is asked to end with that question word for word: the offline companion
    tracks the steps by the questions already asked, so a paraphrase would repeat it.
    """
    lines = []
    if techniques:
        lines.append("Techniques you may draw on:")
    for item in techniques:
        steps = " ".join(f"({index}) {step}" for index, step in enumerate(item.steps, 1))
        cites = "; ".join(short_citation(source) for source in item.sources)
        lines.append(f"- {item.name}: {item.summary} {('Steps: ' + steps) if steps else ''} [{cites}]".strip())
    if distortions:
        names = ", ".join(item.lower_name for item in distortions)
        lines.append(f"The app noticed possible {names} in the latest message (it may be wrong).")
    if guided is not None and next_step:
        lines.append(
            f"This session works through {guided.lower_name} one step at a time. Acknowledge the person's answer "
            f"briefly, then end your reply with the next step's question, word for word: {next_step}"
        )
    return "\n".join(lines) or "No technique stands out for this message: reflect and ask one open question."


def build_messages(history: Sequence[dict[str, str]], grounding: str) -> list[dict[str, str]]:
    """Chat messages in the wire format: system, then the turns as user/assistant (pure)."""
    messages = [{"role": "system", "content": f"{SYSTEM_PROMPT}\n\n{grounding}"}]
    for turn in history:
        role = "assistant" if turn["role"] == "companion" else "user"
        messages.append({"role": role, "content": turn["content"]})
    return messages


def clean_reply(text: str) -> str:
    """A provider's text made safe to store and show (pure): no control characters or lone
    surrogates, trimmed, and at most MAX_REPLY_CHARS, cut at a word boundary."""
    text = _SURROGATE.sub("\ufffd", _UNPRINTABLE.sub("", text)).strip()
    if len(text) <= MAX_REPLY_CHARS:
        return text
    cut = text[: MAX_REPLY_CHARS - 1]
    if " " in cut[MAX_REPLY_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return f"{cut.rstrip()}…"


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes  # empty for an error status: only its code and Retry-After matter
    retry_after: str | None


def _read_capped(response: httpx.Response, deadline: float, limit: float) -> bytes:
    """The body, refused past MAX_RESPONSE_BYTES or past the deadline instead of read whole."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise ProviderMalformed(f"response of {declared} bytes")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ProviderMalformed(f"response over {MAX_RESPONSE_BYTES} bytes")
        if time.monotonic() > deadline:
            raise ProviderTimeout(f"no complete answer within {limit}s")
        chunks.append(chunk)
    return b"".join(chunks)


def _exchange(config: ProviderConfig, payload: dict[str, Any], headers: dict[str, str], deadline: float) -> _Answer:
    """One POST and its answer, read by the deadline and under the size cap."""
    timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0))
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("POST", config.endpoint, json=payload, headers=headers) as response,
        ):
            ok = response.status_code < 300
            body = _read_capped(response, deadline, config.timeout) if ok else b""
            return _Answer(response.status_code, body, response.headers.get("Retry-After"))
    except httpx.TimeoutException:
        raise ProviderTimeout(f"no answer within {config.timeout}s") from None
    except httpx.HTTPError as error:
        raise ProviderUnavailable(type(error).__name__) from None


def _attempt(config: ProviderConfig, payload: dict[str, Any], headers: dict[str, str]) -> _Answer:
    """`_exchange` within `config.timeout` seconds of wall-clock time in all.

    httpx's timeouts bound each network step (connect, send, each read), not their sum:
    a provider that trickles its answer a byte at a time keeps every step short. The
    exchange runs in a daemon thread, and the caller stops waiting at the deadline. The
    thread stops at its next chunk past the deadline, or by httpx's own timeouts; it
    holds no database connection.
    """
    deadline = time.monotonic() + config.timeout
    outcome: queue.SimpleQueue[_Answer | BaseException] = queue.SimpleQueue()

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


def _parse(body: bytes) -> str:
    try:
        data: Any = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    # RecursionError: JSON nested deeper than the parser goes is no answer either.
    except (ValueError, KeyError, IndexError, TypeError, RecursionError) as error:
        raise ProviderMalformed(f"unexpected response shape: {type(error).__name__}") from None
    if not isinstance(content, str):
        raise ProviderMalformed("empty reply")
    content = clean_reply(content)
    if not content:
        raise ProviderMalformed("empty reply")
    return content


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
        asked: float | None = None
        try:
            answer = _attempt(config, payload, headers)
        except ProviderMalformed:
            raise  # an oversized answer: asking again would bring the same
        except ProviderError as error:
            last_error = error
        else:
            if answer.status in RETRYABLE_STATUS:
                last_error = ProviderUnavailable(f"HTTP {answer.status}")
                asked = retry_after_seconds(answer.retry_after)
            elif answer.status >= 400:
                # 400/401/404…: retrying cannot help (wrong URL, key or model).
                raise ProviderUnavailable(f"HTTP {answer.status}")
            elif answer.status >= 300:
                # Never followed: the key would go wherever the redirect points. Mostly an
                # http:// address answered with its https:// one, which the setting should name.
                raise ProviderUnavailable(f"HTTP {answer.status}, a redirect (not followed): set the address it names")
            else:
                return _parse(answer.body)
        if attempt < config.max_retries:
            delay = config.backoff * (2**attempt)
            if asked is not None:
                # A rate-limited or overloaded provider says when to come back. Asking
                # sooner only earns another 429; waiting longer than an attempt may take
                # keeps the person from a reply the offline companion can give now.
                if asked > max(delay, config.timeout):
                    logger.warning("Chat provider asked to retry in %.0fs; not waiting", asked)
                    break
                delay = max(delay, asked)
            logger.warning("Chat provider attempt %d failed (%s); retrying in %.2fs", attempt + 1, last_error, delay)
            sleep(delay)
    raise last_error


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or None (pure)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))
