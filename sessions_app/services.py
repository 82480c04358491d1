"""Writes for reflection sessions and the knowledge base.

Each write runs in one transaction; the model signals bump the cache generation inside
it, and the session's live state is written through after the commit
(`selectors.session_write_through`), so the next read is a hit that is never stale.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from entries import rendering
from journal_project import caching
from journal_project.exceptions import Conflict, NotFound
from sessions_app import selectors
from sessions_app.companion import pipeline
from sessions_app.companion import sentiment as message_sentiment
from sessions_app.companion.compose import opening
from sessions_app.companion.providers import chat_completions, provider_configured
from sessions_app.companion.safety import assess as assess_safety
from sessions_app.companion.safety import safety_reply
from sessions_app.knowledge import FIELDS as KNOWLEDGE_FIELDS
from sessions_app.models import Message, ReflectionSession, Technique
from sessions_app.summary import entry_body, summarize

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 5000
MAX_TITLE_LENGTH = 200
# Foreign keys left out of full_clean() on messages: the session is locked by this very
# transaction and the technique and the answered message were just loaded or saved here,
# so re-checking that they exist would cost a query each (three per reply) for nothing.
# The database's foreign key constraints stay the final guard.
_MESSAGE_CLEAN_EXCLUDE = ["session", "technique", "reply_to"]


def _elapsed_ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


def _locked_session(*, user: Any, session_id: int) -> ReflectionSession:
    session = (
        ReflectionSession.objects.select_for_update(of=("self",))
        .select_related("technique")
        .filter(user_id=user.pk, pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound("Session not found.")
    return session


def _write_through_on_commit(session: ReflectionSession) -> None:
    transaction.on_commit(partial(selectors.session_write_through, user_id=session.user_id, session_id=session.pk))


def _save_reply(
    *,
    session: ReflectionSession,
    reply_to: Message | None,
    content: str,
    technique: Technique | None,
    provider: str,
    latency_ms: int | None,
    safety: bool = False,
) -> Message:
    reply = Message(
        session=session,
        role=Message.Role.COMPANION,
        content=content,
        technique=technique,
        provider=provider,
        latency_ms=latency_ms,
        safety_flag=safety,
        reply_to=reply_to,
    )
    reply.full_clean(exclude=_MESSAGE_CLEAN_EXCLUDE, validate_unique=False)
    reply.save()
    return reply


def _technique(slug: str | None) -> Technique | None:
    return Technique.objects.filter(slug=slug).first() if slug else None


def _local_date(user: Any, moment: Any) -> Any:
    profile = getattr(user, "profile", None)
    return timezone.localtime(moment, profile.zone).date() if profile is not None else moment.date()


# --- Sessions ---------------------------------------------------------------------------


@transaction.atomic
def session_create(*, user: Any, title: str = "", technique_slug: str | None = None) -> ReflectionSession:
    """Start a session, optionally around a technique, with the companion's opening message."""
    technique = None
    if technique_slug:
        technique = Technique.objects.filter(slug=technique_slug).first()
        if technique is None:
            raise ValidationError({"technique": ["Unknown technique."]})
    title = " ".join(rendering.clean_line(title).split())  # an invisible title gets the default
    now = timezone.now()
    if not title:
        day = _local_date(user, now)
        title = f"{technique.name} · {day:%d %b %Y}" if technique else f"Reflection · {day:%d %b %Y}"
    session = ReflectionSession(
        user=user, title=title[:MAX_TITLE_LENGTH], technique=technique, started_at=now, last_activity_at=now
    )
    session.full_clean()
    session.save()
    knowledge = selectors.companion_knowledge()
    started = time.perf_counter()
    text, _question = opening(knowledge.get(technique.slug) if technique else None)
    _save_reply(
        session=session,
        reply_to=None,
        content=text,
        technique=technique,
        provider=Message.Provider.OFFLINE,
        latency_ms=_elapsed_ms(started),
    )
    _write_through_on_commit(session)
    return session


@dataclass(frozen=True)
class PostResult:
    message: Message
    reply: Message | None
    status: str  # "complete": the reply is here; "pending": a worker will add it


