"""Analyst pages: the vetting queue and decisions, members and source grades, the audit trail.

Every view is `analyst_required`: the analysts role and an enrolled
authenticator, else a redirect to enrolment (or 403 for non-analysts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from community.web import AuthenticatedRequest, add_service_errors, paginate
from intel.errors import WorkflowError
from intel.impact.forms import GradeConfirmForm, GradeOverrideForm
from intel.impact.selectors import grade_suggestion
from intel.impact.services import grade_suggestion_confirm, grade_suggestion_override
from intel.vocabulary import SourceReliability

from .. import selectors, services
from ..filters import ApplicationQueueFilter, AuditEventFilter, MembershipFilter
from ..forms import DecisionForm, GradeForm, MembershipStatusForm
from ..models import Application, AuditEvent, Membership
from ..permissions import analyst_required

QUEUE_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50


def _with_default(query: QueryDict, **defaults: str) -> QueryDict:
    """The query, with `defaults` for keys the visitor did not send at all."""
    data = query.copy()
    for key, value in defaults.items():
        data.setdefault(key, value)
    return data


@analyst_required
@require_GET
def vetting_queue(request: AuthenticatedRequest) -> HttpResponse:
    """Applications, oldest first; by default only those waiting for a decision."""
    data = _with_default(request.GET, status=Application.Status.SUBMITTED)
    filterset = ApplicationQueueFilter(data, queryset=selectors.application_queue())
    page = paginate(request, filterset.qs, QUEUE_PAGE_SIZE)
    return render(request, "accounts/vetting_queue.html", {"filter": filterset, "page": page})


def _history(target: Any) -> list[AuditEvent]:
    return list(
        selectors.audit_events().filter(
            target_type=target._meta.label_lower, target_id=str(target.pk)
        )[:50]
    )


def _render_application(
    request: AuthenticatedRequest, application: Application, form: DecisionForm
) -> HttpResponse:
    return render(
        request,
        "accounts/vetting_detail.html",
        {"application": application, "form": form, "history": _history(application)},
    )


@analyst_required
@require_GET
def vetting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(pk=pk)
    return _render_application(request, application, DecisionForm(status=application.status))


@analyst_required
@require_POST
def vetting_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(pk=pk)
    form = DecisionForm(request.POST, status=application.status)
    if not form.is_valid():
        return _render_application(request, application, form)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == DecisionForm.APPROVE:
            services.application_approve(
                application=application,
                actor=request.user,
                reason=reason,
                source_grade=form.cleaned_data.get("source_grade") or SourceReliability.F,
            )
            done = _("Application approved: %(name)s is now a member.")
        elif decision == DecisionForm.REQUEST_INFO:
            services.application_request_info(
                application=application, actor=request.user, reason=reason
            )
            done = _("Your question has been sent to %(name)s.")
        else:
            services.application_reject(application=application, actor=request.user, reason=reason)
            done = _("Application from %(name)s rejected.")
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_application(request, application, form)
    except (WorkflowError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("accounts:vetting-detail", pk=application.pk)
    messages.success(request, done % {"name": application.user.email})
    return redirect("accounts:vetting-queue")


@analyst_required
@require_GET
def member_list(request: AuthenticatedRequest) -> HttpResponse:
    filterset = MembershipFilter(request.GET, queryset=selectors.membership_list())
    page = paginate(request, filterset.qs, QUEUE_PAGE_SIZE)
    return render(request, "accounts/member_list.html", {"filter": filterset, "page": page})


def _render_member(
    request: AuthenticatedRequest,
    membership: Membership,
    grade_form: GradeForm | None = None,
    status_form: MembershipStatusForm | None = None,
    override_form: GradeOverrideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    suggestion = grade_suggestion(user=membership.user)
    return render(
        request,
        "accounts/member_detail.html",
        {
            "membership": membership,
            "application": getattr(membership.user, "application", None),
            "grade_form": grade_form
            or GradeForm(initial={"source_grade": membership.source_grade}),
            "status_form": status_form or MembershipStatusForm(),
            "track_record": selectors.member_track_record(user=membership.user),
            "suggestion": suggestion,
            "confirm_form": GradeConfirmForm(initial={"suggested": suggestion.grade}),
            "override_form": override_form or GradeOverrideForm(),
            "history": _history(membership),
        },
        status=status,
    )


@analyst_required
@require_GET
def member_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A member's source grade page: grade, its history, the track record, standing."""
    return _render_member(request, selectors.membership_get(pk=pk))


