"""Digest, sector and dashboard pages.

Who may open what (the permission tests pin it down):

- published digests, their print view and exports, the sector list and each
  sector's archive: everyone, redacted to `reader_clearance` (anonymous
  visitors TLP:CLEAR, vetted members TLP:GREEN, analysts TLP:RED). A reader
  may ask for a *lower* clearance (`?clearance=clear`) to preview what others
  see, never a higher one;
- drafts, editing, publishing, corrections, the build form, sector dashboards
  and assessments: analysts with two-factor authentication. Anyone else
  asking for a draft gets a 404, so its existence is not revealed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import analyst_required, has_analyst_access
from community.web import AuthenticatedRequest, add_service_errors, paginate
from intel.countries import country_name
from intel.digests import core as digest_core
from intel.digests import selectors as selectors_digests
from intel.digests import services as digest_services
from intel.digests import svg, worldmap
from intel.digests import text as digest_text
from intel.digests.forms import AssessmentForm, BuildWeekForm, CorrectionForm, DigestEditForm
from intel.errors import WorkflowError
from intel.models import Digest
from intel.vocabulary import Sector, Signal, Tlp, sector_labels


def _language(request: HttpRequest) -> str:
    return (translation.get_language() or "en")[:2]


def _clearance(request: HttpRequest) -> str:
    """The reader's clearance, or a lower one they asked to preview."""
    return selectors_digests.reader_clearance(
        request.user, preview=request.GET.get("clearance", "")
    )


def _sector(slug: str) -> str:
    if slug not in Sector.values:
        raise Http404
    return slug


def _view(request: HttpRequest, digest: Digest) -> tuple[dict[str, Any], str]:
    clearance = _clearance(request)
    view = selectors_digests.digest_view(
        digest=digest,
        clearance=clearance,
        language=_language(request),
        for_analyst=has_analyst_access(request.user),
    )
    return view, clearance


# --- Readers' pages ---------------------------------------------------------------------


@require_GET
def sector_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "intel/digests/sector_index.html",
        {"sectors": selectors_digests.sector_overview()},
    )


@require_GET
def digest_archive(request: HttpRequest, sector: str) -> HttpResponse:
    sector = _sector(sector)
    page = paginate(request, selectors_digests.published_digests(sector=sector, latest_only=False))
    return render(
        request,
        "intel/digests/archive.html",
        {"sector": sector, "page": page, "digests": page.object_list},
    )


@require_GET
def digest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    digest = selectors_digests.digest_for_reader(user=request.user, pk=pk)
    view, clearance = _view(request, digest)
    return render(
        request,
        "intel/digests/detail.html",
        {
            "digest": digest,
            "view": view,
            "clearance": clearance,
            "levels": [
                Tlp(level)
                for level in digest_core.allowed_levels(
                    selectors_digests.reader_clearance(request.user)
                )
            ],
            "is_analyst": has_analyst_access(request.user),
        },
    )


@require_GET
def digest_print(request: HttpRequest, pk: int) -> HttpResponse:
    digest = selectors_digests.digest_for_reader(user=request.user, pk=pk)
    view, clearance = _view(request, digest)
    return render(
        request,
        "intel/digests/print.html",
        {"digest": digest, "view": view, "clearance": clearance,
         "is_analyst": has_analyst_access(request.user)},
    )  # fmt: skip


def _filename(digest: Digest, extension: str) -> str:
    suffix = f"-v{digest.version}" if digest.version > 1 else ""
    return f"digest-{digest.sector}-{digest.week_start:%Y-%m-%d}{suffix}.{extension}"


