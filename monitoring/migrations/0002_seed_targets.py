"""The five targets of CONTRACT §6 as editable rows (edits in the admin survive: never re-seeded)."""

from django.db import migrations

TARGETS = [
    {
        "slug": "cache-hit-rate",
        "name": "Cache hit rate",
        "description": "Share of cached reads answered by the cache (process memory or Redis).",
        "metric": "cache_read",
        "statistic": "hit_rate",
        "comparison": "gt",
        "threshold": 80.0,
        "window_minutes": 5,
        "min_samples": 100,
        "severity": "warning",
    },
    {
        "slug": "redis-p99",
        "name": "Redis command latency p99",
        "description": "Round trip of the Redis commands the app issues, plus the probe.",
        "metric": "redis_command",
        "statistic": "p99",
        "comparison": "lt",
        "threshold": 5.0,
        "window_minutes": 5,
        "min_samples": 100,
        "severity": "warning",
    },
    {
        "slug": "session-retrieval-p99",
        "name": "Session retrieval p99",
        "description": "Loading a reflection session with its messages.",
        "metric": "session_retrieval",
        "statistic": "p99",
        "comparison": "lt",
        "threshold": 10.0,
        "window_minutes": 5,
        "min_samples": 20,
        "severity": "critical",
    },
    {
        "slug": "db-query-p99",
        "name": "Database query time p99",
        "description": "Execution time of every database query.",
        "metric": "db_query",
        "statistic": "p99",
        "comparison": "lt",
        "threshold": 50.0,
        "window_minutes": 5,
        "min_samples": 100,
        "severity": "critical",
    },
    {
        "slug": "knowledge-lookup-p99",
        "name": "Knowledge base lookup p99",
        "description": "One lookup in the psychology knowledge base.",
        "metric": "knowledge_lookup",
        "statistic": "p99",
        "comparison": "lt",
        "threshold": 2.0,
        "window_minutes": 5,
        "min_samples": 20,
        "severity": "warning",
    },
]


def seed(apps, schema_editor):
    Target = apps.get_model("monitoring", "Target")
    for values in TARGETS:
        Target.objects.get_or_create(slug=values["slug"], defaults=values)


def unseed(apps, schema_editor):
    Target = apps.get_model("monitoring", "Target")
    Target.objects.filter(slug__in=[values["slug"] for values in TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
