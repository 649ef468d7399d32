"""Briefing pages: subscribe, confirm, preferences, one-click unsubscribe, member account, archive.

Subscribers have no account: the confirmation and preferences pages are
reached through signed, expiring links, and unsubscribing through the opaque
token of the `List-Unsubscribe` header. Links in email are prefetched by
scanners, so no GET ever changes anything: each page shows a button.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from community.web import add_service_errors, paginate
from intel.briefings import compose, selectors, services
from intel.briefings.forms import PreferencesForm, SubscribeForm
from intel.digests.selectors import reader_clearance
from intel.models import Subscription, SubscriptionStatus
from intel.vocabulary import Sector, Tlp, sector_labels


def _rate_limited(request: HttpRequest) -> bool:
    """The form sends email, so it must not become a way to flood other people's inboxes.

    allauth's limiter (`ACCOUNT_RATE_LIMITS["briefing_subscribe"]`, per client
    address as allauth determines it behind proxies, counted in the shared cache).
    """
    return not ratelimit.consume(request, action="briefing_subscribe")


# --- Subscribing -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if _rate_limited(request):
            form.add_error(None, _("Too many requests from your network. Try again later."))
            status = 429
        elif form.is_valid():
            try:
                services.subscription_request(
                    email=form.cleaned_data["email"],
                    sectors=form.cleaned_data["sectors"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("briefings:subscribe_sent")
    return render(
        request,
        "intel/briefings/subscribe.html",
        {"form": form, "member": selectors.may_subscribe_from_account(request.user)},
        status=status,
    )


@require_GET
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "intel/briefings/subscribe_sent.html")


def _link_invalid(request: HttpRequest, error: signing.BadSignature) -> HttpResponse:
    return render(
        request,
        "intel/briefings/link_invalid.html",
        {"expired": isinstance(error, signing.SignatureExpired)},
        status=400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = selectors.subscription_from_confirmation(token)
    except signing.BadSignature as error:
        return _link_invalid(request, error)
    confirmed = subscription.status == SubscriptionStatus.ACTIVE
    if request.method == "POST":
        confirmed = services.subscription_confirm(subscription=subscription)
    return render(
        request,
        "intel/briefings/confirm.html",
        {
            "subscription": subscription,
            "sectors": sector_labels(subscription.sectors),
            "confirmed": confirmed,
            "preferences_path": _preferences_path(subscription),
        },
    )


def _preferences_path(subscription: Subscription) -> str:
    return reverse("briefings:preferences", args=[selectors.preferences_token(subscription)])


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = selectors.subscription_from_preferences(token)
    except signing.BadSignature as error:
        return _link_invalid(request, error)
    initial = {
        "sectors": subscription.sectors,
        "language": subscription.language,
        "content": subscription.content,
    }
    form = PreferencesForm(
        request.POST if request.POST.get("action") == "save" else None, initial=initial
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unsubscribe":
            services.subscription_unsubscribe(subscription=subscription)
            messages.success(request, _("You are unsubscribed. No more briefings will be sent."))
            return redirect(request.path)
        if action == "resume":
            if services.subscription_resume(subscription=subscription):
                messages.success(request, _("Your subscription is active again."))
            return redirect(request.path)
        if action == "save" and form.is_valid():
            try:
                services.subscription_update(
                    subscription=subscription,
                    sectors=form.cleaned_data["sectors"],
                    language=form.cleaned_data["language"],
                    content=form.cleaned_data["content"] or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect(request.path)
        status = 400
    return render(
        request,
        "intel/briefings/preferences.html",
        {"form": form, "subscription": subscription},
        status=status,
    )


@csrf_exempt  # RFC 8058: mail providers POST here with no cookie and no CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (scanners prefetch links). POST: unsubscribe; 200, no redirect.

    The POST needs nothing but the opaque token in the URL, is idempotent and
    changes only this subscription, so it is safe without a CSRF token: a
    forged POST can only do what the link's holder could do anyway.
    """
    subscription = selectors.subscription_by_unsubscribe_token(token)
    done = subscription.status == SubscriptionStatus.UNSUBSCRIBED
    if request.method == "POST":
        services.subscription_unsubscribe(subscription=subscription)
        done = True
    return render(
        request, "intel/briefings/unsubscribe.html", {"subscription": subscription, "done": done}
    )


# --- Members ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """A vetted member's (or analyst's) subscription, with no email confirmation."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.may_subscribe_from_account(user):
        return render(request, "intel/briefings/account_refused.html", status=403)
    subscription = selectors.subscription_of_user(user)
    initial = (
        {
            "sectors": subscription.sectors,
            "language": subscription.language,
            "content": subscription.content,
        }
        if subscription
        else {"language": user.language}
    )
    form = PreferencesForm(
        request.POST if request.POST.get("action") == "save" else None, initial=initial
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unsubscribe" and subscription is not None:
            services.subscription_unsubscribe(subscription=subscription)
            messages.success(request, _("You are unsubscribed. No more briefings will be sent."))
            return redirect("briefings:account")
        if action == "save" and form.is_valid():
            try:
                services.subscription_member_save(
                    user=user,
                    sectors=form.cleaned_data["sectors"],
                    language=form.cleaned_data["language"],
                    content=form.cleaned_data["content"] or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your briefing subscription is saved."))
                return redirect("briefings:account")
        status = 400
    clearance = selectors.subscription_clearance(subscription) if subscription else Tlp.GREEN
    return render(
        request,
        "intel/briefings/account.html",
        {
            "form": form,
            "subscription": subscription,
            "clearance_label": Tlp(clearance).label,
        },
        status=status,
    )


# --- Archive -----------------------------------------------------------------------------------


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.briefing_weeks())
    return render(
        request,
        "intel/briefings/archive.html",
        {"page": page, "weeks": page.object_list, "clearance": reader_clearance(request.user)},
    )


@require_GET
def week(request: HttpRequest, week_start: str) -> HttpResponse:
    """A week's briefing for this reader: every published sector, at the reader's clearance."""
    briefing_week = selectors.briefing_week(week_start=week_start)
    clearance = reader_clearance(request.user)
    language = (translation.get_language() or "en")[:2]
    digests = selectors.WeekDigests.load(briefing_week.week_start)
    sectors = digests.published_sectors
    chosen = request.GET.get("sector", "")
    if chosen in Sector.values:
        sectors = [sector for sector in sectors if sector == chosen]
    briefing = digests.briefing(
        sectors=sectors, clearance=clearance, language=language, page_url=request.path
    )
    return render(
        request,
        "intel/briefings/week.html",
        {
            "week": briefing_week,
            "briefing": compose.briefing_context(briefing),
            "clearance": clearance,
            "is_public_view": clearance == Tlp.CLEAR,
            "sector": chosen if chosen in Sector.values else "",
        },
    )
