"""Who may open what: view decorators and DRF permissions shared by every app.

Analyst pages need the analysts role *and* an enrolled TOTP authenticator;
contributor pages need an active membership. A signed-in user who lacks the
standing gets a 403 page that explains their status rather than a bare refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

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


def analyst_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_analyst:
            raise PermissionDenied
        if not mfa_enrolled(user):
            messages.warning(
                request, _("Analyst pages need two-factor authentication. Set it up to continue.")
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
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


class IsAnalyst(BasePermission):
    message = "Analyst role with two-factor authentication required."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_analyst and mfa_enrolled(user))


class IsVettedContributor(BasePermission):
    message = "Only active, vetted members may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_vetted_contributor)
