"""`/metrics` (Prometheus) and the admin's monitoring dashboard."""

from __future__ import annotations

import logging

from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.db import InterfaceError, OperationalError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from prometheus_client.exposition import choose_encoder

from journal_project.exceptions import error_body
from journal_project.health import _has_metrics_token
from monitoring import catalog, charts, selectors
from monitoring.collector import collector
from monitoring.health import run_health_checks
from monitoring.models import Statistic, Target, Violation
from monitoring.prometheus import build_registry
from monitoring.store import StoreUnavailable, get_store

logger = logging.getLogger(__name__)


def _may_read_metrics(request: HttpRequest) -> bool:
    if _has_metrics_token(request):
        return True
    user = request.user
    return bool(user.is_authenticated and user.is_staff)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of every process's metrics (aggregated in Redis)."""
    if not _may_read_metrics(request):
        return JsonResponse(
            error_body("forbidden", "Metrics are for operators (staff or Authorization: Bearer $METRICS_TOKEN)."),
            status=403,
        )
    collector.flush()  # include this process's last few seconds
    try:
        totals: dict[str, int] | None = get_store().read_totals()
    except StoreUnavailable:
        totals = None
    try:
        targets = list(Target.objects.annotate(has_open=Exists(Violation.objects.open().filter(target=OuterRef("pk")))))
    except (OperationalError, InterfaceError) as error:
        # PostgreSQL down: still serve what Redis holds (the outage's 503s by route among
        # it), without the target gauges that live in the database; a 503 here left the
        # scraper blind for the whole outage.
        logger.error("Database unavailable: %s (metrics served without the target gauges)", type(error).__name__)
        targets = []
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(build_registry(totals, targets)), content_type=content_type)


# --- Dashboard ---------------------------------------------------------------------------

LATENCY_CHARTS = [
    (catalog.HTTP_REQUEST, "HTTP requests"),
    (catalog.DB_QUERY, "Database queries"),
    (catalog.REDIS_COMMAND, "Redis commands"),
    (catalog.SESSION_RETRIEVAL, "Session retrieval"),
    (catalog.KNOWLEDGE_LOOKUP, "Knowledge base lookups"),
]
TIME_FORMATS = {"hour": "%H:%M", "day": "%H:%M", "week": "%a %d"}


def _p99_threshold(targets: list[Target], metric: str) -> float | None:
    for target in targets:
        if target.enabled and target.metric == metric and target.statistic == Statistic.P99:
            return target.threshold
    return None


def build_charts(period: str, targets: list[Target]) -> list[charts.Chart]:
    result = []
    for metric, title in LATENCY_CHARTS:
        points = selectors.history(metric, period)
        result.append(
            charts.line_chart(
                title,
                [point.at for point in points],
                [
                    ("p50", "line-p50", [point.p50_ms for point in points]),
                    ("p95", "line-p95", [point.p95_ms for point in points]),
                    ("p99", "line-p99", [point.p99_ms for point in points]),
                ],
                unit="ms",
                threshold=_p99_threshold(targets, metric),
                time_format=TIME_FORMATS[period],
            )
        )
    points = selectors.history(catalog.CACHE_READ, period)
    hit_rate_target = next((t.threshold for t in targets if t.enabled and t.statistic == Statistic.HIT_RATE), None)
    result.insert(
        0,
        charts.line_chart(
            "Cache hit rate",
            [point.at for point in points],
            [("hit rate", "line-rate", [point.hit_rate for point in points])],
            unit="%",
            threshold=hit_rate_target,
            fixed_max=100.0,
            time_format=TIME_FORMATS[period],
        ),
    )
    return result


DASHBOARD_PERMISSION = "monitoring.view_dashboard"


@permission_required(DASHBOARD_PERMISSION, raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Targets now, history charts, recent violations and health.

    Staff only (wrapped by admin_view, which sends others to the admin's login), and then
    only with the dashboard's permission (superusers have every permission): a 403.
    """
    period = request.GET.get("period", "hour")
    if period not in selectors.PERIODS:
        period = "hour"
    readings = selectors.read_targets()
    targets = [reading.target for reading in readings]
    store = get_store()
    context = {
        **admin.site.each_context(request),
        "title": "Monitoring dashboard",
        "readings": readings,
        "period": period,
        "periods": list(selectors.PERIODS),
        "charts": build_charts(period, targets),
        "last_evaluated_at": selectors.last_evaluation(targets),
        "evaluation_stale": selectors.evaluation_is_stale(targets),
        "violations": selectors.recent_violations(15),
        "health": run_health_checks(),
        "store_name": "Redis (shared by every process)" if store.shared else "this process's memory (embedded default)",
        "dropped_samples": collector.dropped_samples,
    }
    return TemplateResponse(request, "monitoring/dashboard.html", context)
