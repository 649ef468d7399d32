"""Membership applications: submit → approved / rejected / more information requested.

    submitted ──approve──► approved (creates the Membership)
        │  └────reject───► rejected
        └──request info──► more-info ──resubmit──► submitted
                               └──────reject─────► rejected

Every arrow is a conditional update, so two analysts deciding at once, or an
analyst deciding while the applicant resubmits, cannot both win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.mail import email_send_on_commit
from intel import countries
from intel.errors import WorkflowError
from intel.vocabulary import Sector, SourceReliability

from .. import emails, roles
from ..models import Affiliation, Application, GradeChange, Membership, User
from ..permissions import require_analyst
from .audit import audit_record, require_not_self, require_reason
from .invitations import invitation_accept
from .memberships import membership_create

STATEMENT_MIN_LENGTH = 30


@dataclass(frozen=True)
class ApplicationDetails:
    """What the applicant tells us; the same for a first submission and a resubmission."""

    affiliation: str
    organisation: str
    position: str
    country: str
    sectors: list[str]
    statement: str
    conflict_of_interest: str
    accepts_handling_rules: bool

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ApplicationDetails:
        """From a form's cleaned_data or a serializer's validated_data."""
        return cls(
            affiliation=data["affiliation"],
            organisation=data["organisation"],
            position=data["position"],
            country=data["country"],
            sectors=list(data["sectors"]),
            statement=data["statement"],
            conflict_of_interest=data["conflict_of_interest"],
            accepts_handling_rules=data["accepts_handling_rules"],
        )

    def cleaned(self) -> ApplicationDetails:
        """Normalised copy; raises ValidationError naming every field that needs fixing."""
        errors: dict[str, str] = {}
        if self.affiliation not in Affiliation.values:
            errors["affiliation"] = _("Choose business, research, academia or other.")
        for name in ("organisation", "position"):
            if not getattr(self, name).strip():
                errors[name] = _("This field is required.")
        country = self.country.strip().upper()
        if country not in countries.CODES:
            errors["country"] = _("Choose a country from the list.")
        sectors = [slug for slug in Sector.values if slug in set(self.sectors)]
        if not sectors or len(sectors) != len(set(self.sectors)):
            errors["sectors"] = _("Choose at least one sector from the list.")
        if len(self.statement.strip()) < STATEMENT_MIN_LENGTH:
            errors["statement"] = _("Describe your expertise in at least %(count)s characters.") % {
                "count": STATEMENT_MIN_LENGTH
            }
        if not self.conflict_of_interest.strip():
            errors["conflict_of_interest"] = _(
                "Declare any conflicts of interest, or write “None”."
            )
        if not self.accepts_handling_rules:
            errors["accepts_handling_rules"] = _("You must accept the handling rules to join.")
        if errors:
            raise ValidationError(errors)
        return ApplicationDetails(
            affiliation=self.affiliation,
            organisation=self.organisation.strip(),
            position=self.position.strip(),
            country=country,
            sectors=sectors,
            statement=self.statement.strip(),
            conflict_of_interest=self.conflict_of_interest.strip(),
            accepts_handling_rules=True,
        )

    def as_fields(self) -> dict[str, object]:
        return {
            "affiliation": self.affiliation,
            "organisation": self.organisation,
            "position": self.position,
            "country": self.country,
            "sectors": self.sectors,
            "statement": self.statement,
            "conflict_of_interest": self.conflict_of_interest,
            "accepts_handling_rules": self.accepts_handling_rules,
        }


def _application_in(application: Application) -> None:
    """Receipt to the applicant; analysts hear of an application to vet."""
    from notifications import events

    events.application_submitted(application=application)


def application_submit(
    *, user: User, details: ApplicationDetails, referral_code: str = ""
) -> Application:
    """A verified, not yet vetted person applies to join (once)."""
    details = details.cleaned()
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        raise PermissionDenied(_("Verify your email address before applying."))
    if Membership.objects.filter(user=user).exists():
        raise WorkflowError(_("You are already a member."))
    if Application.objects.filter(user=user).exists():
        raise WorkflowError(_("You have already applied."))
    try:
        with transaction.atomic():
            invitation = invitation_accept(code=referral_code, user=user) if referral_code else None
            application = Application.objects.create(
                user=user, invitation=invitation, submitted_at=timezone.now(), **details.as_fields()
            )
            audit_record(
                actor=user,
                action="application.submit",
                target=application,
                data={"invited_by": invitation.inviter.email if invitation else None},
            )
            _application_in(application)
    except IntegrityError as exc:
        # Two submissions racing: the one-application-per-user constraint decides.
        if Application.objects.filter(user=user).exists():
            raise WorkflowError(_("You have already applied.")) from exc
        raise
    return application


@transaction.atomic
def application_resubmit(
    *, application: Application, user: User, details: ApplicationDetails, response: str
) -> Application:
    """The applicant answers an analyst's question and sends the application back."""
    if application.user_id != user.pk:
        raise PermissionDenied(_("This is not your application."))
    details = details.cleaned()
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Answer the analyst's question.")})
    now = timezone.now()
    changed = Application.objects.filter(
        pk=application.pk, status=Application.Status.MORE_INFO
    ).update(
        status=Application.Status.SUBMITTED,
        response=response,
        submitted_at=now,
        updated_at=now,
        **details.as_fields(),
    )
    if changed != 1:
        raise WorkflowError(
            _("Only an application waiting for more information can be resubmitted.")
        )
    application.refresh_from_db()
    audit_record(actor=user, action="application.resubmit", target=application)
    _application_in(application)
    return application


