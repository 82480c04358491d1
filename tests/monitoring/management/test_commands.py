import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring import catalog
from monitoring.models import Target, Violation
from tests.monitoring.factories import MetricSnapshotFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_report_evaluates_now_records_the_violation_and_prints_the_table(capsys, put, seeded_targets):
    put(catalog.SESSION_RETRIEVAL, 0.040, 30)
    call_command("monitoring_report")
    output = capsys.readouterr().out
    lines = output.splitlines()
    assert lines[0].split()[:2] == ["target", "condition"]
    for target in seeded_targets:
        assert target.name in output
    session_line = next(line for line in lines if line.startswith("Session retrieval p99"))
    assert "breached" in session_line
    assert "since" in session_line
    assert Violation.objects.open().filter(target__slug="session-retrieval-p99").count() == 1

    call_command("monitoring_report")  # evaluating again keeps the one violation
    assert Violation.objects.filter(target__slug="session-retrieval-p99").count() == 1


def test_report_can_fail_a_pipeline_on_a_breach(put):
    Target.objects.all().delete()
    TargetFactory()
    put(catalog.SESSION_RETRIEVAL, 0.040, 30)
    with pytest.raises(CommandError) as raised:
        call_command("monitoring_report", "--fail-on-breach")
    assert raised.value.returncode == 1


def test_report_does_not_pass_a_pipeline_blind_when_the_metrics_cannot_be_read(redis_proxy):
    Target.objects.all().delete()
    TargetFactory()
    redis_proxy.cut()
    with pytest.raises(CommandError) as raised:
        call_command("monitoring_report", "--fail-on-breach", "--source", "windows")
    assert raised.value.returncode == 2
    call_command("monitoring_report", "--source", "windows")  # without the flag, the table as before


def test_report_from_snapshots_for_a_process_that_cannot_see_the_windows(capsys):
    Target.objects.all().delete()
    TargetFactory(name="From history", threshold=10.0, min_samples=5, window_minutes=5)
    minute = timezone.now().replace(second=0, microsecond=0)
    MetricSnapshotFactory(minute=minute, count=10, buckets=[0] * 20 + [10] + [0] * 10)  # all in (50, 75] ms
    call_command("monitoring_report", "--source", "snapshots")
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("From history"))
    assert "breached" in line


def test_figures_since_a_mark_cover_only_what_came_after(tmp_path, capsys, put):
    put(catalog.SESSION_RETRIEVAL, 0.050, 20)  # an earlier benchmark mode
    call_command("monitoring_figures", "--mark")
    mark = tmp_path / "mark.json"
    mark.write_text(capsys.readouterr().out)

    put(catalog.SESSION_RETRIEVAL, 0.001, 20)
    put(catalog.CACHE_READ, 0.0001, 9, labels=(("namespace", "sessions"), ("result", "hit")))
    put(catalog.CACHE_READ, 0.001, 1, labels=(("namespace", "sessions"), ("result", "miss")))
    call_command("monitoring_figures", "--since-mark", str(mark))
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {
        "cache_hit_rate",
        "redis_p99_ms",
        "session_retrieval_p99_ms",
        "knowledge_lookup_p99_ms",
        "db_query_p99_ms",
    }
    assert figures["session_retrieval_p99_ms"] <= 1.0  # the slow earlier samples are not in
    assert figures["cache_hit_rate"] == 0.9
    assert figures["knowledge_lookup_p99_ms"] is None

    call_command("monitoring_figures")
    assert json.loads(capsys.readouterr().out)["session_retrieval_p99_ms"] > 40  # everything


def test_figures_since_a_minute(capsys, put):
    put(catalog.KNOWLEDGE_LOOKUP, 0.0007, 5)
    call_command("monitoring_figures", "--since", timezone.now().replace(second=0).isoformat())
    assert json.loads(capsys.readouterr().out)["knowledge_lookup_p99_ms"] == pytest.approx(0.7, rel=0.1)


def test_figures_need_an_aware_datetime():
    with pytest.raises(CommandError):
        call_command("monitoring_figures", "--since", "yesterday")
