"""The workbench page: the analyst's home (also at /intel/workbench/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import analyst_required
from community.web import AuthenticatedRequest
from intel.digests import svg
from intel.vocabulary import Sector
from intel.workbench.selectors import workbench_for


def render_workbench(request: HttpRequest) -> HttpResponse:
    """The page itself; callers have checked `has_analyst_access` already."""
    analyst = request.user
    assert isinstance(analyst, User)  # noqa: S101 - narrowing
    workbench = workbench_for(analyst=analyst)
    sectors = [
        {
            "trend": trend,
            "sparkline": mark_safe(  # noqa: S308 - built by intel.digests.svg, which escapes
                svg.sparkline(
                    trend.weekly,
                    title=_("%(sector)s: accepted reports per week, last 12 weeks: %(counts)s")
                    % {
                        "sector": Sector(trend.sector).label,
                        "counts": ", ".join(str(n) for n in trend.weekly),
                    },
                )
            ),
        }
        for trend in workbench.sectors
    ]
    return render(request, "intel/workbench.html", {"workbench": workbench, "sectors": sectors})


@analyst_required
def workbench(request: AuthenticatedRequest) -> HttpResponse:
    return render_workbench(request)
