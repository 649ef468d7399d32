"""Same event across languages: English and Japanese reports of one event are linked, with why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intel.models import ContributionFingerprint
from intel.reports import services
from intel.tagging.events import anchors, event_keys, same_event
from intel.tagging.selectors import cluster_corroboration, cluster_for_review
from tests.intel.tagging.test_pipeline import submitted_report

LABELS = ["commodity:gallium", "signal:export-control"]

EVENT_EN = {
    "title": "China raises gallium export licence fees by 45%",
    "summary": "MOFCOM announced higher licence fees for gallium exporters.",
    "body": (
        "China's Ministry of Commerce (MOFCOM) said on March 1, 2026 that exporters of gallium "
        "metal must pay licence fees 45% higher, and that 1,200 tonnes of pending shipments "
        "will be reviewed again. Distributors in Osaka expect delays."
    ),
}
EVENT_JA = {
    "title": "中国、ガリウム輸出許可手数料を45パーセント引き上げ",
    "summary": "中国商務部がガリウム輸出業者の許可手数料引き上げを発表した。",
    "body": (
        "中国商務部は2026年3月1日、ガリウム金属の輸出業者に対し許可手数料を４５％引き上げると"
        "発表した。審査待ちの１，２００トンの出荷は再審査となる。大阪の商社は遅延を見込んでいる。"
    ),
}
# Same labels and countries, another event: other date, other figures.
OTHER_EVENT_JA = {
    "title": "中国、ガリウム輸出許可の書類要件を追加",
    "summary": "中国商務部がガリウム輸出許可の申請書類を追加すると発表した。",
    "body": (
        "中国商務部は2026年5月20日、ガリウムの輸出許可申請に新たな書類を求めると発表した。"
        "対象は３００トン規模とみられ、手数料は１０％上がる。大阪の商社は対応を急いでいる。"
    ),
}


def event(text: str, language: str, labels=LABELS, countries=("CN",)):
    return anchors(text, language=language, labels=labels, countries=countries)


@pytest.mark.parametrize("text", ["45%", "４５％", "45パーセント", "45 per cent", "45 percent"])
def test_percentages_are_one_figure_in_every_spelling(text):
    assert event(f"fees up {text}", "en").percentages == {"45 %"}


@pytest.mark.parametrize(
    "text", ["2026-03-01", "2026年3月1日", "２０２６年３月１日", "March 1, 2026", "1 March 2026"]
)
def test_dates_are_one_date_in_every_spelling(text):
    assert event(f"announced {text}", "en").dates == {"2026-03-01"}


def test_amounts_ignore_separators_and_small_counts():
    found = event("1,200 tonnes, １２００ tonnes, 2 buyers and 60 days", "en")
    assert found.amounts == {"1200", "60"}


def test_organisations_are_mapped_across_scripts_and_need_a_whole_word():
    assert event("MOFCOM said", "en").organisations == {"MOFCOM"}
    assert event("商務部が発表", "ja").organisations == {"MOFCOM"}
    assert event("metis and bisque", "en").organisations == set()


def test_an_english_and_a_japanese_report_of_one_event_are_the_same_event():
    en = event(" ".join(EVENT_EN.values()), "en")
    ja = event(" ".join(EVENT_JA.values()), "ja")
    shared = same_event(en, ja)
    assert shared is not None
    assert {"gallium", "CN", "MOFCOM", "45 %", "1200", "2026-03-01"} <= set(shared)
    assert set(event_keys(en)) & set(event_keys(ja)), "they are candidates of each other"


def test_the_same_labels_in_another_event_are_not_the_same_event():
    en = event(" ".join(EVENT_EN.values()), "en")
    other = event(" ".join(OTHER_EVENT_JA.values()), "ja")
    assert same_event(en, other) is None


def test_reports_in_one_language_are_left_to_near_duplicate_detection():
    en = event(" ".join(EVENT_EN.values()), "en")
    assert same_event(en, en) is None


def test_dates_that_disagree_rule_a_link_out():
    first = event("MOFCOM: fees up 45% and 1,200 tonnes, 2026-03-01", "en")
    second = event("商務部 45% 1200トン 2026年4月1日", "ja")
    assert same_event(first, second) is None


# --- Stored reports ------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def linked(contributor, other_contributor, django_capture_on_commit_callbacks):
    english = submitted_report(contributor, django_capture_on_commit_callbacks, **EVENT_EN)
    japanese = submitted_report(other_contributor, django_capture_on_commit_callbacks, **EVENT_JA)
    return english, japanese


def cluster_of(report) -> int | None:
    return ContributionFingerprint.objects.get(contribution=report).cluster_id


@pytestmark_db
def test_submitted_english_and_japanese_reports_of_one_event_share_a_cluster(linked):
    english, japanese = linked
    assert english.language == "en" and japanese.language == "ja"
    assert cluster_of(english) is not None
    assert cluster_of(english) == cluster_of(japanese)


@pytestmark_db
def test_another_event_with_the_same_labels_stays_out(
    linked, other_contributor, django_capture_on_commit_callbacks
):
    english, _japanese = linked
    other = submitted_report(
        other_contributor, django_capture_on_commit_callbacks, **OTHER_EVENT_JA
    )
    assert cluster_of(other) is None or cluster_of(other) != cluster_of(english)


@pytestmark_db
def test_the_review_page_gives_the_reason(linked, client_for, analyst):
    english, japanese = linked
    view = cluster_for_review(contribution=english)
    reasons = {member.contribution.pk: member.same_event for member in view.members}
    assert reasons[english.pk] is None
    assert "2026-03-01" in reasons[japanese.pk] and "45 %" in reasons[japanese.pk]

    response = client_for(analyst).get(reverse("intel:review_detail", args=[english.pk]))
    content = response.content.decode()
    assert 'data-testid="same-event"' in content
    assert "same event in another language: shares" in content
    assert "2026-03-01" in content


@pytestmark_db
def test_corroboration_counts_the_other_language_when_the_sources_are_independent(linked, analyst):
    english, _japanese = linked
    for report in linked:
        services.report_start_review(contribution=report, analyst=analyst)
        services.report_accept(contribution=report, analyst=analyst)
    cluster_id = cluster_of(english)
    assert cluster_corroboration(cluster_ids=[cluster_id]) == {cluster_id: 2}


@pytestmark_db
def test_an_anonymous_report_in_the_other_language_is_linked_but_never_counted_or_flagged(
    contributor, analyst, django_capture_on_commit_callbacks
):
    english = submitted_report(contributor, django_capture_on_commit_callbacks, **EVENT_EN)
    japanese = submitted_report(
        contributor, django_capture_on_commit_callbacks, **EVENT_JA, attribution="anonymous"
    )
    assert cluster_of(english) == cluster_of(japanese) is not None
    for report in (english, japanese):
        services.report_start_review(contribution=report, analyst=analyst)
        services.report_accept(contribution=report, analyst=analyst)
    view = cluster_for_review(contribution=english)
    assert view.corroboration == 1
    assert not any(member.is_repeat for member in view.members), (
        "the same author wrote both, and nothing may say so"
    )


def test_a_year_on_its_own_is_not_a_specific():
    assert event("Output in 2026 rose to 2,026 tonnes", "en").amounts == set()
    assert event("Output in 2026 rose to 3,500 tonnes", "en").amounts == {"3500"}


def test_reports_sharing_one_specific_are_not_even_candidates():
    first = event("MOFCOM raised fees by 45%", "en")
    second = event("商務部は手数料を10%引き上げた", "ja")
    assert not set(event_keys(first)) & set(event_keys(second))
