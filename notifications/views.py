"""Notification pages: the list, marking read, the settings, and the header's unread count."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from community.web import AuthenticatedRequest, BadInput, paginate
from notifications import selectors, services
from notifications.forms import PreferencesForm
from notifications.models import AnalystSectors
from notifications.texts import notification_text


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = paginate(request, selectors.notifications_of(user=request.user))
    items = [
        {"notification": n, "text": notification_text(n.kind, n.params)} for n in page.object_list
    ]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "items": items, "unread": selectors.unread_count(user=request.user)},
    )


@require_POST
@login_required
def notification_read(request: AuthenticatedRequest) -> HttpResponse:
    """Mark one (`id`) or all of the signed-in person's notifications read."""
    raw = request.POST.get("id", "")
    if raw and not raw.isdigit():
        raise BadInput(_("Choose a notification from the list."))
    services.notifications_mark_read(user=request.user, ids=[int(raw)] if raw else None)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@never_cache
@require_GET
@login_required
def unread(request: AuthenticatedRequest) -> JsonResponse:
    """The header's badge reads this, so ordinary pages cost no extra query."""
    return JsonResponse({"unread": selectors.unread_count(user=request.user)})


@login_required
def notification_settings(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    kinds = selectors.kinds_for(user)
    followed = AnalystSectors.objects.filter(user=user).values_list("sectors", flat=True).first()
    form = PreferencesForm(
        request.POST or None,
        user=user,
        kinds=kinds,
        current=selectors.preferences_of(user=user),
        sectors=list(followed or []),
    )
    if request.method == "POST":
        if form.is_valid():
            services.preferences_update(
                user=user,
                choices=form.choices(),
                sectors=form.cleaned_data.get("sectors") if form.follows_sectors else None,
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
        return render(request, "notifications/settings.html", {"form": form}, status=400)
    return render(request, "notifications/settings.html", {"form": form})
