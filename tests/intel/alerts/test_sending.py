"""Each alert is sent once, whatever reruns; daily watches get one email for the day."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from intel.alerts import selectors, services, tasks
from intel.models import Alert, AlertStatus

pytestmark = pytest.mark.django_db


def alerts_to(smtp_server, user) -> list:
    return [m for m in smtp_server.messages if m["To"] == user.email]


def test_rerunning_matching_and_sending_sends_exactly_one_email(
    contributor, other_contributor, watch_for, accept, smtp_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    watch_for(other_contributor, name="Gallium", sectors=["critical-minerals"])
    report = accept(contributor)
    alert = Alert.objects.get(contribution=report)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.match_alerts(report.pk) == 1  # matched again: no new row, no new send
        assert tasks.send_alert(alert.pk) is False
    smtp_server.wait_for(2)
    assert len(alerts_to(smtp_server, other_contributor)) == 1
    assert Alert.objects.filter(contribution=report).count() == 1


def test_daily_watch_gets_one_email_with_the_days_reports(
    contributor, other_contributor, watch_for, accept, smtp_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    watch = watch_for(other_contributor, name="Daily gallium", sectors=["critical-minerals"],
                      frequency="daily")  # fmt: skip
    first = accept(contributor, title="First gallium report")
    second = accept(contributor, title="Second gallium report")
    assert set(Alert.objects.filter(watch=watch).values_list("status", flat=True)) == {"pending"}
    assert alerts_to(smtp_server, other_contributor) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_alerts() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_alerts() == 0  # nothing pending: the day is sent once
        assert services.alerts_daily_send(watch_id=watch.pk) == 0
    smtp_server.wait_for(3)  # two decision emails and one digest
    [digest] = alerts_to(smtp_server, other_contributor)
    body = next(p.get_payload(decode=True).decode() for p in digest.walk()
                if p.get_content_type() == "text/plain")  # fmt: skip
    assert first.title in body and second.title in body
    assert set(Alert.objects.filter(watch=watch).values_list("status", flat=True)) == {"sent"}


def test_daily_digest_leaves_out_what_the_watcher_may_not_read(
    contributor, other_contributor, watch_for, accept, django_capture_on_commit_callbacks
):
    watch = watch_for(other_contributor, name="Daily", sectors=["critical-minerals"],
                      frequency="daily")  # fmt: skip
    green = accept(contributor, title="Green one")
    amber = accept(contributor, title="Amber one", tlp="amber")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_daily_send(watch_id=watch.pk) == 1
    assert Alert.objects.get(watch=watch, contribution=green).status == AlertStatus.SENT
    assert Alert.objects.get(watch=watch, contribution=amber).status == AlertStatus.SKIPPED


def test_report_not_accepted_is_never_matched(contributor, other_contributor, watch_for):
    from tests.intel.factories import FieldReportFactory

    watch_for(other_contributor, name="Gallium", sectors=["critical-minerals"])
    report = FieldReportFactory(author=contributor)
    assert services.alerts_match(contribution_id=report.pk) == []
    assert not Alert.objects.exists()


def test_analyst_by_email_is_cleared_as_a_worker_sees_them(analyst, contributor, accept):
    # No sign-in in a worker, so no second factor: an analyst who is not a member reads
    # TLP:CLEAR by email, never the AMBER they may read on the site.
    from intel.models import Contribution

    report = Contribution.objects.get(pk=accept(contributor, tlp="amber").pk)
    assert not selectors.watcher_may_read(user=analyst, contribution=report)


def test_daily_watch_switched_to_immediate_sends_what_it_had_gathered(
    contributor, other_contributor, watch_for, accept, smtp_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    watch = watch_for(other_contributor, name="Daily", sectors=["critical-minerals"],
                      frequency="daily")  # fmt: skip
    report = accept(contributor, title="Gathered report")
    with django_capture_on_commit_callbacks(execute=True):
        services.watch_save(user=other_contributor, watch=watch, name="Daily",
                            sectors=["critical-minerals"], frequency="immediate")  # fmt: skip
    smtp_server.wait_for(2)
    [alert] = alerts_to(smtp_server, other_contributor)
    assert report.title in str(make_header(decode_header(alert["Subject"])))
    assert Alert.objects.get(watch=watch).status == AlertStatus.SENT
