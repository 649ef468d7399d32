"""Digest pages: who may open each one, what each reader sees, and the analyst's forms.

Published digests are open to everyone, redacted to their clearance; drafts,
editing, dashboards and assessments are for analysts with two-factor
authentication (others: sign in, 403, set up MFA, or 404 for a draft).
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse

from intel.digests import services as digest_services
from intel.models import Digest, SectorAssessment
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst, member

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "newcomer", "contributor", "analyst_without_mfa", "analyst"]
LOGIN, MFA, FORBIDDEN, OK, MISSING, DONE = "login", "mfa", 403, 200, 404, 302

AMBER_TITLE = "AMBER-ONLY germanium smuggling route"
AMBER_NOTE = "AMBER-NOTE do not share"
AMBER_SUMMARY = "AMBER-SUMMARY analysts think"


@pytest.fixture
def as_persona(request, client_for, anonymous):
    def make(name):
        if name == "anonymous":
            return anonymous
        return client_for(request.getfixturevalue(name))

    return make


@pytest.fixture
def digests(contributor, analyst, assessment_factory):
    """A published critical-minerals digest (clear, green, amber items) and a semiconductors
    draft."""
    day = WEEK + datetime.timedelta(days=2)
    accepted(contributor, at=jst(day), tlp="clear", credibility=3, title="CLEAR tariff notice")
    accepted(contributor, at=jst(day), tlp="green", credibility=2, title="GREEN licence delays")
    accepted(member("Org Q"), at=jst(day), tlp="amber", credibility=1, grade="A",
             title=AMBER_TITLE)  # fmt: skip
    accepted(contributor, at=jst(day), sectors=("semiconductors",), title="Draft-only item")
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR, "semiconductors"])
    published = Digest.objects.get(sector=SECTOR, week_start=WEEK)
    amber = published.items.get(tlp="amber")
    digest_services.digest_edit(
        digest=published, analyst=analyst, summary=AMBER_SUMMARY, summary_tlp="amber",
        notes="INTERNAL-NOTE", item_notes={amber.pk: AMBER_NOTE},
    )  # fmt: skip
    digest_services.digest_publish(digest=published, analyst=analyst)
    draft = Digest.objects.get(sector="semiconductors", week_start=WEEK)
    assessment_factory(sector=SECTOR, assessed_by=analyst)
    return {"published": published, "draft": draft}


def _url(name, digests, key):
    if key is None:
        return reverse(name)
    if key == "sector":
        return reverse(name, args=[SECTOR])
    return reverse(name, args=[digests[key].pk])


def _check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == MFA:
        assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    elif expected == DONE:
        assert response.status_code == 302 and "/accounts/" not in response["Location"]
    else:
        assert response.status_code == expected


PUBLIC = [OK] * 5
DRAFT_ONLY = [MISSING, MISSING, MISSING, MISSING, OK]
ANALYST_PAGE = [LOGIN, FORBIDDEN, FORBIDDEN, MFA, OK]
ANALYST_ACTION = [LOGIN, FORBIDDEN, FORBIDDEN, MFA, DONE]

GET_PAGES = [
    ("intel:sector_index", None, PUBLIC),
    ("intel:digest_archive", "sector", PUBLIC),
    ("intel:digest_detail", "published", PUBLIC),
    ("intel:digest_print", "published", PUBLIC),
    ("intel:digest_export_md", "published", PUBLIC),
    ("intel:digest_export_json", "published", PUBLIC),
    ("intel:digest_detail", "draft", DRAFT_ONLY),
    ("intel:digest_print", "draft", DRAFT_ONLY),
    ("intel:digest_export_md", "draft", DRAFT_ONLY),
    ("intel:digest_export_json", "draft", DRAFT_ONLY),
    ("intel:digest_queue", None, ANALYST_PAGE),
    ("intel:digest_edit", "draft", ANALYST_PAGE),
    ("intel:digest_correct", "published", ANALYST_PAGE),
    ("intel:sector_dashboard", "sector", ANALYST_PAGE),
    ("intel:sector_map", "sector", ANALYST_PAGE),
    ("intel:assessment_create", "sector", ANALYST_PAGE),
]


@pytest.mark.parametrize(("name", "key", "expected"), GET_PAGES)
@pytest.mark.parametrize("persona_index", range(len(PERSONAS)))
def test_get_pages_per_persona(as_persona, digests, name, key, expected, persona_index):
    client = as_persona(PERSONAS[persona_index])
    _check(client.get(_url(name, digests, key)), expected[persona_index])


POST_ACTIONS = [
    ("intel:digest_build", None, {"week": "2026-10-07", "sector": SECTOR}),
    ("intel:digest_publish", "draft", {"confirm": "yes"}),
    ("intel:digest_edit", "draft", {"summary": "x", "summary_tlp": "green", "notes": ""}),
    ("intel:digest_correct", "published", {"correction_note": "A figure was wrong."}),
    ("intel:assessment_create", "sector", {"sector_class": "red", "autonomy": "2",
                                           "indispensability": "4",
                                           "rationale": "New extraction process."}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "key", "data"), POST_ACTIONS)
@pytest.mark.parametrize("persona_index", range(len(PERSONAS)))
def test_post_actions_per_persona(as_persona, digests, name, key, data, persona_index):
    client = as_persona(PERSONAS[persona_index])
    if name == "intel:digest_edit":
        for item in digests["draft"].items.all():
            data |= {f"position_{item.pk}": str(item.position), f"note_{item.pk}": ""}
    _check(client.post(_url(name, digests, key), data), ANALYST_ACTION[persona_index])


@pytest.mark.parametrize("name", ["intel:digest_publish", "intel:digest_build"])
def test_actions_refuse_get(client_for, analyst, digests, name):
    url = _url(name, digests, "draft" if name == "intel:digest_publish" else None)
    assert client_for(analyst).get(url).status_code == 405


def _all_outputs(client, digest, query=""):
    """Every way to read one digest on the web: page, print view, both exports."""
    texts = []
    for name in ("intel:digest_detail", "intel:digest_print", "intel:digest_export_md",
                 "intel:digest_export_json"):  # fmt: skip
        response = client.get(reverse(name, args=[digest.pk]) + query)
        assert response.status_code == 200
        texts.append(response.content.decode())
    return texts


@pytest.mark.parametrize("query", ["", "?clearance=red", "?clearance=amber"])
def test_green_reader_never_sees_amber_in_any_view_or_export(client_for, contributor, digests,
                                                             query):  # fmt: skip
    for text in _all_outputs(client_for(contributor), digests["published"], query):
        assert AMBER_TITLE not in text
        assert AMBER_NOTE not in text
        assert AMBER_SUMMARY not in text
        assert "INTERNAL-NOTE" not in text
        assert "GREEN licence delays" in text and "CLEAR tariff notice" in text


def test_anonymous_reader_sees_only_clear(anonymous, digests):
    for text in _all_outputs(anonymous, digests["published"]):
        assert "CLEAR tariff notice" in text
        assert "GREEN licence delays" not in text and AMBER_TITLE not in text


def test_analyst_sees_everything_and_can_preview_lower_clearances(client_for, analyst, digests):
    client = client_for(analyst)
    for text in _all_outputs(client, digests["published"]):
        assert AMBER_TITLE in text and AMBER_SUMMARY in text
    page = client.get(reverse("intel:digest_detail", args=[digests["published"].pk]))
    assert "INTERNAL-NOTE" in page.content.decode()
    for text in _all_outputs(client, digests["published"], "?clearance=green"):
        assert AMBER_TITLE not in text and "GREEN licence delays" in text


def test_json_export_is_the_redacted_view_with_a_file_name(client_for, contributor, digests):
    digest = digests["published"]
    response = client_for(contributor).get(reverse("intel:digest_export_json", args=[digest.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="digest-critical-minerals-2026-10-05.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["clearance"] == "green"
    assert {item["tlp"] for item in data["items"]} == {"clear", "green"}
    assert data["summary"] == ""


def test_markdown_export_links_reports_for_analysts_only(client_for, analyst, contributor, digests):
    digest = digests["published"]
    url = reverse("intel:digest_export_md", args=[digest.pk])
    analyst_text = client_for(analyst).get(url).content.decode()
    assert "/intel/review/" in analyst_text
    member_text = client_for(contributor).get(url).content.decode()
    assert "/intel/review/" not in member_text and "Behind it: #" in member_text
    assert client_for(contributor).get(url)["Content-Type"].startswith("text/markdown")


def test_japanese_page_drafts_what_changed_in_japanese(client_for, contributor, digests):
    client = client_for(contributor)
    response = client.get(
        reverse("intel:digest_detail", args=[digests["published"].pk]), HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert "件の報告が受理され" in response.content.decode()


def test_dashboard_shows_trend_chart_tables_latest_digest_and_timeline(client_for, analyst,
                                                                      digests):  # fmt: skip
    response = client_for(analyst).get(reverse("intel:sector_dashboard", args=[SECTOR]))
    text = response.content.decode()
    # Charts are server-drawn SVG; the page's only scripts are static files (CSP).
    assert text.count("<svg") == 2 and re.search(r"<script(?![^>]*\bsrc=)", text) is None
    assert 'data-testid="latest-published"' in text
    assert reverse("intel:digest_detail", args=[digests["published"].pk]) in text
    assert "Refining concentrated abroad." in text  # the assessment timeline
    dashboard = response.context["dashboard"]
    assert len(dashboard.weeks) == 12 and dashboard.weeks[-1].weekday() == 0


def test_dashboard_counts_twelve_weeks_in_the_database(client_for, analyst, digests):
    from intel.digests import selectors as selectors_digests

    dashboard = selectors_digests.sector_dashboard(
        sector=SECTOR, clearance="red", today=WEEK + datetime.timedelta(days=3)
    )
    assert dashboard.weeks[-1] == WEEK and dashboard.totals[-1] == 3
    assert dashboard.signal_mix == [("export-control", 3)]
    assert dashboard.countries == [("CN", 3)]
    green = selectors_digests.sector_dashboard(
        sector=SECTOR, clearance="green", today=WEEK + datetime.timedelta(days=3)
    )
    assert green.totals[-1] == 2


def test_analyst_edits_a_draft_through_the_form(client_for, analyst, digests):
    draft = digests["draft"]
    [item] = draft.items.all()
    client = client_for(analyst)
    url = reverse("intel:digest_edit", args=[draft.pk])
    bad = client.post(url, {"summary": "x", "summary_tlp": "purple", f"position_{item.pk}": "1"})
    assert bad.status_code == 400 and "summary_tlp" in bad.context["form"].errors
    response = client.post(url, {
        "summary": "New *summary*", "summary_tlp": "green", "notes": "n",
        f"position_{item.pk}": "1", f"drop_{item.pk}": "on", f"note_{item.pk}": "why",
    })  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    item.refresh_from_db()
    assert (draft.status, draft.summary, item.dropped, item.note) == (
        "edited", "New *summary*", True, "why",
    )  # fmt: skip


def test_editing_a_published_digest_redirects_with_a_message(client_for, analyst, digests):
    url = reverse("intel:digest_edit", args=[digests["published"].pk])
    response = client_for(analyst).get(url, follow=True)
    assert "cannot be changed" in response.content.decode()


def test_summary_markdown_is_sanitised(client_for, analyst, digests):
    draft = digests["draft"]
    digest_services.digest_edit(
        digest=draft, analyst=analyst, summary="<script>alert(1)</script> **bold**",
        summary_tlp="clear",
    )  # fmt: skip
    text = client_for(analyst).get(reverse("intel:digest_detail", args=[draft.pk])).content
    assert b"<script>alert(1)" not in text and b"<strong>bold</strong>" in text


def test_correct_then_publish_shows_the_correction_to_readers(client_for, analyst, contributor,
                                                             digests):  # fmt: skip
    client = client_for(analyst)
    published = digests["published"]
    response = client.post(reverse("intel:digest_correct", args=[published.pk]),
                           {"correction_note": "The licence figure was wrong."})  # fmt: skip
    correction = Digest.objects.get(previous=published)
    assert response["Location"] == reverse("intel:digest_edit", args=[correction.pk])
    client.post(reverse("intel:digest_publish", args=[correction.pk]), {"confirm": "yes"})
    old = client_for(contributor).get(reverse("intel:digest_detail", args=[published.pk]))
    assert reverse("intel:digest_detail", args=[correction.pk]) in old.content.decode()
    new = client_for(contributor).get(reverse("intel:digest_detail", args=[correction.pk]))
    assert "The licence figure was wrong." in new.content.decode()
    archive = client_for(contributor).get(reverse("intel:digest_archive", args=[SECTOR]))
    assert archive.content.decode().count('data-testid="archive-row"') == 2


def test_assessment_form_records_and_explains_errors(client_for, analyst, digests):
    client = client_for(analyst)
    url = reverse("intel:assessment_create", args=[SECTOR])
    bad = client.post(url, {"sector_class": "red", "autonomy": "9", "indispensability": "2",
                            "rationale": "short"})  # fmt: skip
    assert bad.status_code == 400
    assert SectorAssessment.objects.count() == 1


def test_unknown_sector_is_404(client_for, analyst, anonymous):
    assert anonymous.get("/intel/sectors/tulips/digests/").status_code == 404
    assert client_for(analyst).get("/intel/sectors/tulips/").status_code == 404


def test_build_form_builds_a_week(client_for, analyst, digests):
    response = client_for(analyst).post(
        reverse("intel:digest_build"), {"week": "2026-09-30", "sector": ""}, follow=True
    )
    assert response.status_code == 200
    # The week has no material: no blank drafts, and the page says which sectors were empty.
    assert Digest.objects.filter(week_start=datetime.date(2026, 9, 28)).count() == 0
    assert "no draft was made" in response.content.decode()
    client_for(analyst).post(reverse("intel:digest_build"), {"week": "2026-10-07", "sector": ""})
    built = Digest.objects.filter(week_start=datetime.date(2026, 10, 5))
    assert built.exists() and all(digest.items.exists() for digest in built)
    bad = client_for(analyst).post(reverse("intel:digest_build"), {"week": "soon"})
    assert bad.status_code == 400


def test_sector_index_and_archive_list_query_counts(anonymous, digests,
                                                    django_assert_max_num_queries):  # fmt: skip
    published = reverse("intel:digest_detail", args=[digests["published"].pk])
    with django_assert_max_num_queries(8):
        index = anonymous.get(reverse("intel:sector_index"))
    assert index.status_code == 200
    assert f'href="{published}"' in index.content.decode()
    assert index.content.decode().count('class="class-badge class-green"') == 1
    with django_assert_max_num_queries(8):
        archive = anonymous.get(reverse("intel:digest_archive", args=[SECTOR]))
    assert archive.status_code == 200
    assert f'href="{published}"' in archive.content.decode()
    assert archive.content.decode().count('data-testid="archive-row"') == 1


def test_publish_needs_the_confirmation_and_keeps_the_draft_without_it(
    client_for, analyst, digests
):
    draft = digests["draft"]
    client = client_for(analyst)
    page = client.get(reverse("intel:digest_detail", args=[draft.pk])).content.decode()
    assert 'name="confirm"' in page and "cannot be undone" in page
    response = client.post(reverse("intel:digest_publish", args=[draft.pk]), {}, follow=True)
    assert "Tick the confirmation" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status != "published"
    client.post(reverse("intel:digest_publish", args=[draft.pk]), {"confirm": "yes"})
    draft.refresh_from_db()
    assert draft.status == "published"


def test_dashboard_map_shades_the_countries_of_its_table(client_for, analyst, digests):
    client = client_for(analyst)
    page = client.get(reverse("intel:sector_dashboard", args=[SECTOR])).content.decode()
    assert reverse("intel:sector_map", args=[SECTOR]) in page
    response = client.get(reverse("intel:sector_map", args=[SECTOR]))
    assert response["Content-Type"].startswith("image/svg+xml")
    drawing = response.content.decode()
    assert "<script" not in drawing and "<title" in drawing
    # Every country the table lists is on the map with its count; others read 0.
    rows = re.findall(
        r'<th scope="row">([^<]+) <span class="muted">([A-Z]{2})</span></th><td>(\d+)</td>', page
    )
    assert rows
    for name, _code, count in rows:
        assert f"<title>{name.strip()}: {count}</title>" in drawing
    assert drawing.count("<g fill=") > 150
