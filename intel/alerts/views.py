"""Watch pages: list, create, edit, delete, unmute (signed in), and the signed mute link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from intel.alerts import selectors, services
from intel.alerts.forms import WatchForm
from intel.errors import WorkflowError
from intel.models import Watch


def _watcher(request: HttpRequest) -> Any:
    if not selectors.may_watch(request.user):
        raise PermissionDenied(_("Only members, readers and analysts can keep watches."))
    return request.user


def _own_watch(request: HttpRequest, pk: int) -> Watch:
    watch = selectors.watch_of(user=_watcher(request), pk=pk)
    if watch is None:
        raise Http404
    return watch


@login_required
def watch_list(request: HttpRequest) -> HttpResponse:
    user = _watcher(request)
    watches = [(watch, selectors.watch_labels(watch)) for watch in selectors.watches_of(user=user)]
    return render(request, "intel/alerts/watch_list.html", {"watches": watches})


def _save(request: HttpRequest, *, watch: Watch | None) -> HttpResponse:
    user = _watcher(request)
    if request.method == "POST":
        form = WatchForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.watch_save(
                    user=user, watch=watch, name=data["name"], sectors=data["sectors"],
                    signals=data["signals"], countries=data["countries"],
                    commodities=data["commodities"], query=data["query"],
                    frequency=data["frequency"],
                )  # fmt: skip
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Watch saved."))
                return redirect("intel:watch_list")
        return render(
            request, "intel/alerts/watch_form.html", {"form": form, "watch": watch}, status=400
        )
    initial = WatchForm.initial_for(watch, selectors.watch_labels(watch)) if watch else None
    form = WatchForm(initial=initial)
    return render(request, "intel/alerts/watch_form.html", {"form": form, "watch": watch})


@login_required
@require_http_methods(["GET", "POST"])
def watch_create(request: HttpRequest) -> HttpResponse:
    return _save(request, watch=None)


@login_required
@require_http_methods(["GET", "POST"])
def watch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, watch=_own_watch(request, pk))


@login_required
@require_POST
def watch_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.watch_delete(user=request.user, watch=_own_watch(request, pk))  # type: ignore[arg-type]
    messages.success(request, _("Watch deleted."))
    return redirect("intel:watch_list")


@login_required
@require_POST
def watch_unmute(request: HttpRequest, pk: int) -> HttpResponse:
    services.watch_unmute(user=request.user, watch=_own_watch(request, pk))  # type: ignore[arg-type]
    messages.success(request, _("Alerts for this watch are on again."))
    return redirect("intel:watch_list")


# The link in every alert: no sign-in, the signed token is the authority. GET
# asks (link scanners follow links); POST mutes, also as RFC 8058's one-click
# POST from mail clients, which carries no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def watch_mute(request: HttpRequest, token: str) -> HttpResponse:
    watch = selectors.watch_by_mute_token(token)
    if watch is None:
        return render(request, "intel/alerts/mute_invalid.html", status=404)
    muted = False
    if request.method == "POST":
        services.watch_mute(watch=watch)
        muted = True
    return render(request, "intel/alerts/mute.html", {"watch": watch, "muted": muted})