def _member_action(
    request: AuthenticatedRequest, pk: int, form: Any, action: Callable[[Membership], str]
) -> HttpResponse:
    membership = selectors.membership_get(pk=pk)
    forms = {"grade_form": form} if isinstance(form, GradeForm) else {"status_form": form}
    if not form.is_valid():
        return _render_member(request, membership, **forms)
    try:
        done = action(membership)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_member(request, membership, **forms)
    except (WorkflowError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("accounts:member-detail", pk=membership.pk)


@analyst_required
@require_POST
def member_grade(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    form = GradeForm(request.POST)

    def change(membership: Membership) -> str:
        services.grade_change(
            membership=membership,
            actor=request.user,
            grade=form.cleaned_data["source_grade"],
            reason=form.cleaned_data["reason"],
        )
        return _("Source grade changed.")

    return _member_action(request, pk, form, change)


def _suggestion_action(
    request: AuthenticatedRequest, pk: int, form: Any, action: Callable[[Membership], str]
) -> HttpResponse:
    """Confirm or override the suggested grade: a bad form or a refusal is a 4xx page."""
    membership = selectors.membership_get(pk=pk)
    override_form = form if isinstance(form, GradeOverrideForm) else None
    if not form.is_valid():
        return _render_member(request, membership, override_form=override_form, status=400)
    try:
        done = action(membership)
    except ValidationError as exc:
        if override_form is not None:
            add_service_errors(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
        return _render_member(request, membership, override_form=override_form, status=400)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _render_member(request, membership, override_form=override_form, status=403)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _render_member(request, membership, override_form=override_form, status=409)
    messages.success(request, done)
    return redirect("accounts:member-detail", pk=membership.pk)


@analyst_required
@require_POST
def member_grade_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The analyst confirms the suggested grade they were shown; it becomes the grade."""
    form = GradeConfirmForm(request.POST)

    def confirm(membership: Membership) -> str:
        grade = grade_suggestion_confirm(
            membership=membership, actor=request.user, suggested=form.cleaned_data["suggested"]
        )
        return _("Suggested grade %(grade)s confirmed.") % {"grade": grade}

    return _suggestion_action(request, pk, form, confirm)


@analyst_required
@require_POST
def member_grade_override(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The analyst chooses another grade than the suggestion, with a reason."""
    form = GradeOverrideForm(request.POST)

    def override(membership: Membership) -> str:
        grade = grade_suggestion_override(
            membership=membership,
            actor=request.user,
            grade=form.cleaned_data["grade"],
            reason=form.cleaned_data["reason"],
        )
        return _("Source grade set to %(grade)s instead of the suggestion.") % {"grade": grade}

    return _suggestion_action(request, pk, form, override)


@analyst_required
@require_POST
def member_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    form = MembershipStatusForm(request.POST)

    def change(membership: Membership) -> str:
        action = form.cleaned_data["action"]
        service, done = {
            MembershipStatusForm.SUSPEND: (services.membership_suspend, _("Membership suspended.")),
            MembershipStatusForm.REINSTATE: (
                services.membership_reinstate,
                _("Membership reinstated."),
            ),
            MembershipStatusForm.REVOKE: (services.membership_revoke, _("Membership revoked.")),
        }[action]
        service(membership=membership, actor=request.user, reason=form.cleaned_data["reason"])
        return done

    return _member_action(request, pk, form, change)


@analyst_required
@require_GET
def audit_trail(request: AuthenticatedRequest) -> HttpResponse:
    filterset = AuditEventFilter(request.GET, queryset=selectors.audit_events())
    page = paginate(request, filterset.qs, AUDIT_PAGE_SIZE)
    return render(request, "accounts/audit_trail.html", {"filter": filterset, "page": page})
