"""Writes for journal entries. Every write is atomic, validated with `full_clean()`, and
invalidates the owner's cache through the model signals (entries.signals).

Other apps call these (e.g. sessions_app saves a reflection with `entry_create`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Lower
from django.utils import timezone

from entries import rendering, sentiment
from entries.models import TAG_MAX_LENGTH, TAGS_PER_ENTRY, Entry, EntryTombstone, Tag
from entries.signals import coalesced_invalidation, deleting_unused_tags, invalidate
from journal_project.exceptions import Conflict, NotFound

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = frozenset({"title", "body", "mood", "tags", "entry_date"})

# Fields left out of full_clean(): `user` would cost a query to re-check a user we hold,
# `search_vector` is the trigger's (and deferred when loading, so reading it would cost a
# query), and the database constraints (mood and sentiment ranges, unique uid) stay the
# final guard for what the field validators already check.
_CLEAN_EXCLUDE = ["user", "search_vector"]


class EntryExists(Conflict):
    """An entry with this `uid` already exists for the user (a retried create)."""

    code = "entry_exists"
    default_message = "An entry with this uid already exists."

    def __init__(self, entry_id: int) -> None:
        super().__init__(fields={"id": [str(entry_id)]})
        self.entry_id = entry_id


class EntryChanged(Conflict):
    """The entry was saved elsewhere (another device, another tab) after the editor opened it."""

    code = "entry_changed"
    default_message = "This entry was changed somewhere else after you opened it."


def entry_fingerprint(*, title: str, body: str, mood: int | None, tags: Iterable[str], entry_date: Any) -> str:
    """What a person edits of an entry, as one value: an editor keeps the one it opened with.

    Only the editable fields: the background sentiment of a long text moves `updated_at`
    without the person changing anything, which must not count as someone else's edit.
    Tags compare as the service compares them (a set, whatever their case).
    """
    tag_set = sorted({name.lower() for name in tags})
    date = entry_date.isoformat() if isinstance(entry_date, datetime.date) else entry_date
    payload = json.dumps([title, body, mood, tag_set, date], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


# --- Time -------------------------------------------------------------------------------


def user_zone(user: Any) -> zoneinfo.ZoneInfo:
    profile = getattr(user, "profile", None)
    return profile.zone if profile is not None else zoneinfo.ZoneInfo("UTC")


def local_today(user: Any, *, now: datetime.datetime | None = None) -> datetime.date:
    """Today's date where the person is (not on the server, not in UTC)."""
    return (now or timezone.now()).astimezone(user_zone(user)).date()


# --- Tags -------------------------------------------------------------------------------


def tag_names_normalise(names: Iterable[str] | str) -> list[str]:
    """Clean tag names: trimmed, single-spaced, no leading '#', NFC, unique regardless of case.

    A string is split on commas (the browser form's input). Raises ValidationError
    (field "tags") for a name that is too long or for too many tags.
    """
    if isinstance(names, str):
        names = names.split(",")
    result: list[str] = []
    seen: set[str] = set()
    for raw in names:
        if not isinstance(raw, str):
            raise ValidationError({"tags": ["Tags must be text."]})
        # clean_text() makes it NFC: "Café" typed on one device and decomposed (e + U+0301)
        # on another, or in an imported file, look the same and must be one tag.
        name = rendering.clean_line(" ".join(rendering.clean_line(raw).replace(",", " ").split()).lstrip("#"))
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise ValidationError({"tags": [f"A tag can have at most {TAG_MAX_LENGTH} characters."]})
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            result.append(name)
    if len(result) > TAGS_PER_ENTRY:
        raise ValidationError({"tags": [f"An entry can have at most {TAGS_PER_ENTRY} tags."]})
    return result


def _tags_lock(user_id: int, *lowered: Any) -> tuple[Any, ...]:
    """Serialise the person's tag writes until the end of the transaction.

    Linking an entry to a tag and deleting a tag no entry uses race otherwise: a new
    entry links "solo" while an edit that drops the last use of "solo" deletes it, and
    one of the two fails at commit on the foreign key (a 500) or deadlocks. The lock is
    the person's user row, taken `FOR NO KEY UPDATE`: it does not block the key-share
    locks that inserting their entries takes, only the other tag writes of the same
    person. Callers that also lock an entry lock it first (entry, then user), so two
    writers cannot wait for each other. SQLite ignores it (its writes are serial).

    The same query evaluates the expressions `lowered` (see _tags_resolve) and returns them.
    """
    rows = list(get_user_model().objects.select_for_update(no_key=True).filter(pk=user_id).values_list("pk", *lowered))
    if not rows:
        # The account was deleted while this write waited for its row (another device
        # deleting it): there is no journal left to write to (was a ValueError, a 500).
        raise NotFound()
    return rows[0][1:]


