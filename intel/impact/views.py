"""Impact pages: the member's own impact page, and analysts' notes and contradictions on the
review page (the grade suggestion is on the member's grade page, `accounts.views.analyst`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import analyst_required, contributor_required
from community.web import AuthenticatedRequest, add_service_errors
from intel.errors import WorkflowError
from intel.impact import selectors, services
from intel.impact.forms import AcknowledgementForm, ContradictionForm
from intel.models import Acknowledgement, Contradiction, Contribution


@contributor_required
@require_GET
def impact(request: AuthenticatedRequest) -> HttpResponse:
    """What each of my contributions changed (anonymous ones too: this is my own view)."""
    impacts = selectors.impact_of(user=request.user)
    return render(
        request,
        "intel/impact/impact.html",
        {"impacts": impacts, "totals": selectors.impact_totals(impacts)},
    )


def review_panel_context(
    contribution: Contribution,
    *,
    note_form: AcknowledgementForm | None = None,
    contradiction_form: ContradictionForm | None = None,
) -> dict[str, Any]:
    """What the review page shows of impact: notes sent, a contradiction, their forms."""
    return {
        "acknowledgements": Acknowledgement.objects.filter(contribution=contribution)
        .select_related("analyst")
        .order_by("created_at", "pk"),
        "contradiction": Contradiction.objects.filter(contribution=contribution)
        .select_related("marked_by")
        .first(),
        "note_form": note_form or AcknowledgementForm(),
        "contradiction_form": contradiction_form or ContradictionForm(),
    }


def _render_form(
    request: AuthenticatedRequest, contribution: Contribution, form: Any, *, status: int
) -> HttpResponse:
    return render(
        request,
        "intel/impact/review_form.html",
        {"contribution": contribution, "form": form},
        status=status,
    )


def _act(request: AuthenticatedRequest, pk: int, form: Any, action: Any, done: str) -> HttpResponse:
    contribution = selectors.contribution_for_acknowledgement(pk=pk)
    if not form.is_valid():
        return _render_form(request, contribution, form, status=400)
    try:
        action(contribution)
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_form(request, contribution, form, status=400)
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return _render_form(request, contribution, form, status=403)
    except WorkflowError as error:
        form.add_error(None, str(error))
        return _render_form(request, contribution, form, status=409)
    messages.success(request, done)
    return redirect("intel:review_detail", pk=contribution.pk)


@require_POST
@analyst_required
def acknowledgement_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    form = AcknowledgementForm(request.POST)

    def send(contribution: Contribution) -> None:
        services.acknowledgement_send(
            contribution=contribution,
            analyst=request.user,
            kind=form.cleaned_data["kind"],
            message=form.cleaned_data["message"],
        )

    return _act(request, pk, form, send, _("Your note was sent to the author."))


@require_POST
@analyst_required
def contradiction_mark(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    form = ContradictionForm(request.POST)

    def mark(contribution: Contribution) -> None:
        services.contradiction_mark(
            contribution=contribution, analyst=request.user, reason=form.cleaned_data["reason"]
        )

    return _act(request, pk, form, mark, _("Marked as later contradicted."))
