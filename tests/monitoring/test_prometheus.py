"""`/metrics`: who may read it, and that it is valid exposition of every process's samples."""

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from monitoring import catalog
from monitoring.collector import Collector, collector
from tests.monitoring.factories import TargetFactory, ViolationFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-s3cret"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def samples(family, suffix: str, **labels) -> list:
    return [
        sample
        for sample in family.samples
        if sample.name == family.name + suffix and all(sample.labels.get(k) == v for k, v in labels.items())
    ]


def test_anonymous_and_wrong_tokens_are_refused(client, token):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403


def test_an_empty_token_setting_never_matches(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_a_non_staff_session_is_refused(client, user):
    client.force_login(user)
    assert client.get("/metrics").status_code == 403


def test_a_staff_session_may_scrape(client, staff_user):
    client.force_login(staff_user)
    families = scrape(client)
    assert families["journal_monitoring_store_up"].samples[0].value == 1


def test_histograms_carry_conventional_names_and_exact_counts(client, token, put):
    put(catalog.SESSION_RETRIEVAL, 0.003, 7)
    put(catalog.KNOWLEDGE_LOOKUP, 0.0004, 3)
    put(catalog.REDIS_COMMAND, 0.0002, 2, labels=(("operation", "get"),))
    put(catalog.DB_QUERY, 0.001, 4, labels=(("alias", "default"), ("operation", "select")))
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {token}")

    session = families["journal_session_retrieval_duration_seconds"]
    assert session.type == "histogram"
    assert samples(session, "_count")[0].value == 7
    assert samples(session, "_sum")[0].value == pytest.approx(0.021)
    assert samples(session, "_bucket", le="0.003")[0].value == 7
    assert samples(session, "_bucket", le="0.002")[0].value == 0
    assert samples(session, "_bucket", le="+Inf")[0].value == 7
    assert samples(families["journal_knowledge_lookup_duration_seconds"], "_count")[0].value == 3
    assert samples(families["journal_redis_command_duration_seconds"], "_count", operation="get")[0].value == 2
    db = families["journal_db_query_duration_seconds"]
    assert samples(db, "_count", alias="default", operation="select")[0].value >= 4


def test_cache_requests_are_a_counter_per_namespace_and_result(client, token, put):
    put(catalog.CACHE_READ, 0.0001, 5, labels=(("namespace", "entries"), ("result", "hit")))
    put(catalog.CACHE_READ, 0.002, 2, labels=(("namespace", "entries"), ("result", "miss")))
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {token}")
    requests = families["journal_cache_requests"]
    assert requests.type == "counter"
    assert samples(requests, "_total", namespace="entries", result="hit")[0].value == 5
    assert samples(requests, "_total", namespace="entries", result="miss")[0].value == 2


def test_requests_appear_by_route(client, token):
    client.get("/health/live/")
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {token}")
    http = families["journal_http_request_duration_seconds"]
    assert samples(http, "_count", route="/health/live/", method="GET", status="2xx")[0].value == 1


def test_every_process_is_counted_whichever_worker_is_scraped(client, token):
    other_worker = Collector()
    other_worker.stop_thread()
    for _ in range(4):
        other_worker.record(catalog.SESSION_RETRIEVAL, 0.001)
    other_worker.flush(now=timezone.now())
    collector.record(catalog.SESSION_RETRIEVAL, 0.001)  # this worker's own, not flushed yet

    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert samples(families["journal_session_retrieval_duration_seconds"], "_count")[0].value == 5


def test_targets_are_exported_as_gauges(client, token):
    breached = TargetFactory(slug="slow-thing", threshold=10.0, last_value=25.0)
    ViolationFactory(target=breached)
    TargetFactory(slug="fine-thing", threshold=2.0, last_value=0.5)
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert samples(families["journal_target_value"], "", target="slow-thing")[0].value == 25.0
    assert samples(families["journal_target_threshold"], "", target="fine-thing")[0].value == 2.0
    assert samples(families["journal_target_violation_open"], "", target="slow-thing")[0].value == 1
    assert samples(families["journal_target_violation_open"], "", target="fine-thing")[0].value == 0


def test_redis_down_still_answers_and_says_so(client, token, redis_proxy):
    redis_proxy.cut()
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert families["journal_monitoring_store_up"].samples[0].value == 0


def test_openmetrics_is_served_when_asked_for(client, token, put):
    put(catalog.SESSION_RETRIEVAL, 0.003, 1)
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT="application/openmetrics-text")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().rstrip().endswith("# EOF")


def test_every_metric_name_in_the_documentation_is_one_metrics_exports():
    import re
    from pathlib import Path

    from monitoring.histogram import Histogram
    from monitoring.prometheus import build_registry
    from monitoring.store import encode

    # Every family with a sample, as a busy deployment would export it.
    histograms = {(name, ()): Histogram.of([0.001]) for name in catalog.HISTOGRAMS}
    histograms[(catalog.CACHE_READ, (("namespace", "entries"), ("result", "hit")))] = Histogram.of([0.001])
    fields, _ = encode(histograms, {(name, ()): 1 for name in catalog.COUNTERS})
    exported = set()
    for family in build_registry(fields, []).collect():
        exported.add(family.name)
        exported.update(sample.name for sample in family.samples)

    root = Path(__file__).resolve().parents[2]
    suffixes = ("_total", "_seconds", "_bucket", "_sum", "_count", "_up", "_open", "_value", "_threshold")
    documented = set()
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        documented.update(
            name for name in re.findall(r"\bjournal_[a-z_]+\b", path.read_text()) if name.endswith(suffixes)
        )
    assert "journal_redis_command_errors_total" in documented
    assert sorted(documented - exported) == []


def test_each_target_exports_when_it_was_last_evaluated(client, token):
    # Violations and alerts come only from the scheduled evaluation: with beat stopped the
    # violation gauges stayed at their last value for ever, and nothing said so.
    evaluated = timezone.now().replace(microsecond=0)
    TargetFactory(slug="evaluated", last_evaluated_at=evaluated)
    TargetFactory(slug="never-evaluated")
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {token}")
    family = families["journal_target_last_evaluation_timestamp_seconds"]
    assert samples(family, "", target="evaluated")[0].value == evaluated.timestamp()
    assert samples(family, "", target="never-evaluated") == []
