"""Writes for accounts: registration, API tokens, profile changes, account deletion."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from journal_project.accounts.models import ApiToken, Profile, hash_token

User = get_user_model()
logger = logging.getLogger(__name__)

PASSWORD_RESET_SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
PASSWORD_RESET_BODY_TEMPLATE = "registration/password_reset_email.txt"


@transaction.atomic
def user_register(*, username: str, password: str, email: str = "", time_zone: str = "") -> AbstractBaseUser:
    """Create a user with a profile. Raises ValidationError for a taken name or a weak password.

    Without `time_zone` the profile takes the server's (`models.default_time_zone`)."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["A user with that username already exists."]})
    user = User(username=username, email=email.strip())
    user.full_clean(exclude=["password"])
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Someone registered the name (in any case) since the check above: the unique
        # indexes on username and UPPER(username) decided, and the answer is the same.
        raise ValidationError({"username": ["A user with that username already exists."]}) from None
    profile, _ = Profile.objects.get_or_create(user=user)
    if time_zone and time_zone != profile.time_zone:
        profile_update(profile=profile, time_zone=time_zone)
    return user


def user_email_update(*, user: AbstractBaseUser, email: str) -> AbstractBaseUser:
    """Change the address password-reset links go to (blank: none). The caller checks the password."""
    user.email = User.objects.normalize_email(email.strip())
    user.full_clean(exclude=["password"], validate_unique=False)
    user.save(update_fields=["email"])
    return user


def password_reset_request(*, email: str, domain: str, use_https: bool) -> None:
    """Queue the reset e-mail for the accounts that have `email` (Django's rules), after commit.

    The request does the same work whatever the address: one query for the accounts'
    ids and one task queued, with an empty list when none has it, so neither the answer
    nor its time tells whether an account has the address. The task carries ids only: the
    token (and the link) are made in the task, from the account as it is then, so no
    broker, queue or task log ever holds them.
    """
    from django.contrib.auth.forms import PasswordResetForm

    user_ids = [user.pk for user in PasswordResetForm().get_users(email)]
    transaction.on_commit(lambda: _queue_password_reset(user_ids, domain, use_https), robust=True)


def _queue_password_reset(user_ids: list[int], domain: str, use_https: bool) -> None:
    from journal_project.accounts.tasks import password_reset_send

    try:
        password_reset_send.delay(user_ids, domain, use_https)
    except Exception as error:  # kombu's errors vary by transport; any of them means "not queued"
        # As Django does it: sent in the request (bounded by EMAIL_TIMEOUT). A person who
        # asked for a link gets it while the broker is down.
        logger.warning("Could not queue the password-reset e-mail (%s); sending it now", type(error).__name__)
        password_reset_send_now(user_ids=user_ids, domain=domain, use_https=use_https)


def password_reset_send_now(*, user_ids: list[int], domain: str, use_https: bool) -> int:
    """Send the reset e-mail to each account (the task's body). Returns how many were sent.

    Accounts are read again: one deactivated, without a usable password or without an
    address since the request gets nothing. A failed send is logged, never raised (as
    Django's form does), so it cannot be retried into duplicate e-mails.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.template import loader
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    sent = 0
    email_field = User.get_email_field_name()
    for user in User._default_manager.filter(pk__in=user_ids, is_active=True):
        address = getattr(user, email_field)
        if not address or not user.has_usable_password():
            continue
        context = {
            "email": address,
            "domain": domain,
            "site_name": domain,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": "https" if use_https else "http",
            "timeout_hours": max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600)),
        }
        subject = "".join(loader.render_to_string(PASSWORD_RESET_SUBJECT_TEMPLATE, context).splitlines())
        body = loader.render_to_string(PASSWORD_RESET_BODY_TEMPLATE, context)
        try:
            EmailMultiAlternatives(subject, body, None, [address]).send()
        except Exception:
            logger.exception("Failed to send the password-reset e-mail to user %s", user.pk)
        else:
            sent += 1
    return sent


def password_reset_completed(*, user: AbstractBaseUser) -> int:
    """After a new password was set from a reset link: what a password change does, and more.

    The API tokens issued with the old password stop working (the reset is what a person
    does when a device may be in the wrong hands), and the login lockout is lifted, so the
    person can sign in with the new password at once. Returns the tokens revoked.
    """
    from axes.utils import reset as axes_reset

    axes_reset(username=user.get_username())
    return tokens_revoke_all(user=user)


def profile_update(*, profile: Profile, time_zone: str) -> Profile:
    profile.time_zone = time_zone
    profile.full_clean()
    profile.save(update_fields=["time_zone"])
    return profile


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str

    @property
    def expires_at(self) -> datetime:
        return self.token.expires_at


class PasswordChanged(Exception):
    """The password a caller checked is no longer the account's (changed, or reset, meanwhile)."""