_LOWER_CHUNK = 500


def _lowered(names: Sequence[str]) -> list[Lower]:
    return [Lower(Value(name, output_field=CharField())) for name in names]


def _tags_resolve(user_id: int, names: Sequence[str]) -> dict[str, Tag]:
    """The user's Tag for each of `names` (created if missing), keyed by the name as given.

    Names are matched as the unique constraint compares them: by the database's LOWER(),
    never Python's. The two differ (PostgreSQL lowers "ΟΔΟΣ" to "οδοσ", Python to "οδος";
    "İ" is one letter in one and two in the other; SQLite lowers only ASCII), and a name
    lowered by Python could then match neither the existing tag nor the one just created:
    a 500 for any upper-case Greek word ending in sigma, or "İstanbul".
    """
    if not names:
        return {}
    names = list(dict.fromkeys(names))
    chunks = [names[start : start + _LOWER_CHUNK] for start in range(0, len(names), _LOWER_CHUNK)]
    # Locked before reading: a tag found here must not be pruned before the commit.
    keys = list(_tags_lock(user_id, *_lowered(chunks[0])))
    for chunk in chunks[1:]:  # an import's many names (a SELECT holds at most 1664 columns)
        keys.extend(get_user_model().objects.filter(pk=user_id).values_list(*_lowered(chunk)).get())
    key_of = dict(zip(names, keys, strict=True))
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(key_of[name], name)  # the first spelling of a new tag wins

    def lookup(keys: list[str]) -> dict[str, Tag]:
        queryset = Tag.objects.annotate(lname=Lower("name")).filter(user_id=user_id, lname__in=keys)
        return {tag.lname: tag for tag in queryset}

    found = lookup(list(wanted))
    missing = [Tag(user_id=user_id, name=name) for key, name in wanted.items() if key not in found]
    if missing:
        for tag in missing:
            tag.full_clean(exclude=_CLEAN_EXCLUDE, validate_constraints=False)
        # A concurrent request may create the same name: ignore the conflict, read back.
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        invalidate(user_id)  # bulk_create sends no post_save
        found.update(lookup([key for key in wanted if key not in found]))
    return {name: found[key_of[name]] for name in names}


def _tags_prune(user_id: int) -> None:
    """Delete the user's tags that no entry uses any more, so tag lists show no zero counts."""
    _tags_lock(user_id)  # no concurrent write may link one of them meanwhile
    with deleting_unused_tags():
        Tag.objects.filter(user_id=user_id, entries__isnull=True).delete()


def entry_tags_set(*, entry: Entry, names: Iterable[str] | str) -> list[str]:
    """Replace an entry's tags by `names` (normalised); returns the names as stored."""
    with transaction.atomic(), coalesced_invalidation():
        cleaned = tag_names_normalise(names)
        # The entry first, as every writer of an entry locks it (see entry_delete).
        if not list(Entry.objects.select_for_update().filter(pk=entry.pk).values_list("pk")):
            raise NotFound()
        _apply_tags(entry, cleaned)
        entry.updated_at = timezone.now()
        entry.save(update_fields=["tags_text", "updated_at"])
        _tags_prune(entry.user_id)
    return cleaned


def _apply_tags(entry: Entry, names: Sequence[str]) -> None:
    tags = _tags_resolve(entry.user_id, names)
    # Two spellings can name one tag (a name and its existing tag's case): listed once.
    ordered = list({tags[name].pk: tags[name] for name in names}.values())
    entry.tags.set(ordered)
    entry.tags_text = " ".join(tag.name for tag in ordered)
    entry.tag_names = [tag.name for tag in ordered]  # type: ignore[attr-defined]  # as stored (an existing tag's case)


# --- Entries ----------------------------------------------------------------------------


def _render(entry: Entry) -> None:
    entry.title = rendering.clean_line(entry.title)
    entry.body = rendering.clean_text(entry.body)
    entry.body_html = rendering.render_markdown(entry.body)
    entry.word_count = rendering.count_words(entry.body)


