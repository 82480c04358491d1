"""The metrics the app records: internal names, their labels, and their Prometheus names.

Internal names are what `monitoring.metrics.observe()` and the hooks record, what Redis
windows and snapshots are keyed by, and what performance targets refer to. A name
recorded by another app that is not listed here is exported generically as
`journal_<name>_duration_seconds`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HTTP_REQUEST = "http_request"
DB_QUERY = "db_query"
CACHE_READ = "cache_read"
REDIS_COMMAND = "redis_command"
SESSION_RETRIEVAL = "session_retrieval"
KNOWLEDGE_LOOKUP = "knowledge_lookup"
MONITORING_FLUSH = "monitoring_flush"

# Counters
REDIS_ERRORS = "redis_errors"
DROPPED_SAMPLES = "monitoring_dropped_samples"

# Cache read results that count for the hit rate ("bypass" does not: the cache was off).
HIT_RESULTS = frozenset({"hit", "local_hit"})
LOOKUP_RESULTS = frozenset({"hit", "local_hit", "miss", "error"})

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Family:
    name: str
    prometheus: str
    help: str


HISTOGRAMS: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            HTTP_REQUEST,
            "journal_http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern, method and status class.",
        ),
        Family(DB_QUERY, "journal_db_query_duration_seconds", "Time to execute one database query."),
        Family(
            CACHE_READ,
            "journal_cache_request_duration_seconds",
            "Time of one cached read (including the rebuild on a miss), by namespace and result.",
        ),
        Family(
            REDIS_COMMAND,
            "journal_redis_command_duration_seconds",
            "Round trip of one Redis command issued by the cache, the probe or the health check.",
        ),
        Family(
            SESSION_RETRIEVAL,
            "journal_session_retrieval_duration_seconds",
            "Time to load a reflection session with its messages.",
        ),
        Family(
            KNOWLEDGE_LOOKUP,
            "journal_knowledge_lookup_duration_seconds",
            "Time of one knowledge base lookup.",
        ),
        Family(
            MONITORING_FLUSH,
            "journal_monitoring_flush_duration_seconds",
            "Time of one flush of a process's metrics to Redis.",
        ),
    )
}

COUNTERS: dict[str, Family] = {
    REDIS_ERRORS: Family(REDIS_ERRORS, "journal_redis_command_errors", "Redis commands that failed."),
    DROPPED_SAMPLES: Family(
        DROPPED_SAMPLES,
        "journal_monitoring_dropped_samples",
        "Samples and counter increments a process could not store in Redis (beyond what it keeps for later).",
    ),
}


def is_valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


def histogram_family(name: str) -> Family:
    family = HISTOGRAMS.get(name)
    if family is None:
        family = Family(name, f"journal_{name}_duration_seconds", f"Duration of {name.replace('_', ' ')}.")
    return family
