"""The export formats (JSON, lossless; Markdown, a zip of one file per entry and per
reflection session) and the import parser.

JSON export document (version 3)::

    {"format": "journal-export", "version": 3, "exported_at": "...",
     "profile": {"time_zone": "Europe/Paris"},
     "entries": [{"uid", "title", "body", "mood", "sentiment", "tags", "entry_date",
                  "created_at", "updated_at"}],
     "sessions": [{"uid", "title", "technique", "status", "summary", "started_at",
                   "last_activity_at", "ended_at", "entry_uid",
                   "messages": [{"role", "content", "created_at", "technique", "safety",
                                 "reply_to"}]}]}

Version 2 added `profile` and `sessions`. It is a new version, not additive keys in
version 1, because an importer that knows only version 1 ignores keys it does not know:
it would restore the entries and silently drop every session. With version 2 such an
importer refuses the file with a clear message instead. Version 3 added each message's
`reply_to` (the place, in its session's list, of the message a companion reply answers),
a new version for the same reason: a version 2 importer refuses unknown keys, and says
which version it reads. Import reads all three; a version 1 file (entries only) imports
exactly as before, and messages without `reply_to` are imported unpaired.

Import also accepts, for convenience, a bare list of entries and the entry objects of
the API, whose derived fields `id`, `body_html`, `word_count` and `headline` are
ignored. An entry or session without `uid` gets one derived from its content, so
re-importing is still idempotent.
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
import zipfile
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from entries.models import BODY_MAX_LENGTH, MOOD_MAX, MOOD_MIN, TAG_MAX_LENGTH, TAGS_PER_ENTRY, TITLE_MAX_LENGTH
from journal_project.api.parsers import lone_surrogate
from journal_project.api.serializers import StrictSerializer
from journal_project.timestamps import iso_timestamp
from sessions_app.models import Message, ReflectionSession
from sessions_app.services import MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH
from sessions_app.summary import markdown_literal

FORMAT = "journal-export"
VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
MAX_IMPORT_ENTRIES = 20_000
MAX_IMPORT_SESSIONS = 5_000
# Messages over all sessions of one file, and in one session: an import is one request
# and one transaction (docs/reliability.md, Known limits), and a session's page shows all
# of its messages at once.
MAX_IMPORT_MESSAGES = 50_000
MAX_MESSAGES_PER_SESSION = 5_000
_UID_NAMESPACE = uuid.UUID("0b8f3c8e-5f0e-4c59-9d0a-6f1f3d1c2a77")


def iso(value: Any) -> str | None:
    """ISO 8601 for dates (`YYYY-MM-DD`) and datetimes (`journal_project.timestamps`: UTC, always with microseconds)."""
    if isinstance(value, datetime.datetime):
        return iso_timestamp(value)
    return None if value is None else value.isoformat()


def export_document(
    entries: list[dict[str, Any]], sessions: list[dict[str, Any]] | None = None, *, time_zone: str = "UTC"
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": iso(timezone.now()),
        "profile": {"time_zone": time_zone},
        "entries": entries,
        "sessions": sessions or [],
    }


def export_json_bytes(
    entries: list[dict[str, Any]], sessions: list[dict[str, Any]] | None = None, *, time_zone: str = "UTC"
) -> bytes:
    document = export_document(entries, sessions, time_zone=time_zone)
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _front_matter(pairs: list[tuple[str, Any]]) -> list[str]:
    # JSON strings are valid YAML scalars, so titles with quotes or colons stay intact.
    return ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in pairs), "---", ""]


def markdown_file(entry: dict[str, Any]) -> str:
    front = [
        "---",
        f"title: {json.dumps(entry['title'], ensure_ascii=False)}",
        f"date: {entry['entry_date']}",
        f"mood: {json.dumps(entry['mood'])}",
        f"sentiment: {json.dumps(entry['sentiment'])}",
        f"tags: {json.dumps(entry['tags'], ensure_ascii=False)}",
        f"uid: {entry['uid']}",
        f"created_at: {entry['created_at']}",
        f"updated_at: {entry['updated_at']}",
        "---",
        "",
    ]
    return "\n".join(front) + entry["body"].rstrip("\n") + "\n"


def _local(value: str | None, zone: zoneinfo.ZoneInfo) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value).astimezone(zone) if value else None


def _quoted(text: str) -> str:
    # A blockquote keeps the person's words as they wrote them: a line starting with
    # "#" or "-" stays text instead of becoming a heading or a list in a Markdown viewer.
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines() or [""])


def session_markdown_file(session: dict[str, Any], zone: zoneinfo.ZoneInfo) -> str:
    """One session as a readable conversation: front matter, the summary, then every message."""
    front = _front_matter(
        [
            ("title", session["title"]),
            ("uid", session["uid"]),
            ("status", session["status"]),
            ("technique", session["technique"]),
            ("started_at", session["started_at"]),
            ("ended_at", session["ended_at"]),
            ("time_zone", zone.key),
        ]
    )
    # The title is plain text everywhere else: "**Sunday**" stays those characters here too.
    lines = [*front, f"# {markdown_literal(session['title'])}", ""]
    summary_text = (session["summary"] or {}).get("text")
    if summary_text:
        lines += ["## Summary", "", summary_text.strip(), ""]
    lines += ["## Conversation", ""]
    previous_day = None
    for message in session["messages"]:
        moment = _local(message["created_at"], zone)
        day = moment.date() if moment else None
        when = f"{moment:%H:%M}" if day == previous_day else f"{moment:%Y-%m-%d %H:%M}"
        previous_day = day
        who = "You" if message["role"] == Message.Role.USER else "Companion"
        notes = [when]
        if message["technique"]:
            notes.append(message["technique"])
        if message["safety"]:
            notes.append("safety reply" if message["role"] == Message.Role.COMPANION else "flagged: crisis")
        lines += [f"**{who}** ({', '.join(notes)}):", "", _quoted(message["content"]), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _slug(title: str, default: str) -> str:
    # allow_unicode: an ASCII slug dropped every letter of a title in another script, and a
    # journal written in Russian or Japanese came out as entry.md, entry-2.md, … (zipfile
    # marks such names as UTF-8, which every current unzip reads).
    return slugify(title, allow_unicode=True)[:60].strip("-_") or default


def _unique_name(stem: str, used: set[str]) -> str:
    name, counter = f"{stem}.md", 2
    while name in used:
        name, counter = f"{stem}-{counter}.md", counter + 1
    used.add(name)
    return name


def export_markdown_zip(
    entries: list[dict[str, Any]],
    sessions: list[dict[str, Any]] | None = None,
    *,
    zone: zoneinfo.ZoneInfo | None = None,
) -> bytes:
    """`journal/<date>-<slug>.md` per entry and `sessions/<date>-<slug>.md` per session
    (the date the session started, in the person's time zone)."""
    zone = zone or zoneinfo.ZoneInfo("UTC")
    buffer = io.BytesIO()
    entry_names: set[str] = set()
    session_names: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            stem = f"{entry['entry_date']}-{_slug(entry['title'], 'entry')}"
            archive.writestr(f"journal/{_unique_name(stem, entry_names)}", markdown_file(entry))
        for session in sessions or []:
            started = _local(session["started_at"], zone)
            stem = f"{started:%Y-%m-%d}-{_slug(session['title'], 'session')}"
            archive.writestr(f"sessions/{_unique_name(stem, session_names)}", session_markdown_file(session, zone))
    return buffer.getvalue()


# --- Import -----------------------------------------------------------------------------


# A day from either end of the years a datetime holds: the widest offset any zone has ever
# had (local mean time before standard zones, up to almost 16 hours) still gives a date.
EARLIEST_TIMESTAMP = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
LATEST_TIMESTAMP = datetime.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=datetime.UTC)


