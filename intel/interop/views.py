"""Analyst pages of interop: upload a partner's STIX 2.1 bundle, see what it became."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from accounts.permissions import analyst_required
from community.web import AuthenticatedRequest, add_service_errors
from intel.interop import services
from intel.interop.forms import BundleImportForm
from intel.interop.importing import BundleError


@analyst_required
def bundle_import(request: AuthenticatedRequest) -> HttpResponse:
    """GET: the upload form. POST: import, then show the summary (or say what is wrong)."""
    form = BundleImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.bundle_import(
                analyst=request.user,
                raw=form.cleaned_data["bundle"],
                partner=form.cleaned_data["partner"],
                partner_name=form.cleaned_data["partner_name"],
                partner_grade=form.cleaned_data["partner_grade"],
            )
        except BundleError as error:
            problems = error.problems
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request, "intel/interop/import_result.html", {"summary": summary.as_dict()}
            )
    return render(
        request,
        "intel/interop/import_form.html",
        {"form": form, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )
