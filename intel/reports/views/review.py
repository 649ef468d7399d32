"""Analyst pages: review queue, review page with decisions, search, author reveal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import analyst_required
from community.web import (
    AuthenticatedRequest,
    BadInput,
    add_service_errors,
    paginate,
    query_without_page,
)
from intel.errors import WorkflowError
from intel.impact.views import review_panel_context
from intel.models import Contribution, ReviewApproval
from intel.reports import picker, selectors, services
from intel.reports.forms import (
    BulkClaimForm,
    ClaimForm,
    CommentForm,
    DecisionForm,
    RevealForm,
    ReviewFilterForm,
    SavedSearchForm,
    TagCorrectionForm,
)
from intel.reports.revisions import revision_diff
from intel.reports.search import highlight_page, search_contributions
from intel.tagging import selectors as selectors_tagging
from intel.tagging.services import tag_correct


def _render_queue(
    request: AuthenticatedRequest, *, bulk_form: BulkClaimForm | None = None, status: int = 200
) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    page = paginate(request, selectors.review_queue(**form.filters()))
    return render(
        request,
        "intel/review_queue.html",
        {"form": form, "page": page, "contributions": page.object_list,
         "query": query_without_page(request), "bulk_form": bulk_form or BulkClaimForm()},
        status=status,
    )  # fmt: skip


@analyst_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    return _render_queue(request)


@require_POST
@analyst_required
def review_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Claim, release or assign many reports; skipped ones are counted, never forced."""
    form = BulkClaimForm(request.POST)
    if not form.is_valid():
        return _render_queue(request, bulk_form=form, status=400)
    contributions = selectors.queue_contributions(pks=form.cleaned_data["selected"])
    action = form.cleaned_data["action"]
    if action == "unclaim":
        result = services.reports_bulk_unclaim(contributions=contributions, analyst=request.user)
    else:
        result = services.reports_bulk_claim(
            contributions=contributions,
            analyst=request.user,
            assignee=form.cleaned_data["assignee"] if action == "assign" else None,
        )
    # Ids no longer in the queue (decided meanwhile) count as skipped too.
    skipped = len(form.cleaned_data["selected"]) - result.changed
    messages.success(
        request,
        _("%(changed)s report(s) updated, %(skipped)s left as they were.")
        % {"changed": result.changed, "skipped": skipped},
    )
    return redirect(f"{reverse('intel:review_queue')}?{request.GET.urlencode()}")


