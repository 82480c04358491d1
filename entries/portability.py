"""The export formats (JSON, lossless; Markdown, a zip of one file per entry) and the import parser.

JSON export document::

    {"format": "journal-export", "version": 1, "exported_at": "...",
     "entries": [{"uid", "title", "body", "mood", "sentiment", "tags", "entry_date",
                  "created_at", "updated_at"}]}

Import accepts exactly that (and, for convenience, the entry objects of the API, whose
derived fields `id`, `body_html`, `word_count` and `headline` are ignored). An entry
without `uid` gets one derived from its content, so re-importing is still idempotent.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from entries.models import BODY_MAX_LENGTH, MOOD_MAX, MOOD_MIN, TAG_MAX_LENGTH, TAGS_PER_ENTRY, TITLE_MAX_LENGTH
from journal_project.api.serializers import StrictSerializer

FORMAT = "journal-export"
VERSION = 1
MAX_IMPORT_ENTRIES = 20_000
_UID_NAMESPACE = uuid.UUID("0b8f3c8e-5f0e-4c59-9d0a-6f1f3d1c2a77")


def iso(value: Any) -> str | None:
    """ISO 8601 for dates and datetimes (UTC datetimes end in Z, as DRF writes them)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def export_document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "exported_at": iso(timezone.now()), "entries": entries}


def export_json_bytes(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps(export_document(entries), ensure_ascii=False, indent=1).encode()


def markdown_file(entry: dict[str, Any]) -> str:
    # JSON strings are valid YAML scalars, so titles with quotes or colons stay intact.
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


def export_markdown_zip(entries: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            stem = f"{entry['entry_date']}-{slugify(entry['title'])[:60] or 'entry'}"
            name, counter = f"{stem}.md", 2
            while name in used:
                name, counter = f"{stem}-{counter}.md", counter + 1
            used.add(name)
            archive.writestr(f"journal/{name}", markdown_file(entry))
    return buffer.getvalue()


# --- Import -----------------------------------------------------------------------------


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
    created_at = serializers.DateTimeField(required=False, allow_null=True)
    # Accepted for round trips, not trusted: sentiment is recomputed, updated_at is the import's time.
    sentiment = serializers.FloatField(required=False, allow_null=True, min_value=-1.0, max_value=1.0)
    updated_at = serializers.DateTimeField(required=False, allow_null=True)
    id = serializers.IntegerField(required=False)
    body_html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    word_count = serializers.IntegerField(required=False)
    headline = serializers.CharField(required=False, allow_blank=True)


def _content_uid(item: dict[str, Any]) -> uuid.UUID:
    parts = [item["title"], item["body"], str(item.get("entry_date")), str(item.get("created_at"))]
    return uuid.uuid5(_UID_NAMESPACE, "\x1f".join(parts))


def parse_import(data: Any) -> list[dict[str, Any]]:
    """Validate a whole import document; raise ValidationError naming every bad place."""
    from entries.services import tag_names_normalise

    if isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        if data.get("format", FORMAT) != FORMAT:
            raise ValidationError({"format": [f"Expected {FORMAT!r}."]})
        if data.get("version", VERSION) != VERSION:
            raise ValidationError({"version": [f"Only version {VERSION} can be imported."]})
        items = data.get("entries")
        if not isinstance(items, list):
            raise ValidationError({"entries": ["Expected a list of entries."]})
    else:
        raise ValidationError({"file": ["Expected a journal export (a JSON object with 'entries')."]})
    if not items:
        raise ValidationError({"entries": ["The file contains no entries."]})
    if len(items) > MAX_IMPORT_ENTRIES:
        raise ValidationError({"entries": [f"At most {MAX_IMPORT_ENTRIES} entries can be imported at once."]})

    errors: dict[str, list[str]] = {}
    parsed: list[dict[str, Any]] = []
    first_with_uid: dict[uuid.UUID, int] = {}
    for index, item in enumerate(items):
        serializer = ImportEntrySerializer(data=item)
        if not serializer.is_valid():
            for field, messages in serializer.errors.items():
                errors[f"entries[{index}].{field}"] = [str(message) for message in _flatten(messages)]
            if len(errors) >= 50:
                break
            continue
        value = dict(serializer.validated_data)
        try:
            value["tags"] = tag_names_normalise(value.get("tags", []))
        except ValidationError as error:
            errors[f"entries[{index}].tags"] = error.message_dict.get("tags", error.messages)
            continue
        value.setdefault("uid", None)
        if value["uid"] is None:
            value["uid"] = _content_uid(value)  # the same content twice is the same entry
        elif value["uid"] in first_with_uid:
            # Two entries claiming one identity: importing either would silently drop the other.
            errors[f"entries[{index}].uid"] = [f"Already used by entries[{first_with_uid[value['uid']]}]."]
            continue
        else:
            first_with_uid[value["uid"]] = index
        parsed.append(value)
    if errors:
        raise ValidationError(errors)
    return parsed


def _flatten(messages: Any) -> list[Any]:
    if isinstance(messages, dict):
        return [f"{key}: {message}" for key, value in messages.items() for message in _flatten(value)]
    if isinstance(messages, list):
        return [message for value in messages for message in _flatten(value)]
    return [messages]


def load_json_upload(raw: bytes) -> Any:
    """Decode an uploaded export file; a broken file is a ValidationError, never a 500."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError({"file": [f"Not a JSON file: {error}"]}) from error
    except RecursionError as error:  # nested deeper than the decoder recurses
        raise ValidationError({"file": ["Not an export file: nested too deeply."]}) from error
