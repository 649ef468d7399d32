"""Interop API: STIX/CSV downloads (search results for analysts, digests for anyone) and the
analysts' import endpoint for a partner's STIX 2.1 bundle.

The search endpoints take the API search's parameters (`q`, `sort` and the
`ContributionFilter` filters of /api/review/); a filter that does not
validate is a 400 with field errors. The import takes multipart (`bundle` file,
`partner` id or `partner_name` and `partner_grade`) or JSON with `bundle` as the
bundle object; a bundle that cannot be imported is a 400 whose `bundle` lists
every problem, and nothing is written then.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAnalyst
from community.api import signed_in
from intel.digests import selectors as digest_selectors
from intel.interop import exports, selectors, services
from intel.interop.forms import read_upload
from intel.interop.importing import MAX_BYTES, BundleError
from intel.models import Contribution, PartnerSource
from intel.reports.api.filters import ContributionFilter
from intel.reports.search import SEARCH_SORTS
from intel.vocabulary import TLP_ORDER, SourceReliability


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


class _FileOrJSONField(serializers.JSONField):
    """Multipart sends the bundle as a file; JSON as the object."""

    def get_value(self, dictionary: Any) -> Any:
        value = dictionary.get(self.field_name) if hasattr(dictionary, "get") else None
        if hasattr(value, "read"):
            return value
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "read"):
            return data
        return super().to_internal_value(data)


class BundleImportSerializer(serializers.Serializer):
    bundle = _FileOrJSONField(
        help_text="The STIX 2.1 bundle: a file (multipart) or the bundle object (JSON)."
    )
    partner = serializers.PrimaryKeyRelatedField(
        queryset=PartnerSource.objects.all(), required=False, allow_null=True
    )
    partner_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    partner_grade = serializers.ChoiceField(
        choices=SourceReliability.choices, required=False, allow_blank=True
    )

    def validate_bundle(self, value: Any) -> bytes:
        if hasattr(value, "read"):
            try:
                return read_upload(value)
            except ValidationError as error:
                raise serializers.ValidationError(error.messages) from None
        # A JSON string is taken as the bundle's text; anything else as the bundle.
        return value.encode() if isinstance(value, str) else json.dumps(value).encode()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("partner") is None and not attrs.get("partner_name"):
            raise serializers.ValidationError(
                {"partner_name": [_("Choose a partner source or name a new one.")]}
            )
        return attrs


class BundleImportView(APIView):
    """Import a partner's STIX 2.1 bundle into the review queue (analysts, second factor)."""

    permission_classes = [IsAnalyst]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request=BundleImportSerializer,
        responses={
            201: inline_serializer(
                "BundleImportSummary",
                {
                    "partner_source": serializers.DictField(),
                    "imported": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "already_present": serializers.IntegerField(),
                    "not_updated": serializers.IntegerField(),
                    "skipped": serializers.DictField(child=serializers.IntegerField()),
                    "contribution_ids": serializers.ListField(child=serializers.IntegerField()),
                },
            ),
            400: OpenApiResponse(description="Field errors; `bundle` lists every problem."),
        },
    )
    def post(self, request: Request) -> Response:
        try:
            data = request.data
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        except RequestDataTooBig:
            raise ParseError(
                _("The request is larger than %(limit)s bytes.") % {"limit": MAX_BYTES}
            ) from None
        serializer = BundleImportSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            summary = services.bundle_import(
                analyst=signed_in(request),
                raw=values["bundle"],
                partner=values.get("partner"),
                partner_name=values.get("partner_name", ""),
                partner_grade=values.get("partner_grade", ""),
            )
        except BundleError as error:
            return Response({"bundle": error.problems}, status=status.HTTP_400_BAD_REQUEST)
        return Response(summary.as_dict(), status=status.HTTP_201_CREATED)
