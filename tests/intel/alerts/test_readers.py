"""Alerts to a member's reader: at TLP:GREEN, never above, and none once their member is gone."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ReaderInvitation
from accounts.services import membership_suspend
from accounts.services import readers as reader_services
from intel.models import Alert, AlertStatus
from intel.reports import services as report_services
from tests.intel.factories import CaseStudyFactory
from tests.intel.helpers import review, submit

pytestmark = pytest.mark.django_db


def alerts_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email] and "/intel/watches/mute/" in m.body]


def test_reader_gets_the_green_report_and_not_the_amber_one(
    reader, other_contributor, watch_for, accept
):
    watch_for(reader, name="Gallium", sectors=["critical-minerals"])
    green = accept(other_contributor, title="Green gallium delays")
    amber = accept(other_contributor, title="Amber gallium figures", tlp="amber")
    [alert] = alerts_to(reader)
    assert "Green gallium delays" in alert.subject
    assert all("Amber gallium figures" not in m.body for m in mail.outbox if m.to == [reader.email])
    statuses = dict(Alert.objects.values_list("contribution_id", "status"))
    assert statuses == {green.pk: AlertStatus.SENT, amber.pk: AlertStatus.SKIPPED}


def test_reader_of_a_suspended_member_gets_no_alert(
    reader, contributor, other_contributor, analyst, watch_for, accept
):
    watch_for(reader, name="Gallium", sectors=["critical-minerals"])
    membership_suspend(membership=contributor.membership, actor=analyst, reason="Inactive.")
    report = accept(other_contributor, title="Green gallium delays")
    assert alerts_to(reader) == []
    assert Alert.objects.get(contribution=report).status == AlertStatus.SKIPPED


def test_case_study_alert_links_to_its_library_page(
    other_contributor, reader, analyst, watch_for, django_capture_on_commit_callbacks
):
    watch_for(reader, name="Neon", sectors=["semiconductors"])
    with django_capture_on_commit_callbacks(execute=True):
        study = submit(CaseStudyFactory(author=other_contributor, title="Neon"), other_contributor)
        review(study, analyst)
        report_services.report_accept(contribution=study, analyst=analyst)
    [alert] = alerts_to(reader)
    page = reverse("intel:library_case_study", args=[study.pk])
    assert page in alert.body
    assert page in alert.alternatives[0][0]


def test_removed_reader_gets_no_alert_and_loses_the_watch_pages(
    reader, contributor, other_contributor, watch_for, accept, client_for
):
    watch = watch_for(reader, name="Gallium", sectors=["critical-minerals"])
    invitation = ReaderInvitation.objects.get(reader=reader)
    reader_services.reader_remove(member=contributor, invitation=invitation)
    report = accept(other_contributor, title="Green gallium delays")
    assert alerts_to(reader) == []
    assert Alert.objects.get(contribution=report, watch=watch).status == AlertStatus.SKIPPED
    assert client_for(reader).get(reverse("intel:watch_list")).status_code == 403
