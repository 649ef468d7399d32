"""The case-study library: who reads what, at which handling level, with which attribution."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from intel.library import services
from intel.models import CaseStudyCuration
from tests.intel.factories import CaseStudyFactory

pytestmark = pytest.mark.django_db

LIBRARY = reverse("intel:library")


def _detail(case_study: Any) -> str:
    return reverse("intel:library_case_study", args=[case_study.pk])


def _curate(case_study: Any) -> str:
    return reverse("intel:library_curate", args=[case_study.pk])


# --- Reading at the reader's level -----------------------------------------------


def test_member_reads_green_case_study_with_operations_sections(
    accepted_case_study: Any, other_contributor: Any, client_for: Any
) -> None:
    item = accepted_case_study(title="Neon dual sourcing", context="One neon supplier.")
    response = client_for(other_contributor).get(_detail(item))
    assert response.status_code == 200
    body = response.content.decode()
    for heading in ("The situation", "What happened", "What worked", "What to check in your own"):
        assert heading in body
    assert "One neon supplier." in body
    assert "Neon dual sourcing" in client_for(other_contributor).get(LIBRARY).content.decode()


def test_anonymous_visitor_sees_only_clear_and_a_count_of_the_rest(
    accepted_case_study: Any, anonymous: Any
) -> None:
    clear = accepted_case_study(title="Clear lesson", tlp="clear")
    green = accepted_case_study(title="Green lesson", tlp="green")
    body = anonymous.get(LIBRARY).content.decode()
    assert "Clear lesson" in body
    assert "Green lesson" not in body
    assert "1 case study above your handling level is not shown" in body
    assert anonymous.get(_detail(clear)).status_code == 200
    assert anonymous.get(_detail(green)).status_code == 404


def test_member_never_infers_an_amber_case_study_from_title_filters_or_counts(
    accepted_case_study: Any, other_contributor: Any, client_for: Any
) -> None:
    accepted_case_study(title="Green gallium", tlp="green", countries=["CN"])
    amber = accepted_case_study(title="Amber secret", tlp="amber", countries=["KZ"])
    client = client_for(other_contributor)
    body = client.get(LIBRARY).content.decode()
    assert "Amber secret" not in body
    assert "1 case study above your handling level is not shown" in body
    assert client.get(_detail(amber)).status_code == 404
    # Filtering on what only the amber case study has moves nothing: the count is
    # over the whole library, and the text query never finds it.
    for query in ({"country": "KZ"}, {"country": "CN"}, {"q": "secret"}):
        filtered = client.get(LIBRARY, query).content.decode()
        assert "Amber secret" not in filtered
        assert "1 case study above your handling level is not shown" in filtered


def test_analyst_reads_amber(accepted_case_study: Any, analyst: Any, client_for: Any) -> None:
    amber = accepted_case_study(title="Amber secret", tlp="amber")
    client = client_for(analyst)
    assert "Amber secret" in client.get(LIBRARY).content.decode()
    assert client.get(_detail(amber)).status_code == 200


def test_drafts_and_submitted_case_studies_are_not_in_the_library(
    contributor: Any, analyst: Any, client_for: Any
) -> None:
    draft = CaseStudyFactory(author=contributor, title="Only a draft")
    client = client_for(analyst)
    assert "Only a draft" not in client.get(LIBRARY).content.decode()
    assert client.get(_detail(draft)).status_code == 404


@pytest.mark.parametrize(
    ("attribution", "shown", "hidden"),
    [
        ("anonymous", ["Anonymous contributor"], ["Institute A", "Test"]),
        ("organisation", ["Institute A"], []),
    ],
)
def test_attribution_is_honoured(
    accepted_case_study: Any,
    other_contributor: Any,
    analyst: Any,
    client_for: Any,
    attribution: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    item = accepted_case_study(title="Attributed lesson", attribution=attribution)
    for reader in (other_contributor, analyst):
        client = client_for(reader)
        for page in (client.get(LIBRARY), client.get(_detail(item))):
            body = page.content.decode()
            for text in shown:
                assert text in body
            meta = [line for line in body.splitlines() if 'class="meta"' in line]
            for text in hidden:
                assert all(text not in line for line in meta)


def test_named_attribution_shows_the_name(
    accepted_case_study: Any, contributor: Any, other_contributor: Any, client_for: Any
) -> None:
    item = accepted_case_study(attribution="named")
    body = client_for(other_contributor).get(_detail(item)).content.decode()
    assert contributor.get_full_name() in body
    assert "Institute A" in body


def test_anonymous_case_study_never_shows_its_organisation_anywhere(
    accepted_case_study: Any, other_contributor: Any, analyst: Any, client_for: Any
) -> None:
    item = accepted_case_study(title="Quiet lesson", attribution="anonymous")
    for reader in (other_contributor, analyst):
        client = client_for(reader)
        for page in (client.get(LIBRARY), client.get(_detail(item))):
            assert "Institute A" not in page.content.decode()


# --- Filters ------------------------------------------------------------------------


def test_filters_narrow_the_list(
    accepted_case_study: Any, other_contributor: Any, client_for: Any
) -> None:
    accepted_case_study(title="Chip lesson", sectors=["semiconductors"], countries=["TW"])
    accepted_case_study(
        title="Battery lesson", sectors=["batteries"], signals=["tariff"], countries=["CN"]
    )
    client = client_for(other_contributor)
    by_sector = client.get(LIBRARY, {"sector": "batteries"}).content.decode()
    assert "Battery lesson" in by_sector and "Chip lesson" not in by_sector
    by_country = client.get(LIBRARY, {"country": "TW"}).content.decode()
    assert "Chip lesson" in by_country and "Battery lesson" not in by_country
    by_signal = client.get(LIBRARY, {"signal": "tariff"}).content.decode()
    assert "Battery lesson" in by_signal and "Chip lesson" not in by_signal
    later = client.get(LIBRARY, {"accepted_from": "2999-01-01"}).content.decode()
    assert "Battery lesson" not in later and "Chip lesson" not in later


def test_stage_and_date_filters_narrow_the_list(
    accepted_case_study: Any, other_contributor: Any, client_for: Any
) -> None:
    import datetime

    from django.utils import timezone

    from intel.models import CaseStudy

    accepted_case_study(title="Refinery lesson", supply_chain_stage="processing")
    old = accepted_case_study(title="Shipping lesson", supply_chain_stage="logistics")
    CaseStudy.objects.filter(pk=old.pk).update(
        accepted_at=timezone.now() - datetime.timedelta(days=40)
    )
    client = client_for(other_contributor)
    by_stage = client.get(LIBRARY, {"stage": "logistics"}).content.decode()
    assert "Shipping lesson" in by_stage and "Refinery lesson" not in by_stage
    assert "Logistics" in client.get(_detail(old)).content.decode()
    cut = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    before = client.get(LIBRARY, {"accepted_to": cut}).content.decode()
    assert "Shipping lesson" in before and "Refinery lesson" not in before
    after = client.get(LIBRARY, {"accepted_from": cut}).content.decode()
    assert "Refinery lesson" in after and "Shipping lesson" not in after


def test_author_gives_a_case_study_its_stage_in_the_form(contributor: Any, client_for: Any) -> None:
    from intel.models import CaseStudy

    client = client_for(contributor)
    form = client.get(reverse("intel:case_study_create")).content.decode()
    assert 'name="supply_chain_stage"' in form
    response = client.post(
        reverse("intel:case_study_create"),
        {"title": "Port congestion", "context": "Ships waited.", "supply_chain_stage": "logistics",
         "tlp": "green", "attribution": "organisation", "action": "save"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    assert CaseStudy.objects.get(title="Port congestion").supply_chain_stage == "logistics"


def test_searching_the_authors_name_or_organisation_never_finds_an_anonymous_case_study(
    accepted_case_study: Any, contributor: Any, other_contributor: Any, client_for: Any
) -> None:
    """A reader who knows the author cannot find their anonymous work by who they are: what
    the search returns is the same with and without the anonymous case study."""
    accepted_case_study(title="Named neon lesson", attribution="named")
    client = client_for(other_contributor)
    queries = [contributor.get_full_name(), "Institute A", contributor.email, "Institute"]
    before = {q: client.get(LIBRARY, {"q": q}).content.decode() for q in queries}
    accepted_case_study(title="Quiet neon lesson", attribution="anonymous")
    for query in queries:
        after = client.get(LIBRARY, {"q": query}).content.decode()
        assert "Quiet neon lesson" not in after
        assert after.count('data-testid="library-item"') == before[query].count(
            'data-testid="library-item"'
        )


def test_text_query_finds_the_case_study(
    accepted_case_study: Any, other_contributor: Any, client_for: Any
) -> None:
    accepted_case_study(title="Neon qualification", context="Neon supplier in Odesa.")
    accepted_case_study(title="Cobalt audit", context="Cobalt refinery audit.")
    body = client_for(other_contributor).get(LIBRARY, {"q": "neon"}).content.decode()
    assert "Neon qualification" in body
    assert "Cobalt audit" not in body


def test_bad_filters_are_a_page_not_an_error(other_contributor: Any, client_for: Any) -> None:
    response = client_for(other_contributor).get(
        LIBRARY, {"sector": "nope", "country": "ZZZ", "accepted_from": "yesterday", "page": "x"}
    )
    assert response.status_code == 200


def test_list_costs_a_fixed_number_of_queries(
    accepted_case_study: Any,
    other_contributor: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(other_contributor)
    accepted_case_study(attribution="named")
    client.get(LIBRARY)
    with django_assert_max_num_queries(12) as few:
        client.get(LIBRARY)
    for attribution in ("named", "anonymous", "organisation", "named"):
        item = accepted_case_study(attribution=attribution)
        services.case_study_feature(actor=item.reviewer, case_study=item, featured=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIBRARY)


# --- Curation -------------------------------------------------------------------------


def test_analyst_features_and_featured_comes_first(
    accepted_case_study: Any, analyst: Any, other_contributor: Any, client_for: Any
) -> None:
    older = accepted_case_study(title="Older lesson")
    accepted_case_study(title="Newer lesson")
    response = client_for(analyst).post(_curate(older), {"action": "feature"})
    assert response.status_code == 302
    body = client_for(other_contributor).get(LIBRARY).content.decode()
    assert body.index("Older lesson") < body.index("Newer lesson")
    assert AuditEvent.objects.filter(action="library.feature", target_id=str(older.pk)).exists()


def test_lessons_need_both_languages_and_show_in_the_readers_language(
    accepted_case_study: Any, analyst: Any, other_contributor: Any, client_for: Any
) -> None:
    item = accepted_case_study()
    client = client_for(analyst)
    refused = client.post(
        _curate(item), {"action": "lessons", "takeaway_en": "Qualify early.", "takeaway_ja": ""}
    )
    assert refused.status_code == 400
    assert "Qualify early." in refused.content.decode()  # what the analyst typed is kept
    assert not CaseStudyCuration.objects.filter(lessons_for_operations=True).exists()
    client.post(
        _curate(item),
        {"action": "lessons", "takeaway_en": "Qualify early.", "takeaway_ja": "早めに認定する。"},
    )
    reader = client_for(other_contributor)
    assert "Qualify early." in reader.get(_detail(item)).content.decode()
    reader.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert "早めに認定する。" in reader.get(_detail(item)).content.decode()
    assert AuditEvent.objects.filter(action="library.lessons").count() == 1


def test_retired_case_study_leaves_the_library_and_can_come_back(
    accepted_case_study: Any, analyst: Any, other_contributor: Any, client_for: Any
) -> None:
    item = accepted_case_study(title="Outdated lesson")
    client = client_for(analyst)
    client.post(_curate(item), {"action": "retire", "reason": "Superseded."})
    reader = client_for(other_contributor)
    assert "Outdated lesson" not in reader.get(LIBRARY).content.decode()
    assert reader.get(_detail(item)).status_code == 404
    # Retired ones are not counted as "above your level" either.
    assert "not shown" not in reader.get(LIBRARY).content.decode()
    assert client.get(_detail(item)).status_code == 200
    client.post(_curate(item), {"action": "restore"})
    assert "Outdated lesson" in reader.get(LIBRARY).content.decode()
    assert AuditEvent.objects.get(action="library.retire").reason == "Superseded."


@pytest.mark.parametrize("persona", ["contributor", "other_contributor", "anonymous"])
def test_only_analysts_curate(
    accepted_case_study: Any, client_for: Any, request: pytest.FixtureRequest, persona: str
) -> None:
    item = accepted_case_study()
    user = request.getfixturevalue(persona)
    client = user if persona == "anonymous" else client_for(user)
    response = client.post(_curate(item), {"action": "feature"})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert not CaseStudyCuration.objects.filter(featured=True).exists()


def test_analyst_without_second_factor_cannot_curate(
    accepted_case_study: Any, analyst: Any, password_only_client_for: Any
) -> None:
    item = accepted_case_study()
    response = password_only_client_for(analyst).post(_curate(item), {"action": "feature"})
    assert response.status_code == 302
    assert not CaseStudyCuration.objects.filter(featured=True).exists()


def test_curating_what_is_not_in_the_library_is_refused(
    contributor: Any, analyst: Any, client_for: Any
) -> None:
    draft = CaseStudyFactory(author=contributor)
    client = client_for(analyst)
    assert client.post(_curate(draft), {"action": "feature"}).status_code == 404
    item_url = _curate(draft)
    assert client.post(item_url, {"action": "explode"}).status_code == 404


def test_bad_curation_action_is_refused_cleanly(
    accepted_case_study: Any, analyst: Any, client_for: Any
) -> None:
    item = accepted_case_study()
    response = client_for(analyst).post(_curate(item), {"action": "explode"})
    assert response.status_code == 400
    assert "Choose what to do with this case study." in response.content.decode()
    assert not CaseStudyCuration.objects.exists()


def test_service_refuses_non_analyst(accepted_case_study: Any, contributor: Any) -> None:
    from django.core.exceptions import PermissionDenied

    item = accepted_case_study()
    with pytest.raises(PermissionDenied):
        services.case_study_feature(actor=contributor, case_study=item, featured=True)


def test_admin_lists_curations_read_only(
    accepted_case_study: Any, admin_user: Any, analyst: Any, client_for: Any
) -> None:
    item = accepted_case_study(title="Curated lesson", attribution="anonymous")
    services.case_study_feature(actor=analyst, case_study=item, featured=True)
    client = client_for(admin_user)
    response = client.get(reverse("admin:intel_casestudycuration_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Curated lesson" in body
    assert "Institute A" not in body and "contributor@test.example" not in body
    assert client.get(reverse("admin:intel_casestudycuration_add")).status_code == 403
