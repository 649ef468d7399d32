"""Memberships: creation on approval, suspension, reinstatement, revocation, source grade.

A member's contributor role follows their standing: it is removed on
suspension or revocation and given back on reinstatement, so the role a view,
the API or a template sees is never more than the membership allows.
Suspension and revocation also revoke the member's API tokens: a reinstated
member signs in again for a new one.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intel.errors import WorkflowError
from intel.vocabulary import SourceReliability

from .. import roles
from ..models import GradeChange, Membership, User
from ..permissions import require_analyst
from .audit import audit_record, require_not_self, require_reason
from .tokens import api_tokens_revoke_all


def _contributors() -> Group:
    return Group.objects.get(name=roles.CONTRIBUTORS)


def _require_grade(grade: str) -> str:
    if grade not in SourceReliability.values:
        raise ValidationError({"source_grade": _("Choose a grade from A to F.")})
    return grade


@transaction.atomic
def membership_create(
    *,
    user: User,
    affiliation: str,
    organisation: str,
    country: str,
    sectors: list[str],
    source_grade: str = SourceReliability.F,
) -> Membership:
    """Make `user` an active, vetted contributor (the contributors role included)."""
    membership = Membership.objects.create(
        user=user,
        affiliation=affiliation,
        organisation=organisation,
        country=country.upper(),
        sectors=sectors,
        source_grade=_require_grade(source_grade),
    )
    user.groups.add(_contributors())
    return membership


def _membership_transition(
    *,
    membership: Membership,
    actor: User,
    reason: str,
    from_statuses: tuple[str, ...],
    to_status: str,
    action: str,
    refused: str,
) -> Membership:
    require_analyst(actor)
    require_not_self(actor, membership.user)
    reason = require_reason(reason)
    with transaction.atomic():
        previous = Membership.objects.filter(pk=membership.pk).values_list("status", flat=True)
        previous_status = previous.first()
        changed = Membership.objects.filter(pk=membership.pk, status__in=from_statuses).update(
            status=to_status, updated_at=timezone.now()
        )
        if changed != 1:
            raise WorkflowError(refused)
        user = membership.user
        if to_status == Membership.Status.ACTIVE:
            user.groups.add(_contributors())
            role_change = {"added": [roles.CONTRIBUTORS]}
        else:
            user.groups.remove(_contributors())
            role_change = {"removed": [roles.CONTRIBUTORS]}
            api_tokens_revoke_all(user=user)
        membership.refresh_from_db()
        audit_record(
            actor=actor,
            action=action,
            target=membership,
            reason=reason,
            data={"from": previous_status, "to": to_status, "roles": role_change},
        )
    return membership


def membership_suspend(*, membership: Membership, actor: User, reason: str) -> Membership:
    """Active → suspended: contributor pages and endpoints close on the member's next request."""
    return _membership_transition(
        membership=membership,
        actor=actor,
        reason=reason,
        from_statuses=(Membership.Status.ACTIVE,),
        to_status=Membership.Status.SUSPENDED,
        action="membership.suspend",
        refused=_("Only an active membership can be suspended."),
    )


def membership_reinstate(*, membership: Membership, actor: User, reason: str) -> Membership:
    """Suspended → active. A revoked membership is final."""
    return _membership_transition(
        membership=membership,
        actor=actor,
        reason=reason,
        from_statuses=(Membership.Status.SUSPENDED,),
        to_status=Membership.Status.ACTIVE,
        action="membership.reinstate",
        refused=_("Only a suspended membership can be reinstated."),
    )


def membership_revoke(*, membership: Membership, actor: User, reason: str) -> Membership:
    """Active or suspended → revoked, for good."""
    return _membership_transition(
        membership=membership,
        actor=actor,
        reason=reason,
        from_statuses=(Membership.Status.ACTIVE, Membership.Status.SUSPENDED),
        to_status=Membership.Status.REVOKED,
        action="membership.revoke",
        refused=_("This membership has already been revoked."),
    )


@transaction.atomic
def grade_change(*, membership: Membership, actor: User, grade: str, reason: str) -> GradeChange:
    """Set a member's Admiralty source grade, keeping the history and the reason."""
    require_analyst(actor)
    require_not_self(actor, membership.user)
    grade = _require_grade(grade)
    reason = require_reason(reason)
    previous = Membership.objects.filter(pk=membership.pk).values_list("source_grade", flat=True)
    previous_grade = previous.first()
    if previous_grade == grade:
        raise ValidationError({"source_grade": _("The member already has this grade.")})
    # Conditional on the grade we read: two analysts changing it at once cannot
    # both succeed, so the history never records a change from a stale grade.
    changed = Membership.objects.filter(pk=membership.pk, source_grade=previous_grade).update(
        source_grade=grade, updated_at=timezone.now()
    )
    if changed != 1:
        raise WorkflowError(_("The grade was changed by someone else meanwhile; reload."))
    membership.refresh_from_db()
    change = GradeChange.objects.create(
        membership=membership,
        previous_grade=previous_grade or "",
        grade=grade,
        reason=reason,
        changed_by=actor,
    )
    audit_record(
        actor=actor,
        action="membership.grade_change",
        target=membership,
        reason=reason,
        data={"from": previous_grade, "to": grade},
    )
    return change
