"""The entries API (CONTRACT §3): thin views over entries.services and entries.selectors."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from entries import portability, selectors, services
from entries.api import serializers as io
from entries.filters import CURSOR_MAX_LENGTH, FILTER_NAMES, Q_MAX_LENGTH, EntryFilter
from entries.models import MOOD_MAX, MOOD_MIN, TAG_MAX_LENGTH, Entry
from journal_project import caching
from journal_project.api.conditional import (
    cached_response,
    conditional_get,
    not_modified_or_none,
    request_etag,
    with_etag,
)
from journal_project.api.idempotency import idempotent
from journal_project.api.pagination import PAGE_PARAMETERS, cursor_url, page_params, paginated_response
from journal_project.api.parsers import JSONParser
from journal_project.api.schema import ErrorSerializer
from journal_project.api.throttles import ExportRateThrottle, ImportRateThrottle, SearchRateThrottle
from journal_project.exceptions import InvalidInput, JournalError

MAX_IMPORT_BYTES = 25 * 1024 * 1024


class SyncExpired(JournalError):
    status_code = status.HTTP_410_GONE
    code = "sync_expired"
    default_message = "updated_since is older than the deletion history kept; do a full sync."


def _valid_filters(request: Request) -> dict[str, Any]:
    if not any(name in request.query_params for name in FILTER_NAMES):
        # The common case (a plain page of the list): building the FilterSet and its form
        # cost more than the rest of a cached read, to learn that there is nothing to filter.
        return {}
    filterset = EntryFilter(data=request.query_params, queryset=Entry.objects.none())
    if not filterset.is_valid():
        raise InvalidInput("Invalid filter.", fields=filterset.errors_dict())
    filters = filterset.canonical()
    since = filters.get("updated_since")
    if since is not None:
        horizon = timezone.now() - datetime.timedelta(days=settings.JOURNAL_TOMBSTONE_DAYS)
        if datetime.datetime.fromisoformat(since) < horizon:
            raise SyncExpired()
    return filters


# The limits below are the ones EntryFilter enforces, so the schema tells clients (and
# the fuzzer) exactly which values answer 400.
FILTER_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": Q_MAX_LENGTH},
        description="Full-text query (websearch syntax: quotes, -word, or).",
    ),
    OpenApiParameter("tag", {"type": "string", "maxLength": TAG_MAX_LENGTH}, description="Tag name, any case."),
    OpenApiParameter("mood", {"type": "integer", "minimum": MOOD_MIN, "maximum": MOOD_MAX}, description="1-5."),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Adds `deleted` (tombstones)."),
    OpenApiParameter(
        "cursor",
        {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
        description="With `updated_since`: where the page starts (from the `next` link).",
    ),
    *PAGE_PARAMETERS,
]


class EntryListView(APIView):
    throttle_classes = [SearchRateThrottle]  # counts only requests with `q`
    blank_query_parameters = FILTER_NAMES  # EntryFilter reads `?tag=` as no tag filter
    created_location = True  # the 201 names the new entry's path (the schema says so)

    @extend_schema(
        operation_id="entries_list",
        parameters=FILTER_PARAMETERS,
        responses={
            200: io.EntryPageSerializer,
            410: OpenApiResponse(ErrorSerializer, "`updated_since` is older than the deletion history: full sync."),
        },
    )
    @conditional_get(caching.ENTRIES)
    def get(self, request: Request) -> Response:
        filters = _valid_filters(request)
        page, page_size = page_params(request)
        data = selectors.entry_list(user=request.user, filters=filters, page=page, page_size=page_size)
        response = paginated_response(
            request, count=data["count"], results=data["results"], page=page, page_size=page_size
        )
        if "deleted" in data:
            response.data["deleted"] = data["deleted"]
        if "next_cursor" in data:
            response.data["next"] = cursor_url(request, data["next_cursor"])
        return response

    @extend_schema(
        operation_id="entries_create",
        request=io.EntryCreateSerializer,
        responses={201: io.EntryOutputSerializer, 200: OpenApiResponse(io.EntryOutputSerializer, "uid existed")},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = io.EntryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            entry = services.entry_create(user=request.user, **serializer.validated_data)
        except services.EntryExists as exists:
            # A retried create (same uid): answer with what the first attempt made.
            return Response(selectors.entry_get(user=request.user, entry_id=exists.entry_id))
        data = selectors.entry_written(user=request.user, entry=entry)
        location = reverse("api:entry-detail", args=[entry.pk])
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


class EntryDetailView(APIView):
    @extend_schema(operation_id="entries_retrieve", responses=io.EntryOutputSerializer)
    @conditional_get(caching.ENTRIES)
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.entry_get(user=request.user, entry_id=pk))

    @extend_schema(operation_id="entries_update", request=io.EntryInputSerializer, responses=io.EntryOutputSerializer)
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        operation_id="entries_partial_update", request=io.EntryInputSerializer, responses=io.EntryOutputSerializer
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    @extend_schema(operation_id="entries_destroy", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.entry_delete(entry=selectors.entry_for_write(user=request.user, entry_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        # Ownership first: someone else's id is a 404 whatever the body says.
        entry = selectors.entry_for_write(user=request.user, entry_id=pk)
        serializer = io.EntryInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        entry = services.entry_update(entry=entry, **io.changes_from(serializer.validated_data, partial=partial))
        return Response(selectors.entry_written(user=request.user, entry=entry))


class TagListView(APIView):
    @extend_schema(operation_id="tags_list", parameters=PAGE_PARAMETERS, responses=io.TagPageSerializer)
    @conditional_get(caching.ENTRIES)
    def get(self, request: Request) -> Response:
        page, page_size = page_params(request, default_size=100)
        tags = selectors.tag_list(user=request.user)
        offset = (page - 1) * page_size
        return paginated_response(
            request, count=len(tags), results=tags[offset : offset + page_size], page=page, page_size=page_size
        )


def conditional_on_local_day(method: Callable) -> Callable:
    """Like conditional_get(ENTRIES), with the user's local date in the ETag.

    Streaks and "on this day" change at the user's midnight without any write, so an
    ETag made of the generation alone would answer 304 with yesterday's numbers.
    """

    @wraps(method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        today = services.local_today(request.user).isoformat()
        etag = request_etag(request, [caching.ENTRIES], today)
        not_modified = not_modified_or_none(request, etag)
        if not_modified is not None:
            return not_modified
        produce = partial(method, self, request, *args, **kwargs)
        return with_etag(cached_response(self, request, caching.ENTRIES, etag, produce), etag, request)

    wrapper.conditional_get = True  # type: ignore[attr-defined]  # the schema documents the 304
    return wrapper


class StatsView(APIView):
    blank_query_parameters = ("days",)  # `?days=` means the default, as a form would send it

    @extend_schema(
        operation_id="stats_retrieve",
        parameters=[
            OpenApiParameter("days", {"type": "integer", "minimum": 1, "maximum": 366}, description="Default 30.")
        ],
        responses=io.StatsSerializer,
    )
    @conditional_on_local_day
    def get(self, request: Request) -> Response:
        query = io.StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.entry_stats(user=request.user, days=query.validated_data["days"]))


class ExportView(APIView):
    throttle_classes = [ExportRateThrottle]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        # `format` names the export format here, not a DRF renderer; errors are always JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        operation_id="export_retrieve",
        parameters=[OpenApiParameter("format", str, enum=["json", "markdown"])],
        # One description for both media types: the schema has one per status code.
        responses={
            (200, media): OpenApiResponse(
                kind,
                description=(
                    'JSON: {"format": "journal-export", "version": 2, "exported_at", "profile": {"time_zone"}, '
                    '"entries": [...], "sessions": [{..., "messages": [...]}]}. Markdown: a zip of '
                    "journal/<date>-<slug>.md per entry and sessions/<date>-<slug>.md per session "
                    "(docs/api.md, Export and import)."
                ),
            )
            for media, kind in (("application/json", OpenApiTypes.OBJECT), ("application/zip", OpenApiTypes.BINARY))
        },
    )
    def get(self, request: Request) -> HttpResponse:
        return export_response(request.user, request.query_params.get("format", "json"))


def export_response(user: Any, export_format: str) -> HttpResponse:
    """The whole journal as a download (shared by the API and the export page)."""
    if export_format not in ("json", "markdown"):
        raise InvalidInput("Unknown export format.", fields={"format": ["Choose json or markdown."]})
    from sessions_app.selectors import sessions_export

    entries = selectors.entries_export(user=user)
    sessions = sessions_export(user=user)
    zone = services.user_zone(user)
    stamp = services.local_today(user).isoformat()
    if export_format == "json":
        body = portability.export_json_bytes(entries, sessions, time_zone=zone.key)
        response = HttpResponse(body, content_type="application/json")
        filename = f"journal-{stamp}.json"
    else:
        body = portability.export_markdown_zip(entries, sessions, zone=zone)
        response = HttpResponse(body, content_type="application/zip")
        filename = f"journal-{stamp}-markdown.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def import_payload(request: Any) -> Any:
    """The export document from an upload (`file`) or a JSON body; ValidationError when neither."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError({"file": [f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB."]})
        return portability.load_json_upload(upload.read())
    data = getattr(request, "data", None)
    # A JSON body parses to a dict or a list; a form without the file is a QueryDict.
    if isinstance(data, list) or (isinstance(data, dict) and not hasattr(data, "getlist")):
        return data
    raise ValidationError({"file": ["Send the JSON export as a file field named 'file' or as the request body."]})


class ImportView(APIView):
    throttle_classes = [ImportRateThrottle]
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="import_create",
        request={
            "multipart/form-data": inline_serializer("ImportUpload", {"file": serializers.FileField()}),
            "application/json": {
                "description": (
                    "The JSON export (version 1: entries; version 2: entries, reflection sessions and the "
                    "profile's time zone, which is not applied), or a bare list of entry objects."
                ),
                "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}],
            },
        },
        responses={201: io.ImportResultSerializer},
    )
    def post(self, request: Request) -> Response:
        result = services.entries_import(user=request.user, data=import_payload(request))
        # `imported` counts entries, as it always has; `sessions` the reflection sessions.
        return Response({"imported": result.entries, "sessions": result.sessions}, status=status.HTTP_201_CREATED)
