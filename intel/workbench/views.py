"""The workbench page: the analyst's home (also at /intel/workbench/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from accounts.permissions import analyst_required
from community.web import AuthenticatedRequest
from intel.workbench.selectors import workbench_for


def render_workbench(request: HttpRequest) -> HttpResponse:
    """The page itself; callers have checked `has_analyst_access` already."""
    analyst = request.user
    assert isinstance(analyst, User)  # noqa: S101 - narrowing
    return render(request, "intel/workbench.html", {"workbench": workbench_for(analyst=analyst)})


@analyst_required
def workbench(request: AuthenticatedRequest) -> HttpResponse:
    return render_workbench(request)
