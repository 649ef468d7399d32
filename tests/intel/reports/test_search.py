"""Search: the same behaviour on SQLite (FTS5) and PostgreSQL (tsvector), in English and Japanese.

Run both ways: without DATABASE_URL (SQLite) and with it (PostgreSQL). Only the
index checks are database-specific.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from intel.models import Contribution
from intel.reports import search as search_module
from intel.reports import services
from intel.reports.search import search_contributions
from tests.helpers import signed_in
from tests.intel.factories import CaseStudyFactory, FieldReportFactory
from tests.intel.helpers import submit

pytestmark = pytest.mark.django_db
postgres = pytest.mark.postgres
sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite index only")


def _ids(queryset):
    return [item.pk for item in queryset]


_SIGNED_IN: dict[int, object] = {}


def _found(analyst, query, **filters):
    """What `analyst`, signed in with the second factor, finds."""
    key = id(analyst)
    if key not in _SIGNED_IN:
        _SIGNED_IN.clear()
        _SIGNED_IN[key] = signed_in(analyst)
    return _ids(search_contributions(user=_SIGNED_IN[key], query=query, **filters))


@pytest.fixture
def make(contributor):
    def make(**fields):
        fields = {"signals": [], "countries": ["US"], **fields}
        return submit(FieldReportFactory(author=contributor, **fields), contributor)

    return make


@pytest.fixture
def corpus(make):
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
            sectors=["semiconductors"],
        ),
        "mixed": make(
            title="GaN基板の供給が逼迫",
            summary="Two fabs report GaN wafer shortages.",
            body="欧州の顧客も影響を受けている。",
            sectors=["semiconductors"],
        ),
        "neon": make(
            title="Neon prices doubled",
            summary="Two suppliers raised prices.",
            body="Lithography lines may slow down.",
            sectors=["semiconductors"],
            signals=["price-shock"],
            countries=["UA"],
        ),
    }


def test_every_word_must_match(analyst, corpus):
    # The query: both words, in different fields.
    assert _found(analyst, "licences gallium") == [corpus["gallium"].pk]
    assert _found(analyst, "gallium neon") == []


def test_quoted_words_must_stand_together(analyst, corpus):
    assert _found(analyst, '"end-user certificates"') == [corpus["gallium"].pk]
    assert _found(analyst, '"certificates end-user"') == []
    # Unquoted, the same words in any order match.
    assert _found(analyst, "certificates end-user") == [corpus["gallium"].pk]


def test_english_words_are_stemmed(analyst, corpus):
    assert _found(analyst, "licence delay") == [corpus["gallium"].pk]
    assert _found(analyst, "LICENSING") == []  # a different stem is a different word


def test_japanese_without_spaces(analyst, corpus):
    assert _found(analyst, "輸出規制") == [corpus["japanese"].pk]
    assert _found(analyst, "許可審査 長期化") == [corpus["japanese"].pk]
    # 「半導体」 is inside 「化合物半導体」, 「ガリウム」 in the body: the query.
    assert _found(analyst, "半導体 ガリウム") == [corpus["japanese"].pk]
    # 「輸出」 and 「強化」 both occur, but never together.
    assert _found(analyst, "輸出強化") == []


def test_half_and_full_width_are_the_same(analyst, corpus):
    assert _found(analyst, "ｶﾞﾘｳﾑ") == [corpus["japanese"].pk]
    assert _found(analyst, "ＧａＮ") == [corpus["mixed"].pk]


def test_mixed_scripts(analyst, corpus):
    assert _found(analyst, "GaN基板") == [corpus["mixed"].pk]
    assert _found(analyst, "gan 欧州") == [corpus["mixed"].pk]
    assert _found(analyst, "gan 輸出") == []


def test_tags_are_searchable_by_name_in_both_languages(analyst, corpus):
    # "Price shock" is only a signal of the neon report, "Ukraine" only its country.
    assert _found(analyst, "price shock") == [corpus["neon"].pk]
    assert _found(analyst, "ukraine neon") == [corpus["neon"].pk]
    assert _found(analyst, "ウクライナ") == [corpus["neon"].pk]


def test_an_analyst_tag_correction_is_searchable(analyst, corpus):
    from intel.reports.selectors import contribution_for_reviewer
    from intel.tagging.services import tag_correct

    assert _found(analyst, "stockpiling") == []
    # As the review page passes it: with its rows prefetched before the change.
    contribution = contribution_for_reviewer(pk=corpus["gallium"].pk)
    list(contribution.signal_rows.all())
    tag_correct(contribution=contribution, analyst=analyst, kind="signal",
                slug="stockpiling", present=True)  # fmt: skip
    assert _found(analyst, "stockpiling") == [corpus["gallium"].pk]
    # Its Japanese name, from the classification row.
    assert _found(analyst, "備蓄") == [corpus["gallium"].pk]


def test_relevance_orders_title_then_summary_then_body(analyst, make):
    body = make(title="Market note", summary="Prices.", body="Germanium output fell.")
    summary = make(title="Supply note", summary="Germanium output fell.", body="Details.")
    title = make(title="Germanium output fell", summary="Prices.", body="Details.")
    assert _found(analyst, "germanium") == [title.pk, summary.pk, body.pk]
    # The other sorts still apply to the hits.
    assert _found(analyst, "germanium", sort="oldest") == [body.pk, summary.pk, title.pk]


def test_filters_combine_with_the_query(analyst, contributor, corpus):
    found = _found(analyst, "prices", sector="semiconductors")
    assert found == [corpus["neon"].pk]
    assert _found(analyst, "prices", sector="energy") == []
    assert _found(analyst, "", tag="price-shock") == [corpus["neon"].pk]
    assert _found(analyst, "", tag="UA") == [corpus["neon"].pk]
    assert set(_found(analyst, "", country="US")) == {
        corpus[key].pk for key in ("gallium", "japanese", "mixed")
    }
    today = timezone.localdate()
    assert len(_found(analyst, "", submitted_from=today, submitted_to=today)) == 4
    assert _found(analyst, "", submitted_to=today - datetime.timedelta(days=1)) == []


def test_author_type_filter(analyst, make):
    named = make(title="Cobalt named", attribution="named")
    anonymous = make(title="Cobalt anonymous", attribution="anonymous")
    assert _found(analyst, "cobalt", attribution="named") == [named.pk]
    assert _found(analyst, "cobalt", attribution="anonymous") == [anonymous.pk]


def test_results_stay_within_the_readers_clearance(analyst_without_mfa, make):
    make(title="Molybdenum clear", tlp="clear")
    make(title="Molybdenum red", tlp="red")
    # Without the second factor there is no analyst power: only what anyone may read.
    titles = [item.title for item in search_contributions(
        user=signed_in(analyst_without_mfa), query="molybdenum")]  # fmt: skip
    assert titles == ["Molybdenum clear"]


def test_case_studies_are_searched(analyst, contributor):
    study = submit(
        CaseStudyFactory(author=contributor, title="中国からの黒鉛調達", sectors=["batteries"]),
        contributor,
    )
    assert _found(analyst, "黒鉛") == [study.pk]


def test_edit_updates_the_index(analyst, contributor):
    report = FieldReportFactory(author=contributor, title="Draft about cobalt")
    services.report_update(report=report, actor=contributor, title="Draft about nickel")
    submit(report, contributor)
    assert _found(analyst, "nickel") == [report.pk]
    assert _found(analyst, "cobalt") == []


def test_drafts_are_never_found(analyst, contributor):
    FieldReportFactory(author=contributor, title="Secret draft about gallium")
    assert _found(analyst, "gallium") == []


def test_a_query_of_punctuation_finds_nothing(analyst, corpus):
    assert _found(analyst, '"" !!! ・・・') == []


def test_authors_are_not_searchable_so_anonymous_reports_cannot_be_found_by_them(
    analyst, contributor, make
):
    contributor.display_name = "Kenji Tanaka"
    contributor.save()
    make(title="Tungsten prices", attribution="named")
    probes = ["Tanaka", "Kenji", "Institute", '"Institute A"', "contributor@test.example"]
    before = {probe: len(_found(analyst, probe)) for probe in probes}
    make(title="Tungsten stockpiles", body="Seen at a trading house.", attribution="anonymous")
    after = {probe: len(_found(analyst, probe)) for probe in probes}
    # Counts that moved when the anonymous report arrived would point at its author.
    assert after == before
    assert len(_found(analyst, "tungsten")) == 2


# --- Highlighting --------------------------------------------------------------------


def test_highlight_marks_stems_and_cjk_and_escapes_the_rest():
    marker = search_module.Highlighter.for_query("licence ｶﾞﾘｳﾑ")
    assert (
        marker.mark("Licences for ガリウム & <b>")
        == "<mark>Licences</mark> for <mark>ガリウム</mark> &amp; &lt;b&gt;"
    )
    # A full-width original is marked where it stands.
    assert marker.mark("ＧＡＬＬＩＵＭ ｶﾞﾘｳﾑ") == "ＧＡＬＬＩＵＭ <mark>ｶﾞﾘｳﾑ</mark>"


def test_snippet_is_a_window_around_the_first_hit():
    marker = search_module.Highlighter.for_query("germanium")
    text = "Filler words. " * 40 + "Germanium output fell." + " More." * 40
    snippet = marker.snippet(["No hit here.", text], length=120)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>Germanium</mark> output fell." in snippet
    assert len(snippet) < 200


def test_search_page_highlights_hits(client_for, analyst, make):
    make(title="Gallium <script>alert(1)</script> licences", summary="Licence waits grew.")
    page = client_for(analyst).get(reverse("intel:search"), {"q": "licence"}).content.decode()
    assert "<mark>licences</mark>" in page and "<mark>Licence</mark> waits grew." in page
    assert "<script>alert(1)</script>" not in page


# --- The page: permissions, bad input, fixed queries -------------------------------------


def test_search_page_counts_and_sorts(client_for, analyst, corpus):
    response = client_for(analyst).get(reverse("intel:search"), {"q": "prices", "sort": "newest"})
    assert response.status_code == 200
    assert "Neon <mark>prices</mark> doubled" in response.content.decode()
    assert "1 result" in response.content.decode()


def test_search_page_is_for_analysts_only(client_for, anonymous, contributor, other_contributor,
                                          analyst_without_mfa):  # fmt: skip
    url = reverse("intel:search")
    assert anonymous.get(url).status_code == 302
    for user in (contributor, other_contributor, analyst_without_mfa):
        assert client_for(user).get(url).status_code in {302, 403}


def test_bad_dates_are_a_400_with_the_error(client_for, analyst):
    response = client_for(analyst).get(
        reverse("intel:search"), {"submitted_from": "2026-05-02", "submitted_to": "2026-05-01"}
    )
    assert response.status_code == 400
    assert "The last day cannot come before the first." in response.content.decode()
    assert (
        client_for(analyst).get(reverse("intel:search"), {"submitted_from": "x"}).status_code == 400
    )


def test_query_count_does_not_grow_with_the_page(client_for, analyst, make,
                                                 django_assert_max_num_queries):  # fmt: skip
    client = client_for(analyst)
    url = reverse("intel:search")
    make(title="Indium one")
    client.get(url, {"q": "indium"})  # warm the session and the caches
    with django_assert_max_num_queries(30) as small:
        client.get(url, {"q": "indium"})
    for number in range(15):
        make(title=f"Indium {number}", sectors=["semiconductors"], signals=["tariff"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"q": "indium"})
    assert "16 results" in response.content.decode()


# --- Indexes --------------------------------------------------------------------------------


@postgres
def test_postgres_search_uses_the_gin_index(corpus):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'intel_contr_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()


@sqlite
def test_sqlite_keeps_one_fts_row_per_submitted_contribution(corpus):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {search_module.FTS_TABLE} ORDER BY rowid")  # noqa: S608
        rows = [row[0] for row in cursor.fetchall()]
    assert rows == sorted(item.pk for item in corpus.values())
    assert Contribution.objects.filter(search_vector__isnull=False).count() == 0


def test_review_api_searches_with_the_same_rules_and_filters(api_for, analyst, contributor,
                                                             corpus, make):  # fmt: skip
    anonymous = make(title="Neon route anonymous", attribution="anonymous", signals=["tariff"])
    api = api_for(analyst)
    url = reverse("api-review-list")

    def ids(**params):
        response = api.get(url, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(q="ｶﾞﾘｳﾑ") == [corpus["japanese"].pk]
    assert ids(q="licences gallium") == [corpus["gallium"].pk]
    assert ids(q="neon", attribution="anonymous") == [anonymous.pk]
    assert ids(q="neon", tag="tariff") == [anonymous.pk]
    assert api.get(url, {"attribution": "nobody"}).status_code == 400
    assert api_for(contributor).get(url, {"q": "neon"}).status_code == 403


def test_search_reindex_rebuilds_a_lost_index(analyst, corpus, django_assert_max_num_queries):
    from io import StringIO

    from django.core.management import call_command

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE intel_contribution SET search_vector = NULL")
        else:
            cursor.execute(f"DELETE FROM {search_module.FTS_TABLE}")  # noqa: S608
    assert _found(analyst, "ｶﾞﾘｳﾑ") == []
    out = StringIO()
    # Batches prefetch their rows and tags: the cost does not grow per contribution.
    with django_assert_max_num_queries(40):
        call_command("search_reindex", "--batch-size", "2", stdout=out)
    assert "4 contribution(s) to index." in out.getvalue()
    assert "Indexed 4 contribution(s)." in out.getvalue()
    assert _found(analyst, "ｶﾞﾘｳﾑ") == [corpus["japanese"].pk]
    assert _found(analyst, "ukraine neon") == [corpus["neon"].pk]
