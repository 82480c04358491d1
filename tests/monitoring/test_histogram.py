import pytest

from monitoring.histogram import BOUNDS, BUCKETS, Histogram, bucket_index, hit_rate, quantile


def test_a_sample_on_a_bound_falls_in_the_bucket_that_bound_closes():
    assert BOUNDS[bucket_index(0.002)] == 0.002
    assert BOUNDS[bucket_index(0.0020001)] == 0.003
    assert bucket_index(0.0) == 0
    assert bucket_index(60.0) == BUCKETS - 1  # beyond the last bound: +Inf


def test_target_thresholds_are_bucket_bounds():
    # p99 < 2/5/10/50 ms is then decided exactly at the threshold, not by interpolation noise.
    for threshold_ms in (2, 5, 10, 50):
        assert threshold_ms / 1000 in BOUNDS


def test_percentiles_of_known_samples():
    # 50 samples at 0.9 ms, 45 at 1.8 ms, 5 at 4 ms.
    histogram = Histogram.of([0.0009] * 50 + [0.0018] * 45 + [0.004] * 5)
    assert histogram.count == 100
    assert histogram.quantile(0.5) == pytest.approx(0.001)  # rank 50 closes the (0.75, 1] ms bucket
    assert histogram.quantile(0.95) == pytest.approx(0.002)  # rank 95 closes the (1.5, 2] ms bucket
    # rank 99 is 4/5 into the (3, 4] ms bucket
    assert histogram.quantile(0.99) == pytest.approx(0.0038)
    assert histogram.max == pytest.approx(0.004)
    assert histogram.mean == pytest.approx((50 * 0.0009 + 45 * 0.0018 + 5 * 0.004) / 100)


def test_interpolation_never_goes_past_the_observed_maximum():
    histogram = Histogram.of([0.0031] * 10)  # all in (3, 4] ms, max 3.1 ms
    assert histogram.quantile(1.0) == pytest.approx(0.0031)
    assert histogram.quantile(0.5) == pytest.approx(0.003 + 0.0001 * 0.5)


def test_the_overflow_bucket_uses_the_maximum_or_the_last_bound():
    histogram = Histogram.of([20.0, 30.0])
    assert histogram.quantile(0.99) <= 30.0
    assert quantile(histogram.counts, 0.99) <= BOUNDS[-1]  # without a known maximum


def test_merging_equals_recording_everything_in_one():
    first = Histogram.of([0.0001, 0.002, 0.05])
    second = Histogram.of([0.0004, 0.009])
    merged = Histogram.merged([first, second])
    everything = Histogram.of([0.0001, 0.002, 0.05, 0.0004, 0.009])
    assert merged.counts == everything.counts
    assert merged.sum == pytest.approx(everything.sum)
    assert merged.max == everything.max


def test_empty_histogram_has_no_percentiles():
    assert Histogram().quantile(0.99) is None
    assert Histogram().mean is None


def test_hit_rate():
    assert hit_rate(8, 10) == 0.8
    assert hit_rate(0, 0) is None
