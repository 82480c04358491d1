from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal_project.api.pagination import PAGE_PARAMETERS, page_params, paginated_response
from monitoring import selectors
from monitoring.api.serializers import SummarySerializer, TargetSummarySerializer


class SummaryView(APIView):
    """Each performance target with its current value, threshold and status (staff only)."""

    permission_classes = [IsAdminUser]

    # Paginated like every list of the API (CONTRACT §3): a client's list code reads
    # `next` and `results` the same way everywhere. The targets are few and read together
    # (one pass over the metric windows), so the page is cut from the whole reading.
    @extend_schema(parameters=PAGE_PARAMETERS, responses=SummarySerializer)
    def get(self, request: Request) -> Response:
        page, page_size = page_params(request)
        readings = selectors.read_targets()
        start = (page - 1) * page_size
        results = TargetSummarySerializer(readings[start : start + page_size], many=True).data
        return paginated_response(request, count=len(readings), results=results, page=page, page_size=page_size)