# Entries scored in the request itself when the broker cannot take the task (VADER takes
# about a millisecond each); a larger import keeps null sentiments until their next edit.
INLINE_SENTIMENT_LIMIT = 200
# A write scores texts up to this size itself (VADER: ~1.6 ms for 640 words, ~6 ms here)
# and stores the score with the text: the entry comes back with its sentiment, and its
# `updated_at` does not move again behind the writer's back. Longer texts (up to 45 ms)
# are scored by the task after the commit, as imports are.
SENTIMENT_IN_WRITE_MAX_CHARS = 20_000


def _sentiment_text(entry: Entry) -> str:
    return f"{entry.title}.\n{entry.body}"


def _score_in_write(entry: Entry) -> bool:
    """Score `entry` now when its text is short enough; False leaves it to the task."""
    text = _sentiment_text(entry)
    if len(text) > SENTIMENT_IN_WRITE_MAX_CHARS:
        entry.sentiment = None
        return False
    entry.sentiment = sentiment.score(text)
    return True


def _queue_sentiment(entry_ids: list[int]) -> None:
    if not entry_ids:
        return
    ids = list(entry_ids)
    # robust: whatever happens after the commit must not turn a saved entry into a 500.
    transaction.on_commit(lambda: _send_sentiment(ids), robust=True)


def _send_sentiment(entry_ids: list[int]) -> None:
    """Queue the sentiment task; when the broker cannot take it, score the entries now."""
    from entries import tasks

    try:
        if len(entry_ids) == 1:
            tasks.entry_sentiment_compute.delay(entry_ids[0])
        else:
            tasks.entries_sentiment_compute.delay(entry_ids)
    except Exception as error:  # kombu's errors vary by transport; any of them means "not queued"
        logger.warning("Could not queue sentiment (%s); scoring %d entries now", type(error).__name__, len(entry_ids))
        entries_sentiment_refresh(entry_ids=entry_ids[:INLINE_SENTIMENT_LIMIT])


def entry_create(
    *,
    user: Any,
    title: str,
    body: str,
    mood: int | None = None,
    tags: Iterable[str] | str = (),
    entry_date: datetime.date | None = None,
    uid: uuid.UUID | None = None,
) -> Entry:
    """Create an entry. `entry_date` defaults to today in the user's time zone.

    With a `uid` that the user already has (a client retrying an offline create),
    raises EntryExists carrying the existing entry's id and changes nothing.
    """
    now = timezone.now()
    entry = Entry(
        user=user,
        title=title,
        body=body,
        mood=mood,
        entry_date=entry_date or local_today(user, now=now),
        created_at=now,
        updated_at=now,
    )
    if uid is not None:
        entry.uid = uid
    _render(entry)
    scored = _score_in_write(entry)
    names = tag_names_normalise(tags)
    entry.tags_text = " ".join(names)
    entry.full_clean(exclude=_CLEAN_EXCLUDE, validate_constraints=False)
    with transaction.atomic(), coalesced_invalidation():
        if uid is not None:
            existing = Entry.objects.filter(user=user, uid=uid).values_list("pk", flat=True).first()
            if existing is not None:
                raise EntryExists(existing)
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
        except IntegrityError:
            existing = Entry.objects.filter(user=user, uid=entry.uid).values_list("pk", flat=True).first()
            if existing is None:
                raise
            raise EntryExists(existing) from None
        if names:
            _apply_tags(entry, names)
        else:
            entry.tag_names = []  # type: ignore[attr-defined]
        if not scored:
            _queue_sentiment([entry.pk])
    entry.holds_stored_state = scored  # type: ignore[attr-defined]  # see selectors.entry_written
    return entry


