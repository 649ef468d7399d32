"""Accounts API: token sign-in, the caller's own profile and application, and vetting.

Token sign-in goes through allauth like the web login: the same lockout of
failed attempts and, for anyone with a TOTP authenticator, the same code check.

Serializers translate JSON to service arguments and back; the services decide.
A service's ValidationError becomes 400 with field errors, a refused
transition (someone decided first) 409 Conflict (`community.api`).
"""

from __future__ import annotations

from typing import Any, cast

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import get_rates
from allauth.mfa.base.forms import AuthenticateForm
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from community.api import signed_in
from intel import countries
from intel.vocabulary import Sector, SourceReliability

from . import selectors, services
from .filters import ApplicationFilter
from .models import Affiliation, Application, Membership, User
from .permissions import IsAnalyst, mfa_enrolled
from .services.applications import STATEMENT_MIN_LENGTH, ApplicationDetails


class SignInLocked(Throttled):
    """429: allauth's lockout of failed sign-ins (per address, and per account for a
    password; per account for a second-factor code), shared with the web login."""

    default_detail = _("Too many failed sign-in attempts. Try again later.")
    default_code = "sign_in_locked"

    def __init__(self) -> None:
        super().__init__(wait=_lockout_seconds())


def _lockout_seconds() -> int:
    # The longest window of allauth's `login_failed` limits: by then every
    # failure that counted towards the lockout has expired.
    rates = get_rates(app="allauth.account", action="login_failed")
    return int(max((rate.duration for rate in rates), default=60))


def _is_lockout(exc: DjangoValidationError) -> bool:
    return any(error.code == "too_many_login_attempts" for error in exc.error_list)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_(
            "Required once a TOTP authenticator is enrolled: a current code from the "
            "authenticator app, or an unused recovery code (used up by this request)."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        # allauth's limits count against the address and session of the request itself.
        request = cast(Request, self.context["request"])._request
        try:
            # The web login's own check: failures count per address and per
            # account (allauth `login_failed`), so one lockout covers both.
            user = get_account_adapter(request).authenticate(
                request, email=attrs["email"].lower(), password=attrs["password"]
            )
        except DjangoValidationError as exc:
            if _is_lockout(exc):
                raise SignInLocked() from exc
            raise serializers.ValidationError(exc.messages) from exc
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to sign in with these credentials."), code="authorization"
            )
        if not EmailAddress.objects.filter(
            user=user, email__iexact=user.email, verified=True
        ).exists():
            raise serializers.ValidationError(
                _("Verify your email address before using the API."), code="unverified"
            )
        if mfa_enrolled(user):
            self._check_second_factor(user, attrs.get("otp", "").strip())
        attrs["user"] = user
        return attrs

    def _check_second_factor(self, user: User, code: str) -> None:
        if not code:
            raise serializers.ValidationError(
                {
                    "otp": _(
                        "This account has two-factor authentication: send a current code "
                        "from the authenticator app, or a recovery code, as otp."
                    )
                },
                code="required",
            )
        # allauth's own check (TOTP or recovery code; a code is accepted once),
        # with its per-account limit on wrong codes.
        form = AuthenticateForm(user=user, data={"code": code})
        if not form.is_valid():
            errors = form.errors.as_data().get("code", [])
            if any(error.code == "too_many_login_attempts" for error in errors):
                raise SignInLocked()
            raise serializers.ValidationError(
                {
                    "otp": _(
                        "This code is not valid. Use a current code or an unused recovery code."
                    )
                },
                code="invalid",
            )
        # Not form.save(): that would record the step in a session, and an API
        # call has none worth keeping.
        form.authenticator.record_usage()


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


