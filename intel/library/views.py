"""Pages of the case-study library.

Who may open what (tests/intel/library pins it down):

- the library and each case study: everyone, at `reader_clearance`
  (anonymous visitors TLP:CLEAR, members and readers TLP:GREEN, analysts with
  two-factor authentication TLP:RED); a case study above the reader's level,
  retired or not accepted is a 404;
- curation (feature, lessons for operations, retire): analysts with
  two-factor authentication.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import analyst_required, has_analyst_access
from community.web import AuthenticatedRequest, paginate, query_without_page
from intel.errors import WorkflowError
from intel.library import selectors, services
from intel.library.forms import CurationForm, LibraryFilterForm
from intel.models import CaseStudy


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET)
    form.is_valid()
    page = paginate(
        request, selectors.library_case_studies(user=request.user, filters=form.filters())
    )
    return render(
        request,
        "intel/library/list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "hidden_count": selectors.library_hidden_count(user=request.user),
            "can_curate": has_analyst_access(request.user),
        },
    )


@require_GET
def case_study(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.library_case_study(user=request.user, pk=pk)
    can_curate = has_analyst_access(request.user)
    return render(
        request,
        "intel/library/detail.html",
        {
            "case_study": item,
            "curation": getattr(item, "curation", None),
            "can_curate": can_curate,
            "form": CurationForm() if can_curate else None,
        },
    )


def _refused(request: HttpRequest, item: CaseStudy, form: CurationForm) -> HttpResponse:
    """The case study's page again, with what the analyst typed and a 400."""
    return render(
        request,
        "intel/library/detail.html",
        {
            "case_study": item,
            "curation": getattr(item, "curation", None),
            "can_curate": True,
            "form": form,
        },
        status=400,
    )


@require_POST
@analyst_required
def curate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.curatable_case_study(pk=pk)
    form = CurationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with this case study."))
        return _refused(request, item, form)
    action, data = form.cleaned_data["action"], form.cleaned_data
    try:
        if action in ("feature", "unfeature"):
            services.case_study_feature(
                actor=request.user, case_study=item, featured=action == "feature"
            )
        elif action == "lessons":
            services.case_study_mark_lessons(
                actor=request.user,
                case_study=item,
                takeaway_en=data["takeaway_en"],
                takeaway_ja=data["takeaway_ja"],
            )
        elif action == "unlessons":
            services.case_study_unmark_lessons(actor=request.user, case_study=item)
        else:
            services.case_study_retire(
                actor=request.user,
                case_study=item,
                retired=action == "retire",
                reason=data["reason"],
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _refused(request, item, form)
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("intel:library")
    messages.success(request, _("The case study's curation is saved."))
    if action == "retire":
        return redirect("intel:library")
    return redirect("intel:library_case_study", pk=item.pk)
