"""API downloads: a search result as a STIX bundle or CSV (analysts), a digest as STIX (anyone).

The search endpoints take the API search's parameters (`q`, `sort` and the
`ContributionFilter` filters of /api/review/); a filter that does not
validate is a 400 with field errors.
"""

from __future__ import annotations

import json
from typing import Any

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


class _FileRenderer(BaseRenderer):
    """Passes a file's text through; errors (dicts) are written as JSON."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        if isinstance(data, str):
            return data.encode()
        return json.dumps(data).encode()


class StixRenderer(_FileRenderer):
    media_type = "application/stix+json"
    format = "stix"


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


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


class _SearchExport(GenericAPIView):
    permission_classes = [IsAuthenticated, IsAnalyst]
    filterset_class = ContributionFilter
    queryset = Contribution.objects.none()

    def results(self, request: Request) -> list[Contribution]:
        params = request.query_params
        clearance = digest_selectors.reader_clearance(
            request.user, preview=params.get("clearance", "")
        )
        queryset = selectors.search_for_export(
            user=request.user,
            clearance=clearance,
            query=params.get("q", "").strip(),
            sort=params.get("sort", "") if params.get("sort", "") in SEARCH_SORTS else "",
        )
        return exports.limited(self.filter_queryset(queryset))


class SearchStixExportView(_SearchExport):
    renderer_classes = [StixRenderer, JSONRenderer]

    @extend_schema(
        summary="Export a search as a STIX 2.1 bundle (analysts)",
        parameters=_SEARCH_PARAMETERS,
        responses={(200, "application/stix+json"): _BUNDLE, 400: OpenApiResponse(), 403: _REFUSED},
    )
    def get(self, request: Request) -> Response:
        body = exports.search_bundle(self.results(request))
        return _attachment(
            Response(body, content_type=exports.STIX_CONTENT_TYPE), "search.stix.json"
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
    def get(self, request: Request) -> Response:
        body = exports.search_csv(self.results(request))
        return _attachment(Response(body, content_type=exports.CSV_CONTENT_TYPE), "search.csv")


class DigestStixExportView(GenericAPIView):
    permission_classes = [AllowAny]
    renderer_classes = [StixRenderer, JSONRenderer]
    queryset = Contribution.objects.none()

    @extend_schema(
        summary="A digest as a STIX 2.1 bundle, redacted to your clearance",
        parameters=[_CLEARANCE],
        responses={(200, "application/stix+json"): _BUNDLE, 404: OpenApiResponse()},
    )
    def get(self, request: Request, pk: int) -> Response:
        digest = digest_selectors.digest_for_reader(user=request.user, pk=pk)
        clearance = digest_selectors.reader_clearance(
            request.user, preview=request.query_params.get("clearance", "")
        )
        body = exports.digest_bundle(digest=digest, clearance=clearance)
        response = Response(body, content_type=exports.STIX_CONTENT_TYPE)
        return _attachment(response, exports.digest_filename(digest))


def _attachment(response: Response, filename: str) -> Response:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Cookie, Authorization"
    return response