class TokenObtainView(APIView):
    """Exchange email, password and (with two-factor authentication) a code for a new API
    token (`Authorization: Token …`) that expires."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Field errors (a missing or wrong `otp` included)"),
            429: OpenApiResponse(description="Too many requests or failed sign-ins (Retry-After)"),
        },
        examples=[
            OpenApiExample(
                "Demo contributor",
                value={"email": "contributor@example.org", "password": "demo-password-123"},
                request_only=True,
            ),
            OpenApiExample(
                "Demo analyst (TOTP enrolled)",
                value={
                    "email": "analyst@example.org",
                    "password": "demo-password-123",
                    "otp": "123456",
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=serializer.validated_data["user"])
        return Response(TokenResponseSerializer({"token": key, "expiry": token.expiry}).data)


# --- Own profile and application ------------------------------------------------


class MembershipSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["status", "source_grade", "affiliation", "organisation", "country", "sectors"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    is_analyst = serializers.BooleanField(read_only=True)
    is_vetted_contributor = serializers.BooleanField(read_only=True)
    membership = serializers.SerializerMethodField()
    application_status = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "language",
            "roles",
            "is_analyst",
            "is_vetted_contributor",
            "membership",
            "application_status",
            "date_joined",
        ]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.role_names)

    @extend_schema_field(MembershipSummarySerializer(allow_null=True))
    def get_membership(self, user: User) -> dict[str, Any] | None:
        membership = Membership.objects.filter(user=user).first()
        return MembershipSummarySerializer(membership).data if membership else None

    @extend_schema_field(
        serializers.ChoiceField(choices=Application.Status.choices, allow_null=True)
    )
    def get_application_status(self, user: User) -> str | None:
        return Application.objects.filter(user=user).values_list("status", flat=True).first()


class MeView(APIView):
    """The signed-in user's own profile, roles, membership and application status."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class OwnApplicationSerializer(serializers.ModelSerializer):
    vouched_for_by = serializers.SerializerMethodField()
    analyst_message = serializers.CharField(source="decision_reason", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "status",
            "affiliation",
            "organisation",
            "position",
            "country",
            "sectors",
            "statement",
            "conflict_of_interest",
            "response",
            "vouched_for_by",
            "analyst_message",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_vouched_for_by(self, application: Application) -> str | None:
        invitation = application.invitation
        return invitation.inviter.get_full_name() if invitation else None


class ApplicationInputSerializer(serializers.Serializer):
    affiliation = serializers.ChoiceField(choices=Affiliation.choices)
    organisation = serializers.CharField(max_length=200)
    position = serializers.CharField(max_length=200)
    country = serializers.CharField(
        max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. JP (case-insensitive)."
    )
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Sector.choices), allow_empty=False
    )
    statement = serializers.CharField(min_length=STATEMENT_MIN_LENGTH, max_length=2000)
    conflict_of_interest = serializers.CharField(
        max_length=2000, help_text='Declared conflicts of interest, or "None".'
    )
    accepts_handling_rules = serializers.BooleanField(
        help_text="Must be true: the applicant accepts TLP handling and confidentiality."
    )

    def validate_country(self, value: str) -> str:
        value = value.strip().upper()
        if value not in countries.CODES:
            raise serializers.ValidationError("Not an ISO 3166-1 alpha-2 country code.")
        return value

    def validate_accepts_handling_rules(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("You must accept the handling rules to join.")
        return value

    def details(self) -> ApplicationDetails:
        return ApplicationDetails.from_data(self.validated_data)


class ApplicationSubmitSerializer(ApplicationInputSerializer):
    referral_code = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="From a member's invitation."
    )


class ApplicationResubmitSerializer(ApplicationInputSerializer):
    response = serializers.CharField(
        max_length=4000, help_text="The answer to the analyst's question."
    )


APPLICATION_EXAMPLE = {
    "affiliation": "research",
    "organisation": "Tohoku Materials Institute",
    "position": "Senior researcher",
    "country": "JP",
    "sectors": ["critical-minerals", "batteries"],
    "statement": "Fifteen years on rare-earth separation and battery-grade lithium refining.",
    "conflict_of_interest": "None",
    "accepts_handling_rules": True,
}


