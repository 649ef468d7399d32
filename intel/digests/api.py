"""Digest and sector-assessment API: thin translation to `intel.digests.services` and selectors.

- `GET /api/digests/` and `GET /api/digests/{id}/`: published digests for
  everyone (anonymous callers included), each redacted to the caller's
  clearance (`reader_clearance`; `?clearance=` may lower it, never raise
  it). Analysts also see drafts and, on retrieve, the editing state.
- Analysts: `POST /api/digests/` builds (or refreshes) a sector's week,
  `PATCH /api/digests/{id}/` edits summary, notes, order, drops and item
  notes, `POST …/publish/` and `POST …/correct/`; 409 when the digest's state
  does not allow the step (a published digest is immutable).
- `GET|POST /api/assessments/`: analysts' sector assessments (append-only).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsAnalyst, has_analyst_access
from community.api import signed_in
from intel.digests import core as digest_core
from intel.digests import selectors as selectors_digests
from intel.digests import services as digest_services
from intel.models import Digest, DigestStatus, SectorAssessment, SectorClass
from intel.reports.api.views import IntelPagination
from intel.vocabulary import TLP_ORDER, Sector, Tlp

_ERROR_400 = OpenApiResponse(description="Validation errors, per field.")
_CONFLICT = OpenApiResponse(description="The digest's state does not allow this step.")

# --- Read serializers (they document the reader's view; the data is a plain dict) -------


class _SlugLabel(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label


class _Count(_SlugLabel):
    count = serializers.IntegerField()


class _SignalRow(_Count):
    last_week = serializers.IntegerField()
    previous_average = serializers.FloatField()
    rising = serializers.BooleanField(help_text="≥ 2 this week and ≥ 1.5 × the 4-week average.")
    new = serializers.BooleanField(help_text="Absent from the previous four weeks.")


class _CountryRow(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class _Country(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _ItemContribution(serializers.Serializer):
    id = serializers.IntegerField()
    tlp = serializers.ChoiceField(choices=Tlp.choices)
    kind = serializers.CharField()


class DigestItemViewSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Position as the reader sees it (1 = first).")
    key = serializers.CharField(help_text='"c<cluster id>" or "r<contribution id>".')
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    language = serializers.CharField()
    tlp = serializers.ChoiceField(choices=Tlp.choices, help_text="Highest level of its reports.")
    tlp_label = serializers.CharField()
    score = serializers.FloatField(help_text="0–100, by the ranking formula in docs/digests.md.")
    corroboration = serializers.IntegerField(help_text="Independent organisations behind it.")
    credibility = serializers.IntegerField(allow_null=True)
    source_grade = serializers.CharField()
    requirement_priority = serializers.IntegerField(allow_null=True)
    signals = _SlugLabel(many=True)
    countries = _Country(many=True)
    note = serializers.CharField()
    contributions = _ItemContribution(many=True)
    contribution_count = serializers.IntegerField()


class _Totals(serializers.Serializer):
    accepted = serializers.IntegerField()
    reports = serializers.IntegerField()
    case_studies = serializers.IntegerField()
    last_week = serializers.IntegerField()
    previous_average = serializers.FloatField()
    weekly = serializers.ListField(
        child=serializers.IntegerField(), help_text="This week, then the four before."
    )


class _RequirementRow(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    priority = serializers.IntegerField()
    due_date = serializers.DateField()


class _Requirements(serializers.Serializer):
    new = _RequirementRow(many=True)
    closed = _RequirementRow(many=True)
    open = serializers.IntegerField()


class _Assessment(serializers.Serializer):
    id = serializers.IntegerField()
    sector_class = serializers.ChoiceField(choices=SectorClass.choices)
    class_label = serializers.CharField()
    autonomy = serializers.IntegerField()
    indispensability = serializers.IntegerField()
    rationale = serializers.CharField()
    assessed_at = serializers.DateTimeField()


class _AssessmentChange(serializers.Serializer):
    current = _Assessment(allow_null=True)
    previous = _Assessment(allow_null=True)
    changed = serializers.BooleanField()


class DigestSummarySerializer(serializers.ModelSerializer):
    """A digest in lists: what it is, not what it says."""

    week_end = serializers.DateField(read_only=True)
    is_correction = serializers.BooleanField(read_only=True)
    corrects = serializers.IntegerField(source="previous_id", read_only=True, allow_null=True)

    class Meta:
        model = Digest
        fields = [
            "id", "sector", "week_start", "week_end", "version", "status", "published_at",
            "is_correction", "corrects",
        ]  # fmt: skip
        read_only_fields = fields


class _Withheld(serializers.Serializer):
    accepted = serializers.IntegerField(
        help_text="This week's accepted reports above the caller's clearance (not shown)."
    )
    summary = serializers.BooleanField(
        help_text="An analyst summary exists above the caller's clearance."
    )


class DigestViewSerializer(serializers.Serializer):
    """A digest as the caller may see it, redacted to `clearance`."""

    id = serializers.IntegerField()
    sector = serializers.ChoiceField(choices=Sector.choices)
    sector_label = serializers.CharField()
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DigestStatus.choices)
    published_at = serializers.DateTimeField(allow_null=True)
    is_correction = serializers.BooleanField()
    correction_note = serializers.CharField()
    corrects = serializers.IntegerField(allow_null=True)
    superseded_by = serializers.IntegerField(allow_null=True)
    clearance = serializers.ChoiceField(choices=Tlp.choices)
    clearance_label = serializers.CharField()
    summary = serializers.CharField(help_text="Markdown; empty unless cleared for its level.")
    summary_tlp = serializers.CharField()
    summary_tlp_label = serializers.CharField()
    what_changed = serializers.ListField(child=serializers.CharField())
    totals = _Totals()
    withheld = _Withheld()
    signals = _SignalRow(many=True)
    rising_signals = _SignalRow(many=True)
    countries = _CountryRow(many=True)
    stages = _Count(many=True)
    requirements = _Requirements(allow_null=True, help_text="TLP:GREEN readers and above.")
    assessment = _AssessmentChange()
    items = DigestItemViewSerializer(many=True)


class _EditingItem(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    position = serializers.IntegerField()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    tlp = serializers.ChoiceField(choices=Tlp.choices)
    dropped = serializers.BooleanField()
    stale = serializers.BooleanField()
    note = serializers.CharField()
    title = serializers.CharField()
    contribution_ids = serializers.ListField(child=serializers.IntegerField())


class _Editing(serializers.Serializer):
    summary = serializers.CharField()
    summary_tlp = serializers.ChoiceField(choices=Tlp.choices)
    notes = serializers.CharField()
    published_by = serializers.EmailField(allow_null=True)
    edited_at = serializers.DateTimeField(allow_null=True)
    items = _EditingItem(many=True)


class DigestDetailSerializer(DigestViewSerializer):
    editing = _Editing(required=False, help_text="Analysts only: every item and the raw text.")


# --- Write serializers ----------------------------------------------------------------------


class DigestBuildSerializer(serializers.Serializer):
    sector = serializers.ChoiceField(choices=Sector.choices)
    week_start = serializers.DateField(help_text="Any date in the week (Monday–Sunday, Tokyo).")


class DigestEditSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    summary_tlp = serializers.ChoiceField(choices=Tlp.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    order = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Every item id, in order."
    )
    dropped = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="All dropped item ids."
    )
    item_notes = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="Item id → note shown with the item.",
    )

    def validate_item_notes(self, value: dict[str, str]) -> dict[int, str]:
        try:
            return {int(key): note for key, note in value.items()}
        except ValueError:
            raise serializers.ValidationError("Keys are item ids.") from None


class CorrectionSerializer(serializers.Serializer):
    correction_note = serializers.CharField(max_length=5000)


class SectorAssessmentSerializer(serializers.ModelSerializer):
    assessed_by = serializers.EmailField(source="assessed_by.email", read_only=True)
    autonomy = serializers.IntegerField(min_value=1, max_value=5)
    indispensability = serializers.IntegerField(min_value=1, max_value=5)

    class Meta:
        model = SectorAssessment
        fields = [
            "id", "sector", "sector_class", "autonomy", "indispensability", "rationale",
            "assessed_by", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "assessed_by", "created_at"]


# --- Views ------------------------------------------------------------------------------------


_CLEARANCE = OpenApiParameter(
    "clearance",
    OpenApiTypes.STR,
    enum=list(TLP_ORDER),
    description="Show the digest as a reader with this lower clearance would see it.",
)


class DigestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Weekly sector digests; every response is redacted to the caller's clearance."""

    pagination_class = IntelPagination
    serializer_class = DigestSummarySerializer
    filterset_fields = ["sector", "week_start", "status"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated(), IsAnalyst()]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Digest.objects.none()
        return selectors_digests.digests_for_listing(
            user=self.request.user,
            latest_only=self.request.query_params.get("latest", "true") != "false",
        )

    def _clearance(self) -> str:
        return selectors_digests.reader_clearance(
            self.request.user, preview=self.request.query_params.get("clearance", "")
        )

    def _detail(self, digest: Digest) -> dict[str, Any]:
        analyst = has_analyst_access(self.request.user)
        view = selectors_digests.digest_view(
            digest=digest,
            clearance=self._clearance(),
            language=translation.get_language() or "en",
            for_analyst=analyst,
        )
        if analyst:
            view["editing"] = {
                "summary": digest.summary,
                "summary_tlp": digest.summary_tlp,
                "notes": digest.notes,
                "published_by": digest.published_by.email if digest.published_by else None,
                "edited_at": digest.edited_at,
                "items": [
                    {"id": item.pk, "key": item.key, "position": item.position,
                     "rank": item.rank, "score": item.score, "tlp": item.tlp,
                     "dropped": item.dropped, "stale": item.stale, "note": item.note,
                     "title": item.title, "contribution_ids": item.contribution_ids}
                    for item in digest.items.order_by("position", "pk")
                ],
            }  # fmt: skip
        return DigestDetailSerializer(view).data

    def _respond(self, digest: Digest, code: int = status.HTTP_200_OK) -> Response:
        digest = Digest.objects.select_related("published_by").get(pk=digest.pk)
        return Response(self._detail(digest), status=code)

    @extend_schema(
        summary="Published digests (analysts: drafts too)",
        parameters=[
            OpenApiParameter(
                "latest",
                OpenApiTypes.BOOL,
                description="Only the latest published version of each week (default true).",
            )
        ],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One digest, redacted to your clearance",
        parameters=[_CLEARANCE],
        responses={200: DigestDetailSerializer},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        digest = selectors_digests.digest_for_reader(user=request.user, pk=int(kwargs["pk"]))
        return Response(self._detail(digest))

    @extend_schema(
        summary="Build or refresh a sector's week (analysts)",
        request=DigestBuildSerializer,
        responses={201: DigestDetailSerializer, 200: DigestDetailSerializer, 400: _ERROR_400},
        description="Idempotent: 201 when the draft was created, 200 when the week's open "
        "draft was refreshed or its published digest left as it is.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = DigestBuildSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        week: datetime.date = digest_core.week_start_of(serializer.validated_data["week_start"])
        [result] = digest_services.digests_build_week(
            week_start=week,
            sectors=[serializer.validated_data["sector"]],
            actor=signed_in(request),
        )
        code = status.HTTP_201_CREATED if result.outcome == "created" else status.HTTP_200_OK
        assert result.digest_id is not None  # noqa: S101 - one sector named: always drafted
        return self._respond(Digest.objects.get(pk=result.digest_id), code)

    @extend_schema(
        summary="Edit a draft (analysts)",
        request=DigestEditSerializer,
        responses={200: DigestDetailSerializer, 400: _ERROR_400, 409: _CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        digest = selectors_digests.digest_for_analyst(pk=int(kwargs["pk"]))
        serializer = DigestEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        digest_services.digest_edit(
            digest=digest,
            analyst=signed_in(request),
            **serializer.validated_data,
        )
        return self._respond(digest)

    @extend_schema(
        summary="Publish (analysts)",
        request=None,
        responses={200: DigestDetailSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        digest = selectors_digests.digest_for_analyst(pk=int(pk))
        digest_services.digest_publish(digest=digest, analyst=signed_in(request))
        return self._respond(digest)

    @extend_schema(
        summary="Correct a published digest (analysts): opens a new version",
        request=CorrectionSerializer,
        responses={201: DigestDetailSerializer, 400: _ERROR_400, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        digest = selectors_digests.digest_for_analyst(pk=int(pk))
        serializer = CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        correction = digest_services.digest_correct(
            digest=digest,
            analyst=signed_in(request),
            correction_note=serializer.validated_data["correction_note"],
        )
        return self._respond(correction, status.HTTP_201_CREATED)


class SectorAssessmentViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Sector assessments (analysts): the history, newest first; POST appends one."""

    permission_classes = [IsAuthenticated, IsAnalyst]
    serializer_class = SectorAssessmentSerializer
    pagination_class = IntelPagination
    filterset_fields = ["sector", "sector_class"]
    queryset = SectorAssessment.objects.select_related("assessed_by").order_by("-created_at", "-pk")

    @extend_schema(responses={201: SectorAssessmentSerializer, 400: _ERROR_400})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = digest_services.assessment_record(
            analyst=signed_in(request), **serializer.validated_data
        )
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)
