"""The analysts' import endpoint: POST a partner's STIX 2.1 bundle, get the summary.

Two bodies are accepted: multipart (`bundle` file, `partner` id or
`partner_name` and `partner_grade`, as the web form), or JSON holding the
same fields with `bundle` as the STIX bundle object itself. A bundle that
cannot be imported is a 400 whose `bundle` lists every problem; nothing is
written then.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAnalyst
from community.api import signed_in
from intel.interop import services
from intel.interop.forms import read_upload
from intel.interop.importing import MAX_BYTES, BundleError
from intel.models import PartnerSource
from intel.vocabulary import SourceReliability


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