class FileTimestampField(serializers.DateTimeField):
    """A timestamp of an imported file: UTC when it has no offset, on every route (DRF would
    read it in the active zone, which is the person's on the browser's import page and UTC in
    the API), and one every time zone can show: 9999-12-31T23:00Z is in year 10000 in
    Kiritimati, and the entry's page, the sessions page and the Markdown export failed on it."""

    default_error_messages = {
        "edge": "Must lie between 0001-01-02 and 9999-12-30 (UTC), so that every time zone can show it."
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=datetime.UTC, **kwargs)

    def to_internal_value(self, value: Any) -> datetime.datetime:
        moment = super().to_internal_value(value)
        if not EARLIEST_TIMESTAMP <= moment <= LATEST_TIMESTAMP:
            self.fail("edge")
        return moment


class ImportEntrySerializer(StrictSerializer):
    uid = serializers.UUIDField(required=False, allow_null=True)  # absent or null: derived from the content
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False)
    mood = serializers.IntegerField(min_value=MOOD_MIN, max_value=MOOD_MAX, required=False, allow_null=True)
    # Blank names are dropped (tag_names_normalise), as when an entry is written through the API.
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH, allow_blank=True),
        required=False,
        max_length=TAGS_PER_ENTRY,
    )
    entry_date = serializers.DateField(required=False, allow_null=True)
    created_at = FileTimestampField(required=False, allow_null=True)
    # Accepted for round trips, not trusted: sentiment is recomputed, updated_at is the import's time.
    sentiment = serializers.FloatField(required=False, allow_null=True, min_value=-1.0, max_value=1.0)
    updated_at = FileTimestampField(required=False, allow_null=True)
    id = serializers.IntegerField(required=False)
    body_html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    word_count = serializers.IntegerField(required=False)
    headline = serializers.CharField(required=False, allow_blank=True)


