"""Who may open what: the rule for privileged access, view decorators and DRF permissions.

Analyst and admin power needs the role *and* a sign-in that passed the second
factor — an enrolled authenticator is not enough. A sign-in passed it when:

- a session holds an allauth "mfa" authentication record (the TOTP or recovery
  code step of the login, an MFA reauthentication, or enrolling TOTP in this
  session) made after the user's current TOTP authenticator was created;
- an API token was issued after that authenticator was created (the token
  endpoint then required a code from it).

The answer is worked out once per request where the sign-in is read
(`accounts.middleware.SecondFactorMiddleware` for sessions,
`accounts.authentication.TokenAuthentication` for tokens) and kept on the user
as `second_factor_passed`. Every check reads it through `has_analyst_access` or
`has_admin_access`: `analyst_required` pages, the admin site
(`community.admin.AdminSite`), `IsAnalyst`, and the clearance a reader gets
(`intel.digests.selectors.reader_clearance`). A user loaded any other way (a
task, the shell) never has it.

Services re-check the role itself with `require_analyst`, whoever calls them.

Contributor pages need an active membership. A signed-in user who lacks the
standing gets a page that explains it rather than a bare refusal.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

View = Callable[..., HttpResponse]


def mfa_enrolled(user: Any) -> bool:
    return bool(is_mfa_enabled(user, types=[Authenticator.Type.TOTP]))


# --- Did this sign-in pass the second factor? ------------------------------------


def _totp_created_at(user: Any) -> datetime.datetime | None:
    return (
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)
        .values_list("created_at", flat=True)
        .first()
    )


def session_passed_second_factor(request: HttpRequest, user: Any) -> bool:
    """Whether `request`'s session signed `user` in through their current TOTP authenticator."""
    passed_at = [
        record["at"]
        for record in get_authentication_records(request, user)
        if record.get("method") == "mfa" and isinstance(record.get("at"), int | float)
    ]
    if not passed_at:
        return False
    # A step passed against an authenticator since replaced (elsewhere) does not count.
    created_at = _totp_created_at(user)
    return created_at is not None and max(passed_at) >= created_at.timestamp()


def token_passed_second_factor(token: Any) -> bool:
    """Whether an API token was issued against the user's current TOTP authenticator.

    The token endpoint asks anyone with an authenticator for a code, so a token
    issued after the authenticator was created passed it; one issued before
    (without a code) never counts, even if revoking it on enrolment failed.
    """
    if hasattr(token, "totp_created_at"):
        created_at = token.totp_created_at
    else:
        created_at = _totp_created_at(token.user)
    return created_at is not None and token.created >= created_at


def has_passed_second_factor(user: Any) -> bool:
    return bool(
        user is not None and user.is_authenticated and getattr(user, "second_factor_passed", False)
    )


def has_analyst_access(user: Any) -> bool:
    """Analyst power: the analysts role, through a sign-in that passed the second factor."""
    return bool(has_passed_second_factor(user) and user.is_analyst)


def has_admin_access(user: Any) -> bool:
    """The Django admin: active staff, through a sign-in that passed the second factor."""
    return bool(has_passed_second_factor(user) and user.is_active and user.is_staff)


def second_factor_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send a signed-in person to the second factor, then on to `next_url`.

    Enrolled: confirm a code from the authenticator (allauth's MFA
    reauthentication, which records the step in the session). Not enrolled:
    set up TOTP first (enrolling counts as passing it for this session).
    """
    query = urlencode({"next": next_url})
    if mfa_enrolled(request.user):
        messages.warning(
            request,
            _(
                "This page needs a sign-in with two-factor authentication. Enter a code "
                "from your authenticator app to continue."
            ),
        )
        return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
    messages.warning(
        request, _("This page needs two-factor authentication. Set it up to continue.")
    )
    return redirect(f"{reverse('mfa_activate_totp')}?{query}")


def require_analyst(actor: Any) -> None:
    """Services re-check the role: a view or endpoint that forgets must still be refused.

    The role only: the second factor is a property of a sign-in, which a
    service (called from a task or the shell as well) does not have.
    """
    if not actor.is_analyst:
        raise PermissionDenied(_("Only analysts may take this decision."))


# --- Web views ----------------------------------------------------------------------


def analyst_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_analyst:
            raise PermissionDenied
        if not has_analyst_access(user):
            return second_factor_redirect(request, request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def contributor_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_vetted_contributor:
            return render(request, "accounts/not_vetted.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


# --- API ------------------------------------------------------------------------------


class IsAnalyst(BasePermission):
    message = (
        "Analyst role and a sign-in that passed two-factor authentication required: with a "
        "TOTP authenticator, request the API token with its code (otp)."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        return has_analyst_access(request.user)


class IsVettedContributor(BasePermission):
    message = "Only active, vetted members may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_vetted_contributor)