def message_post(*, user: Any, session_id: int, content: str) -> PostResult:
    """Add the person's message and the companion's reply (or queue the provider for it).

    Safety first: a flagged message gets the fixed reply with crisis resources, here and
    now, and is never handed to a provider. With a provider, the reply is written after
    the commit: by a worker ("pending"), or here when there is no broker to queue it on
    ("complete", see `_reply_or_queue`). Raises Conflict when the session is over.
    """
    content = content.strip()
    if not content:
        raise ValidationError({"content": ["Write something first."]})
    if len(content) > MAX_MESSAGE_LENGTH:
        raise ValidationError({"content": [f"Keep a message under {MAX_MESSAGE_LENGTH} characters."]})
    use_provider = provider_configured()
    with transaction.atomic():
        session = _locked_session(user=user, session_id=session_id)
        if not session.is_active:
            raise Conflict("This session has ended. Start a new one to keep reflecting.", code="session_closed")
        # The conversation so far comes from the cache (written through after the last
        # message). Read it before our own writes: from then on this transaction bypasses
        # the cache for the user's sessions until it commits.
        context = selectors.session_context(selectors.session_detail_for(user_id=user.pk, session_id=session.pk))
        knowledge = selectors.companion_knowledge()
        started = time.perf_counter()
        analysis = pipeline.analyse(content, knowledge, after_check_in=context.awaiting_safety_answer)
        now = timezone.now()
        message = Message(
            session=session,
            role=Message.Role.USER,
            content=content,
            safety_flag=analysis.safety.needs_safety_reply,
            sentiment=analysis.sentiment,
            analysis=analysis.as_dict(),
            created_at=now,
        )
        message.full_clean(exclude=_MESSAGE_CLEAN_EXCLUDE, validate_unique=False)
        message.save()

        reply: Message | None = None
        status = "complete"
        provider_reply_owed = False
        if analysis.safety.needs_safety_reply:
            logger.info("Safety reply sent", extra={"session_id": session.pk, "safety": analysis.safety.level})
            reply = _save_reply(
                session=session,
                reply_to=message,
                content=safety_reply(analysis.safety, settings.CRISIS_RESOURCES),
                technique=None,
                provider=Message.Provider.SAFETY,
                latency_ms=_elapsed_ms(started),
                safety=True,
            )
        elif use_provider and not context.after_crisis_reply:
            status = "pending"
            provider_reply_owed = True
        else:
            result = pipeline.respond(
                analysis, context, knowledge, searched=_searched(analysis), crisis_resources=settings.CRISIS_RESOURCES
            )
            reply = _save_reply(
                session=session,
                reply_to=message,
                content=result.content,
                technique=_technique(result.technique),
                provider=Message.Provider.OFFLINE,
                latency_ms=_elapsed_ms(started),
            )
        session.last_activity_at = now
        session.save(update_fields=["last_activity_at"])
        _write_through_on_commit(session)
    if provider_reply_owed:
        # Neither a worker nor the provider call may start before the message is
        # committed. Inside a caller's transaction that is at its commit, after we have
        # answered; otherwise it is now, and a reply written here goes in the answer.
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(partial(_reply_or_queue, message.pk))
        else:
            reply = _reply_or_queue(message.pk)
            if reply is not None:
                status = "complete"
    return PostResult(message=message, reply=reply, status=status)


def _searched(analysis: pipeline.Analysis) -> list[str]:
    searched: list[str] = []
    for theme in analysis.themes[:3]:
        searched.extend(slug for slug in selectors.theme_search(theme) if slug not in searched)
    return searched


def _reply_or_queue(message_id: int) -> Message | None:
    """After the commit: queue the provider's reply for a worker, or write it here and return it.

    * Without a broker (Celery eager: the embedded default, any deployment without
      CELERY_BROKER_URL) the task would run right here with its retry chain, holding
      the request for up to a minute: write the reply directly instead, with one short
      provider attempt (AI_INLINE_TIMEOUT) before the offline companion.
    * When the broker cannot take the task, answer offline at once: a broker outage must
      neither turn the saved message into a 500 nor leave the session waiting for a
      reply that was never queued.

    Returns None when a worker will write the reply.
    """
    from sessions_app.tasks import companion_reply

    if companion_reply.app.conf.task_always_eager:
        return companion_reply_generate(message_id=message_id, inline=True)
    try:
        companion_reply.delay(message_id)
    except Exception as error:  # kombu's errors vary by transport; any of them means "not queued"
        logger.warning("Could not queue the companion reply (%s); answering offline", type(error).__name__)
        return companion_reply_generate(message_id=message_id, offline_only=True)
    return None


def companion_reply_generate(*, message_id: int, offline_only: bool = False, inline: bool = False) -> Message | None:
    """The provider's reply to one message (the Celery task's body); idempotent.

    The provider is called outside any transaction, so no lock is held during the HTTP
    call. Any failure falls back to the offline companion, so a reply always arrives.
    `inline`: a request is waiting, so one short attempt instead of the retry chain.
    """
    message = Message.objects.select_related("session").filter(pk=message_id, role=Message.Role.USER).first()
    # A flagged message is never sent out; it already has its fixed reply.
    if message is None or message.safety_flag:
        return None
    existing = Message.objects.filter(reply_to_id=message_id).first()
    if existing is not None:
        return existing
    session = message.session
    if not session.is_active:
        return None

    detail = selectors.session_detail_for(user_id=session.user_id, session_id=session.pk)
    context = selectors.session_context(detail, upto_message_id=message_id)
    knowledge = selectors.companion_knowledge()
    analysis = pipeline.analyse(message.content, knowledge)
    offline = pipeline.respond(analysis, context, knowledge, searched=_searched(analysis))
    grounding_items = []
    chosen = knowledge.get(offline.technique)
    if chosen is not None:
        grounding_items.append(chosen)
        grounding_items += [item for slug in chosen.related if (item := knowledge.get(slug)) is not None][:2]
    distortions = [item for d in analysis.distortions if (item := knowledge.get(d.slug)) is not None]
    guided = offline.choice is not None and offline.choice.guided
    messages = chat_completions.build_messages(
        selectors.provider_history(detail, upto_message_id=message_id),
        chat_completions.grounding_text(
            grounding_items,
            distortions,
            guided=chosen if guided else None,
            next_step=offline.choice.question if guided else None,
        ),
    )
    started = time.perf_counter()
    if offline_only:
        content, provider = offline.content, Message.Provider.OFFLINE
    else:
        try:
            config = chat_completions.ProviderConfig.from_settings(inline=inline)
            content = chat_completions.complete(config, messages)
            provider = Message.Provider.LLM
        except Exception as error:  # a provider failure of any kind (incl. time limits) must not lose the reply
            # A ProviderError says what went wrong ("HTTP 401": the key; "HTTP 404": the URL or
            # the model) and never carries the key or the person's words; anything else is
            # named by its type only.
            reason = type(error).__name__
            if isinstance(error, chat_completions.ProviderError):
                reason = f"{reason}: {error}"
            logger.warning("Chat provider failed (%s); answering with the offline companion", reason)
            content, provider = offline.content, Message.Provider.OFFLINE
    latency = _elapsed_ms(started)

    with transaction.atomic():
        session = ReflectionSession.objects.select_for_update().get(pk=session.pk)
        existing = Message.objects.filter(reply_to_id=message_id).first()
        if existing is not None:  # a duplicate delivery of the task got here first
            return existing
        if not session.is_active:
            return None
        reply = _save_reply(
            session=session,
            reply_to=message,
            content=content,
            technique=_technique(offline.technique),
            provider=provider,
            latency_ms=latency,
        )
        session.last_activity_at = timezone.now()
        session.save(update_fields=["last_activity_at"])
        _write_through_on_commit(session)
    return reply


# A reply owed this long is not coming from its task: never less than five minutes.
MIN_REPLY_OVERDUE_SECONDS = 300


def reply_overdue_seconds() -> float:
    """How long a person's message may wait for its reply before the sweep answers it offline.

    Twice the longest a worker's reply task may take: every attempt of AI_TIMEOUT, and
    between them the backoff or the Retry-After honoured (at most AI_TIMEOUT each, see
    chat_completions.complete), so a slow provider's reply is never pre-empted.
    """
    retries = max(0, settings.AI_MAX_RETRIES)
    attempts = (retries + 1) * settings.AI_TIMEOUT
    waits = sum(max(settings.AI_RETRY_BACKOFF * 2**attempt, settings.AI_TIMEOUT) for attempt in range(retries))
    return max(float(MIN_REPLY_OVERDUE_SECONDS), 2 * (attempts + waits))


