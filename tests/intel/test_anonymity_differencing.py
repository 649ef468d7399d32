"""Differencing: nothing analysts or admins can see changes in a way that names an anonymous author.

The attack: snapshot every page, API answer, export and count an analyst or
an admin can reach, let a named member submit (then get accepted) an
anonymous report, snapshot again and look at what changed. Here the member,
Hanako Yamada of Kansai Secret Materials, already has a named report on the
platform; another member has one too. Each test asserts that

- no per-member figure moved: every member's page, and the admin's pages
  about people, are identical before and after;
- no changed line of any page names her (name, email, organisation, the
  links to her member or user page), and the new report's own pages name
  her only as the declared author of a named sibling;
- a near-duplicate cluster looks the same whether the named sibling is hers
  or someone else's (no same-source flag, no corroboration change);
- the only email is the decision sent to her;
- and, to show the test can see her when she is shown, the audited reveal
  does name her.

Pages are compared line by line after removing what changes on every request
(CSRF tokens); lines that merely moved within a page cancel out.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from intel.digests import core as digest_core
from intel.digests import services as digest_services
from intel.models import Contribution, ContributionFingerprint, DigestItem
from intel.reports import services
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.intel.factories import FieldReportFactory, RequirementFactory

pytestmark = pytest.mark.django_db

GALLIUM = {
    "title": "China tightens gallium export controls",
    "summary": "Beijing added gallium and germanium products to its export licence list.",
    "body": (
        "Our distributors in Osaka report that Chinese exporters now need a licence for every "
        "shipment of gallium metal and gallium arsenide wafers. Licence decisions take more than "
        "sixty days and two buyers have started drawing on stockpiles while they wait."
    ),
    "sectors": ["critical-minerals"],
    "signals": ["export-control"],
    "countries": ["CN", "JP"],
}
SHIPYARD = {
    "title": "Korean yard wins LNG carrier order",
    "summary": "A shipyard in Ulsan signed for twelve LNG carriers.",
    "body": (
        "The shipbuilder will hire welders from Vietnam to meet the schedule, and says the order "
        "fills its docks until 2029. Japanese yards did not bid for the contract at all."
    ),
    "sectors": ["shipbuilding"],
    "signals": ["capacity-expansion"],
    "countries": ["KR"],
}
NEON = {
    "title": "Neon purifier restarts in Odesa",
    "summary": "A neon purification plant restarted after two years offline.",
    "body": "The plant's owner told us it ships to two Japanese lithography parts makers now.",
    "sectors": ["critical-minerals"],
    "signals": ["capacity-expansion"],
    "countries": ["UA"],
}


def reworded(text: dict[str, Any]) -> dict[str, Any]:
    """A near-duplicate of `text` (same story, a few words changed)."""
    return {**text, "title": text["title"] + " again", "summary": "Again: " + text["summary"]}


@dataclass
class World:
    author: Any
    other: Any
    analyst: Any
    admin: Any
    requirement: Any
    named_by_other: Contribution
    named_by_author: Contribution
    clients: dict[str, Client] = field(default_factory=dict)

    def identity(self) -> list[str]:
        membership = self.author.membership
        return [
            self.author.display_name,
            self.author.email,
            self.author.email.split("@")[0],
            membership.organisation,
            f"/members/directory/{membership.pk}/",
            f"/admin/accounts/user/{self.author.pk}/",
            f"/admin/accounts/membership/{membership.pk}/",
        ]


def _act(capture, function, **kwargs):
    """Run a service as the site does: its on-commit work (tagging, email) included."""
    with capture(execute=True):
        return function(**kwargs)


@pytest.fixture
def world(analyst, admin_user, client_for, django_capture_on_commit_callbacks, smtp_server):
    author = UserFactory(email="hanako.yamada@kansai-secret.example", display_name="Hanako Yamada")
    MembershipFactory(
        user=author, organisation="Kansai Secret Materials", source_grade="B",
        sectors=["critical-minerals", "shipbuilding"],
    )  # fmt: skip
    other = UserFactory(email="ola.nordmann@north.example", display_name="Ola Nordmann")
    # The same grade as Hanako's: the two named siblings differ only in who wrote them.
    MembershipFactory(
        user=other, organisation="Company North", source_grade="B",
        sectors=["critical-minerals"],
    )  # fmt: skip
    requirement = RequirementFactory(created_by=analyst, sector="critical-minerals")
    capture = django_capture_on_commit_callbacks

    def accepted(by, **text):
        report = FieldReportFactory(author=by, attribution="named", **text)
        _act(capture, services.report_submit, contribution=report, actor=by)
        _act(capture, services.report_start_review, contribution=report, analyst=analyst)
        _act(capture, services.report_accept, contribution=report, analyst=analyst)
        return report

    made = World(
        author=author, other=other, analyst=analyst, admin=admin_user, requirement=requirement,
        named_by_other=accepted(other, **GALLIUM),
        named_by_author=accepted(author, **SHIPYARD),
    )  # fmt: skip
    made.clients = {"analyst": client_for(analyst), "admin": client_for(admin_user)}
    _build_digests()
    smtp_server.messages.clear()
    return made


def _build_digests():
    week = digest_core.week_start_of(timezone.now().astimezone(digest_core.TOKYO).date())
    digest_services.digests_build_week(week_start=week)


# --- Surfaces ----------------------------------------------------------------------------


def surfaces(world: World) -> list[tuple[str, str]]:
    """(persona, url) of everything analysts and admins can read, for the current data."""
    analyst: list[str] = [
        reverse("intel:review_queue"),
        reverse("intel:review_queue") + "?status=accepted",
        reverse("intel:search"),
        reverse("intel:search") + "?q=gallium",
        reverse("intel:search") + "?source_grade=B",
        reverse("intel:search") + "?sector=critical-minerals&sort=newest",
        reverse("intel:requirement_list"),
        reverse("intel:sector_index"),
        reverse("intel:digest_queue"),
        reverse("accounts:member-list"),
        reverse("accounts:member-list") + "?q=kansai",
        reverse("accounts:audit-trail"),
        reverse("accounts:vetting-queue"),
        reverse("api-review-list"),
        reverse("api-review-list") + "?source_grade=B",
        reverse("api-requirement-list"),
        reverse("api-digest-list"),
        reverse("api-application-list"),
    ]
    for sector in ("critical-minerals", "shipbuilding"):
        analyst += [
            reverse("intel:sector_dashboard", args=[sector]),
            reverse("intel:digest_archive", args=[sector]),
        ]
    for digest in DigestItem.objects.values_list("digest_id", flat=True).distinct():
        analyst += [
            reverse("intel:digest_detail", args=[digest]),
            reverse("intel:digest_print", args=[digest]),
            reverse("intel:digest_export_md", args=[digest]),
            reverse("intel:digest_export_json", args=[digest]),
            reverse("api-digest-detail", args=[digest]),
        ]
    for report in Contribution.objects.filter(submitted_at__isnull=False).order_by("pk"):
        analyst += [
            reverse("intel:review_detail", args=[report.pk]),
            reverse("api-review-detail", args=[report.pk]),
            reverse("api-review-comments", args=[report.pk]),
        ]
    for user in (world.author, world.other):
        analyst.append(reverse("accounts:member-detail", args=[user.membership.pk]))
    admin: list[str] = [
        reverse("admin:intel_contribution_changelist"),
        reverse("admin:intel_contribution_changelist") + "?_facets=1",
        reverse("admin:intel_contribution_changelist") + "?attribution__exact=anonymous",
        reverse("admin:intel_intelligencerequirement_changelist"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_changelist") + "?q=kansai",
        reverse("admin:accounts_user_change", args=[world.author.pk]),
        reverse("admin:accounts_membership_changelist"),
        reverse("admin:accounts_membership_change", args=[world.author.membership.pk]),
        reverse("admin:accounts_auditevent_changelist"),
        reverse("admin:accounts_gradechange_changelist"),
    ]
    for report in Contribution.objects.order_by("pk"):
        admin.append(reverse("admin:intel_contribution_change", args=[report.pk]))
        if report.is_anonymous:
            admin.append(reverse("intel:reveal_author", args=[report.pk]))  # the form only
    return [("analyst", url) for url in analyst] + [("admin", url) for url in admin]


PER_MEMBER = ("/members/directory/", "/admin/accounts/user/", "/admin/accounts/membership/")

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def _text(response: Any) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), indent=1, sort_keys=True, ensure_ascii=False)
    return _CSRF.sub(r'\1…"', response.content.decode())


def snapshot(world: World) -> dict[str, str]:
    pages = {}
    for persona, url in surfaces(world):
        response = world.clients[persona].get(url)
        assert response.status_code == 200, (persona, url, response.status_code)
        pages[f"{persona} {url}"] = _text(response)
    return pages


@dataclass
class Change:
    removed: list[str]
    added: list[str]
    new_page: bool


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, Change]:
    """What changed per page, with lines that merely moved cancelled out."""
    result = {}
    for name, page in after.items():
        old = [line.strip() for line in before.get(name, "").splitlines() if line.strip()]
        new = [line.strip() for line in page.splitlines() if line.strip()]
        removed, added = [], []
        for line in difflib.unified_diff(old, new, lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            (removed if line[0] == "-" else added).append(line[1:])
        moved = set(removed) & set(added)
        removed = [line for line in removed if line not in moved]
        added = [line for line in added if line not in moved]
        if removed or added:
            result[name] = Change(removed, added, new_page=name not in before)
    return result


def assert_nothing_names_the_author(
    world: World, changed: dict[str, Change], declared: tuple[Contribution, ...] = ()
) -> None:
    """No changed line names the author, except as the declared author of `declared` reports."""
    labels = [report.attribution_label for report in declared]
    for name, change in changed.items():
        for line in change.removed + change.added:
            for label in labels:
                line = line.replace(label, "<named sibling>")
            for token in world.identity():
                assert token not in line, f"{name}: {token!r} in {line!r}"


def assert_no_per_member_page_changed(changed: dict[str, Change]) -> None:
    moved = [name for name in changed if any(part in name for part in PER_MEMBER)]
    assert moved == [], moved


def assert_no_email_to_others_names_the_author(world: World, smtp_server: Any) -> None:
    """Analysts are notified of submissions; nothing they receive may name the author."""
    for message in smtp_server.messages:
        if message["To"] == world.author.email:
            continue
        text = str(make_header(decode_header(message["Subject"])))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                text += part.get_payload(decode=True).decode()
        for token in world.identity():
            assert token not in text, f"email to {message['To']}: {token!r}"


# --- The tests ---------------------------------------------------------------------------


def test_a_lone_anonymous_report_changes_nothing_that_names_its_author(
    world, django_capture_on_commit_callbacks, smtp_server
):
    capture = django_capture_on_commit_callbacks
    before = snapshot(world)

    report = FieldReportFactory(
        author=world.author, attribution="anonymous", requirement_ids=[world.requirement.pk],
        **NEON,
    )  # fmt: skip
    _act(capture, services.report_submit, contribution=report, actor=world.author)
    services.comment_add(contribution=report, author=world.author, body="Photos follow.")
    submitted = snapshot(world)
    changed = changes(before, submitted)
    assert any(change.new_page for change in changed.values())  # the test sees the report
    assert_nothing_names_the_author(world, changed)
    assert_no_per_member_page_changed(changed)

    _act(capture, services.report_start_review, contribution=report, analyst=world.analyst)
    services.comment_add(contribution=report, author=world.analyst, body="Which plant?")
    _act(capture, services.report_accept, contribution=report, analyst=world.analyst, note="Good.")
    _build_digests()
    decided = snapshot(world)
    changed = changes(submitted, decided)
    assert any("Neon purifier restarts" in " ".join(c.added) for c in changed.values())
    assert_nothing_names_the_author(world, changed)
    assert_no_per_member_page_changed(changed)
    assert_no_email_to_others_names_the_author(world, smtp_server)
    # The author hears of the decision once; analysts' notifications were checked above.
    assert [m["To"] for m in smtp_server.messages].count(world.author.email) == 1


def cluster_section(page: str, *, sibling: Contribution, new: Contribution) -> str:
    """The near-duplicate part of a review page, with the two reports' own facts generalised."""
    start = page.index("Near-duplicates and corroboration")
    section = page[start : page.index("</section>", start)]
    for old, placeholder in (
        (new.title, "<new title>"), (f"/{new.pk}/", "/<new id>/"),
        (sibling.title, "<sibling title>"), (f"/{sibling.pk}/", "/<sibling id>/"),
        (sibling.attribution_label, "<named sibling>"),
    ):  # fmt: skip
        section = section.replace(old, placeholder)
    return re.sub(r"\b[01]\.\d\d\b", "<similarity>", section)


