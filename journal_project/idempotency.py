"""Retrying a create safely: the service behind the `Idempotency-Key` header (docs/api.md).

A phone that loses the connection before the answer arrives cannot know whether its
POST was written. Sent again with the same key, the request gets the first answer back
instead of a duplicate. The view side is `journal_project.api.idempotency.idempotent`;
this module owns the records:

* A key is scoped to its user and its operation (method and URL pattern): the same
  string from another person, or on another endpoint, is another key.
* `idempotency_claim()` inserts the record *before* the write, in the write's
  transaction, and `idempotency_complete()` stores the answer in that same transaction.
  A crash in between rolls back both, so a write never outlives its record nor the
  record its write.
* The unique constraint is the lock, not Redis (which may be down): PostgreSQL makes a
  second insert of the same key wait until the first transaction ends. If that one
  committed, the second reads its answer (a replay); if it rolled back (a 4xx, a crash),
  the second inserts and runs as the first.
* Records expire after IDEMPOTENCY_KEY_TTL_HOURS: an expired one never replays, and the
  periodic `idempotency_prune()` deletes them.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status

from journal_project.exceptions import Conflict, InvalidInput, JournalError
from journal_project.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 255
# Printable ASCII, spaces allowed inside but not at the ends: HTTP servers and clients
# strip a header value's edges, so " k" and "k" could not be told apart anyway.
KEY_PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)


class IdempotencyKeyInvalid(InvalidInput):
    code = "idempotency_key_invalid"
    default_message = (
        f"{HEADER} must be 1 to {KEY_MAX_LENGTH} printable ASCII characters, not starting or ending with a space."
    )


class IdempotencyKeyReused(JournalError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "idempotency_key_reused"
    default_message = f"This {HEADER} was already used for a different request. Use a new key for a new request."


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"
    default_message = f"A request with this {HEADER} is still being processed. Retry shortly."


def key_validate(key: str) -> None:
    """Raise IdempotencyKeyInvalid unless `key` is a well-formed key."""
    if not _KEY.fullmatch(key):
        raise IdempotencyKeyInvalid()


def fingerprint(*, method: str, path: str, data: Any) -> str:
    """What makes two requests "the same": the method, the path and the parsed body.

    The parsed body, canonically encoded, rather than the raw bytes: a client that
    serializes its payload again for the retry may order the keys differently.
    """
    if hasattr(data, "lists"):  # a form body (QueryDict): every value of every field
        data = dict(data.lists())
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    digest = hashlib.sha256()
    for part in (method.upper(), path, encoded):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def expired_before(now: datetime | None = None) -> datetime:
    """Records created at or before this moment have expired."""
    return (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def idempotency_claim(*, user: Any, key: str, operation: str, fingerprint: str) -> IdempotencyRecord:
    """The record of this key: a new one (`status_code` None: run the request) or a replayable one.

    Must run inside the transaction that will make the write. Raises IdempotencyKeyReused
    when the key answered a different request, IdempotencyKeyInUse in the unlikely case
    that the key could not be claimed after a few attempts.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("idempotency_claim() must run in the transaction of the write it guards")
    lookup = {"user": user, "operation": operation, "key": key}
    # Each round ends in an insert, a replay, an error, or a record that vanished meanwhile
    # (expired and deleted by a concurrent request or the prune): a few rounds are plenty.
    for _attempt in range(3):
        try:
            # Blocks while another transaction holds an uncommitted record of this key.
            with transaction.atomic():
                return IdempotencyRecord.objects.create(**lookup, fingerprint=fingerprint)
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(**lookup).first()
        if existing is None:
            continue
        if existing.created_at <= expired_before():
            # Expired: as if it were not there. Deleted by id and age, so that of two
            # requests doing this at once, the second deletes nothing and then meets the
            # first one's new record.
            IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if existing.status_code is None:  # cannot be committed so; never replay an empty answer
            raise IdempotencyKeyInUse()
        return existing
    raise IdempotencyKeyInUse()


def idempotency_complete(
    *, record: IdempotencyRecord, status_code: int, body: str, headers: dict[str, str]
) -> IdempotencyRecord:
    """Store the answer of a successful request, in its transaction."""
    record.status_code = status_code
    record.response_body = body
    record.response_headers = headers
    record.save(update_fields=["status_code", "response_body", "response_headers"])
    return record


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget the key of a request that did not succeed, so the client may fix it and retry."""
    record.delete()


def idempotency_prune(*, now: datetime | None = None) -> int:
    """Periodic (CELERY_BEAT_SCHEDULE["core-prune-idempotency-records"]): delete expired records."""
    return IdempotencyRecord.objects.filter(created_at__lte=expired_before(now)).delete()[0]
