"""Interop web pages: STIX/CSV downloads of searches and digests, and the analysts'
import of a partner's STIX 2.1 bundle.

The search downloads read the search page's own form, so a link built from
the page's query string exports exactly what the page lists; an invalid
query is a 400 that says what to fix. The import page shows what a bundle became.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import analyst_required
from community.web import AuthenticatedRequest, add_service_errors
from intel.digests import selectors as digest_selectors
from intel.interop import exports, selectors, services
from intel.interop.forms import BundleImportForm
from intel.interop.importing import BundleError
from intel.models import Contribution
from intel.reports.forms import ReviewFilterForm


def _search(request: AuthenticatedRequest) -> list[Contribution] | HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        errors = "; ".join(
            f"{field}: {' '.join(str(error) for error in field_errors)}"
            for field, field_errors in form.errors.items()
        )
        return HttpResponseBadRequest(
            _("This search cannot be exported: %(errors)s") % {"errors": errors},
            content_type="text/plain; charset=utf-8",
        )
    data = form.cleaned_data if form.is_bound else {}
    clearance = digest_selectors.reader_clearance(
        request.user, preview=request.GET.get("clearance", "")
    )
    return exports.limited(
        selectors.search_for_export(
            user=request.user,
            clearance=clearance,
            query=data.get("q", ""),
            sort=data.get("sort", ""),
            **form.filters(),
        )
    )


@require_GET
@analyst_required
def search_export_stix(request: AuthenticatedRequest) -> HttpResponse:
    results = _search(request)
    if isinstance(results, HttpResponse):
        return results
    return exports.download(
        exports.search_bundle(results),
        content_type=exports.STIX_CONTENT_TYPE,
        filename="search.stix.json",
    )


@require_GET
@analyst_required
def search_export_csv(request: AuthenticatedRequest) -> HttpResponse:
    results = _search(request)
    if isinstance(results, HttpResponse):
        return results
    return exports.download(
        exports.search_csv(results), content_type=exports.CSV_CONTENT_TYPE, filename="search.csv"
    )


@require_GET
def digest_export_stix(request: HttpRequest, pk: int) -> HttpResponse:
    digest = digest_selectors.digest_for_reader(user=request.user, pk=pk)
    clearance = digest_selectors.reader_clearance(
        request.user, preview=request.GET.get("clearance", "")
    )
    return exports.download(
        exports.digest_bundle(digest=digest, clearance=clearance),
        content_type=exports.STIX_CONTENT_TYPE,
        filename=exports.digest_filename(digest),
    )


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