def entry_update(*, entry: Entry, opened_as: str | None = None, **changes: Any) -> Entry:
    """Change some of title, body, mood, tags, entry_date; returns the saved entry.

    The row is locked for the read-modify-write, so two concurrent partial updates both land.
    `opened_as`: the `entry_fingerprint` an editor showed; when the entry has been saved
    differently since (another device), EntryChanged is raised and nothing is written,
    instead of the editor's whole form silently replacing that save.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    with transaction.atomic(), coalesced_invalidation():
        locked = (
            Entry.objects.select_for_update()
            .filter(pk=entry.pk, user_id=entry.user_id)
            .defer("search_vector")  # large, and the trigger recomputes it
            .first()
        )
        if locked is None:
            raise NotFound()
        if opened_as is not None:
            _check_not_changed_since(locked, opened_as, changes)
        fields = {"updated_at"}
        text_changed = False
        for name in ("title", "body", "mood", "entry_date"):
            if name in changes and getattr(locked, name) != changes[name]:
                setattr(locked, name, changes[name])
                fields.add(name)
                text_changed |= name in ("title", "body")
        if locked.entry_date is None:
            locked.entry_date = local_today(locked.user)
        scored = True
        if text_changed:
            _render(locked)
            scored = _score_in_write(locked)
            fields |= {"title", "body", "body_html", "word_count", "sentiment"}
        locked.full_clean(exclude=_CLEAN_EXCLUDE, validate_constraints=False)
        if "tags" in changes:
            names = tag_names_normalise(changes["tags"] or ())
            current = list(locked.tags.values_list("name", flat=True))
            if {name.lower() for name in names} != {name.lower() for name in current}:
                _apply_tags(locked, names)
                fields.add("tags_text")
            else:
                locked.tag_names = current  # type: ignore[attr-defined]  # the response needs no second read
        if fields == {"updated_at"}:
            # Nothing changed (an empty PATCH, a retried one, a PUT of what is stored): no
            # new version, so syncing clients, ETags and caches see nothing move.
            locked.holds_stored_state = True  # type: ignore[attr-defined]
            return locked
        locked.updated_at = timezone.now()
        locked.save(update_fields=sorted(fields))
        if "tags_text" in fields:
            _tags_prune(locked.user_id)
        if not scored:
            _queue_sentiment([locked.pk])
    locked.holds_stored_state = scored  # type: ignore[attr-defined]
    return locked


def _check_not_changed_since(locked: Entry, opened_as: str, changes: dict[str, Any]) -> None:
    current_tags = list(locked.tags.values_list("name", flat=True))
    stored = entry_fingerprint(
        title=locked.title, body=locked.body, mood=locked.mood, tags=current_tags, entry_date=locked.entry_date
    )
    if stored == opened_as:
        return
    # The same text sent again (a form re-posted after its answer was lost) is no conflict.
    wanted = entry_fingerprint(
        title=rendering.clean_line(changes.get("title", locked.title)),
        body=rendering.clean_text(changes.get("body", locked.body)),
        mood=changes.get("mood", locked.mood),
        tags=tag_names_normalise(changes["tags"] or ()) if "tags" in changes else current_tags,
        entry_date=changes.get("entry_date") or locked.entry_date,
    )
    if wanted != stored:
        raise EntryChanged()


def entry_delete(*, entry: Entry) -> None:
    """Delete an entry, leaving a tombstone so syncing clients learn of it."""
    with transaction.atomic(), coalesced_invalidation():
        # Locked first, as entry_update locks it: an update that is changing the tags
        # commits before the delete reads the entry's tag links, so the delete removes
        # the links that update added (unlocked, it missed them and failed at commit on
        # the foreign key: a 500). An entry deleted meanwhile is a 404.
        list(Entry.objects.select_for_update().filter(pk=entry.pk, user_id=entry.user_id).values_list("pk"))
        deleted, _ = Entry.objects.filter(pk=entry.pk, user_id=entry.user_id).delete()
        if not deleted:
            raise NotFound()
        EntryTombstone.objects.create(user_id=entry.user_id, entry_id=entry.pk, uid=entry.uid)
        _tags_prune(entry.user_id)


def entry_sentiment_refresh(*, entry_id: int) -> float | None:
    """Compute and store an entry's sentiment from its current text (idempotent)."""
    return entries_sentiment_refresh(entry_ids=[entry_id]).get(entry_id)


# Entries scored per transaction by entries_sentiment_refresh: one lock, one UPDATE and one
# commit for the chunk instead of three round trips and a commit (with its WAL flush) each.
SENTIMENT_CHUNK = 100