@require_POST
@analyst_required
def review_claim(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Claim, take over, release or assign one report (a conditional update on who had it)."""
    contribution = selectors.contribution_for_reviewer(pk=pk)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        raise BadInput(" ".join(str(e) for errors in form.errors.values() for e in errors))
    action, expected = form.cleaned_data["action"], form.cleaned_data["expected_reviewer"]
    try:
        if action == "claim":
            services.report_claim(contribution=contribution, analyst=request.user)
            messages.success(request, _("You are reviewing this report."))
        elif action == "take_over":
            services.report_claim(
                contribution=contribution, analyst=request.user, expected_reviewer_id=expected
            )
            messages.success(request, _("You took this report over."))
        elif action == "unclaim":
            services.report_unclaim(contribution=contribution, analyst=request.user)
            messages.success(request, _("You released this report."))
        else:
            services.report_assign(
                contribution=contribution,
                analyst=request.user,
                assignee=form.cleaned_data["assignee"],
                expected_reviewer_id=expected,
            )
            messages.success(request, _("Report assigned."))
    except WorkflowError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not change who reviews this report."))
    return redirect("intel:review_detail", pk=pk)


@analyst_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    query_string = query_without_page(request)
    context = {"form": form, "query": query_string,
               "saved_searches": selectors.saved_searches_of(user=request.user),
               "save_form": SavedSearchForm(initial={"query": query_string})}  # fmt: skip
    if form.is_bound and not form.is_valid():
        return render(request, "intel/search.html", {**context, "results": []}, status=400)
    query = form.cleaned_data.get("q", "") if form.is_bound else ""
    sort = form.cleaned_data.get("sort", "") if form.is_bound else ""
    results = search_contributions(
        user=request.user, query=query, sort=sort, **form.search_filters()
    )
    page = paginate(request, results)
    highlight_page(page.object_list, query)
    return render(
        request,
        "intel/search.html",
        {**context, "page": page, "results": page.object_list, "q": query},
    )


@require_POST
@analyst_required
def saved_search_save(request: AuthenticatedRequest) -> HttpResponse:
    form = SavedSearchForm(request.POST)
    if form.is_valid():
        try:
            services.saved_search_save(
                user=request.user,
                name=form.cleaned_data["name"],
                query_string=form.cleaned_data["query"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        search_form = ReviewFilterForm(QueryDict(request.POST.get("query", "")))
        search_form.is_valid()
        context = {"form": search_form, "results": [], "save_form": form,
                   "saved_searches": selectors.saved_searches_of(user=request.user)}  # fmt: skip
        return render(request, "intel/search.html", context, status=400)
    messages.success(request, _("Search saved."))
    return redirect(_search_url(form.cleaned_data["query"]))


@analyst_required
def saved_search_run(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    saved = selectors.saved_search_for(user=request.user, pk=pk)
    return redirect(_search_url(saved.query_string))


@require_POST
@analyst_required
def saved_search_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    saved = selectors.saved_search_for(user=request.user, pk=pk)
    services.saved_search_delete(saved_search=saved)
    messages.success(request, _("Saved search deleted."))
    return redirect("intel:search")


def _search_url(query_string: str) -> str:
    url = reverse("intel:search")
    return f"{url}?{query_string}" if query_string else url


def _render_review(
    request: AuthenticatedRequest,
    contribution: Contribution,
    *,
    decision_form: DecisionForm | None = None,
    tag_form: TagCorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review page; a form given here is shown as it was sent, with its errors."""
    approvals = ReviewApproval.objects.filter(
        contribution=contribution, revision=contribution.revision
    ).select_related("analyst")
    return render(
        request,
        "intel/review_detail.html",
        {
            "contribution": contribution,
            "detail": contribution.detail,
            "comments": selectors.comments_of(contribution=contribution),
            "attachments": selectors.reviewer_attachments(contribution=contribution),
            "approvals": approvals,
            "approved_by_me": any(a.analyst_id == request.user.pk for a in approvals),
            "answers": selectors.requirements_answered(contribution=contribution),
            "comment_form": CommentForm(),
            "claim_form": ClaimForm(),
            "decision_form": decision_form or DecisionForm(),
            **_tags_context(contribution, tag_form),
            "cluster": selectors_tagging.cluster_for_review(contribution=contribution),
            "revision_diff": revision_diff(contribution=contribution),
            **review_panel_context(contribution),
        },
        status=status,
    )


def _tags_context(
    contribution: Contribution, tag_form: TagCorrectionForm | None
) -> dict[str, object]:
    return {
        "contribution": contribution,
        "tag_groups": selectors_tagging.tags_for_review(contribution=contribution),
        "tag_form": tag_form or TagCorrectionForm(),
        "tag_options": picker.tag_options(),
    }


@analyst_required
def review_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_review(request, selectors.contribution_for_reviewer(pk=pk))


def _wants_fragment(request: AuthenticatedRequest) -> bool:
    """The tag picker's script asks for the tags section alone (no full page)."""
    return request.headers.get("X-Fragment") == "review-tags"


@require_POST
@analyst_required
def review_tag_correct(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An analyst adds a tag or strikes one out; the correction is kept through re-tagging.

    The tag may be typed as its name in English or Japanese, a term, or the
    slug (`intel.reports.picker`). A mistake re-renders the form with what was
    typed (400); the picker's script gets the tags section alone.
    """
    contribution = selectors.contribution_for_reviewer(pk=pk)
    form = TagCorrectionForm(request.POST)
    done = False
    if form.is_valid():
        try:
            slug = picker.resolve_tag(
                kind=form.cleaned_data["kind"], text=form.cleaned_data["slug"]
            )
            tag_correct(
                contribution=contribution,
                analyst=request.user,
                kind=form.cleaned_data["kind"],
                slug=slug,
                present=form.cleaned_data["action"] == "add",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not correct this report's tags."))
        else:
            done = True
    if _wants_fragment(request):
        context = _tags_context(contribution, None if done else form)
        context["tags_message"] = _("Tags updated.") if done else ""
        return render(request, "intel/_review_tags.html", context, status=200 if done else 400)
    if done:
        messages.success(request, _("Tags updated."))
        return redirect("intel:review_detail", pk=pk)
    return _render_review(request, contribution, tag_form=form, status=400)


@require_POST
@analyst_required
def review_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_reviewer(pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if "action" in form.errors:
            form.add_error(None, _("Choose a decision."))
        return _render_review(request, contribution, decision_form=form, status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "start":
            services.report_start_review(contribution=contribution, analyst=request.user)
            messages.success(request, _("You are reviewing this report."))
        elif action == "accept":
            outcome = services.report_accept(
                contribution=contribution, analyst=request.user, note=reason
            )
            if outcome == services.AcceptOutcome.AWAITING_SECOND_ANALYST:
                messages.success(
                    request,
                    _(
                        "Your approval is recorded. "
                        "A second analyst must accept it too (four eyes)."
                    ),
                )
            else:
                messages.success(request, _("Accepted."))
        elif action == "request_changes":
            services.report_request_changes(
                contribution=contribution, analyst=request.user, reason=reason
            )
            messages.success(request, _("Changes requested; the author has been told why."))
        else:
            services.report_reject(contribution=contribution, analyst=request.user, reason=reason)
            messages.success(request, _("Rejected; the author has been told why."))
    except ValidationError as error:
        # What the analyst typed stays in the form, with the reason it was refused.
        add_service_errors(form, error)
        return _render_review(request, contribution, decision_form=form, status=400)
    except WorkflowError as error:
        form.add_error(None, error.message)
        return _render_review(request, contribution, decision_form=form, status=409)
    except PermissionDenied as error:
        form.add_error(None, str(error) or _("You may not decide on this report."))
        return _render_review(request, contribution, decision_form=form, status=403)
    return redirect("intel:review_detail", pk=pk)


@require_POST
@login_required
def comment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Both sides of the thread post here; the selector checks who may see the report."""
    contribution = selectors.contribution_for_viewer(user=request.user, pk=pk)
    is_author = contribution.author_id == request.user.pk
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                contribution=contribution, author=request.user, body=form.cleaned_data["body"]
            )
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment before sending it."))
    if is_author:
        return redirect("intel:contribution_detail", pk=pk)
    return redirect("intel:review_detail", pk=pk)


@analyst_required
def reveal_author(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An administrator names the author of an anonymous report, giving a reason (audited)."""
    if not request.user.is_site_admin:
        raise PermissionDenied
    contribution = selectors.contribution_for_reviewer(pk=pk)
    if not contribution.is_anonymous:
        raise Http404
    revealed = None
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revealed = services.author_reveal(
                contribution=contribution, admin=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
    return render(
        request,
        "intel/reveal_author.html",
        {"contribution": contribution, "form": form, "revealed": revealed},
        status=400 if request.method == "POST" and revealed is None else 200,
    )