def _content_uid(item: dict[str, Any]) -> uuid.UUID:
    parts = [item["title"], item["body"], str(item.get("entry_date")), str(item.get("created_at"))]
    return uuid.uuid5(_UID_NAMESPACE, "\x1f".join(parts))


class ImportMessageSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Message.Role.choices)
    # The limit of sending a message (sessions_app.services.message_post), for both roles.
    content = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, trim_whitespace=False)
    created_at = FileTimestampField()
    # A slug this server's knowledge base does not have is kept as no technique.
    technique = serializers.SlugField(max_length=80, required=False, allow_null=True)
    # A crisis-flagged message of the person, or the fixed safety reply: kept as flagged.
    safety = serializers.BooleanField(required=False, default=False)
    # On a companion reply: the place, in the session's messages, of the one it answers.
    reply_to = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    def validate_content(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value


class ImportSummaryTechniqueSerializer(StrictSerializer):
    slug = serializers.SlugField(max_length=80)
    name = serializers.CharField(max_length=120)


class ImportSummaryMoodSerializer(StrictSerializer):
    first = serializers.FloatField(min_value=-1.0, max_value=1.0)
    last = serializers.FloatField(min_value=-1.0, max_value=1.0)
    shift = serializers.FloatField(min_value=-2.0, max_value=2.0)
    direction = serializers.ChoiceField(choices=["lighter", "heavier", "steady"])


class ImportSummarySerializer(StrictSerializer):
    """The summary of an ended session (sessions_app.summary.summarize), exactly that shape:
    the session page links every technique it names, so a malformed one must not get in."""

    themes = serializers.ListField(child=serializers.CharField(max_length=100), max_length=20)
    techniques = ImportSummaryTechniqueSerializer(many=True, max_length=50)
    mood = ImportSummaryMoodSerializer(allow_null=True)
    message_count = serializers.IntegerField(min_value=0)
    crisis_support = serializers.BooleanField(required=False)  # absent from summaries made before it
    text = serializers.CharField(max_length=10_000, trim_whitespace=False)


class ImportSessionSerializer(StrictSerializer):
    uid = serializers.UUIDField(required=False, allow_null=True)  # absent or null: derived from the content
    title = serializers.CharField(max_length=MAX_TITLE_LENGTH)
    technique = serializers.SlugField(max_length=80, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ReflectionSession.Status.choices)
    summary = serializers.JSONField(required=False, allow_null=True)
    started_at = FileTimestampField()
    last_activity_at = FileTimestampField(required=False, allow_null=True)
    ended_at = FileTimestampField(required=False, allow_null=True)
    # The journal entry the summary was saved as, by its uid (ids differ between servers).
    entry_uid = serializers.UUIDField(required=False, allow_null=True)
    # Checked one by one in `_parse_sessions`, so an error names the message.
    messages = serializers.ListField(required=False, max_length=MAX_MESSAGES_PER_SESSION)

    def validate_summary(self, value: Any) -> dict[str, Any]:
        if value is None or value == {}:
            return {}
        summary = ImportSummarySerializer(data=value)
        if not summary.is_valid():
            raise serializers.ValidationError([str(message) for message in _flatten(summary.errors)])
        return _plain(summary.validated_data)


def _plain(value: Any) -> Any:
    """Validated data as plain JSON values (DRF hands back OrderedDicts and ReturnLists)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _session_content_uid(item: dict[str, Any]) -> uuid.UUID:
    parts = ["session", item["title"], item["started_at"].isoformat()]
    return uuid.uuid5(_UID_NAMESPACE, "\x1f".join(parts))


@dataclass
class ImportDocument:
    """A validated import file: what `entries.services.entries_import` writes."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    # The zone the file was exported in. Read and checked, not applied: the account keeps
    # its own (docs/api.md, Export and import).
    time_zone: str | None = None


class ImportProfileSerializer(StrictSerializer):
    time_zone = serializers.CharField(max_length=64, required=False)


def parse_document(data: Any) -> ImportDocument:
    """Validate a whole import document; raise ValidationError naming every bad place."""
    if isinstance(data, list):
        return ImportDocument(entries=_parse_entries(data))
    if not isinstance(data, dict):
        raise ValidationError({"file": ["Expected a journal export (a JSON object with 'entries')."]})
    if data.get("format", FORMAT) != FORMAT:
        raise ValidationError({"format": [f"Expected {FORMAT!r}."]})
    version = data.get("version", 1)
    if type(version) is not int or version not in READABLE_VERSIONS:
        readable = " and ".join(str(number) for number in READABLE_VERSIONS)
        raise ValidationError({"version": [f"Only versions {readable} can be imported."]})
    entries = data.get("entries", [] if "sessions" in data else None)
    if not isinstance(entries, list):
        raise ValidationError({"entries": ["Expected a list of entries."]})
    sessions = data.get("sessions")
    if sessions is None:
        sessions = []
    if not isinstance(sessions, list):
        raise ValidationError({"sessions": ["Expected a list of sessions."]})
    profile = data.get("profile")
    time_zone = None
    if profile is not None:
        checked = ImportProfileSerializer(data=profile)
        if not checked.is_valid():
            raise ValidationError(
                {f"profile.{name}": [str(m) for m in _flatten(messages)] for name, messages in checked.errors.items()}
            )
        time_zone = checked.validated_data.get("time_zone")
    if not entries and not sessions:
        raise ValidationError({"entries": ["The file contains no entries or sessions."]})
    document = ImportDocument(time_zone=time_zone)
    errors: dict[str, list[str]] = {}
    # Both parts are checked, so one answer names the bad places of both.
    for part, parse, items in (("entries", _parse_entries, entries), ("sessions", _parse_sessions, sessions)):
        if not items:
            continue
        try:
            setattr(document, part, parse(items))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return document


def _parse_entries(items: list[Any]) -> list[dict[str, Any]]:
    from entries.services import tag_names_normalise

    if not items:
        raise ValidationError({"entries": ["The file contains no entries."]})
    if len(items) > MAX_IMPORT_ENTRIES:
        raise ValidationError({"entries": [f"At most {MAX_IMPORT_ENTRIES} entries can be imported at once."]})

    errors: dict[str, list[str]] = {}
    parsed: list[dict[str, Any]] = []
    first_with_uid: dict[uuid.UUID, int] = {}
    entry_check = ImportEntrySerializer()  # one instance, reused (see _parse_sessions)
    for index, item in enumerate(items):
        value, problems = _run(entry_check, item)
        if value is None:
            for name, messages in problems.items():
                errors[f"entries[{index}].{name}"] = [str(message) for message in _flatten(messages)]
            if len(errors) >= 50:
                break
            continue
        try:
            value["tags"] = tag_names_normalise(value.get("tags", []))
        except ValidationError as error:
            errors[f"entries[{index}].tags"] = error.message_dict.get("tags", error.messages)
            continue
        clash = _claim_uid(value, index, "entries", first_with_uid, _content_uid)
        if clash:
            errors[f"entries[{index}].uid"] = clash
            continue
        parsed.append(value)
    if errors:
        raise ValidationError(errors)
    return parsed


def _claim_uid(
    value: dict[str, Any],
    index: int,
    part: str,
    claimed: dict[uuid.UUID, int],
    derive: Callable[[dict[str, Any]], uuid.UUID],
) -> list[str]:
    """Give an imported item its uid: derived from its content when the file has none (so
    the same content twice is the same item). Two items of one file claiming one uid are an
    error: importing either would silently drop the other."""
    if value.get("uid") is None:
        value["uid"] = derive(value)
        return []
    if value["uid"] in claimed:
        return [f"Already used by {part}[{claimed[value['uid']]}]."]
    claimed[value["uid"]] = index
    return []


def _parse_sessions(items: list[Any]) -> list[dict[str, Any]]:
    if len(items) > MAX_IMPORT_SESSIONS:
        raise ValidationError({"sessions": [f"At most {MAX_IMPORT_SESSIONS} sessions can be imported at once."]})
    # Counted before any is validated: the limit is there to bound that work.
    total = sum(
        len(messages) for item in items if isinstance(item, dict) and isinstance(messages := item.get("messages"), list)
    )
    if total > MAX_IMPORT_MESSAGES:
        raise ValidationError({"sessions": [f"At most {MAX_IMPORT_MESSAGES} messages can be imported at once."]})

    errors: dict[str, list[str]] = {}
    parsed: list[dict[str, Any]] = []
    first_with_uid: dict[uuid.UUID, int] = {}
    # One instance each, reused: a serializer built per item deep-copies its fields every
    # time, which was half the cost of checking a file's messages.
    session_check, message_check = ImportSessionSerializer(), ImportMessageSerializer()
    for index, item in enumerate(items):
        if len(errors) >= 50:
            break
        value, problems = _run(session_check, item)
        if value is None:
            for name, messages in problems.items():
                errors[f"sessions[{index}].{name}"] = [str(message) for message in _flatten(messages)]
            continue
        messages: list[dict[str, Any]] = []
        for position, raw in enumerate(value.get("messages", [])):
            message, problems = _run(message_check, raw)
            if message is None:
                for name, texts in problems.items():
                    errors[f"sessions[{index}].messages[{position}].{name}"] = [str(t) for t in _flatten(texts)]
                if len(errors) >= 50:
                    break
                continue
            messages.append(message)
        for position, problem in _unpaired_replies(messages):
            errors[f"sessions[{index}].messages[{position}].reply_to"] = [problem]
        value["messages"] = messages
        value.setdefault("summary", {})
        clash = _claim_uid(value, index, "sessions", first_with_uid, _session_content_uid)
        if clash:
            errors[f"sessions[{index}].uid"] = clash
            continue
        parsed.append(value)
    if errors:
        raise ValidationError(errors)
    return parsed


def _unpaired_replies(messages: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """The `reply_to` places that cannot be: each names an earlier message of the person,
    answered by this companion reply only (the model pairs one reply with one message)."""
    problems: list[tuple[int, str]] = []
    answered: set[int] = set()
    for position, message in enumerate(messages):
        target = message.get("reply_to")
        if target is None:
            continue
        if message["role"] != Message.Role.COMPANION:
            problems.append((position, "Only a companion reply answers a message."))
        elif target >= position:
            problems.append((position, "Must be the place of an earlier message in this session."))
        elif messages[target]["role"] != Message.Role.USER:
            problems.append((position, f"Message {target} is not the person's."))
        elif target in answered:
            problems.append((position, f"Message {target} is already answered by another reply."))
        else:
            answered.add(target)
    return problems


def _run(serializer: serializers.Serializer, data: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(validated data, {}) or (None, errors by field) from a reusable serializer instance."""
    try:
        return dict(serializer.run_validation(data)), {}
    except serializers.ValidationError as error:
        detail = error.detail
        return None, detail if isinstance(detail, dict) else {"non_field_errors": detail}


def _flatten(messages: Any) -> list[Any]:
    if isinstance(messages, dict):
        return [f"{key}: {message}" for key, value in messages.items() for message in _flatten(value)]
    if isinstance(messages, list):
        return [message for value in messages for message in _flatten(value)]
    return [messages]


def load_json_upload(raw: bytes) -> Any:
    """Decode an uploaded export file; a broken file is a ValidationError, never a 500."""
    if raw.startswith(b"PK\x03\x04"):
        # The Markdown export is a zip, and the natural file to try: the decoder's
        # "'utf-8' codec can't decode byte 0xe3 in position 10" told nobody that.
        message = "Not a JSON file: this is a zip archive (a Markdown export?). Only a JSON export can be imported."
        raise ValidationError({"file": [message]})
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ValidationError({"file": ["Not a JSON file: it is not text (UTF-8)."]}) from error
    except json.JSONDecodeError as error:
        raise ValidationError({"file": [f"Not a JSON file: {error}"]}) from error
    except ValueError as error:
        # A number of more than 4,300 digits: Python refuses to convert it (CVE-2020-10735).
        raise ValidationError({"file": ["Not an export file: a number in it is too long."]}) from error
    except RecursionError as error:  # nested deeper than the decoder recurses
        raise ValidationError({"file": ["Not an export file: nested too deeply."]}) from error
    surrogate = lone_surrogate(document)  # an error repeating it could not be rendered (parsers.py)
    if surrogate is not None:
        raise ValidationError({"file": [f"Not a JSON file: {surrogate} is half of a UTF-16 pair, not text."]})
    return document