def companion_replies_overdue(*, now: Any = None, limit: int = 200) -> int:
    """Answer, with the offline companion, messages whose reply task never wrote one (the beat task's body).

    A queued task can be lost (a broker restarted without its queue, a purge) or held back
    (a killed worker's task waits out Redis's visibility timeout, an hour): the message
    stayed unanswered and the session `awaiting_reply` for as long as it was active. The
    task arriving later finds the reply and adds none (`companion_reply_generate` is
    idempotent). Returns how many replies were written.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=reply_overdue_seconds())
    overdue = list(
        Message.objects.filter(
            role=Message.Role.USER,
            safety_flag=False,
            session__status=ReflectionSession.Status.ACTIVE,
            created_at__lt=cutoff,
            reply__isnull=True,
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    answered = 0
    for message_id in overdue:
        reply = companion_reply_generate(message_id=message_id, offline_only=True)
        if reply is not None:
            answered += 1
    if answered:
        logger.warning("Answered %d overdue companion replies offline (their reply tasks were lost or late)", answered)
    return answered


def session_end(*, user: Any, session_id: int, save_as_entry: bool = False) -> ReflectionSession:
    """End a session with its summary; optionally file the summary as a journal entry.

    An abandoned session can still be ended (to get its summary); an ended one cannot
    (Conflict). Saving as an entry happens in the same transaction: both or neither.
    """
    with transaction.atomic():
        session = _locked_session(user=user, session_id=session_id)
        if session.status == ReflectionSession.Status.ENDED:
            # A client that retried after losing the first answer learns where the
            # summary went (null when it was not filed).
            raise Conflict(
                "This session has already ended.", code="session_closed", extra={"entry_id": session.entry_id}
            )
        messages = [
            {
                "role": m.role,
                "content": m.content,
                "sentiment": m.sentiment,
                "analysis": m.analysis,
                "technique": m.technique.slug if m.technique_id else None,
                "technique_name": m.technique.name if m.technique_id else None,
            }
            for m in session.messages.select_related("technique").order_by("created_at", "id")
        ]
        now = timezone.now()
        session.summary = summarize(messages)
        session.status = ReflectionSession.Status.ENDED
        session.ended_at = now
        session.last_activity_at = now
        fields = ["summary", "status", "ended_at", "last_activity_at"]
        if save_as_entry:
            from entries.services import entry_create

            entry = entry_create(
                user=user,
                title=session.title,
                body=entry_body(session.summary, messages),
                mood=None,
                tags=("reflection",),
                entry_date=_local_date(user, session.started_at),
            )
            session.entry_id = entry.pk
            fields.append("entry_id")
        session.full_clean()
        session.save(update_fields=fields)
        _write_through_on_commit(session)
    return session


def _imported_analysis(message: dict[str, Any], knowledge: Any) -> dict[str, Any]:
    """What message_post stores with a person's message, recomputed here (locally, no provider):
    the file does not carry it, and the session's themes and its summary's mood shift need it.
    The file's safety flag stands either way; a flagged message is analysed no further, as when sent."""
    if message["safety"]:
        # Analysis.as_dict() of a flagged message: nothing beyond its sentiment and the kind
        # of safety reply. A flagged message the check alone does not flag was the answer
        # to a check-in, which only a crisis flags.
        level = assess_safety(message["content"]).level or "crisis"
        return {
            "sentiment": message_sentiment.score(message["content"]),
            "analysis": {"distortions": [], "themes": [], "emotions": [], "safety": level},
        }
    analysis = pipeline.analyse(message["content"], knowledge)
    return {"sentiment": analysis.sentiment, "analysis": analysis.as_dict()}


