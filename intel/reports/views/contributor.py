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
from intel.models import CaseStudy, Comment, Contribution, FieldReport, Kind
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


def _form_class(kind: str) -> type[FieldReportForm | CaseStudyForm]:
    return FieldReportForm if kind == Kind.REPORT else CaseStudyForm


def _stored_form(
    contribution: Contribution, *, user: Any, bound: bool = False
) -> FieldReportForm | CaseStudyForm:
    """The form filled with what `contribution` holds now (its author's view);
    `bound` to take a service's errors, as if the author had just sent it."""
    if contribution.kind == Kind.REPORT:
        initial = FieldReportForm.initial_for(cast(FieldReport, contribution))
    else:
        initial = CaseStudyForm.initial_for(cast(CaseStudy, contribution))
    form_class = _form_class(contribution.kind)
    if not bound:
        return form_class(initial=initial, user=user)
    form = form_class(data=initial, user=user)
    form.is_valid()
    return form


def _render_form(
    request: AuthenticatedRequest,
    *,
    form: FieldReportForm | CaseStudyForm,
    kind: str,
    contribution: Contribution | None,
    attachment_form: AttachmentForm,
    status: int,
) -> HttpResponse:
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
            "attachment_form": attachment_form,
        },
        status=status,
    )


def _form_page(
    request: AuthenticatedRequest, *, kind: str, contribution: Contribution | None = None
) -> HttpResponse:
    """The report or case-study form: save what is there, attach the file chosen
    with it, and submit when asked.

    The draft is saved first, so a refused file or an incomplete submission
    loses nothing: the form comes back as the saved draft's, with every problem
    named next to its field.
    """
    form_class = _form_class(kind)
    attachment_form = AttachmentForm()
    if request.method != "POST":
        if contribution is not None:
            form = _stored_form(contribution, user=request.user)
        else:
            initial: dict[str, Any] = {}
            if request.GET.get("requirement", "").isdigit():
                initial["requirements"] = [int(request.GET["requirement"])]
            form = form_class(initial=initial, user=request.user)
        return _render_form(
            request,
            form=form,
            kind=kind,
            contribution=contribution,
            attachment_form=attachment_form,
            status=200,
        )
    form = form_class(request.POST, user=request.user)
    if not form.is_valid():
        return _render_form(
            request,
            form=form,
            kind=kind,
            contribution=contribution,
            attachment_form=attachment_form,
            status=400,
        )
    try:
        saved = services.contribution_save(
            author=request.user, kind=kind, contribution=contribution, **form.service_kwargs()
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_form(
            request,
            form=form,
            kind=kind,
            contribution=contribution,
            attachment_form=attachment_form,
            status=400,
        )
    except WorkflowError as error:
        messages.error(request, error.message)
        if contribution is None:
            return redirect("intel:dashboard")
        return redirect("intel:contribution_detail", pk=contribution.pk)
    problems = False
    uploaded = request.FILES.get("file")
    if uploaded is not None:
        try:
            attachment = services.attachment_add(
                contribution=saved, actor=request.user, uploaded=uploaded
            )
        except (ValidationError, WorkflowError) as error:
            problems = True
            messages.error(request, _("Your text was saved, but the file was not attached."))
            # Bound only now, so that a form sent without a file shows no error.
            attachment_form = AttachmentForm(files=request.FILES)
            attachment_form.is_valid()
            reasons = error.messages if isinstance(error, ValidationError) else [error.message]
            for reason in reasons:
                attachment_form.add_error("file", reason)
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": attachment.original_name})
    if not problems and request.POST.get("action") == "submit":
        try:
            services.contribution_submit(contribution=saved, actor=request.user)
        except ValidationError as error:
            problems = True
            form.add_service_errors(error)
            messages.error(request, _("Saved as a draft, but it cannot be submitted yet."))
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect("intel:contribution_detail", pk=saved.pk)
        else:
            messages.success(request, _("Submitted. Analysts will review it."))
            return redirect("intel:contribution_detail", pk=saved.pk)
    if problems:
        shown = selectors.contribution_for_author(user=request.user, pk=saved.pk)
        return _render_form(
            request,
            form=form,
            kind=kind,
            contribution=shown.detail,
            attachment_form=attachment_form,
            status=400,
        )
    messages.success(request, _("Saved as a draft. Submit it when it is ready."))
    return redirect("intel:contribution_detail", pk=saved.pk)


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
    comments = list(selectors.comments_of(contribution=contribution))
    return render(
        request,
        "intel/contribution_detail.html",
        {
            "contribution": contribution,
            "detail": contribution.detail,
            "comments": comments,
            "decisions": [comment for comment in comments if comment.kind != Comment.Kind.COMMENT],
            "tag_groups": selectors.tags_for_author(contribution=contribution),
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
    except ValidationError as error:
        # What is missing, shown on the form where it is filled in.
        shown = contribution.detail
        form = _stored_form(shown, user=request.user, bound=True)
        form.add_service_errors(error)
        messages.error(request, _("It cannot be submitted yet."))
        return _render_form(
            request,
            form=form,
            kind=contribution.kind,
            contribution=shown,
            attachment_form=AttachmentForm(),
            status=400,
        )
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
