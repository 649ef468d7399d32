"""Intelligence requirements: analysts publish and close; contributors see their sectors'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import analyst_required, contributor_required
from community.web import AuthenticatedRequest, add_service_errors, paginate
from intel.errors import WorkflowError
from intel.models import IntelligenceRequirement
from intel.reports import selectors, services
from intel.reports.forms import RequirementForm


@analyst_required
def _list_for_analysts(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in IntelligenceRequirement.Status.values:
        status = ""
    page = paginate(request, selectors.requirements_with_counts(status=status))
    return render(
        request,
        "intel/requirement_list.html",
        {"page": page, "requirements": page.object_list, "status": status, "for_analyst": True},
    )


@contributor_required
def _list_for_contributors(request: AuthenticatedRequest) -> HttpResponse:
    page = paginate(request, selectors.requirements_open_for(user=request.user))
    return render(
        request,
        "intel/requirement_list.html",
        {"page": page, "requirements": page.object_list, "for_analyst": False},
    )


@login_required
def requirement_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.is_analyst:
        return _list_for_analysts(request)
    return _list_for_contributors(request)


@analyst_required
def requirement_create(request: AuthenticatedRequest) -> HttpResponse:
    form = RequirementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_publish(analyst=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Published. Contributors in the sector will see it."))
            return redirect("intel:requirement_list")
    return render(
        request,
        "intel/requirement_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@analyst_required
def requirement_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        requirement = IntelligenceRequirement.objects.get(pk=pk)
    except IntelligenceRequirement.DoesNotExist:
        raise Http404 from None
    try:
        services.requirement_close(
            requirement=requirement, analyst=request.user, reason=request.POST.get("reason", "")
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Closed."))
    return redirect("intel:requirement_list")
