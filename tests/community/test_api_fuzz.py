"""Schemathesis against the live test server: no 500, and every answer is the one the schema states.

The schema is loaded from `/api/schema/` on the running server and every
operation is fuzzed (stateless, positive data) for three callers: anonymous,
a vetted contributor and an analyst. Four checks apply to every response:
not a server error, a status code the operation documents, a documented
content type, and a body matching the documented schema. No check is relaxed.

Seeded data gives the generated ids something to find, and path ids are
drawn mostly from the seeded rows, so detail and action routes run their
views rather than answering 404. The seed and the number of examples are
fixed: the same run every time, and a bounded one.
"""

from __future__ import annotations

import collections
import datetime
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from intel.digests import core as digest_core
from intel.digests import services as digest_services
from intel.models import Digest
from intel.reports import services
from tests.accounts.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.helpers import api_token_for
from tests.intel.factories import CaseStudyFactory, FieldReportFactory
from tests.intel.reports.test_filetypes import PDF

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED = 20261201
EXAMPLES_PER_OPERATION = 25
CALLERS = ["anonymous", "contributor", "analyst"]


def api_credentials(users: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The request headers each caller sends: the one place that knows how callers sign in.

    Tokens are issued as the token endpoint issues them (after the second factor
    for an enrolled user); the token endpoint's own checks are not what is fuzzed here.
    """
    headers = {name: {"Authorization": f"Token {api_token_for(user)}"}
               for name, user in users.items()}  # fmt: skip
    return {"anonymous": {}, **headers}


def _seed(*, contributor: Any, analyst: Any) -> dict[str, list[int]]:
    """Rows in every state the API shows, by the path prefix whose `{id}` names them."""
    author = UserFactory(email="author@test.example")
    MembershipFactory(user=author, organisation="Company C")
    own_draft = FieldReportFactory(author=contributor)
    attachment = services.attachment_add(
        contribution=own_draft,
        actor=contributor,
        uploaded=SimpleUploadedFile("notice.pdf", PDF, content_type="application/pdf"),
    )
    own_submitted = FieldReportFactory(author=contributor)
    services.report_submit(contribution=own_submitted, actor=contributor)
    own_case = CaseStudyFactory(author=contributor)
    submitted = FieldReportFactory(author=author, tlp="amber")
    services.report_submit(contribution=submitted, actor=author)
    case_study = CaseStudyFactory(author=author)
    services.report_submit(contribution=case_study, actor=author)
    in_review = FieldReportFactory(author=author)
    services.report_submit(contribution=in_review, actor=author)
    services.report_start_review(contribution=in_review, analyst=analyst)
    services.comment_add(contribution=in_review, author=analyst, body="Which distributor?")
    accepted = FieldReportFactory(author=author, tlp="clear")
    services.report_submit(contribution=accepted, actor=author)
    services.report_start_review(contribution=accepted, analyst=analyst)
    services.report_accept(contribution=accepted, analyst=analyst)
    requirement = services.requirement_publish(
        analyst=analyst,
        sector="semiconductors",  # the contributor's sector: members see it
        question="Are photoresist deliveries slowing?",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    FieldReportFactory(
        author=contributor, sectors=["semiconductors"], requirement_ids=[requirement.pk]
    )
    week = digest_core.week_start_of(timezone.localdate())
    digest_services.digests_build_week(week_start=week, sectors=["critical-minerals", "energy"])
    published = Digest.objects.get(sector="critical-minerals", week_start=week)
    digest_services.digest_publish(digest=published, analyst=analyst)
    digest_services.assessment_record(
        analyst=analyst,
        sector="critical-minerals",
        sector_class="green",
        autonomy=2,
        indispensability=3,
        rationale="Refining capacity is concentrated in one country.",
    )
    return {
        "/api/reports/": [own_draft.pk, own_submitted.pk, submitted.pk],
        "/api/case-studies/": [own_case.pk, case_study.pk],
        "/api/review/": [submitted.pk, case_study.pk, in_review.pk, accepted.pk, own_draft.pk],
        "/api/requirements/": [requirement.pk],
        "/api/digests/": list(Digest.objects.values_list("pk", flat=True)),
        "/api/applications/": [ApplicationFactory().pk],
        "/api/attachments/": [attachment.pk],
    }


@pytest.fixture
def fuzz_target(live_server, contributor, analyst) -> Iterator[dict[str, Any]]:
    seeded = _seed(contributor=contributor, analyst=analyst)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        """Three ids in four name a seeded row the route serves; the fourth is as generated."""
        if not path_parameters or "id" not in path_parameters:
            return st.just(path_parameters)
        path = context.operation.path
        known = next(ids for prefix, ids in seeded.items() if path.startswith(prefix))
        ids = st.sampled_from(known)
        chosen = st.one_of(ids, ids, ids, st.just(path_parameters["id"]))
        return chosen.map(lambda pk: {**path_parameters, "id": pk})

    statuses: collections.Counter = collections.Counter()

    @schema.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        statuses[response.status_code] += 1

    yield {
        "statuses": statuses,
        "schema": schema,
        "base_url": live_server.url,
        "headers": api_credentials({"contributor": contributor, "analyst": analyst}),
    }


def _fuzz(operation: Any, *, base_url: str, headers: dict[str, str]) -> None:
    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

    run()


@pytest.mark.parametrize("caller", CALLERS)
def test_every_api_operation_answers_as_documented(fuzz_target, caller):
    failures = []
    for result in fuzz_target["schema"].get_all_operations():
        operation = result.ok()
        try:
            _fuzz(
                operation,
                base_url=fuzz_target["base_url"],
                headers=fuzz_target["headers"][caller],
            )
        except (Failure, FailureGroup) as error:
            failures.append(f"{caller} {operation.label}: {error}")
    assert failures == [], "\n\n".join(failures)
    statuses = fuzz_target["statuses"]
    # The seeded rows and ids were reached: views ran, not only the permission checks.
    assert statuses[200] + statuses[201] > 0, statuses
