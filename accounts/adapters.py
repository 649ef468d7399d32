"""allauth customisation: our emails leave through the Celery queue after commit,
and a person who is neither a member nor an analyst lands on their application."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from community.links import base_url, site_name_lazy
from community.mail import email_send_on_commit

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth's templates greet with `current_site.name`: give them our name and
        # the host the links point at, as our own emails have.
        context = {
            "current_site": SimpleNamespace(
                name=site_name_lazy(), domain=urlsplit(base_url()).netloc
            ),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        email_send_on_commit(message=message)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        # A member's reader comes to read: the library, not the application.
        if isinstance(user, User) and user.is_reader:
            return reverse("intel:library")
        # After verifying their email, or signing in while not yet vetted, the
        # next step is the application (the form, or its status).
        if isinstance(user, User) and not user.is_analyst and not user.is_vetted_contributor:
            return reverse("accounts:application")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Used when the email confirmation resumes the sign-up: the newcomer's
        # next step is always the application form.
        return reverse("accounts:application")
