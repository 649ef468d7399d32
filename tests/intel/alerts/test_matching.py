"""Matching an accepted report against watches by its labels, clearance and anonymity in alerts."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from intel.alerts import selectors, services
from intel.models import Alert, AlertStatus, ContributionTag

pytestmark = pytest.mark.django_db


def text_part(message) -> str:
    return next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def alerts_to(smtp_server, user) -> list:
    return [m for m in smtp_server.messages if m["To"] == user.email and "Watch" in subject(m)]


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_report_matching_every_named_kind_alerts_the_watcher(
    contributor, other_contributor, watch_for, accept, smtp_server
):
    watch_for(other_contributor, name="Gallium", sectors=["critical-minerals"], countries=["CN"])
    report = accept(contributor, title="Gallium licences stall")
    smtp_server.wait_for(2)  # the author's decision email and the alert
    [alert] = alerts_to(smtp_server, other_contributor)
    assert "Gallium licences stall" in subject(alert)
    body = text_part(alert)
    assert "Institute A" in body  # organisation-only attribution shows the organisation
    assert "/intel/watches/mute/" in body
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Alert.objects.get(contribution=report).status == AlertStatus.SENT


def test_label_of_one_kind_is_not_enough_when_the_watch_names_two(
    contributor, other_contributor, watch_for, accept
):
    watch = watch_for(other_contributor, name="Gallium", sectors=["critical-minerals"],
                      countries=["US"])  # fmt: skip
    report = accept(contributor)  # critical-minerals, CN and JP
    assert not Alert.objects.filter(watch=watch, contribution=report).exists()


def test_other_sector_or_signal_does_not_match(contributor, other_contributor, watch_for, accept):
    by_sector = watch_for(other_contributor, name="Chips", sectors=["semiconductors"])
    by_signal = watch_for(other_contributor, name="Cyber", signals=["cyber-incident"])
    by_either = watch_for(other_contributor, name="Either",
                          signals=["cyber-incident", "export-control"])  # fmt: skip
    report = accept(contributor)
    matched = set(Alert.objects.filter(contribution=report).values_list("watch_id", flat=True))
    assert matched == {by_either.pk}
    assert by_sector.pk not in matched and by_signal.pk not in matched


def test_words_are_checked_on_candidates(contributor, other_contributor, watch_for, accept):
    hit = watch_for(other_contributor, name="Licences", sectors=["critical-minerals"],
                    query="licence DECISIONS")  # fmt: skip
    miss = watch_for(other_contributor, name="Neon", sectors=["critical-minerals"], query="neon")
    report = accept(contributor)
    matched = set(Alert.objects.filter(contribution=report).values_list("watch_id", flat=True))
    assert hit.pk in matched and miss.pk not in matched


def test_a_watch_on_words_alone_matches_by_its_words(
    contributor, other_contributor, watch_for, accept
):
    english = watch_for(other_contributor, name="Licences", query="LICENCE decisions")
    japanese = watch_for(other_contributor, name="Neon", query="ネオン")
    two_letter = watch_for(other_contributor, name="Short", query="cn")
    report = accept(contributor)  # about gallium licence decisions
    matched = set(Alert.objects.filter(contribution=report).values_list("watch_id", flat=True))
    assert english.pk in matched and japanese.pk not in matched
    assert (two_letter.pk in matched) == selectors.query_matches("cn", _text(report))


def _text(report) -> str:
    return selectors.contribution_text(report)


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("gallium", "Export licences for GALLIUM stalled", True),
        ("licence stall", "licences stalled at the border", True),  # substrings, as with labels
        ("ガリウム", "中国がガリウムの輸出を規制した", True),
        ("neon", "gallium licences", False),
        ("ga", "Gallium", True),
    ],
)
def test_words_only_watch_matches_exactly_where_its_words_appear(
    other_contributor, query, text, expected
):
    watch = services.watch_save(user=other_contributor, name="Words", query=query)
    labels = selectors.ContributionLabels(
        sectors=frozenset(), signals=frozenset(), countries=frozenset(), commodities=frozenset()
    )
    matched = selectors.matching_watch_ids(labels=labels, text=text)
    assert (watch.pk in matched) == expected == selectors.query_matches(query, text)


def test_a_watch_needs_labels_or_words(other_contributor):
    from intel.errors import WorkflowError

    with pytest.raises(WorkflowError):
        services.watch_save(user=other_contributor, name="Nothing", query="   ")


def test_commodity_tags_match_unless_an_analyst_struck_them_out(
    contributor, other_contributor, analyst, watch_for
):
    from tests.intel.factories import FieldReportFactory

    watch = watch_for(other_contributor, name="Gallium metal", commodities=["gallium"])
    report = FieldReportFactory(author=contributor)
    ContributionTag.objects.create(contribution=report, kind="commodity", slug="gallium",
                                   source="auto", score=1.0)  # fmt: skip
    labels = selectors.contribution_labels(report)
    assert watch.pk in selectors.matching_watch_ids(labels=labels, text="")
    ContributionTag.objects.create(contribution=report, kind="commodity", slug="gallium",
                                   source="analyst", removed=True, created_by=analyst)  # fmt: skip
    labels = selectors.contribution_labels(report)
    assert watch.pk not in selectors.matching_watch_ids(labels=labels, text="")


def test_muted_watch_is_not_matched(contributor, other_contributor, watch_for, accept):
    watch = watch_for(other_contributor, name="Gallium", sectors=["critical-minerals"])
    assert services.watch_mute(watch=watch)
    assert not services.watch_mute(watch=watch)
    report = accept(contributor)
    assert not Alert.objects.filter(watch=watch, contribution=report).exists()


def test_green_watcher_never_gets_an_amber_report(
    contributor, other_contributor, watch_for, accept, smtp_server
):
    watch_for(other_contributor, name="Gallium", sectors=["critical-minerals"])
    report = accept(contributor, tlp="amber", title="Amber gallium")
    smtp_server.wait_for(1)  # the author's decision email
    assert Alert.objects.get(contribution=report).status == AlertStatus.SKIPPED
    assert alerts_to(smtp_server, other_contributor) == []
    assert all("Amber gallium" not in subject(m) for m in smtp_server.messages
               if m["To"] != contributor.email)  # fmt: skip


def test_anonymous_report_alert_names_no_author_or_organisation(
    contributor, other_contributor, watch_for, accept, smtp_server
):
    watch_for(other_contributor, name="Gallium", sectors=["critical-minerals"])
    accept(contributor, attribution="anonymous", title="Unnamed source")
    smtp_server.wait_for(2)
    [alert] = alerts_to(smtp_server, other_contributor)
    raw = alert.as_string()
    body = text_part(alert)
    assert "Institute A" not in body and "Institute A" not in raw
    assert contributor.get_full_name() not in body
    assert contributor.email not in raw


def test_japanese_watcher_gets_a_japanese_alert(
    contributor, other_contributor, watch_for, accept, smtp_server
):
    other_contributor.language = "ja"
    other_contributor.save(update_fields=["language"])
    watch_for(other_contributor, name="ガリウム", sectors=["critical-minerals"])
    accept(contributor, title="Gallium licences stall")
    smtp_server.wait_for(2)
    [alert] = [m for m in smtp_server.messages if m["To"] == other_contributor.email]
    assert subject(alert).endswith("ウォッチ「ガリウム」：Gallium licences stall")
    assert "このウォッチをミュート" in text_part(alert)


def test_matching_costs_one_query_whatever_the_number_of_watches(
    contributor, other_contributor, watch_for, django_assert_max_num_queries
):
    for index in range(30):
        watch_for(
            other_contributor,
            name=f"W{index}",
            sectors=["critical-minerals"],
            countries=["CN"] if index % 2 else [],
            query="gallium" if index % 3 else "",
        )
    labels = selectors.ContributionLabels(
        sectors=frozenset({"critical-minerals"}), signals=frozenset(),
        countries=frozenset({"CN"}), commodities=frozenset(),
    )  # fmt: skip
    with django_assert_max_num_queries(1):
        matched = selectors.matching_watch_ids(labels=labels, text="Gallium licences")
    assert len(matched) == 30
    with django_assert_max_num_queries(1):
        assert len(selectors.matching_watch_ids(labels=labels, text="neon")) == 10
    for index in range(10):
        watch_for(other_contributor, name=f"Words {index}", query=f"neon{index} supply")
    with django_assert_max_num_queries(1):
        matched = selectors.matching_watch_ids(labels=labels, text="Neon3 supply cut")
    assert len(matched) == 11  # the ten label watches without words, and "neon3 supply"