def _export_headers(response: HttpResponse, digest: Digest, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{_filename(digest, extension)}"'
    # Redacted per reader: never serve one reader's copy to another from a cache.
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Cookie, Authorization, Accept-Language"
    return response


@require_GET
def digest_export_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    digest = selectors_digests.digest_for_reader(user=request.user, pk=pk)
    view, _clearance_level = _view(request, digest)
    contribution_url = None
    if has_analyst_access(request.user):

        def contribution_url(pk: int) -> str:
            return request.build_absolute_uri(reverse("intel:review_detail", args=[pk]))

    def item_url(item: Mapping[str, Any]) -> str:
        url = reverse("intel:digest_detail", args=[digest.pk])
        return request.build_absolute_uri(f"{url}#item-{item['number']}")

    body = digest_text.to_markdown(
        view, language=_language(request), contribution_url=contribution_url, item_url=item_url
    )
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    return _export_headers(response, digest, "md")


@require_GET
def digest_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    digest = selectors_digests.digest_for_reader(user=request.user, pk=pk)
    view, _clearance_level = _view(request, digest)
    body = json.dumps(digest_text.to_json_data(view), ensure_ascii=False, indent=2, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _export_headers(response, digest, "json")


# --- Analysts' pages --------------------------------------------------------------------


@analyst_required
def digest_queue(request: AuthenticatedRequest) -> HttpResponse:
    """Open drafts, and the form that builds a week on demand."""
    page = Paginator(selectors_digests.open_digests(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intel/digests/queue.html",
        {"page": page, "digests": page.object_list, "build_form": BuildWeekForm()},
    )


@require_POST
@analyst_required
def digest_build(request: AuthenticatedRequest) -> HttpResponse:
    form = BuildWeekForm(request.POST)
    if not form.is_valid():
        page = Paginator(selectors_digests.open_digests(), 50).get_page(1)
        return render(
            request,
            "intel/digests/queue.html",
            {"page": page, "digests": page.object_list, "build_form": form},
            status=400,
        )
    week = digest_core.week_start_of(form.cleaned_data["week"])
    sector = form.cleaned_data["sector"]
    results = digest_services.digests_build_week(
        week_start=week, sectors=[sector] if sector else None, actor=request.user
    )
    built = [r for r in results if r.outcome != digest_services.BuildOutcome.EMPTY]
    empty = [r.sector for r in results if r.outcome == digest_services.BuildOutcome.EMPTY]
    messages.success(
        request,
        _(
            "Built %(count)s digest(s) for the week of %(week)s; "
            "published ones were left as they are."
        )
        % {"count": len(built), "week": week.isoformat()},
    )
    if empty:
        messages.info(
            request,
            _("Nothing was accepted this week in %(sectors)s: no draft was made.")
            % {"sectors": ", ".join(str(label) for label in sector_labels(empty))},
        )
    return redirect("intel:digest_queue")


@analyst_required
def digest_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    digest = selectors_digests.digest_for_analyst(pk=pk)
    if not digest.is_open:
        messages.error(request, _("A published digest cannot be changed; correct it instead."))
        return redirect("intel:digest_detail", pk=digest.pk)
    items = list(digest.items.order_by("position", "pk"))
    initial = {"summary": digest.summary, "summary_tlp": digest.summary_tlp, "notes": digest.notes}
    form = DigestEditForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            digest_services.digest_edit(
                digest=digest, analyst=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect("intel:digest_detail", pk=digest.pk)
        else:
            messages.success(request, _("Saved. Publish when it is ready."))
            return redirect("intel:digest_detail", pk=digest.pk)
    return render(
        request,
        "intel/digests/edit.html",
        {"digest": digest, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@analyst_required
def digest_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    digest = selectors_digests.digest_for_analyst(pk=pk)
    if request.POST.get("confirm") != "yes":
        # Irreversible: the form asks for a ticked box, and so does the server.
        messages.error(request, _("Tick the confirmation to publish: publishing cannot be undone."))
        return redirect("intel:digest_detail", pk=digest.pk)
    try:
        digest_services.digest_publish(digest=digest, analyst=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Published. Readers now see this digest."))
    return redirect("intel:digest_detail", pk=digest.pk)


@analyst_required
def digest_correct(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    digest = selectors_digests.digest_for_analyst(pk=pk)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = digest_services.digest_correct(
                digest=digest,
                analyst=request.user,
                correction_note=form.cleaned_data["correction_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect("intel:digest_detail", pk=digest.pk)
        else:
            messages.success(
                request, _("Correction opened as version %(version)s. Edit it, then publish it.")
                % {"version": correction.version},
            )  # fmt: skip
            return redirect("intel:digest_edit", pk=correction.pk)
    return render(
        request,
        "intel/digests/correct.html",
        {"digest": digest, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@analyst_required
def sector_dashboard(request: AuthenticatedRequest, sector: str) -> HttpResponse:
    sector = _sector(sector)
    dashboard = selectors_digests.sector_dashboard(
        sector=sector, clearance=selectors_digests.reader_clearance(request.user)
    )
    week_labels = [week.strftime("%m-%d") for week in dashboard.weeks]
    signal_label = {slug: str(Signal(slug).label) for slug in Signal.values}
    trend = svg.line_chart(
        series=[
            svg.Series(_("All accepted reports"), dashboard.totals),
            *[svg.Series(signal_label[slug], values) for slug, values in dashboard.top_signals],
        ],
        x_labels=week_labels,
        title=_("Accepted reports per week, last 12 weeks"),
        description=_("Weekly totals and the most frequent signals; the table below has the data."),
        chart_id="trend",
    )
    mix = svg.bar_chart(
        bars=[(signal_label[slug], count) for slug, count in dashboard.signal_mix],
        title=_("Signal mix, last 12 weeks"),
        description=_("Accepted reports per signal; a report may carry several signals."),
        chart_id="mix",
    )
    return render(
        request,
        "intel/digests/dashboard.html",
        {
            "sector": sector,
            "dashboard": dashboard,
            "trend_svg": mark_safe(trend),  # noqa: S308 - built by intel.digests.svg, which escapes
            "mix_svg": mark_safe(mix),  # noqa: S308 - built by intel.digests.svg, which escapes
            "trend_rows": [
                {
                    "week": week,
                    "total": dashboard.totals[index],
                    "signals": [values[index] for _slug, values in dashboard.top_signals],
                }
                for index, week in enumerate(dashboard.weeks)
            ],
            "top_signal_labels": [signal_label[slug] for slug, _values in dashboard.top_signals],
            "countries": [
                (code, country_name(code), count) for code, count in dashboard.countries[:25]
            ],
            "assessment_form": AssessmentForm(),
        },
    )


@analyst_required
@require_GET
def sector_map(request: AuthenticatedRequest, sector: str) -> HttpResponse:
    """The dashboard's country counts as a world map (an image the dashboard shows)."""
    sector = _sector(sector)
    dashboard = selectors_digests.sector_dashboard(
        sector=sector, clearance=selectors_digests.reader_clearance(request.user)
    )
    drawing = worldmap.world_map(
        dict(dashboard.countries),
        title=_("Accepted reports per country, last 12 weeks"),
        description=_("Darker means more reports; the table beside the map lists the figures."),
        name=country_name,
    )
    response = HttpResponse(drawing, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@analyst_required
def assessment_create(request: AuthenticatedRequest, sector: str) -> HttpResponse:
    sector = _sector(sector)
    current = selectors_digests.assessments_of(sector=sector).first()
    initial = (
        {
            "sector_class": current.sector_class,
            "autonomy": current.autonomy,
            "indispensability": current.indispensability,
        }
        if current
        else {}
    )
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            digest_services.assessment_record(
                analyst=request.user, sector=sector, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Assessment recorded."))
            return redirect("intel:sector_dashboard", sector=sector)
    return render(
        request,
        "intel/digests/assessment_form.html",
        {"sector": sector, "form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )
