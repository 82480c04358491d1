from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Hosts the `bench_seed` command; installed only by the bench settings overlays."""

    name = "bench"
    verbose_name = "Benchmark"
