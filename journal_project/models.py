from django.conf import settings
from django.db import models
from django.utils import timezone


class CacheGeneration(models.Model):
    """The current generation of one cache namespace for one scope (a user, or 0 for global).

    Cache keys embed the generation, so moving it forward makes every older key
    unreachable at once. It lives in PostgreSQL, not Redis, so that the bump commits or
    rolls back together with the write that caused it (see journal_project/caching.py).
    """

    namespace = models.CharField(max_length=32)
    scope_id = models.BigIntegerField()
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "scope_id"], name="cache_generation_unique_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.scope_id} @ {self.value}"


class IdempotencyRecord(models.Model):
    """The answer to one create sent with an `Idempotency-Key` (docs/api.md, Retrying writes).

    Inserted at the start of the request, in the transaction of the write it answers, and
    completed in that same transaction: a committed record always has its answer, and a
    write made under a key always has its record. The unique constraint doubles as the
    lock: a second request with the same key waits on the first one's uncommitted insert
    and, once it commits, reads the answer (journal_project/idempotency.py).
    """

    # The unique constraint's index starts with the user: no index of its own needed.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False, related_name="+")
    # "POST api/v1/entries/": the method and the URL pattern, not the path.
    operation = models.CharField(max_length=200)
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the parsed body.
    fingerprint = models.CharField(max_length=64)
    # Null only inside the transaction that is producing the answer: never committed so.
    status_code = models.PositiveSmallIntegerField(null=True)
    # The rendered JSON, journal content included: never shown in the admin.
    response_body = models.TextField(default="")
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "operation", "key"], name="idempotency_record_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} #{self.pk}"