def token_issue(*, user: AbstractBaseUser, name: str = "") -> IssuedToken:
    """A new bearer token; the raw value exists only in the returned object.

    `user` is the account as the caller's password check loaded it. Checking a password
    takes most of a second (the hasher's work), and a password change committing during
    it revokes every token before this one exists: the token issued afterwards, for the
    old password, outlived the change. So the account's row is locked and its password
    compared with the one checked; a change waits for the token to exist (and then
    revokes it), or wins and the token is refused (PasswordChanged).
    """
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        current = (
            get_user_model()
            ._default_manager.select_for_update()
            .filter(pk=user.pk)
            .values_list("password", "is_active")
            .first()
        )
        if current is None or current != (user.password, True):
            raise PasswordChanged()
        token = ApiToken.objects.create(
            user=user,
            key_hash=hash_token(raw),
            prefix=raw[:8],
            name=name[:100],
            expires_at=timezone.now() + settings.API_TOKEN_TTL,
        )
    return IssuedToken(token=token, raw=raw)


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def tokens_revoke_all(*, user: AbstractBaseUser) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# Attempts of an account's deletion that PostgreSQL aborts to break a deadlock.
USER_DELETE_ATTEMPTS = 3
# A deadlock, and a row added by a concurrent write after the cascade collected them.
_CONCURRENT_WRITE = {"40P01", "23503"}


def user_delete(*, user: AbstractBaseUser) -> None:
    """Delete an account with its journal, sessions and tokens; its cached data goes with it.

    The cascade removes the rows; the signal handlers drop the cache generations and
    queue the deletion of the user's Redis keys after commit. The login records
    (django-axes keeps them by username, with IP addresses and browsers) go too: they
    say when and from where the person used the journal.

    Another device of the person may be writing at that moment. The user row is locked
    first, so writes of tags wait and the foreign-key checks of new rows wait; a write
    already holding its rows still crosses the cascade (a deadlock PostgreSQL breaks by
    aborting one side, or a row committed after the cascade collected the person's rows,
    which the deferred foreign keys refuse at commit). The deletion is then run again,
    after that write: the constraints are checked inside the attempt for that reason.
    """
    username = user.get_username()
    for attempt in range(1, USER_DELETE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                list(get_user_model()._default_manager.select_for_update().filter(pk=user.pk).values_list("pk"))
                for model in (AccessAttempt, AccessFailureLog, AccessLog):
                    model.objects.filter(username=username).delete()
                user.delete()
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # here, not at a caller's commit
            return
        except (OperationalError, IntegrityError) as error:
            state = getattr(error.__cause__, "sqlstate", None)
            if attempt == USER_DELETE_ATTEMPTS or state not in _CONCURRENT_WRITE:
                raise
            logger.info("Account deletion crossed a concurrent write (%s); trying again", state)


def accounts_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what accounts leave behind: expired browser sessions and old login records.

    Django leaves expired sessions to the site (`clearsessions`); django-axes keeps the
    address and browser of every sign-in. Neither may grow for ever: sessions go once
    expired, login records after LOGIN_RECORDS_DAYS.
    """
    now = now or timezone.now()
    expired = Session.objects.filter(expire_date__lt=now).delete()[0]
    cutoff = now - timedelta(days=settings.LOGIN_RECORDS_DAYS)
    records = sum(model.objects.filter(attempt_time__lt=cutoff).delete()[0] for model in (AccessLog, AccessFailureLog))
    return {"sessions": expired, "login_records": records}
