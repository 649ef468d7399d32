"""Search: PostgreSQL full text (English stemming + CJK bigrams) with ranking; SQLite fallback."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from intel.models import Contribution
from intel.reports import selectors
from tests.intel.factories import CaseStudyFactory, FieldReportFactory
from tests.intel.helpers import submit

pytestmark = pytest.mark.django_db
postgres = pytest.mark.postgres


def _ids(queryset):
    return [item.pk for item in queryset]


@pytest.fixture
def corpus(contributor):
    def make(**fields):
        return submit(FieldReportFactory(author=contributor, **fields), contributor)

    return {
        "gallium": make(
            title="Gallium export licences delayed",
            summary="Distributors report long waits for licences.",
            body="Chinese authorities now ask for end-user certificates on every shipment.",
        ),
        "japanese": make(
            title="化合物半導体の調達",
            summary="国内メーカーで調達に遅れが出ている。",
            body="ガリウムの輸出規制が強化された。許可審査が長期化している。",
        ),
        "neon": make(
            title="Neon prices doubled",
            summary="Two suppliers raised prices.",
            body="Lithography lines may slow down.",
            sectors=["semiconductors"],
        ),
    }


@postgres
def test_english_phrase_finds_the_report(corpus):
    found = _ids(selectors.search(query='"end-user certificates"'))
    assert found == [corpus["gallium"].pk]
    # Stemming: "delay" finds "delayed", "licence" finds "licences".
    assert _ids(selectors.search(query="licence delay")) == [corpus["gallium"].pk]


@postgres
def test_japanese_phrase_finds_the_report(corpus):
    assert _ids(selectors.search(query="輸出規制")) == [corpus["japanese"].pk]
    assert _ids(selectors.search(query="許可審査 長期化")) == [corpus["japanese"].pk]
    # Full-width query text is normalised like the document.
    assert _ids(selectors.search(query="ガリウム")) == [corpus["japanese"].pk]


@postgres
def test_japanese_phrase_needs_adjacent_characters(corpus):
    # 「輸出」 and 「強化」 both occur, but 「輸出強化」 does not.
    assert _ids(selectors.search(query="輸出強化")) == []


@postgres
def test_title_ranks_above_summary_above_body(contributor):
    body = submit(FieldReportFactory(author=contributor, title="Market note", summary="Prices.",
                                     body="Germanium output fell."), contributor)  # fmt: skip
    summary = submit(FieldReportFactory(author=contributor, title="Supply note",
                                        summary="Germanium output fell.", body="Details."),
                     contributor)  # fmt: skip
    title = submit(FieldReportFactory(author=contributor, title="Germanium output fell",
                                      summary="Prices.", body="Details."), contributor)  # fmt: skip
    assert _ids(selectors.search(query="germanium")) == [title.pk, summary.pk, body.pk]


@postgres
def test_search_covers_case_studies_and_filters(contributor, corpus):
    study = submit(
        CaseStudyFactory(author=contributor, title="中国からの黒鉛調達", sectors=["batteries"]),
        contributor,
    )
    assert _ids(selectors.search(query="黒鉛")) == [study.pk]
    assert _ids(selectors.search(query="prices", sector="semiconductors")) == [corpus["neon"].pk]
    assert _ids(selectors.search(query="prices", sector="energy")) == []


@postgres
def test_search_index_uses_gin(corpus):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'intel_contr_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()


@postgres
def test_edit_updates_the_index(contributor):
    from intel.reports import services

    report = FieldReportFactory(author=contributor, title="Draft about cobalt")
    services.report_update(report=report, actor=contributor, title="Draft about nickel")
    submit(report, contributor)
    assert _ids(selectors.search(query="nickel")) == [report.pk]
    assert _ids(selectors.search(query="cobalt")) == []


def test_drafts_are_never_found(contributor):
    FieldReportFactory(author=contributor, title="Secret draft about gallium")
    assert _ids(selectors.search(query="gallium")) == []


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite fallback only")
def test_sqlite_fallback_is_a_substring_match(corpus):
    assert _ids(selectors.search(query="輸出規制")) == [corpus["japanese"].pk]
    assert _ids(selectors.search(query="END-USER")) == [corpus["gallium"].pk]
    assert Contribution.objects.filter(search_vector__isnull=False).count() == 0


def test_search_page_paginates_and_sorts(client_for, analyst, contributor, corpus):
    response = client_for(analyst).get(reverse("intel:search"), {"q": "prices", "sort": "newest"})
    assert response.status_code == 200
    assert "Neon prices doubled" in response.content.decode()
    assert "1 result" in response.content.decode()
