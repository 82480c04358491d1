from django.db import models


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