class MyApplicationView(APIView):
    """The caller's own membership application: read it, or submit one."""

    permission_classes = [IsAuthenticated]

    def _own(self, request: Request) -> Application:
        application = selectors.application_of(user=signed_in(request))
        if application is None:
            raise NotFound("You have not applied yet.")
        return application

    @extend_schema(
        responses={200: OwnApplicationSerializer, 404: OpenApiResponse(description="Not applied")}
    )
    def get(self, request: Request) -> Response:
        return Response(OwnApplicationSerializer(self._own(request)).data)

    @extend_schema(
        request=ApplicationSubmitSerializer,
        responses={
            201: OwnApplicationSerializer,
            400: OpenApiResponse(description="Field errors"),
            409: OpenApiResponse(description="Already applied or already a member"),
        },
        examples=[OpenApiExample("Researcher", value=APPLICATION_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        serializer = ApplicationSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_submit(
            user=signed_in(request),
            details=serializer.details(),
            referral_code=serializer.validated_data.get("referral_code", "").strip(),
        )
        application = selectors.application_of(user=signed_in(request)) or application
        return Response(OwnApplicationSerializer(application).data, status=201)


class MyApplicationResubmitView(APIView):
    """Answer the analyst's question and send the application back for review."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ApplicationResubmitSerializer,
        responses={
            200: OwnApplicationSerializer,
            400: OpenApiResponse(description="Field errors"),
            404: OpenApiResponse(description="Not applied"),
            409: OpenApiResponse(description="Not waiting for more information"),
        },
        examples=[
            OpenApiExample(
                "Answer",
                value={**APPLICATION_EXAMPLE, "response": "My employer is a public institute."},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        application = selectors.application_of(user=signed_in(request))
        if application is None:
            raise NotFound("You have not applied yet.")
        serializer = ApplicationResubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.application_resubmit(
            application=application,
            user=signed_in(request),
            details=serializer.details(),
            response=serializer.validated_data["response"],
        )
        return Response(OwnApplicationSerializer(application).data)


# --- Vetting (analysts) ---------------------------------------------------------


class ApplicantSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "language"]
        read_only_fields = fields


class VoucherSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name"]
        read_only_fields = fields


class ApplicationSerializer(OwnApplicationSerializer):
    """An application as analysts see it: the applicant and who vouched for them."""

    applicant = ApplicantSerializer(source="user", read_only=True)
    vouched_for_by = serializers.SerializerMethodField()  # type: ignore[assignment]
    decided_by = serializers.EmailField(
        source="decided_by.email", read_only=True, default=None, allow_null=True
    )

    class Meta(OwnApplicationSerializer.Meta):
        fields = [
            "id",
            "applicant",
            *[f for f in OwnApplicationSerializer.Meta.fields if f != "id"],
            "decided_by",
        ]
        read_only_fields = fields

    @extend_schema_field(VoucherSerializer(allow_null=True))
    def get_vouched_for_by(self, application: Application) -> dict[str, Any] | None:  # type: ignore[override]
        invitation = application.invitation
        return VoucherSerializer(invitation.inviter).data if invitation else None


class ApplicationListView(generics.ListAPIView):
    """Applications for analysts, oldest first, filtered by state, affiliation, sector,
    country and age."""

    permission_classes = [IsAnalyst]
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self) -> Any:
        return selectors.application_queue()


class ApplicationDetailView(generics.RetrieveAPIView):
    """One application, with everything the applicant gave and who vouched."""

    permission_classes = [IsAnalyst]
    serializer_class = ApplicationSerializer

    def get_queryset(self) -> Any:
        return selectors.application_queue()


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "request-info", "reject"])
    reason = serializers.CharField(
        max_length=4000,
        help_text="Required. The applicant reads it; for request-info, the question to answer.",
    )
    source_grade = serializers.ChoiceField(
        choices=SourceReliability.choices,
        default=SourceReliability.F,
        help_text="Admiralty source reliability on approval (default F, cannot be judged).",
    )


class ApplicationDecisionView(APIView):
    """Approve, reject or ask the applicant for more information, with a reason."""

    permission_classes = [IsAnalyst]

    @extend_schema(
        request=DecisionSerializer,
        responses={
            200: ApplicationSerializer,
            400: OpenApiResponse(description="Field errors (e.g. missing reason)"),
            404: OpenApiResponse(description="No such application"),
            409: OpenApiResponse(description="Already decided, or not in a state for this"),
        },
        examples=[
            OpenApiExample(
                "Approve",
                value={
                    "decision": "approve",
                    "reason": "Known expert; affiliation confirmed by phone.",
                    "source_grade": "C",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Ask for more information",
                value={
                    "decision": "request-info",
                    "reason": "Which unit of your company do you work in?",
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        application = selectors.application_get(pk=pk)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {"application": application, "actor": signed_in(request), "reason": data["reason"]}
        if data["decision"] == "approve":
            services.application_approve(source_grade=data["source_grade"], **common)
        elif data["decision"] == "request-info":
            services.application_request_info(**common)
        else:
            services.application_reject(**common)
        return Response(ApplicationSerializer(selectors.application_get(pk=pk)).data)
