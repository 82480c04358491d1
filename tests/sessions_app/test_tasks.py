"""The provider path through Celery (inline and with a real worker), fallbacks, and the idle sweep."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app import services, tasks
from sessions_app.models import Message, ReflectionSession

pytestmark = pytest.mark.usefixtures("knowledge_base")


def post(user, session, content, capture):
    with capture(execute=True):  # runs the on-commit queueing, so the (eager) task runs too
        return services.message_post(user=user, session_id=session.pk, content=content)


def reply_to(result) -> Message | None:
    return Message.objects.filter(reply_to=result.message).first()


def test_with_a_provider_the_reply_is_pending_then_lands(user, provider, django_capture_on_commit_callbacks):
    session = services.session_create(user=user)
    result = post(user, session, "I always mess things up at work.", django_capture_on_commit_callbacks)
    assert result.status == "pending"
    assert result.reply is None
    reply = reply_to(result)
    assert reply.provider == Message.Provider.LLM
    assert reply.content == provider.reply
    assert reply.technique is not None  # the grounding technique
    assert reply.latency_ms is not None
    sent = provider.requests[0]["messages"]
    assert sent[0]["role"] == "system"
    assert "Techniques you may draw on" in sent[0]["content"]
    assert "overgeneralization" in sent[0]["content"]
    assert sent[-1] == {"role": "user", "content": "I always mess things up at work."}
    assert sent[1]["role"] == "assistant"  # the opening message, as the companion's turn


@pytest.mark.parametrize("mode", ["slow", "error", "malformed"])
def test_a_failing_provider_falls_back_to_the_offline_companion_after_the_workers_retries(user, provider, mode):
    provider.mode = mode
    provider.delay = 1.0
    session = services.session_create(user=user)
    # Posted without running the on-commit hook: the reply is left to the task, as on a worker.
    result = services.message_post(user=user, session_id=session.pk, content="I feel anxious about my exam.")
    tasks.companion_reply.apply(args=[result.message.pk])
    reply = reply_to(result)
    assert reply.provider == Message.Provider.OFFLINE
    assert reply.content.endswith("?")
    assert len(provider.requests) == (1 if mode == "malformed" else 3)  # retried unless malformed


@pytest.mark.parametrize("mode", ["slow", "error", "malformed"])
def test_without_a_broker_a_failing_provider_is_tried_once_then_the_offline_companion_answers(
    user, provider, mode, settings, django_capture_on_commit_callbacks
):
    provider.mode = mode
    provider.delay = 1.0
    settings.AI_INLINE_TIMEOUT = 0.3
    session = services.session_create(user=user)
    result = post(user, session, "I feel anxious about my exam.", django_capture_on_commit_callbacks)
    reply = reply_to(result)
    assert reply.provider == Message.Provider.OFFLINE
    assert reply.content.endswith("?")
    assert len(provider.requests) == 1  # a person is waiting: no retry chain


def test_crisis_messages_never_reach_the_provider(user, provider, django_capture_on_commit_callbacks):
    session = services.session_create(user=user)
    crisis = post(user, session, "Honestly I want to kill myself.", django_capture_on_commit_callbacks)
    assert crisis.status == "complete"
    assert crisis.reply.safety_flag
    assert provider.requests == []
    post(user, session, "Thank you.", django_capture_on_commit_callbacks)  # answered by us (see below)
    post(user, session, "Work was hard today.", django_capture_on_commit_callbacks)
    assert len(provider.requests) == 1
    sent = provider.sent_text()
    assert "kill myself" not in sent
    assert crisis.reply.content[:40] not in sent  # nor the safety reply
    assert "Work was hard today." in sent


def test_check_in_messages_and_their_answers_never_reach_the_provider(
    user, provider, django_capture_on_commit_callbacks
):
    session = services.session_create(user=user)
    unclear = post(user, session, "Honestly I can't go on.", django_capture_on_commit_callbacks)
    assert unclear.status == "complete"
    assert unclear.reply.provider == Message.Provider.SAFETY
    answer = post(user, session, "i don't know", django_capture_on_commit_callbacks)
    assert answer.reply.provider == Message.Provider.SAFETY
    assert provider.requests == []
    post(user, session, "Thank you.", django_capture_on_commit_callbacks)  # the reply after the crisis reply
    assert provider.requests == []
    post(user, session, "Work was hard today.", django_capture_on_commit_callbacks)
    assert len(provider.requests) == 1
    sent = provider.sent_text()
    assert "can't go on" not in sent
    assert "i don't know" not in sent
    assert unclear.reply.content[:40] not in sent


def test_the_message_after_the_crisis_reply_is_answered_gently_and_never_by_the_provider(
    user, provider, django_capture_on_commit_callbacks
):
    """ "Thanks, I'm safe" right after the crisis reply was offered a gratitude letter: an
    exercise picked from its words, as if the moment had not happened."""
    from sessions_app.companion.safety import AFTER_CRISIS_REPLY

    session = services.session_create(user=user)
    crisis = post(user, session, "I want to kill myself.", django_capture_on_commit_callbacks)
    assert crisis.reply.provider == Message.Provider.SAFETY
    after = post(user, session, "Thanks, I'm safe now. Grateful for the numbers.", django_capture_on_commit_callbacks)
    assert after.status == "complete"
    assert after.reply.content == AFTER_CRISIS_REPLY
    assert after.reply.technique is None
    assert after.reply.provider == Message.Provider.OFFLINE
    assert provider.requests == []
    # Then the conversation goes on as before, with the provider.
    post(user, session, "Work was hard today.", django_capture_on_commit_callbacks)
    assert len(provider.requests) == 1
    assert "kill myself" not in provider.sent_text()


def test_the_reply_task_is_idempotent(user, provider, django_capture_on_commit_callbacks):
    session = services.session_create(user=user)
    result = post(user, session, "Work was hard today.", django_capture_on_commit_callbacks)
    first = reply_to(result)
    tasks.companion_reply.apply(args=[result.message.pk])
    assert Message.objects.filter(reply_to=result.message).count() == 1
    assert Message.objects.filter(reply_to=result.message).get() == first
    assert len(provider.requests) == 1


def test_a_reply_for_an_ended_session_is_dropped(user, provider):
    session = services.session_create(user=user)
    result = services.message_post(user=user, session_id=session.pk, content="Work was hard today.")
    services.session_end(user=user, session_id=session.pk)
    assert tasks.companion_reply.apply(args=[result.message.pk]).get() is None
    assert provider.requests == []


def test_the_idle_sweep_task_is_scheduled_and_abandons(user, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sessions-abandon-idle"]
    assert entry["task"] == tasks.sessions_abandon_idle.name
    session = services.session_create(user=user)
    ReflectionSession.objects.filter(pk=session.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1)
    )
    assert tasks.sessions_abandon_idle.apply().get() == 1
    session.refresh_from_db()
    assert session.status == ReflectionSession.Status.ABANDONED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_providers_reply(user, provider, celery_worker_app):
    session = services.session_create(user=user)
    result = services.message_post(user=user, session_id=session.pk, content="I keep worrying about money.")
    assert result.status == "pending"
    deadline = time.monotonic() + 30
    reply = None
    while reply is None and time.monotonic() < deadline:
        time.sleep(0.1)
        reply = Message.objects.filter(reply_to_id=result.message.pk).first()
    assert reply is not None, "the worker never delivered the reply"
    assert reply.provider == Message.Provider.LLM
    assert reply.content == provider.reply
    # The state the worker wrote through is what the next read sees.
    from journal_project import caching
    from sessions_app import selectors

    caching.reset_request_state()
    detail = selectors.session_detail(user=user, session_id=session.pk)
    assert detail["messages"][-1]["content"] == provider.reply
    assert detail["awaiting_reply"] is False


def test_a_broker_outage_answers_offline_instead_of_failing_the_message(
    auth_client, user, provider, django_capture_on_commit_callbacks
):
    """Queueing the reply used to raise after the commit: a 500 for a saved message, and no reply ever."""
    from journal_project.celery import app
    from tests.support.celery_worker import use_broker
    from tests.support.redis_server import free_port

    session = services.session_create(user=user)
    previous = app.conf.broker_url
    use_broker(f"amqp://guest:guest@127.0.0.1:{free_port()}//", eager=False)  # nothing listens there
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post(
                f"/api/v1/sessions/{session.pk}/messages/", {"content": "Work was hard today."}, format="json"
            )
    finally:
        use_broker(previous, eager=True)
    assert response.status_code == 201
    reply = Message.objects.get(reply_to_id=response.json()["message"]["id"])
    assert reply.provider == Message.Provider.OFFLINE
    assert provider.requests == []
    detail = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert detail["awaiting_reply"] is False


def test_a_hung_redis_broker_holds_the_message_for_seconds_not_for_the_whole_hang(
    auth_client, user, provider, django_capture_on_commit_callbacks
):
    """Black-box pass (scaling out): with the Redis broker paused, posting a message waited
    for Redis's reply as long as the pause lasted (20 s measured; for ever on a silent
    network), and so did every other request that queues a task."""
    import threading

    from journal_project.celery import app
    from tests.support.celery_worker import use_broker
    from tests.support.proxy import TcpProxy

    session = services.session_create(user=user)
    hung = TcpProxy("127.0.0.1", 9)  # accepts connections and never answers
    hung.hang()
    gave_up = threading.Event()

    def give_up() -> None:  # unblocks the old behaviour, so that it fails instead of hanging
        gave_up.set()
        hung.close()

    watchdog = threading.Timer(20, give_up)
    previous = app.conf.broker_url
    use_broker(f"redis://{hung.url_host_port}/1", eager=False)
    watchdog.start()
    started = time.monotonic()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post(
                f"/api/v1/sessions/{session.pk}/messages/", {"content": "Work was hard today."}, format="json"
            )
        elapsed = time.monotonic() - started
    finally:
        watchdog.cancel()
        use_broker(previous, eager=True)
        hung.close()
    assert not gave_up.is_set()
    assert elapsed < 8, elapsed
    assert response.status_code == 201
    reply = Message.objects.get(reply_to_id=response.json()["message"]["id"])
    assert reply.provider == Message.Provider.OFFLINE


# --- Without a broker, the reply is written within the request --------------------------------
# These commit for real (no test transaction around the request), as a deployment does:
# the reply is written right after the commit, inside the request.


def post_api(client, session_id: int, content: str):
    started = time.monotonic()
    response = client.post(f"/api/v1/sessions/{session_id}/messages/", {"content": content}, format="json")
    return response, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("mode", "delay"), [("slow", 10.0), ("trickle", 0.05)])
def test_without_a_broker_a_hung_provider_costs_one_short_attempt_and_the_offline_reply_is_returned(
    auth_client, user, provider, settings, mode, delay
):
    """It took the whole retry chain (63 s by default), then answered `pending` with the reply already saved.

    A provider trickling its answer (a byte every 50 ms: no single read waits long) held
    the request for as long as the answer took.
    """
    settings.AI_TIMEOUT = 20.0  # the defaults: a worker would try 3 times, 20 s each, with backoff
    settings.AI_MAX_RETRIES = 2
    settings.AI_RETRY_BACKOFF = 1.0
    settings.AI_INLINE_TIMEOUT = 1.0
    provider.mode = mode
    provider.delay = delay
    session = services.session_create(user=user)
    response, elapsed = post_api(auth_client, session.pk, "I feel anxious about my exam.")
    assert response.status_code == 201
    assert elapsed < settings.AI_INLINE_TIMEOUT + 1.5
    body = response.json()
    assert body["status"] == "complete"
    reply = Message.objects.get(reply_to_id=body["message"]["id"])
    assert reply.provider == Message.Provider.OFFLINE
    assert body["reply"]["id"] == reply.pk
    assert body["reply"]["content"] == reply.content
    assert len(provider.requests) == 1
    detail = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert detail["awaiting_reply"] is False
    assert detail["messages"][-1]["id"] == reply.pk


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_prompt_providers_reply_is_returned_inline(auth_client, user, provider):
    session = services.session_create(user=user)
    response, _ = post_api(auth_client, session.pk, "I keep worrying about money.")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "complete"
    assert body["reply"]["content"] == provider.reply
    assert Message.objects.get(pk=body["reply"]["id"]).provider == Message.Provider.LLM
    assert provider.requests[0]["messages"][-1] == {"role": "user", "content": "I keep worrying about money."}
    detail = auth_client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert detail["awaiting_reply"] is False
    assert detail["messages"][-1]["content"] == provider.reply


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_returns_the_offline_reply_in_the_answer(auth_client, user, provider):
    """The offline reply was written at once, but the answer said `pending`."""
    from journal_project.celery import app
    from tests.support.celery_worker import use_broker
    from tests.support.redis_server import free_port

    session = services.session_create(user=user)
    previous = app.conf.broker_url
    use_broker(f"amqp://guest:guest@127.0.0.1:{free_port()}//", eager=False)  # nothing listens there
    try:
        response, _ = post_api(auth_client, session.pk, "Work was hard today.")
    finally:
        use_broker(previous, eager=True)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "complete"
    reply = Message.objects.get(reply_to_id=body["message"]["id"])
    assert reply.provider == Message.Provider.OFFLINE
    assert body["reply"]["id"] == reply.pk
    assert provider.requests == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sent", ["A reply with a NUL\x00 in it.", "A reply with a lone surrogate \ud83d."])
def test_a_reply_the_database_would_refuse_is_cleaned_and_saved(auth_client, user, provider, sent):
    """Inline it was a 500 after the message was saved; on a worker the task failed and the
    session waited for a reply forever."""
    provider.reply = sent
    session = services.session_create(user=user)
    response, _ = post_api(auth_client, session.pk, "I keep worrying about money.")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "complete"
    assert body["reply"]["content"].startswith("A reply with a ")
    assert "\x00" not in body["reply"]["content"]
    assert Message.objects.get(pk=body["reply"]["id"]).provider == Message.Provider.LLM
    assert auth_client.get(f"/api/v1/sessions/{session.pk}/").json()["awaiting_reply"] is False


def test_on_a_worker_a_reply_the_database_would_refuse_still_lands(user, provider):
    provider.reply = "Half a reply\x00 and the rest."
    session = services.session_create(user=user)
    result = services.message_post(user=user, session_id=session.pk, content="I feel anxious about my exam.")
    tasks.companion_reply.apply(args=[result.message.pk], throw=True)
    reply = reply_to(result)
    assert reply.provider == Message.Provider.LLM
    assert reply.content == "Half a reply and the rest."


def test_a_guided_session_gives_the_provider_its_next_step(user, provider, django_capture_on_commit_callbacks):
    """The provider got the technique's steps but not where the session was in them, so a
    thought record turned into free conversation as soon as a model answered."""
    session = services.session_create(user=user, technique_slug="thought-record")
    second = "What did you feel, and how strong was each feeling from 0 to 100?"
    third = "What thought went through your mind just before the feeling got stronger?"
    provider.reply = f"That sounds like a tense morning. {second}"
    post(user, session, "My boss ignored my email this morning.", django_capture_on_commit_callbacks)
    system = provider.requests[0]["messages"][0]["content"]
    assert f"word for word: {second}" in system
    assert "thought record one step at a time" in system
    # The model asked it: the next message moves on to the step after.
    post(user, session, "Anxious, about 80.", django_capture_on_commit_callbacks)
    assert f"word for word: {third}" in provider.requests[1]["messages"][0]["content"]


def test_the_provider_is_told_to_write_plain_text_and_gets_no_empty_technique_list(
    user, provider, django_capture_on_commit_callbacks
):
    """The page shows a reply as typed, so Markdown arrived as asterisks; a message nothing in the
    knowledge base matched sent a "Techniques you may draw on:" heading with nothing under it."""
    session = services.session_create(user=user)
    post(user, session, "My cat is called Zebedee.", django_capture_on_commit_callbacks)
    system = provider.requests[0]["messages"][0]["content"]
    assert "no Markdown" in system
    assert not system.rstrip().endswith("Techniques you may draw on:")
    assert "word for word" not in system  # not a guided session


def test_an_older_message_todays_safety_check_flags_never_reaches_the_provider(
    user, provider, django_capture_on_commit_callbacks
):
    """A crisis phrasing an earlier safety check missed was saved unflagged and answered; it then
    went to the provider with every later message of the session."""
    session = services.session_create(user=user)
    missed = Message.objects.create(session=session, role=Message.Role.USER, content="I'm planning my suicide.")
    Message.objects.create(
        session=session,
        role=Message.Role.COMPANION,
        content="What feels most important about that?",
        reply_to=missed,
        provider=Message.Provider.OFFLINE,
    )
    post(user, session, "Work was hard today.", django_capture_on_commit_callbacks)
    sent = provider.sent_text()
    assert "suicide" not in sent
    assert "What feels most important about that?" not in sent
    assert provider.requests[0]["messages"][-1] == {"role": "user", "content": "Work was hard today."}


@pytest.mark.parametrize(
    ("status", "reason"),
    [(401, "HTTP 401"), (404, "HTTP 404"), (301, "HTTP 301, a redirect (not followed): set the address it names")],
)
def test_the_log_says_why_the_provider_was_refused(user, provider, caplog, status, reason):
    """A wrong key (401), a wrong URL or model (404) were all logged as `ProviderUnavailable`:
    the operator could not tell which setting to fix. A redirect (`http://` to `https://`)
    was read as an answer and logged as a malformed one (`JSONDecodeError`)."""
    provider.mode = "status"
    provider.status = status
    session = services.session_create(user=user)
    result = services.message_post(user=user, session_id=session.pk, content="I feel anxious about my exam.")
    with caplog.at_level(logging.WARNING, logger="sessions_app.services"):
        tasks.companion_reply.apply(args=[result.message.pk], throw=True)
    assert reply_to(result).provider == Message.Provider.OFFLINE
    failures = [record.getMessage() for record in caplog.records if record.name == "sessions_app.services"]
    assert failures == [f"Chat provider failed (ProviderUnavailable: {reason}); answering with the offline companion"]
    assert "sk-test" not in caplog.text


def test_a_credential_in_the_provider_url_never_reaches_the_logs(user, provider, settings, caplog):
    """httpx logged each request's full URL at INFO, so a key in AI_PROVIDER_URL (as user
    info, or a `key=` parameter some gateways take) was written to the log once per reply."""
    settings.AI_PROVIDER_URL = provider.url.replace("http://", "http://journal:sk-url-secret@")
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    try:
        session = services.session_create(user=user)
        result = services.message_post(user=user, session_id=session.pk, content="I feel anxious about my exam.")
        tasks.companion_reply.apply(args=[result.message.pk], throw=True)
    finally:
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).removeHandler(caplog.handler)
    assert reply_to(result).provider == Message.Provider.LLM
    assert len(provider.requests) == 1
    assert "sk-url-secret" not in caplog.text


def test_a_reply_whose_task_was_lost_is_written_by_the_sweep(user, provider, settings):
    """A reply task that never ran (the broker restarted without its queue, the task was
    purged, or a killed worker's task waits out Redis's hour-long visibility timeout) left
    the message unanswered and the session `awaiting_reply` for as long as it stayed active:
    the chat page said "The companion is thinking…" for ever."""
    entry = settings.CELERY_BEAT_SCHEDULE["sessions-answer-overdue"]
    assert entry["task"] == tasks.companion_replies_overdue.name
    session = services.session_create(user=user)
    # Posted without running the on-commit hook: the task is queued nowhere, as if lost.
    lost = services.message_post(user=user, session_id=session.pk, content="I keep worrying about money.")
    recent = services.message_post(user=user, session_id=session.pk, content="And about my sister.")
    ended = services.session_create(user=user)
    left = services.message_post(user=user, session_id=ended.pk, content="Something left behind.")
    services.session_end(user=user, session_id=ended.pk)
    overdue = timezone.now() - timedelta(seconds=services.reply_overdue_seconds() + 1)
    Message.objects.filter(pk__in=[lost.message.pk, left.message.pk]).update(created_at=overdue)

    assert tasks.companion_replies_overdue.apply().get() == 1
    reply = reply_to(lost)
    assert reply.provider == Message.Provider.OFFLINE  # the provider is not asked this late
    assert provider.requests == []
    assert reply_to(recent) is None  # its task may still be on its way
    assert reply_to(left) is None  # an ended session takes no reply
    # The task arriving late after all finds the reply there and adds none.
    tasks.companion_reply.apply(args=[lost.message.pk], throw=True)
    assert Message.objects.filter(reply_to=lost.message).count() == 1
    assert provider.requests == []
    assert tasks.companion_replies_overdue.apply().get() == 0


def test_the_overdue_sweep_waits_longer_than_a_worker_may_take(settings):
    settings.AI_TIMEOUT = 60.0
    settings.AI_MAX_RETRIES = 2
    settings.AI_RETRY_BACKOFF = 1.0
    # Three attempts of 60 s, a Retry-After of up to 60 s before each retry: the worker
    # may still be at it after five minutes.
    assert services.reply_overdue_seconds() > 3 * 60 + 2 * 60