def entries_sentiment_refresh(*, entry_ids: Sequence[int]) -> dict[int, float]:
    """Compute and store entries' sentiments from their current texts (idempotent), a chunk
    per transaction; returns each found entry's score.

    Scoring an import of 2,000 entries one transaction each took 13-20 s here; with the
    tasks inline (no broker, the embedded default) that was the import request's time.
    """
    scores: dict[int, float] = {}
    ids = sorted(set(entry_ids))  # locked in id order: two overlapping batches cannot deadlock
    for start in range(0, len(ids), SENTIMENT_CHUNK):
        with transaction.atomic(), coalesced_invalidation():
            rows = list(
                Entry.objects.select_for_update()
                .filter(pk__in=ids[start : start + SENTIMENT_CHUNK])
                .only("id", "user_id", "title", "body", "sentiment", "updated_at")
                .order_by("pk")
            )
            now = timezone.now()
            changed = []
            for entry in rows:
                value = scores[entry.pk] = sentiment.score(_sentiment_text(entry))
                if entry.sentiment != value:
                    entry.sentiment = value
                    # A changed sentiment is a change clients must sync.
                    entry.updated_at = now
                    changed.append(entry)
            if changed:
                Entry.objects.bulk_update(changed, ["sentiment", "updated_at"])
                for user_id in sorted({entry.user_id for entry in changed}):
                    invalidate(user_id)  # bulk_update sends no post_save
    return scores


def tombstones_prune(*, now: datetime.datetime | None = None) -> int:
    """Forget deletions older than JOURNAL_TOMBSTONE_DAYS."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.JOURNAL_TOMBSTONE_DAYS)
    with transaction.atomic(), coalesced_invalidation():
        deleted, _ = EntryTombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted


# --- Import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    entries: int  # new entries (the API's `imported`)
    sessions: int  # new reflection sessions
    # Already in the journal (by uid), so skipped: the page says so, where "Imported 0 new
    # entries." alone read as if the file had been empty or had failed.
    skipped_entries: int = 0
    skipped_sessions: int = 0


def entries_import(*, user: Any, data: Any) -> ImportResult:
    """Import a JSON export (entries.portability's format): entries, then reflection sessions.

    All or nothing: the whole document is validated first and written in one
    transaction, the sessions (sessions_app.services.sessions_import) with the entries.
    Entries and sessions whose `uid` the user already has are skipped, so importing the
    same file twice creates nothing the second time. The file's time zone is not applied:
    the account keeps its own.
    """
    from entries.portability import parse_document
    from journal_project.accounts.models import Profile
    from sessions_app.services import sessions_import

    document = parse_document(data)
    items = document.entries
    now = timezone.now()
    with transaction.atomic(), coalesced_invalidation():
        # One import per person at a time: the uid check below must not race another import.
        Profile.objects.select_for_update().filter(user=user).first()
        existing = set(
            Entry.objects.filter(user=user, uid__in=[item["uid"] for item in items]).values_list("uid", flat=True)
        )
        new_entries: list[Entry] = []
        new_tags: list[list[str]] = []
        for index, item in enumerate(items):
            if item["uid"] in existing:
                continue
            existing.add(item["uid"])
            created_at = item.get("created_at") or now
            entry = Entry(
                user=user,
                uid=item["uid"],
                title=item["title"],
                body=item["body"],
                mood=item.get("mood"),
                entry_date=item.get("entry_date") or created_at.astimezone(user_zone(user)).date(),
                created_at=created_at,
                # Now, not the file's time: a syncing client must see these as new.
                updated_at=now,
            )
            _render(entry)
            entry.tags_text = " ".join(item["tags"])
            try:
                entry.full_clean(exclude=_CLEAN_EXCLUDE, validate_constraints=False)
            except ValidationError as error:
                raise ValidationError(
                    {f"entries[{index}].{field}": messages for field, messages in error.message_dict.items()}
                ) from error
            new_entries.append(entry)
            new_tags.append(item["tags"])
        if new_entries:
            Entry.objects.bulk_create(new_entries, batch_size=500)
            tags = _tags_resolve(user.pk, sorted({name for names in new_tags for name in names}, key=str.lower))
            through = Entry.tags.through
            links = [
                through(entry_id=entry.pk, tag_id=tag_id)
                for entry, names in zip(new_entries, new_tags, strict=True)
                # Two spellings in one entry can name one tag: one link.
                for tag_id in dict.fromkeys(tags[name].pk for name in names)
            ]
            through.objects.bulk_create(links, batch_size=1000)
            # bulk_create sends no signals: the one invalidation for the whole import.
            invalidate(user.pk)
            _queue_sentiment([entry.pk for entry in new_entries])
        # After the entries: a session saved as an entry finds that entry by its uid.
        sessions = sessions_import(user=user, items=document.sessions)
    return ImportResult(
        entries=len(new_entries),
        sessions=sessions,
        skipped_entries=len(items) - len(new_entries),
        skipped_sessions=len(document.sessions) - sessions,
    )
