"""API views: thin translation between HTTP and the intel services and selectors."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsAnalyst, IsVettedContributor, has_analyst_access
from community.api import signed_in
from intel.models import CaseStudy, Contribution, FieldReport, IntelligenceRequirement, Kind
from intel.reports import filetypes, selectors, services
from intel.reports.api import examples
from intel.reports.api.filters import ContributionFilter, OwnContributionFilter
from intel.reports.api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CaseStudySerializer,
    CommentSerializer,
    FieldReportSerializer,
    ReportDecisionSerializer,
    RequirementSerializer,
    ReviewSerializer,
)
from intel.reports.search import SEARCH_SORTS
from intel.reports.views.files import attachment_response


class IntelPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class _OwnPagination(IntelPagination):
    """Counts the author's list on the parent table alone (`count_queryset`).

    The list's rows are the kind's own model (FieldReport or CaseStudy), whose
    count would join the kind's table row by row; every contribution of a
    kind has that row, so counting the contributions of the kind gives the
    same number, from the index of (author, kind, status).
    """

    count_queryset: Any = None

    # DRF only calls it as `django_paginator_class(queryset, page_size)`, like the class.
    def django_paginator_class(  # type: ignore[override]
        self, object_list: Any, per_page: int
    ) -> Paginator:
        paginator = Paginator(object_list, per_page)
        if self.count_queryset is not None:
            paginator.count = self.count_queryset.count()
        return paginator


_ERROR_400 = OpenApiResponse(description="Validation errors, per field.")
_CONFLICT = OpenApiResponse(description="The report's state does not allow this step.")


class _OwnContributionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The author's own reports; drafts and changes-requested ones may be changed."""

    permission_classes = [IsAuthenticated, IsVettedContributor]
    pagination_class = _OwnPagination
    filterset_class = OwnContributionFilter
    kind: str = ""
    model: type[Contribution] = Contribution

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Contribution.objects.none()
        # No prefetch: the serializer reads the rows of the page (or the one
        # report) itself, as plain values (intel.reports.api.representation).
        return selectors.contributions_of_author(
            user=signed_in(self.request), model=self.model
        ).prefetch_related(None)

    # The author reads their own work with the revision they have not yet resubmitted.
    def get_object(self) -> Any:
        return selectors.as_author_sees(super().get_object())

    def paginate_queryset(self, queryset: Any) -> Any:
        if isinstance(self.paginator, _OwnPagination):
            # The same filters on the same author's contributions of this kind.
            self.paginator.count_queryset = self.filter_queryset(
                Contribution.objects.filter(author=signed_in(self.request), kind=self.kind)
            )
        page = super().paginate_queryset(queryset)
        return None if page is None else [selectors.as_author_sees(item) for item in page]

    def _reread(self, pk: int) -> Contribution:
        return selectors.as_author_sees(self.get_queryset().get(pk=pk))

    def perform_create(self, serializer: Any) -> None:
        instance = services.contribution_save(
            author=signed_in(self.request), kind=self.kind, **serializer.service_kwargs()
        )
        serializer.instance = self._reread(instance.pk)

    def perform_update(self, serializer: Any) -> None:
        instance = services.contribution_save(
            author=signed_in(self.request),
            kind=self.kind,
            contribution=serializer.instance,
            **serializer.service_kwargs(),
        )
        serializer.instance = self._reread(instance.pk)

    @extend_schema(request=None, responses={200: None, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Submit a draft, or resubmit one whose changes were requested; 400 names
        each field still missing."""
        contribution = self.get_object()
        services.contribution_submit(contribution=contribution, actor=signed_in(request))
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses={200: None, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw before an analyst has started the review."""
        contribution = self.get_object()
        services.report_withdraw(contribution=contribution, actor=signed_in(request))
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 400: _ERROR_400, 409: _CONFLICT},
    )
    @extend_schema(methods=["get"], responses={200: AttachmentSerializer(many=True)})
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filterset_class=None,
    )
    def attachments(self, request: Request, pk: str) -> Response:
        """List the attachments, or upload one (multipart, field `file`)."""
        contribution = self.get_object()
        if request.method == "GET":
            return Response(AttachmentSerializer(contribution.attachments.all(), many=True).data)
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            contribution=contribution,
            actor=signed_in(request),
            uploaded=upload.validated_data["file"],
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["post"],
        request=CommentSerializer,
        responses={201: CommentSerializer, 400: _ERROR_400, 409: _CONFLICT},
    )
    @extend_schema(methods=["get"], responses={200: CommentSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        """The thread with the analysts; post to answer them."""
        contribution = self.get_object()
        return _comments(request, contribution)


def _comments(request: Request, contribution: Contribution) -> Response:
    if request.method == "GET":
        comments = selectors.comments_of(contribution=contribution)
        return Response(CommentSerializer(comments, many=True).data)
    serializer = CommentSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    comment = services.comment_add(
        contribution=contribution,
        author=signed_in(request),
        body=serializer.validated_data["body"],
    )
    return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Your field reports"),
    create=extend_schema(
        summary="Create a field report (as a draft)",
        examples=[
            examples.REPORT_EN,
            examples.REPORT_JA,
            examples.REPORT_DRAFT,
            examples.REPORT_ERRORS,
        ],
        responses={201: FieldReportSerializer, 400: _ERROR_400},
    ),
    partial_update=extend_schema(
        summary="Change a draft or a report with changes requested",
        responses={200: FieldReportSerializer, 400: _ERROR_400, 409: _CONFLICT},
    ),
    update=extend_schema(responses={200: FieldReportSerializer, 400: _ERROR_400, 409: _CONFLICT}),
    submit=extend_schema(responses={200: FieldReportSerializer, 400: _ERROR_400, 409: _CONFLICT}),
    withdraw=extend_schema(responses={200: FieldReportSerializer, 409: _CONFLICT}),
)
class ReportViewSet(_OwnContributionViewSet):
    serializer_class = FieldReportSerializer
    kind = Kind.REPORT
    model = FieldReport


@extend_schema_view(
    list=extend_schema(summary="Your case studies"),
    create=extend_schema(
        summary="Create a case study (as a draft)",
        examples=[examples.CASE_STUDY_EN],
        responses={201: CaseStudySerializer, 400: _ERROR_400},
    ),
    partial_update=extend_schema(
        responses={200: CaseStudySerializer, 400: _ERROR_400, 409: _CONFLICT}
    ),
    update=extend_schema(responses={200: CaseStudySerializer, 400: _ERROR_400, 409: _CONFLICT}),
    submit=extend_schema(responses={200: CaseStudySerializer, 400: _ERROR_400, 409: _CONFLICT}),
    withdraw=extend_schema(responses={200: CaseStudySerializer, 409: _CONFLICT}),
)
class CaseStudyViewSet(_OwnContributionViewSet):
    serializer_class = CaseStudySerializer
    kind = Kind.CASE_STUDY
    model = CaseStudy


@extend_schema_view(
    list=extend_schema(
        summary="Review queue and search (analysts)",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Full-text query (en or ja)."),
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                enum=list(SEARCH_SORTS),
                description="Default: relevance with q, else oldest submission first.",
            ),
        ],
    ),
)
class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Every submitted report and case study; decisions are actions on one of them."""

    permission_classes = [IsAuthenticated, IsAnalyst]
    serializer_class = ReviewSerializer
    pagination_class = IntelPagination
    filterset_class = ContributionFilter

    def get_queryset(self) -> Any:
        params = self.request.query_params
        query = params.get("q", "").strip()
        if query or self.action != "list":
            queryset = selectors.search(
                user=self.request.user, query=query, sort=params.get("sort", "")
            )
        else:
            sort = params.get("sort") or "oldest"
            queryset = selectors.search(user=self.request.user, sort=sort)
        return queryset.prefetch_related(selectors.reviewer_attachments_prefetch(), "answer_rows")

    def _decide(self, request: Request, function: Any, **kwargs: Any) -> Response:
        contribution = selectors.contribution_for_reviewer(pk=int(self.kwargs["pk"]))
        result = function(contribution=contribution, analyst=signed_in(request), **kwargs)
        data = self.get_serializer(self.get_object()).data
        if isinstance(result, services.AcceptOutcome):
            data = {**data, "outcome": result.value}
        return Response(data)

    @extend_schema(request=None, responses={200: ReviewSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: str) -> Response:
        return self._decide(request, services.report_start_review)

    @extend_schema(
        request=ReportDecisionSerializer,
        responses={200: ReviewSerializer, 409: _CONFLICT},
        description="Accept. For TLP:AMBER+STRICT and TLP:RED the first analyst's accept "
        "records an approval (`outcome`: awaiting-second-analyst); a second, different "
        "analyst's accept completes it.",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        serializer = ReportDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._decide(
            request, services.report_accept, note=serializer.validated_data.get("reason", "")
        )

    @extend_schema(
        request=ReportDecisionSerializer,
        responses={200: ReviewSerializer, 400: _ERROR_400, 409: _CONFLICT},
        examples=[examples.DECISION],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        serializer = ReportDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._decide(
            request, services.report_reject, reason=serializer.validated_data.get("reason", "")
        )

    @extend_schema(
        request=ReportDecisionSerializer,
        responses={200: ReviewSerializer, 400: _ERROR_400, 409: _CONFLICT},
        examples=[examples.DECISION],
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk: str) -> Response:
        serializer = ReportDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._decide(
            request,
            services.report_request_changes,
            reason=serializer.validated_data.get("reason", ""),
        )

    @extend_schema(
        methods=["post"],
        request=CommentSerializer,
        responses={201: CommentSerializer, 400: _ERROR_400, 409: _CONFLICT},
    )
    @extend_schema(methods=["get"], responses={200: CommentSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        contribution = selectors.contribution_for_reviewer(pk=int(pk))
        return _comments(request, contribution)


class RequirementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Analysts: every requirement with its answer count; members: open ones in their sectors."""

    serializer_class = RequirementSerializer
    pagination_class = IntelPagination
    filterset_fields = ["sector", "status", "priority"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("create", "close"):
            return [IsAuthenticated(), IsAnalyst()]
        return [IsAuthenticated(), _AnalystOrContributor()]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return IntelligenceRequirement.objects.none()
        if has_analyst_access(self.request.user):
            return selectors.requirements_with_counts()
        return selectors.requirements_open_for(user=cast(User, self.request.user))

    @extend_schema(examples=[examples.REQUIREMENT])
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        requirement = services.requirement_publish(
            analyst=signed_in(request), **serializer.validated_data
        )
        return Response(self.get_serializer(requirement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RequirementSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        requirement: IntelligenceRequirement = self.get_object()
        services.requirement_close(requirement=requirement, analyst=signed_in(request))
        return Response(self.get_serializer(self.get_object()).data)


class _AnalystOrContributor(IsAnalyst):
    message = "Analysts (with two-factor authentication) and active members only."

    def has_permission(self, request: Any, view: Any) -> bool:
        return super().has_permission(request, view) or IsVettedContributor().has_permission(
            request, view
        )


class AttachmentDownloadView(APIView):
    """Download an attachment (always as a file, never displayed inline)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, kind.mime): OpenApiTypes.BINARY for kind in filetypes.ALLOWED.values()}
    )
    def get(self, request: Request, pk: int) -> Any:
        attachment = selectors.attachment_for_viewer(user=request.user, pk=pk)
        return attachment_response(attachment)


__all__ = [
    "AttachmentDownloadView",
    "CaseStudyViewSet",
    "JSONParser",
    "ReportViewSet",
    "RequirementViewSet",
    "ReviewViewSet",
]
