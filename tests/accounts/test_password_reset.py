"""Password reset by e-mail: off unless mail leaves the server, throttled, token kept out of paths,
sent by a Celery task after the request's commit (run inline here, as without a broker).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from journal_project.accounts import services
from journal_project.accounts.services import token_issue
from tests.factories import PASSWORD

# The e-mail is queued on commit: these tests commit for real, as a deployment does.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-much-longer-new-passphrase-42"
LINK = re.compile(r"https?://[^\s/]+(?P<path>/accounts/password/reset/[^\s/]+/link/)\?t=(?P<token>[\w-]+)")


@pytest.fixture
def reset_on(settings):
    settings.PASSWORD_RESET_ENABLED = True
    return settings


def ask_for_link(client: Client, email: str, **extra) -> object:
    return client.post("/accounts/password/reset/", {"email": email}, **extra)


def emailed_link() -> re.Match[str]:
    assert len(mail.outbox) == 1
    match = LINK.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match


def test_off_unless_mail_reaches_people(client, user, settings):
    # The console backend (the default) would write the link into the log.
    assert settings.EMAIL_BACKEND.endswith("locmem.EmailBackend") or not settings.PASSWORD_RESET_ENABLED
    settings.PASSWORD_RESET_ENABLED = False
    assert client.get("/accounts/password/reset/").status_code == 404
    assert ask_for_link(client, user.email).status_code == 404
    assert mail.outbox == []
    assert b"Forgot your password?" not in client.get("/login/").content
    assert b"password reset by e-mail is off" in client.get("/accounts/signup/").content


def test_with_reset_off_the_login_page_says_whom_to_ask(client, settings):
    """Without e-mail there is no "Forgot your password?" link, and someone locked out of
    their journal was told nothing at all about what to do."""
    settings.PASSWORD_RESET_ENABLED = False
    page = client.get("/login/").content.decode()
    assert "Lost your password? This server sends no e-mail: the person who runs it can set a new one" in page


def test_the_whole_reset_signs_out_everywhere_and_lifts_the_lockout(client, user, reset_on):
    assert b"Forgot your password?" in client.get("/login/").content
    elsewhere = Client()
    assert elsewhere.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    app = APIClient()
    app.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user).raw}")
    assert app.get("/api/v1/entries/").status_code == 200
    for _ in range(reset_on.AXES_FAILURE_LIMIT):  # someone guessing: the account is locked for this address
        client.post("/login/", {"username": user.username, "password": "wrong-password"})

    response = ask_for_link(client, user.email.upper())  # any case
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    link = emailed_link()
    assert mail.outbox[0].to == [user.email]
    assert link["token"] not in link["path"]  # paths are logged; query strings never are

    opened = client.get(f"{link['path']}?t={link['token']}")
    assert opened.status_code == 302
    assert link["token"] not in opened["Location"]
    form = client.get(opened["Location"])
    assert b"Choose a new password" in form.content
    done = client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/done/"

    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 200
    assert client.post("/login/", {"username": user.username, "password": NEW_PASSWORD}).status_code == 302
    assert elsewhere.get("/entries/").status_code == 302  # the other browser is signed out
    assert app.get("/api/v1/entries/").status_code == 401  # and the app's token revoked
    # The link worked once.
    assert b"This link does not work" in Client().get(f"{link['path']}?t={link['token']}").content


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, user, reset_on):
    known = ask_for_link(client, user.email)
    mail.outbox.clear()
    unknown = ask_for_link(client, "nobody@example.test")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_a_wrong_or_cut_link_says_so_without_a_500(client, user, reset_on):
    ask_for_link(client, user.email)
    link = emailed_link()
    for url in (
        f"{link['path']}?t={link['token'][:-3]}",
        f"{link['path']}",
        "/accounts/password/reset/bm90LWEtdXNlcg/link/?t=abc-def",
        "/accounts/password/reset/!!/set-password/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"This link does not work" in response.content
    assert client.post(f"{link['path']}?t=x", {"new_password1": "x", "new_password2": "x"}).status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # nothing changed


def test_a_weak_new_password_is_a_form_error(client, user, reset_on):
    ask_for_link(client, user.email)
    link = emailed_link()
    step = client.get(f"{link['path']}?t={link['token']}")["Location"]
    response = client.post(step, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_requests_are_throttled_per_address_and_per_client(client, user, reset_on):
    reset_on.REST_FRAMEWORK = {
        **reset_on.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**reset_on.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "password_reset": "2/hour"},
    }
    # One address asked for from many places: its inbox is not flooded.
    for address in ("10.0.0.1", "10.0.0.2"):
        assert ask_for_link(client, user.email, REMOTE_ADDR=address).status_code == 302
    refused = ask_for_link(client, user.email, REMOTE_ADDR="10.0.0.3")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert b"Too many attempts. Try again in" in refused.content
    assert len(mail.outbox) == 2
    # One client asking for many addresses.
    for address in ("a@example.test", "b@example.test"):
        assert ask_for_link(client, address, REMOTE_ADDR="10.0.0.9").status_code == 302
    assert ask_for_link(client, "c@example.test", REMOTE_ADDR="10.0.0.9").status_code == 429


def test_the_address_changes_only_with_the_password(client, user):
    client.force_login(user)
    wrong = client.post("/accounts/email/", {"email": "new@example.test", "password": "wrong-password"})
    assert wrong.status_code == 200
    assert b"The password is not correct." in wrong.content
    user.refresh_from_db()
    assert user.email != "new@example.test"

    bad = client.post("/accounts/email/", {"email": "not an address", "password": PASSWORD})
    assert bad.status_code == 200
    assert b"errorlist" in bad.content

    assert client.post("/accounts/email/", {"email": "New@Example.TEST", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.email == "New@example.test"  # the domain lower-cased, as Django normalises it
    assert b"New@example.test" in client.get("/accounts/settings/").content
    assert client.post("/accounts/email/", {"email": "", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.email == ""


# --- Sent by a task, after the commit, with no token in its arguments ----------------------------


@pytest.fixture
def tasks_run():
    """(name, args, kwargs) of every Celery task that runs (inline here)."""
    from celery import signals

    ran: list[tuple[str, object, object]] = []

    def record(task=None, args=None, kwargs=None, **_: object) -> None:
        ran.append((task.name, args, kwargs))

    signals.task_prerun.connect(record, weak=False)
    try:
        yield ran
    finally:
        signals.task_prerun.disconnect(record)


RESET_TASK = "journal_project.accounts.tasks.password_reset_send"


def test_the_mail_is_sent_by_a_task_whose_arguments_hold_no_token_link_or_address(client, user, reset_on, tasks_run):
    assert ask_for_link(client, user.email).status_code == 302
    link = emailed_link()
    [(_, args, kwargs)] = [run for run in tasks_run if run[0] == RESET_TASK]
    assert (list(args), kwargs) == ([[user.pk], "testserver", False], {})
    # What a broker, its queue and a worker's log would hold: ids only.
    assert link["token"] not in repr((args, kwargs))
    assert user.email not in repr((args, kwargs))


def test_known_and_unknown_addresses_queue_the_same_work(client, user, reset_on, tasks_run):
    known = ask_for_link(client, user.email)
    unknown = ask_for_link(client, "nobody@example.test")
    assert (unknown.status_code, unknown["Location"], unknown.content) == (
        known.status_code,
        known["Location"],
        known.content,
    )
    # The same task in both cases (nothing for it to send for the unknown address): the
    # request's own work does not depend on whether an account has the address.
    assert [(name, list(args)) for name, args, _ in tasks_run if name == RESET_TASK] == [
        (RESET_TASK, [[user.pk], "testserver", False]),
        (RESET_TASK, [[], "testserver", False]),
    ]
    assert len(mail.outbox) == 1


@transaction.atomic
def ask_and_fail(email: str) -> None:
    services.password_reset_request(email=email, domain="journal.example", use_https=True)
    raise RuntimeError("the request failed after asking")


def test_the_mail_waits_for_the_commit_and_a_rollback_sends_none(user, reset_on):
    with transaction.atomic():
        services.password_reset_request(email=user.email, domain="journal.example", use_https=True)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert "https://journal.example/accounts/password/reset/" in mail.outbox[0].body

    mail.outbox.clear()
    with pytest.raises(RuntimeError):
        ask_and_fail(user.email)
    assert mail.outbox == []


def test_an_account_deactivated_or_without_address_before_the_task_runs_gets_nothing(user, other_user, reset_on):
    user.is_active = False
    user.save(update_fields=["is_active"])
    other_user.email = ""
    other_user.save(update_fields=["email"])
    assert services.password_reset_send_now(user_ids=[user.pk, other_user.pk], domain="x", use_https=True) == 0
    assert mail.outbox == []


def test_with_the_broker_down_the_mail_is_sent_in_the_request(client, user, reset_on, caplog):
    from journal_project.celery import app
    from tests.support.celery_worker import use_broker
    from tests.support.redis_server import free_port

    previous = app.conf.broker_url
    use_broker(f"amqp://guest:guest@127.0.0.1:{free_port()}//", eager=False)  # nothing listens there
    try:
        response = ask_for_link(client, user.email)
    finally:
        use_broker(previous, eager=True)
    assert response.status_code == 302
    assert emailed_link()
    assert "Could not queue the password-reset e-mail" in caplog.text


def test_the_reset_form_calls_the_address_e_mail_as_every_other_page(client, reset_on):
    page = client.get("/accounts/password/reset/").content.decode()
    assert '<label for="id_email">E-mail:</label>' in page
    assert 'autocomplete="email"' in page
