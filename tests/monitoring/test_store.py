import pytest
from django.utils import timezone

from monitoring import catalog
from monitoring.collector import collector
from monitoring.histogram import Histogram
from monitoring.selectors import server_figures
from monitoring.store import (
    Aggregate,
    LocalStore,
    RedisStore,
    decode_series,
    encode,
    encode_series,
    get_store,
    local_store,
    subtract_fields,
)

pytestmark = pytest.mark.django_db


def test_series_survive_encoding_with_awkward_label_values():
    labels = (("method", "GET"), ("route", "/re|gex/<int:pk>/"), ("status", "2xx"))
    assert decode_series(encode_series("http_request", labels)) == ("http_request", labels)


def test_fields_round_trip_into_an_aggregate():
    key = ("cache_read", (("namespace", "entries"), ("result", "hit")))
    histogram = Histogram.of([0.0002, 0.0002, 0.003])
    fields, maxima = encode({key: histogram}, {("redis_errors", (("operation", "get"),)): 2})
    aggregate = Aggregate.from_fields(fields, maxima)
    assert aggregate.histograms[key].counts == histogram.counts
    assert aggregate.histograms[key].sum == pytest.approx(histogram.sum)
    assert aggregate.histograms[key].max == pytest.approx(0.003)
    assert aggregate.counter("redis_errors") == 2


def test_hit_rate_ignores_bypassed_reads():
    def series(result: str, count: int):
        return (("cache_read", (("namespace", "entries"), ("result", result))), Histogram.of([0.0001] * count))

    aggregate = Aggregate(
        histograms=dict([series("hit", 6), series("local_hit", 2), series("miss", 1), series("error", 1)])
        | dict([series("bypass", 50)])
    )
    assert aggregate.cache_hits() == (8, 10)


def test_subtracting_totals_treats_a_reset_as_counting_from_zero():
    assert subtract_fields({"a": 10, "b": 3}, {"a": 4, "b": 7}) == {"a": 6, "b": 3}


def test_redis_cache_means_the_redis_store():
    assert isinstance(get_store(), RedisStore)


def test_embedded_default_keeps_windows_in_process(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}}
    store = get_store()
    assert store is local_store
    assert isinstance(store, LocalStore)
    assert not store.shared

    collector.record(catalog.KNOWLEDGE_LOOKUP, 0.0009)
    assert collector.flush(now=timezone.now()).stored
    assert server_figures()["knowledge_lookup_p99_ms"] == pytest.approx(0.9, rel=0.2)
    assert server_figures(since=timezone.now())["knowledge_lookup_p99_ms"] is not None