def _tell_applicant(application: Application) -> None:
    """In-site notification of the decision, and its email unless they switched it off."""
    from notifications import events
    from notifications.models import Kind
    from notifications.services import wants_email

    events.application_decided(application=application)
    if wants_email(user=application.user, kind=Kind.APPLICATION_DECIDED):
        email_send_on_commit(message=emails.application_decision_email(application=application))


def _decide(
    *,
    application: Application,
    actor: User,
    reason: str,
    from_statuses: tuple[str, ...],
    to_status: str,
    refused: str,
) -> str:
    require_analyst(actor)
    require_not_self(actor, application.user)
    reason = require_reason(reason)
    now = timezone.now()
    changed = Application.objects.filter(pk=application.pk, status__in=from_statuses).update(
        status=to_status, decision_reason=reason, decided_by=actor, decided_at=now, updated_at=now
    )
    if changed != 1:
        raise WorkflowError(refused)
    application.refresh_from_db()
    return reason


@transaction.atomic
def application_request_info(*, application: Application, actor: User, reason: str) -> Application:
    """Ask the applicant a question; the reason is the message they will read."""
    reason = _decide(
        application=application,
        actor=actor,
        reason=reason,
        from_statuses=(Application.Status.SUBMITTED,),
        to_status=Application.Status.MORE_INFO,
        refused=_("Only a submitted application can be sent back for more information."),
    )
    audit_record(actor=actor, action="application.request_info", target=application, reason=reason)
    _tell_applicant(application)
    return application


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    reason = _decide(
        application=application,
        actor=actor,
        reason=reason,
        from_statuses=(Application.Status.SUBMITTED, Application.Status.MORE_INFO),
        to_status=Application.Status.REJECTED,
        refused=_("This application has already been decided."),
    )
    audit_record(actor=actor, action="application.reject", target=application, reason=reason)
    _tell_applicant(application)
    return application


@transaction.atomic
def application_approve(
    *,
    application: Application,
    actor: User,
    reason: str,
    source_grade: str = SourceReliability.F,
) -> Membership:
    """Admit the applicant: membership (with the analyst's source grade) and contributor role."""
    if source_grade not in SourceReliability.values:
        raise ValidationError({"source_grade": _("Choose a grade from A to F.")})
    if Membership.objects.filter(user_id=application.user_id).exists():
        raise WorkflowError(_("The applicant is already a member."))
    reason = _decide(
        application=application,
        actor=actor,
        reason=reason,
        from_statuses=(Application.Status.SUBMITTED,),
        to_status=Application.Status.APPROVED,
        refused=_("Only a submitted application can be approved."),
    )
    membership = membership_create(
        user=application.user,
        affiliation=application.affiliation,
        organisation=application.organisation,
        country=application.country,
        sectors=list(application.sectors),
        source_grade=source_grade,
    )
    GradeChange.objects.create(
        membership=membership,
        previous_grade="",
        grade=source_grade,
        reason=reason,
        changed_by=actor,
    )
    audit_record(
        actor=actor,
        action="application.approve",
        target=application,
        reason=reason,
        data={
            "source_grade": source_grade,
            "membership": membership.pk,
            "roles": {"added": [roles.CONTRIBUTORS]},
        },
    )
    _tell_applicant(application)
    return membership
