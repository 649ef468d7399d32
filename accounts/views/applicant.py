"""The applicant's pages: apply, follow and answer the application, open an invitation,
and allauth's email confirmation link, hardened."""

from __future__ import annotations

from typing import Any

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from community.web import AuthenticatedRequest, add_service_errors
from intel.errors import WorkflowError

from .. import selectors, services
from ..forms import ApplicationForm, ResubmitForm
from ..models import Application, Membership

REFERRAL_SESSION_KEY = "accounts.referral_code"


@login_required
@require_GET
def application_detail(request: AuthenticatedRequest) -> HttpResponse:
    """The applicant's own application: status, the analyst's message, what to do next."""
    application = selectors.application_of(user=request.user)
    if application is None:
        return redirect("accounts:apply")
    membership = Membership.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/application_detail.html",
        {"application": application, "membership": membership},
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if Application.objects.filter(user=user).exists():
        return redirect("accounts:application")
    if Membership.objects.filter(user=user).exists():
        messages.info(request, _("You are already a member of the community."))
        return redirect("home")
    if request.method == "POST":
        form = ApplicationForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.application_submit(
                    user=user,
                    details=form.details(),
                    referral_code=form.cleaned_data["referral_code"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except (WorkflowError, PermissionDenied) as exc:
                messages.error(request, str(exc))
                return redirect("accounts:application")
            else:
                request.session.pop(REFERRAL_SESSION_KEY, None)
                messages.success(
                    request, _("Your application has been sent. An analyst will review it.")
                )
                return redirect("accounts:application")
    else:
        form = ApplicationForm(
            user=user, initial={"referral_code": request.session.get(REFERRAL_SESSION_KEY, "")}
        )
    return render(request, "accounts/apply.html", {"form": form, "resubmit": False})


@login_required
@require_http_methods(["GET", "POST"])
def application_resubmit(request: AuthenticatedRequest) -> HttpResponse:
    """Answer the analyst's question, correct the application if needed, send it back."""
    application = selectors.application_of(user=request.user)
    if application is None:
        return redirect("accounts:apply")
    if application.status != Application.Status.MORE_INFO:
        messages.info(request, _("Your application is not waiting for an answer from you."))
        return redirect("accounts:application")
    if request.method == "POST":
        form = ResubmitForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.application_resubmit(
                    application=application,
                    user=request.user,
                    details=form.details(),
                    response=form.cleaned_data["response"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect("accounts:application")
            else:
                messages.success(
                    request, _("Your answer has been sent. An analyst will review it.")
                )
                return redirect("accounts:application")
    else:
        initial = {
            field: getattr(application, field)
            for field in (
                "affiliation",
                "organisation",
                "position",
                "country",
                "sectors",
                "statement",
                "conflict_of_interest",
                "accepts_handling_rules",
                "response",
            )
        }
        form = ResubmitForm(user=request.user, initial=initial)
    return render(
        request,
        "accounts/apply.html",
        {"form": form, "resubmit": True, "application": application},
    )


@require_GET
def invitation_landing(request: HttpRequest, code: str) -> HttpResponse:
    """Where an invitation link leads: who vouches, and the way to apply with the code."""
    invitation = selectors.invitation_find(code=code)
    if invitation is not None and invitation.is_usable:
        # Carried through sign-up and e-mail verification to the application form.
        request.session[REFERRAL_SESSION_KEY] = code
    return render(
        request,
        "accounts/invitation_landing.html",
        {"invitation": invitation},
        status=200 if invitation is not None else 404,
    )


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """allauth's email confirmation page, where a key of the wrong shape is an invalid link.

    allauth's `EmailConfirmationHMAC.from_key` catches only signing errors: a
    payload validly signed with its salt that is not an address id (a list, a
    word) reaches the database lookup and raises there, a 500. Such a key gets
    what any invalid key gets: the "expired or invalid" page, a 404 on POST.
    """

    def get_object(self, queryset: Any = None) -> Any:
        try:
            return super().get_object(queryset)
        except (TypeError, ValueError) as error:
            raise Http404 from error


confirm_email = ConfirmEmailView.as_view()