def sessions_import(*, user: Any, items: list[dict[str, Any]]) -> int:
    """Restore sessions from an export file (validated by entries.portability); returns how many were new.

    Called by `entries.services.entries_import` inside its transaction, so the entries and
    the sessions of one file are written together or not at all. Idempotent by `uid`,
    per person: a session whose uid the person already has is skipped, and a uid that
    belongs to someone else's session makes a session of this person's own (the check
    never looks beyond the person's rows, so nothing about the other session shows).

    Nothing here talks to the companion: no reply is generated or queued and no provider
    is called. An `active` session is restored as `abandoned` (ended when it was last
    active): a person's message in it may have been waiting for a reply that will never be
    written here, and the idle sweep would set it aside anyway (docs/api.md).
    """
    from entries.models import Entry
    from journal_project.accounts.models import Profile

    if not items:
        return 0
    with transaction.atomic():
        # One import per person at a time (entries_import takes the same lock first).
        Profile.objects.select_for_update().filter(user=user).first()
        existing = set(
            ReflectionSession.objects.filter(user_id=user.pk, uid__in=[item["uid"] for item in items]).values_list(
                "uid", flat=True
            )
        )
        fresh: list[tuple[int, dict[str, Any]]] = []  # with the place in the file, for errors
        for index, item in enumerate(items):
            # A uid twice in one file (two sessions derived from the same content) is one session.
            if item["uid"] not in existing:
                existing.add(item["uid"])
                fresh.append((index, item))
        if not fresh:
            return 0
        slugs = {item.get("technique") for _, item in fresh} | {
            message.get("technique") for _, item in fresh for message in item["messages"]
        }
        slugs.discard(None)
        techniques = dict(Technique.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}
        entry_uids = {item["entry_uid"] for _, item in fresh if item.get("entry_uid")}
        entries = (
            dict(Entry.objects.filter(user_id=user.pk, uid__in=entry_uids).values_list("uid", "pk"))
            if entry_uids
            else {}
        )
        sessions: list[ReflectionSession] = []
        for index, item in fresh:
            last_activity = item.get("last_activity_at") or max(
                [item["started_at"], *(message["created_at"] for message in item["messages"])]
            )
            status = item["status"]
            if status == ReflectionSession.Status.ACTIVE:
                status = ReflectionSession.Status.ABANDONED
            session = ReflectionSession(
                user=user,
                uid=item["uid"],
                title=item["title"],
                technique_id=techniques.get(item.get("technique")),
                status=status,
                started_at=item["started_at"],
                last_activity_at=last_activity,
                # Never active here, so always ended: when the file says, else at its last activity.
                ended_at=item.get("ended_at") or last_activity,
                summary=item.get("summary") or {},
                entry_id=entries.get(item.get("entry_uid")),
            )
            try:
                session.full_clean(exclude=["user", "technique"], validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                raise ValidationError(
                    {f"sessions[{index}].{name}": problems for name, problems in error.message_dict.items()}
                ) from error
            sessions.append(session)
        ReflectionSession.objects.bulk_create(sessions, batch_size=500)
        knowledge = selectors.companion_knowledge()
        per_session = [
            [
                Message(
                    session=session,
                    role=message["role"],
                    content=message["content"],
                    technique_id=techniques.get(message.get("technique")),
                    safety_flag=message["safety"],
                    # Where the reply came from is not in the file, except for the fixed safety reply.
                    provider=(
                        Message.Provider.SAFETY
                        if message["safety"] and message["role"] == Message.Role.COMPANION
                        else ""
                    ),
                    created_at=message["created_at"],
                    **(_imported_analysis(message, knowledge) if message["role"] == Message.Role.USER else {}),
                )
                for message in item["messages"]
            ]
            for session, (_, item) in zip(sessions, fresh, strict=True)
        ]
        Message.objects.bulk_create([message for made in per_session for message in made], batch_size=1000)
        # The pairs, once the messages have ids: as the file says (version 3, places checked
        # by entries.portability), or, for a file that does not say (versions 1 and 2),
        # paired again as the conversation went (`imported_reply_pairs`).
        replies: list[Message] = []
        for made, (_, item) in zip(per_session, fresh, strict=True):
            if any("reply_to" in message for message in item["messages"]):
                pairs = [message.get("reply_to") for message in item["messages"]]
            else:
                pairs = imported_reply_pairs(item["messages"])
            for reply, answered in zip(made, pairs, strict=True):
                if answered is not None:
                    reply.reply_to_id = made[answered].pk
                    replies.append(reply)
        Message.objects.bulk_update(replies, ["reply_to"], batch_size=1000)
        # bulk_create sends no signals: the one invalidation for the whole import, in
        # this transaction (as the signals do), so the lists and pages show them at once.
        caching.bump(caching.SESSIONS, user.pk)
    return len(sessions)


def imported_reply_pairs(messages: list[dict[str, Any]]) -> list[int | None]:
    """For each message of an imported conversation, the position of the person's message it answers.

    An export lists messages in order without their pairing. A flagged message of the
    person gets the fixed safety reply at once, so a safety reply answers the latest
    flagged message still without one. Any other reply answers the earliest message still
    waiting: the offline companion answers each message before the next is taken, and a
    provider's replies come in the order the messages were queued. (Two provider replies
    that overtook each other are paired in queue order; the file cannot tell.) The
    opening message, and a reply with nothing waiting, answer nothing.
    """
    pairs: list[int | None] = []
    waiting: list[int] = []
    flagged: list[int] = []
    for position, message in enumerate(messages):
        answered = None
        if message["role"] == Message.Role.USER:
            (flagged if message.get("safety") else waiting).append(position)
        elif message.get("safety") and flagged:
            answered = flagged.pop()
        elif waiting:
            answered = waiting.pop(0)
        pairs.append(answered)
    return pairs


def sessions_abandon_idle(*, now: Any = None) -> int:
    """Mark sessions idle longer than SESSION_IDLE_MINUTES as abandoned (the beat task's body).

    Each is re-checked under its row lock, so a message arriving meanwhile wins. The save
    bumps the owner's generation: the live state cached for the session becomes
    unreachable at once and expires with its TTL.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    candidates = ReflectionSession.objects.filter(status=ReflectionSession.Status.ACTIVE, last_activity_at__lt=cutoff)
    abandoned = 0
    for session_id in list(candidates.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            session = (
                ReflectionSession.objects.select_for_update()
                .filter(pk=session_id, status=ReflectionSession.Status.ACTIVE, last_activity_at__lt=cutoff)
                .first()
            )
            if session is None:
                continue
            session.status = ReflectionSession.Status.ABANDONED
            session.ended_at = now
            session.save(update_fields=["status", "ended_at"])
            abandoned += 1
    return abandoned


# --- Knowledge base ---------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int
    skipped_customized: int
    deleted: int


@transaction.atomic
def knowledge_load(*, items: Iterable[dict[str, Any]], force: bool = False, prune: bool = False) -> LoadResult:
    """Upsert the shipped knowledge base by slug; idempotent.

    Items an editor changed in the admin (`is_customized`) are left alone unless `force`.
    `prune` deletes items that are no longer shipped (never customized ones).
    """
    items = list(items)
    existing = {technique.slug: technique for technique in Technique.objects.all()}
    now = timezone.now()
    to_create: list[Technique] = []
    to_update: list[Technique] = []
    unchanged = skipped = 0
    for data in items:
        values = {field: data[field] for field in KNOWLEDGE_FIELDS}
        technique = existing.get(values["slug"])
        if technique is None:
            technique = Technique(**values)
            technique.full_clean(validate_unique=False)
            to_create.append(technique)
            continue
        if technique.is_customized and not force:
            skipped += 1
            continue
        if not technique.is_customized and all(getattr(technique, f) == v for f, v in values.items()):
            unchanged += 1
            continue
        for field, value in values.items():
            setattr(technique, field, value)
        technique.is_customized = False
        technique.updated_at = now
        technique.full_clean(validate_unique=False)
        to_update.append(technique)
    Technique.objects.bulk_create(to_create)
    if to_update:
        Technique.objects.bulk_update(
            to_update, [*[f for f in KNOWLEDGE_FIELDS if f != "slug"], "is_customized", "updated_at"]
        )
    deleted = 0
    if prune:
        shipped = {data["slug"] for data in items}
        stale = Technique.objects.exclude(slug__in=shipped).filter(is_customized=False)
        deleted = stale.count()
        stale.delete()  # post_delete signals bump the generation
    if to_create or to_update:
        # Bulk writes send no signals; one bump covers them all.
        caching.bump(caching.KNOWLEDGE)
    if to_update:
        # Updated techniques may be renamed: sessions' cached state names them.
        caching.bump_every_scope(caching.SESSIONS)
    return LoadResult(len(to_create), len(to_update), unchanged, skipped, deleted)


def technique_save(*, technique: Technique, customized: bool = True) -> Technique:
    """Save an editor's change (the admin); marks shipped items as customized."""
    technique.is_customized = customized
    technique.full_clean()
    technique.save()
    return technique