def test_an_anonymous_near_duplicate_looks_the_same_whoever_wrote_the_named_sibling(
    world, django_capture_on_commit_callbacks, smtp_server
):
    capture = django_capture_on_commit_callbacks
    seen = []
    for sibling, text in ((world.named_by_other, GALLIUM), (world.named_by_author, SHIPYARD)):
        before = snapshot(world)
        report = _submit_and_accept_anonymous(world, capture, text)
        _build_digests()
        after = snapshot(world)
        fingerprints = ContributionFingerprint.objects.filter(contribution__in=[sibling, report])
        cluster_ids = set(fingerprints.values_list("cluster_id", flat=True))
        assert len(cluster_ids) == 1 and None not in cluster_ids, "a cluster of two"

        changed = changes(before, after)
        assert_nothing_names_the_author(world, changed, declared=(sibling,))
        assert_no_per_member_page_changed(changed)
        pages = [
            after[f"analyst {reverse('intel:review_detail', args=[pk])}"]
            for pk in (sibling.pk, report.pk)
        ]
        sections = [cluster_section(page, sibling=sibling, new=report) for page in pages]
        assert not any("repeat from the same source" in section for section in sections)
        assert all("Corroborated by 1 independent organisation" in part for part in sections)
        seen.append(sections)
        [item] = [item for item in DigestItem.objects.all() if report.pk in item.contribution_ids]
        assert item.data["corroboration"] == 1
    # Whether the named sibling is hers or someone else's, analysts see the same cluster.
    assert seen[0] == seen[1]
    assert_no_email_to_others_names_the_author(world, smtp_server)


