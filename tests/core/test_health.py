import pytest

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_auth_and_checks_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_database_and_migrations(client):
    response = client.get("/health/ready/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    checks = response.json()
    assert any("Database" in name for name in checks)
    assert any("Migrations" in name for name in checks)
    assert not any("Redis" in name or "Cache" in name for name in checks)
    assert set(checks.values()) == {"OK"}


def test_full_health_is_refused_to_the_public(client, user, browser_client):
    assert client.get("/health/").status_code in (403,)
    response = browser_client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_full_health_with_metrics_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/health/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer s3cret-token", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    names = " ".join(response.json())
    for check in ("Database", "Migrations", "Cache", "Redis", "Disk", "Memory"):
        assert check in names


def test_full_health_for_staff_renders_html(client, staff_user, password):
    client.post("/login/", {"username": staff_user.username, "password": password})
    response = client.get("/health/")
    assert response.status_code == 200
    assert b"System status" in response.content
    assert b"<style" not in response.content  # our own template: the CSP forbids inline styles


def test_empty_metrics_token_never_matches(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/health/", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_redis_unreachable_is_reported_but_readiness_stays_up(client, settings, redis_proxy):
    settings.METRICS_TOKEN = "s3cret-token"
    redis_proxy.cut()
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer s3cret-token", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    failing = {name: status for name, status in response.json().items() if status != "OK"}
    assert any("Redis" in name for name in failing)
    assert client.get("/health/ready/").status_code == 200
    assert client.get("/health/live/").status_code == 200


def test_a_failing_check_is_not_mailed_to_the_admins_as_a_server_error(client, settings, redis_proxy, mailoutbox):
    # A monitor polls /health/ every few seconds: while Redis was down every poll mailed
    # the admins "Internal Server Error: /health/". The failing check is the answer (and
    # django-health-check logs it); the alerting is the monitor's.
    import logging

    settings.METRICS_TOKEN = "s3cret-token"
    settings.ADMINS = [("Operator", "ops@example.org")]
    request_records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = request_records.append  # type: ignore[method-assign]
    logging.getLogger("django.request").addHandler(handler)
    try:
        redis_proxy.cut()
        for accept in ("application/json", "text/html"):
            response = client.get("/health/", HTTP_AUTHORIZATION="Bearer s3cret-token", HTTP_ACCEPT=accept)
            assert response.status_code == 500
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert [m.subject for m in mailoutbox] == []
    assert [r.getMessage() for r in request_records] == []


def _celery_ping_check():
    from health_check.contrib.celery import Ping

    from journal_project.health import full_checks
    from monitoring.health import _instantiate

    checks = [_instantiate(spec) for spec in full_checks()]
    return next(check for check in checks if isinstance(check, Ping))


def test_the_celery_check_is_configured_to_stop_at_the_first_worker(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert _celery_ping_check().limit == 1


def test_the_celery_check_has_the_same_name_in_every_process_and_no_password(settings):
    """The JSON report is keyed by each check's name. The stock Celery check was named after
    the app object's memory address ("Ping(app=<Celery journal_project at 0x7f…>)"), a
    different key from every gunicorn worker, which no script watching /health/ could use."""
    settings.CELERY_BROKER_URL = "amqp://guest:sesame@127.0.0.1:5672//"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from journal_project.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        name = repr(_celery_ping_check())
    finally:
        app.conf.broker_url = previous
    assert " at 0x" not in name
    assert "127.0.0.1:5672" in name  # names the broker, as the Redis check names its server
    assert "sesame" not in name


def test_the_celery_check_says_the_broker_is_unreachable(settings):
    """Black-box pass (scaling out): with the Redis broker down, `/health/` showed the
    Celery check as "Unknown Error: unknown error"."""
    from asgiref.sync import async_to_sync

    from journal_project.celery import app
    from tests.support.celery_worker import use_broker
    from tests.support.redis_server import RedisServer

    broker = RedisServer()
    broker.start()
    settings.CELERY_BROKER_URL = broker.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = app.conf.broker_url
    use_broker(broker.url, eager=False)
    try:
        check = _celery_ping_check()
        assert "workers unavailable" in str(async_to_sync(check.get_result)().error)  # reached; no worker
        broker.stop()
        result = async_to_sync(_celery_ping_check().get_result)()
    finally:
        use_broker(previous, eager=True)
        broker.close()
    message = str(result.error)
    assert "The broker did not take the ping" in message
    assert "Connection refused" in message
    assert "unknown error" not in message


@pytest.mark.worker
def test_the_celery_check_answers_as_soon_as_a_worker_answers(settings):
    import time

    from asgiref.sync import async_to_sync

    from tests.support.celery_worker import running_worker

    broker = "redis://127.0.0.1:6379/11"
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    check = _celery_ping_check()
    with running_worker(broker):
        started = time.perf_counter()
        result = async_to_sync(check.get_result)()
        elapsed = time.perf_counter() - started
    assert result.error is None, result.error
    # Without a limit the ping waits its whole timeout (2 s) for more workers.
    assert elapsed < check.timeout.total_seconds() * 0.75, elapsed


@pytest.mark.parametrize("breaker_already_open", [False, True])
def test_a_failing_cache_check_names_redis_as_the_cause(client, settings, redis_proxy, breaker_already_open):
    from django.core.cache import cache

    settings.METRICS_TOKEN = "s3cret-token"
    redis_proxy.cut()
    if breaker_already_open:
        cache.get("health-test-key")  # a page's read fails first: the breaker opens
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer s3cret-token", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    status = next(status for name, status in response.json().items() if name.startswith("Cache"))
    assert "Redis" in status, status
    assert "does not match" not in status


@pytest.mark.parametrize(
    ("path", "status"), [("/health/live/", 200), ("/health/ready/", 200), ("/health/", 400), ("/", 400)]
)
def test_load_balancer_probes_by_ip_pass_host_validation_and_nothing_else_does(client, settings, path, status):
    # Kubernetes and many load balancers send the pod or host IP as the Host.
    settings.ALLOWED_HOSTS = ["journal.example.org"]
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.get(path, HTTP_HOST="10.0.0.5:8000", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == status


def test_a_probe_by_ip_keeps_the_request_id_the_security_headers_and_its_route_in_the_metrics(client, settings):
    from monitoring.collector import collector

    settings.ALLOWED_HOSTS = ["journal.example.org"]
    response = client.get("/health/ready/", HTTP_HOST="10.0.0.5", HTTP_ACCEPT="*/*")  # kube-probe's Accept
    assert response.status_code == 200
    assert b"System status" in response.content
    assert response["X-Request-ID"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    routes = {dict(labels).get("route") for name, labels in collector.peek() if name == "http_request"}
    assert "/health/ready/" in routes


def _redis_status(client, settings) -> str:
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer s3cret-token", HTTP_ACCEPT="application/json")
    return next(status for name, status in response.json().items() if name.startswith("Redis"))


@pytest.fixture
def redis_with_password():
    import redis

    from tests.support.redis_server import RedisServer

    server = RedisServer()
    server.start()
    try:
        redis.Redis(port=server.port).config_set("requirepass", "the-right-one")
        yield server
    finally:
        server.stop()


def test_a_wrong_redis_password_is_named_as_such(client, settings, redis_with_password):
    # AuthenticationError is a ConnectionError to redis-py: it was reported as "Connection
    # Error", and the operator looked at the network instead of the password.
    settings.REDIS_URL = f"redis://:the-wrong-one@127.0.0.1:{redis_with_password.port}/0"
    status = _redis_status(client, settings)
    assert status.startswith("Unavailable: Redis refused the credentials in REDIS_URL")
    assert "the-wrong-one" not in status
    settings.REDIS_URL = f"redis://:the-right-one@127.0.0.1:{redis_with_password.port}/0"
    assert _redis_status(client, settings).startswith("OK")


def test_a_redis_database_the_server_does_not_have_is_named(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/999"  # redis-server has 16 unless configured
    assert _redis_status(client, settings) == "Unavailable: Redis answered with an error: DB index is out of range"
