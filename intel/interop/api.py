"""API downloads: a search result as a STIX bundle or CSV (analysts), a digest as STIX (anyone).

The search endpoints take the API search's parameters (`q`, `sort` and the
`ContributionFilter` filters of /api/review/); a filter that does not
validate is a 400 with field errors.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsAnalyst
from intel.digests import selectors as digest_selectors
from intel.interop import exports, selectors
from intel.models import Contribution
from intel.reports.api.filters import ContributionFilter
from intel.reports.selectors import SEARCH_SORTS
from intel.vocabulary import TLP_ORDER


class StixRenderer(BaseRenderer):
    """Names the media type for negotiation and the schema; the views return the file."""

    media_type = "application/stix+json"
    format = "stix"


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"


class _Download(GenericAPIView):
    """Success is the file itself; every refusal a JSON error, whatever was accepted."""

    queryset = Contribution.objects.none()

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


_CLEARANCE = OpenApiParameter(
    "clearance",
    OpenApiTypes.STR,
    enum=list(TLP_ORDER),
    description="Export as a reader with this lower clearance would receive it.",
)
_SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Full-text query (en or ja)."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SEARCH_SORTS)),
    _CLEARANCE,
]
_BUNDLE = OpenApiResponse(OpenApiTypes.OBJECT, description="A STIX 2.1 bundle.")
_REFUSED = OpenApiResponse(description="Analysts with a token that passed two-factor only.")


class _SearchExport(_Download):
    permission_classes = [IsAuthenticated, IsAnalyst]
    filterset_class = ContributionFilter

    def results(self, request: Request) -> list[Contribution]:
        params = request.query_params
        clearance = digest_selectors.reader_clearance(
            request.user, preview=params.get("clearance", "")
        )
        queryset = selectors.search_for_export(
            user=request.user,
            clearance=clearance,
            query=params.get("q", "").strip(),
            sort=_sort(params),
        )
        return exports.limited(self.filter_queryset(queryset))


def _sort(params: Any) -> str:
    """As the API search sorts: the order asked for, else relevance with a query and the
    oldest submission first without one."""
    sort = params.get("sort", "")
    if sort in SEARCH_SORTS:
        return str(sort)
    return "" if params.get("q", "").strip() else "oldest"


class SearchStixExportView(_SearchExport):
    renderer_classes = [StixRenderer, JSONRenderer]

    @extend_schema(
        summary="Export a search as a STIX 2.1 bundle (analysts)",
        parameters=_SEARCH_PARAMETERS,
        responses={(200, "application/stix+json"): _BUNDLE, 400: OpenApiResponse(), 403: _REFUSED},
    )
    def get(self, request: Request) -> HttpResponse:
        return exports.download(
            exports.search_bundle(self.results(request)),
            content_type=exports.STIX_CONTENT_TYPE,
            filename="search.stix.json",
        )


class SearchCsvExportView(_SearchExport):
    renderer_classes = [CsvRenderer, JSONRenderer]

    @extend_schema(
        summary="Export a search as CSV (analysts)",
        parameters=_SEARCH_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, one row each."),
            400: OpenApiResponse(),
            403: _REFUSED,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        return exports.download(
            exports.search_csv(self.results(request)),
            content_type=exports.CSV_CONTENT_TYPE,
            filename="search.csv",
        )


class DigestStixExportView(_Download):
    permission_classes = [AllowAny]
    renderer_classes = [StixRenderer, JSONRenderer]

    @extend_schema(
        summary="A digest as a STIX 2.1 bundle, redacted to your clearance",
        parameters=[_CLEARANCE],
        responses={(200, "application/stix+json"): _BUNDLE, 404: OpenApiResponse()},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        digest = digest_selectors.digest_for_reader(user=request.user, pk=pk)
        clearance = digest_selectors.reader_clearance(
            request.user, preview=request.query_params.get("clearance", "")
        )
        return exports.download(
            exports.digest_bundle(digest=digest, clearance=clearance),
            content_type=exports.STIX_CONTENT_TYPE,
            filename=exports.digest_filename(digest),
        )