def _submit_and_accept_anonymous(world, capture, text):
    report = FieldReportFactory(author=world.author, attribution="anonymous", **reworded(text))
    _act(capture, services.report_submit, contribution=report, actor=world.author)
    _act(capture, services.report_start_review, contribution=report, analyst=world.analyst)
    _act(capture, services.report_accept, contribution=report, analyst=world.analyst)
    return report


def test_the_audited_reveal_names_the_author_and_nothing_else_does(
    world, django_capture_on_commit_callbacks
):
    report = _submit_and_accept_anonymous(world, django_capture_on_commit_callbacks, NEON)
    before = snapshot(world)
    url = reverse("intel:reveal_author", args=[report.pk])
    assert world.clients["analyst"].get(url).status_code == 403
    refused = world.clients["admin"].post(url, {"reason": "why"})
    assert refused.status_code == 400
    assert world.author.email not in refused.content.decode()

    revealed = world.clients["admin"].post(url, {"reason": "Court order 2026/41 names the source."})
    assert revealed.status_code == 200
    content = revealed.content.decode()
    assert world.author.display_name in content and world.author.email in content
    event = AuditEvent.objects.get(action="report.reveal_author", target_id=str(report.pk))
    assert (event.actor, event.reason) == (world.admin, "Court order 2026/41 names the source.")
    assert world.author.email not in json.dumps(event.data) + event.target_repr

    # The reveal is recorded, and the record itself names only the admin.
    changed = changes(before, snapshot(world))
    assert any("report.reveal_author" in " ".join(c.added) for c in changed.values())
    assert_nothing_names_the_author(world, changed)
