"""Thin API views: validate, call one selector or service, shape the answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal_project import caching
from journal_project.api.conditional import conditional_get
from journal_project.api.idempotency import idempotent
from journal_project.api.pagination import PAGE_PARAMETERS, page_params, paginated_response
from journal_project.api.schema import ErrorSerializer
from journal_project.api.throttles import CompanionRateThrottle, SearchRateThrottle
from monitoring.metrics import timed
from sessions_app import selectors, services
from sessions_app.api import serializers as io
from sessions_app.models import Technique


def _paginated(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


class SessionListView(APIView):
    """The person's reflection sessions; POST starts one with the companion's opening message."""

    @extend_schema(
        operation_id="sessions_list",
        parameters=PAGE_PARAMETERS,
        responses=_paginated("PaginatedSessionList", io.SessionListItemSerializer),
    )
    @conditional_get(caching.SESSIONS)
    def get(self, request: Request) -> Response:
        page, page_size = page_params(request)
        data = selectors.session_list(user=request.user, page=page, page_size=page_size)
        results = [io.session_list_item_out(item) for item in data["results"]]
        return paginated_response(request, count=data["count"], results=results, page=page, page_size=page_size)

    @extend_schema(request=io.SessionCreateInput, responses={201: io.SessionOutSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        data = io.SessionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_create(
            user=request.user, title=data.validated_data["title"], technique_slug=data.validated_data["technique"]
        )
        detail = selectors.session_detail(user=request.user, session_id=session.pk)
        return Response(io.session_out(detail), status=status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    """One session with all its messages and its live state."""

    @extend_schema(responses={200: io.SessionOutSerializer, 404: OpenApiResponse(description="Not yours or missing")})
    # Timed here, around the response cache: a repeated read never reaches the selector,
    # and the target must judge every read, not only the rebuilds (monitoring.md).
    @timed("session_retrieval")
    @conditional_get(caching.SESSIONS)
    def get(self, request: Request, session_id: int) -> Response:
        return Response(io.session_out(selectors.session_detail(user=request.user, session_id=session_id)))


class MessageCreateView(APIView):
    """Add a message; the reply is inline (offline companion) or `pending` (a provider answers later)."""

    throttle_classes = [CompanionRateThrottle]

    @extend_schema(
        request=io.MessageCreateInput,
        responses={
            201: io.MessagePostOutSerializer,
            404: OpenApiResponse(description="Not yours or missing"),
            409: OpenApiResponse(description="The session has ended"),
        },
    )
    @idempotent
    def post(self, request: Request, session_id: int) -> Response:
        data = io.MessageCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.message_post(user=request.user, session_id=session_id, content=data.validated_data["content"])
        body = {
            "message": io.message_out(selectors.message_dict(result.message)),
            "reply": io.message_out(selectors.message_dict(result.reply)) if result.reply is not None else None,
            "status": result.status,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class SessionEndView(APIView):
    """End the session with a summary; `{"save_as_entry": true}` also files it as a journal entry."""

    @extend_schema(
        request=io.SessionEndInput,
        responses={
            200: io.SessionOutSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Already ended (`session_closed`); `entry_id` is the entry the first end filed, or null",
            ),
        },
    )
    def post(self, request: Request, session_id: int) -> Response:
        data = io.SessionEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_end(
            user=request.user, session_id=session_id, save_as_entry=data.validated_data["save_as_entry"]
        )
        return Response(io.session_out(selectors.session_detail(user=request.user, session_id=session.pk)))


class KnowledgeListView(APIView):
    """The knowledge base: full-text search (`q`) and a category filter."""

    throttle_classes = [SearchRateThrottle]
    blank_query_parameters = ("q", "category")  # KnowledgeQuery allows blank: no filter

    @extend_schema(
        operation_id="knowledge_list",
        parameters=[
            OpenApiParameter("q", str, description="Full-text search (PostgreSQL websearch syntax)."),
            OpenApiParameter("category", str, enum=[value for value, _ in Technique.Category.choices]),
            *PAGE_PARAMETERS,
        ],
        responses=_paginated("PaginatedTechniqueList", io.TechniqueOutSerializer),
    )
    @timed("knowledge_lookup")  # around the response cache, as the session read
    @conditional_get(caching.KNOWLEDGE)
    def get(self, request: Request) -> Response:
        query = io.KnowledgeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        page, page_size = page_params(request)
        data = selectors.knowledge_list(
            q=query.validated_data["q"], category=query.validated_data["category"], page=page, page_size=page_size
        )
        return paginated_response(request, count=data["count"], results=data["results"], page=page, page_size=page_size)


class KnowledgeDetailView(APIView):
    @extend_schema(responses={200: io.TechniqueDetailOutSerializer, 404: OpenApiResponse(description="Unknown slug")})
    @timed("knowledge_lookup")  # around the response cache, as the session read
    @conditional_get(caching.KNOWLEDGE)
    def get(self, request: Request, slug: str) -> Response:
        return Response(io.technique_detail_out(selectors.knowledge_detail(slug=slug)))


class PromptTodayView(APIView):
    """Today's journaling prompt: the same all day, different tomorrow, from the knowledge base."""

    @extend_schema(responses={200: io.PromptOutSerializer})
    def get(self, request: Request) -> Response:
        return Response(selectors.prompt_for_today(request.user))
