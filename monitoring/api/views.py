from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring import selectors
from monitoring.api.serializers import SummarySerializer


class SummaryView(APIView):
    """Each performance target with its current value, threshold and status (staff only)."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses=SummarySerializer)
    def get(self, request: Request) -> Response:
        return Response(SummarySerializer({"results": selectors.read_targets()}).data)
