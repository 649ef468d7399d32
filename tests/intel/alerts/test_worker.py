"""On a real Celery worker over Redis: acceptance, matching, one alert over SMTP despite reruns."""

from __future__ import annotations

import pytest
from django.db import transaction

from community.queue import enqueue_on_commit
from intel.alerts import services as alert_services
from intel.alerts.tasks import match_alerts, send_alert
from intel.models import Alert, AlertStatus
from intel.reports import services as report_services
from tests.helpers import smtp_drain
from tests.intel.factories import FieldReportFactory

pytestmark = pytest.mark.redis


def test_accepted_report_alerts_the_watcher_once_even_when_tasks_run_again(
    celery_worker, smtp_server, contributor, other_contributor, analyst
):
    alert_services.watch_save(user=other_contributor, name="Gallium", sectors=["critical-minerals"])
    report = FieldReportFactory(author=contributor)
    report_services.report_submit(contribution=report, actor=contributor)
    report_services.report_start_review(contribution=report, analyst=analyst)
    report_services.report_accept(contribution=report, analyst=analyst)
    smtp_drain(smtp_server, "first marker")  # behind the matching
    smtp_drain(smtp_server, "second marker")  # behind the send the matching queued
    alert = Alert.objects.get(contribution=report)
    assert alert.status == AlertStatus.SENT
    with transaction.atomic():  # the same tasks again, as a redelivery would run them
        enqueue_on_commit(match_alerts, report.pk)
        enqueue_on_commit(send_alert, alert.pk)
    smtp_drain(smtp_server, "third marker")
    smtp_drain(smtp_server, "fourth marker")  # behind the send queued by the second matching
    alerts = [m for m in smtp_server.messages if m["To"] == other_contributor.email]
    assert len(alerts) == 1
    assert Alert.objects.filter(contribution=report).count() == 1
