"""Site-wide pages: home, health endpoint, language switch, and the 400/404 answers.

The error answers are JSON under /api/ (as DRF's own are) and readable pages
elsewhere, so a route the URL patterns refuse (`/api/digests/abc/`) or a
request refused before any view still answers the API's way.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from accounts.permissions import has_analyst_access
from intel.workbench.views import render_workbench

from .health import health_report
from .web import BadInput


def home(request: HttpRequest) -> HttpResponse:
    """The workbench for an analyst, the welcome page for everyone else."""
    if has_analyst_access(request.user):
        return render_workbench(request)
    return render(request, "pages/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = health_report()
    body = {"status": "ok" if healthy else "failing", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, also remembered on the account of a signed-in user."""
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and check_for_language(language) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return django_set_language(request)


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request_response(request: HttpRequest, *, reason: str) -> HttpResponse:
    """A 400 that says what was wrong: JSON `{"detail": …}` for the API, else the 400 page."""
    if is_api_request(request):
        return JsonResponse({"detail": reason}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400. Only a `BadInput`'s text is shown: other exceptions may describe the server."""
    if isinstance(exception, BadInput):
        reason = str(exception)
    elif isinstance(exception, RequestDataTooBig):
        reason = _("The request is larger than this site accepts.")
    else:
        reason = _("The request could not be understood. Check the address or the form.")
    return bad_request_response(request, reason=reason)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404."""
    if is_api_request(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
