"""Contributor pages: dashboard, report and case-study forms, the author's detail page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import contributor_required
from community.web import AuthenticatedRequest, paginate
from intel.errors import WorkflowError
from intel.models import CaseStudy, Contribution, FieldReport, Kind, Status
from intel.reports import selectors, services
from intel.reports.forms import AttachmentForm, CaseStudyForm, CommentForm, FieldReportForm


@contributor_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    page = paginate(request, selectors.contributions_of_author(user=request.user))
    contributions = [selectors.as_author_sees(contribution) for contribution in page.object_list]
    requirements = selectors.requirements_open_for(user=request.user)[:20]
    return render(
        request,
        "intel/dashboard.html",
        {"page": page, "contributions": contributions, "requirements": requirements},
    )


def _form_page(
    request: AuthenticatedRequest, *, kind: str, contribution: Contribution | None = None
) -> HttpResponse:
    form_class: type[FieldReportForm | CaseStudyForm] = (
        FieldReportForm if kind == Kind.REPORT else CaseStudyForm
    )
    initial: dict[str, Any]
    if request.method == "POST":
        form = form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                saved = services.contribution_save(
                    author=request.user,
                    kind=kind,
                    contribution=contribution,
                    submit=request.POST.get("action") == "submit",
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except WorkflowError as error:
                messages.error(request, error.message)
                if contribution is None:
                    return redirect("intel:dashboard")
                return redirect("intel:contribution_detail", pk=contribution.pk)
            else:
                if saved.status == Status.SUBMITTED:
                    messages.success(request, _("Submitted. Analysts will review it."))
                else:
                    messages.success(request, _("Saved as a draft. Submit it when it is ready."))
                return redirect("intel:contribution_detail", pk=saved.pk)
    elif contribution is not None:
        if kind == Kind.REPORT:
            initial = FieldReportForm.initial_for(cast(FieldReport, contribution.detail))
        else:
            initial = CaseStudyForm.initial_for(cast(CaseStudy, contribution.detail))
        form = form_class(initial=initial, user=request.user)
    else:
        initial = {}
        if request.GET.get("requirement", "").isdigit():
            initial["requirements"] = [int(request.GET["requirement"])]
        form = form_class(initial=initial, user=request.user)
    return render(
        request,
        "intel/contribution_form.html",
        {
            "form": form,
            "kind": kind,
            "contribution": contribution,
            "attachments": (
                selectors.attachments_of(contribution=contribution) if contribution else []
            ),
            "attachment_form": AttachmentForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@contributor_required
def report_create(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(request, kind=Kind.REPORT)


@contributor_required
def case_study_create(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(request, kind=Kind.CASE_STUDY)


@contributor_required
def contribution_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_author(user=request.user, pk=pk)
    if not contribution.is_editable:
        messages.error(request, _("Only drafts and reports with changes requested can be edited."))
        return redirect("intel:contribution_detail", pk=pk)
    return _form_page(request, kind=contribution.kind, contribution=contribution.detail)


@contributor_required
def contribution_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_author(user=request.user, pk=pk)
    return render(
        request,
        "intel/contribution_detail.html",
        {
            "contribution": contribution,
            "detail": contribution.detail,
            "comments": selectors.comments_of(contribution=contribution),
            "attachments": selectors.attachments_of(contribution=contribution),
            "comment_form": CommentForm(),
            "attachment_form": AttachmentForm(),
            "answers": selectors.requirements_answered(contribution=contribution),
        },
    )


@require_POST
@contributor_required
def contribution_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_author(user=request.user, pk=pk)
    try:
        services.contribution_submit(contribution=contribution, actor=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Submitted. Analysts will review it."))
    return redirect("intel:contribution_detail", pk=pk)


@require_POST
@contributor_required
def contribution_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_author(user=request.user, pk=pk)
    try:
        services.report_withdraw(
            contribution=contribution, actor=request.user, reason=request.POST.get("reason", "")
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn. Analysts will not review it."))
    return redirect("intel:contribution_detail", pk=pk)
