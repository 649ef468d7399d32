"""A person's own pages: invitations, API tokens, their data as JSON, account deletion."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.web import AuthenticatedRequest, add_service_errors
from intel.errors import WorkflowError

from .. import selectors, services
from ..forms import AccountDeleteForm, ApiTokenRevokeForm, InvitationForm
from ..permissions import contributor_required


@contributor_required
@require_http_methods(["GET", "POST"])
def invitations(request: AuthenticatedRequest) -> HttpResponse:
    """Vouch for someone by email, within the monthly allowance; see past invitations."""
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation, _code = services.invitation_create(
                    inviter=request.user,
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": invitation.email},
                )
                return redirect("accounts:invitations")
    else:
        form = InvitationForm(initial={"language": request.user.language})
    return render(
        request,
        "accounts/invitations.html",
        {
            "form": form,
            "invitations": selectors.invitations_of(inviter=request.user)[:50],
            "remaining": selectors.invitations_remaining(inviter=request.user),
            "now": timezone.now(),
        },
    )


@never_cache
@login_required
@require_GET
def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The person's working API tokens (when issued, when they expire), to revoke."""
    tokens = selectors.api_tokens_of(user=request.user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": tokens, "API_TOKEN_TTL_HOURS": settings.API_TOKEN_TTL_HOURS},
    )


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedRequest) -> HttpResponse:
    form = ApiTokenRevokeForm(request.POST)
    # Malformed, unknown and someone else's tokens look the same: not yours.
    if not form.is_valid() or not services.api_token_revoke(
        user=request.user, digest=form.cleaned_data["token"]
    ):
        raise Http404
    messages.success(request, _("The token was revoked. Programs using it are refused from now."))
    return redirect("accounts:api-tokens")


@login_required
@require_POST
def api_tokens_revoke_all(request: AuthenticatedRequest) -> HttpResponse:
    count = services.api_tokens_revoke_all(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", count)
        % {"count": count},
    )
    return redirect("accounts:api-tokens")


@login_required
@require_GET
def privacy(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html")


@never_cache
@login_required
@require_GET
def privacy_export(request: AuthenticatedRequest) -> HttpResponse:
    """Everything we hold about the signed-in person, as a JSON download."""
    data = selectors.member_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"cip-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if user.is_superuser:
        messages.error(request, _("Administrator accounts are removed by another administrator."))
        return redirect("accounts:privacy")
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=user, actor=user)
        except (WorkflowError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("accounts:privacy")
        logout(request)
        messages.success(request, _("Your account and personal data have been deleted."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})
