"""Plain helpers the tests call: signing in as allauth does, API tokens, a free port.

Fixtures live in the conftest files; what a test calls with its own arguments
lives here, so no test imports a conftest.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY as TOTP_SECRET_SESSION_KEY
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services
from accounts.middleware import SecondFactorMiddleware
from accounts.permissions import mfa_enrolled
from tests.accounts.factories import TEST_PASSWORD, totp_code


def record_sign_in(client: Client, user: Any, *, second_factor: bool) -> None:
    """Record in `client`'s session how `user` signed in, with allauth's own records:
    the password step and, if `second_factor`, the TOTP step of the login."""
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    if second_factor:
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    request.session.save()


def signed_in(user: Any, *, second_factor: bool | None = None) -> Any:
    """`user` as a request of theirs sees them (session and SecondFactorMiddleware), signed
    in like `client_for` does, or without the TOTP step if `second_factor=False`."""
    client = Client()
    client.force_login(user)
    passed = mfa_enrolled(user) if second_factor is None else second_factor
    record_sign_in(client, user, second_factor=passed)
    request = RequestFactory().get("/")
    request.session = client.session
    SecondFactorMiddleware(lambda _request: HttpResponse())(request)
    return request.user


def reauthenticate(client: Client, response: Any, password: str = TEST_PASSWORD) -> Any:
    """Answer allauth's "confirm your password" redirect (`response`) before an
    authenticator change; allauth then resumes the request it interrupted."""
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("account_reauthenticate")
    ), response
    return client.post(response["Location"], {"password": password})


def enrol_totp_in_session(client: Client) -> str:
    """Enrol TOTP through allauth's pages in `client`'s session; returns the secret.

    Use inside `django_capture_on_commit_callbacks(execute=True)`: allauth
    announces the new authenticator after the commit.
    """
    reauthenticate(client, client.get(reverse("mfa_activate_totp")))
    client.get(reverse("mfa_activate_totp"))
    secret = str(client.session[TOTP_SECRET_SESSION_KEY])
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content[:300]
    return secret


def api_token_for(user: Any) -> str:
    """A token as the token endpoint issues it (with the TOTP code, for an enrolled user)."""
    _token, key = services.api_token_create(user=user)
    return key


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server of the test's own)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_serving(
    handler: Any, port: int, host: str = "127.0.0.1", *, settings: Any = None
) -> Iterator[None]:
    """A real aiosmtpd server answering with `handler` on `host:port` while the block runs;
    with pytest-django's `settings`, Django's outgoing mail goes to it."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname=host, port=port)
    controller.start()
    if settings is not None:
        send_mail_to(settings, host, port)
    try:
        yield
    finally:
        controller.stop()


def send_mail_to(settings: Any, host: str, port: int) -> None:
    """Point Django's outgoing mail (pytest-django's `settings`) at a plain SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def sign_in(
    page: Any, email: str, password: str = TEST_PASSWORD, *, totp_secret: str | None = None
) -> None:
    """Sign in through allauth's pages in a Playwright `page`; with `totp_secret`, also its
    code step."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret is not None:
        page.get_by_placeholder("Code").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()


def open_menu(page: Any, group: str) -> Any:
    """Open the main navigation's `group` dropdown (Review, Reports, Account, …) in a
    Playwright `page`, as a person clicks it; returns the navigation."""
    nav = page.get_by_role("navigation", name="Main navigation")
    summary = nav.locator("summary", has_text=group)
    if summary.locator("xpath=..").get_attribute("open") is None:
        summary.click()
    return nav


def wait_signed_in(page: Any) -> None:
    """Wait until the page shows the navigation of a signed-in person (its Account menu)."""
    page.get_by_role("navigation", name="Main navigation").locator(
        "summary", has_text="Account"
    ).wait_for()


def sign_out_in_browser(page: Any) -> None:
    open_menu(page, "Account").get_by_role("button", name="Sign out").click()


# Browser tests leave pictures of the main pages here for reviewers (the README names it).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def screenshot(page: Any, name: str) -> None:
    """Save a full-page picture of a Playwright `page` as docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def smtp_wait_until(inbox: Any, matches: Any, *, timeout: float = 60.0) -> Any:
    """The first message in the real SMTP `inbox` for which `matches(message)` holds, waiting
    for new arrivals up to `timeout` seconds in all (then the test fails, saying so)."""
    deadline = time.monotonic() + timeout
    seen = 0
    while True:
        messages = list(inbox.messages)
        found = next((m for m in messages[seen:] if matches(m)), None)
        if found is not None:
            return found
        seen = len(messages)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no matching message over SMTP within {timeout} s")
        inbox.wait_for(seen + 1, timeout=remaining)


def smtp_drain(inbox: Any, subject: str) -> None:
    """Queue a marker email behind every task queued so far and wait until it arrives: with
    one solo worker taking tasks in order, whatever was queued before it has run by then."""
    from django.core.mail import EmailMessage
    from django.db import transaction

    from community.mail import email_send_on_commit

    with transaction.atomic():
        email_send_on_commit(
            message=EmailMessage(subject, "marker", "intel@example.org", ["marker@example.org"])
        )
    smtp_wait_until(inbox, lambda message: message["Subject"] == subject)


def save_watch_in_browser(page: Any, *, name: str, sector: str, countries: str) -> None:
    """From "My watches" in a Playwright `page`: a new watch on one sector (its label) and
    `countries`, saved through the form."""
    page.get_by_role("link", name="New watch").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label(sector, exact=True).check()
    page.get_by_label("Countries").fill(countries)
    page.get_by_role("button", name="Save watch").click()
    page.get_by_text("Watch saved.").wait_for()
