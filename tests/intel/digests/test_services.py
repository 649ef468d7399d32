"""Analyst workflow: edit, publish (immutable), correct (new version, flagged), assess."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from accounts.models import AuditEvent
from intel.digests import selectors as selectors_digests
from intel.digests import services as digest_services
from intel.errors import WorkflowError
from intel.models import Digest, DigestItem, SectorAssessment
from tests.helpers import signed_in
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(contributor):
    """A critical-minerals draft with three items: green, amber, clear."""
    other = member("Org Z")
    accepted(contributor, at=jst(WEEK + datetime.timedelta(days=1)), credibility=1, grade="A",
             title="Green gallium item")  # fmt: skip
    accepted(other, at=jst(WEEK + datetime.timedelta(days=2)), tlp="amber", credibility=1,
             grade="B", title="Amber germanium item")  # fmt: skip
    accepted(contributor, at=jst(WEEK + datetime.timedelta(days=3)), tlp="clear",
             title="Clear tariff item")  # fmt: skip
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    return Digest.objects.get(sector=SECTOR, week_start=WEEK)


def _items(digest):
    return list(digest.items.order_by("position", "pk"))


def test_edit_reorders_drops_annotates_and_marks_edited(draft, analyst):
    green, amber, clear = _items(draft)
    digest_services.digest_edit(
        digest=draft, analyst=analyst, summary="**Week** summary", summary_tlp="clear",
        notes="internal", order=[clear.pk, green.pk, amber.pk], dropped=[amber.pk],
        item_notes={clear.pk: "Public tariff note"},
    )  # fmt: skip
    draft.refresh_from_db()
    assert (draft.status, draft.edited_by, draft.summary_tlp) == ("edited", analyst, "clear")
    assert [item.title for item in _items(draft)] == [
        "Clear tariff item", "Green gallium item", "Amber germanium item",
    ]  # fmt: skip
    assert DigestItem.objects.get(pk=amber.pk).dropped
    view = selectors_digests.digest_view(digest=draft, clearance="red")
    assert [item["title"] for item in view["items"]] == ["Clear tariff item", "Green gallium item"]
    assert view["items"][0]["note"] == "Public tariff note"
    assert view["summary"] == "**Week** summary"
    event = AuditEvent.objects.get(action="digest.edit")
    assert event.actor == analyst and event.data["dropped"] == [amber.pk]


def test_edit_without_changes_leaves_the_draft_untouched(draft, analyst):
    digest_services.digest_edit(digest=draft, analyst=analyst, summary="")
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not AuditEvent.objects.filter(action="digest.edit").exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"summary_tlp": "purple"}, "summary_tlp"),
        ({"order": [1, 2]}, "order"),
        ({"dropped": [999_999]}, "dropped"),
        ({"item_notes": {999_999: "x"}}, "item_notes"),
        ({"summary": "x" * 20_001}, "summary"),
    ],
)
def test_edit_explains_bad_input_per_field(draft, analyst, kwargs, field):
    with pytest.raises(ValidationError) as error:
        digest_services.digest_edit(digest=draft, analyst=analyst, **kwargs)
    assert field in error.value.message_dict


def test_only_analysts_edit_publish_or_assess(draft, contributor):
    with pytest.raises(PermissionDenied):
        digest_services.digest_edit(digest=draft, analyst=contributor, summary="x")
    with pytest.raises(PermissionDenied):
        digest_services.digest_publish(digest=draft, analyst=contributor)
    with pytest.raises(PermissionDenied):
        digest_services.assessment_record(
            analyst=contributor, sector=SECTOR, sector_class="red", autonomy=1,
            indispensability=1, rationale="Not allowed to assess.",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        digest_services.digests_build_week(week_start=WEEK, actor=contributor)


def test_publish_records_who_and_when_and_freezes_the_digest(draft, analyst):
    digest_services.digest_publish(digest=draft, analyst=analyst)
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == analyst
    assert draft.published_at is not None and not draft.correction_pending_briefing
    with pytest.raises(WorkflowError):
        digest_services.digest_publish(digest=draft, analyst=analyst)
    with pytest.raises(WorkflowError):
        digest_services.digest_edit(digest=draft, analyst=analyst, summary="too late")
    with pytest.raises(WorkflowError):
        digest_services.digest_edit(digest=draft, analyst=analyst)  # even an empty edit
    draft.refresh_from_db()
    assert draft.summary == ""
    assert AuditEvent.objects.filter(action="digest.publish").count() == 1


def test_a_stale_copy_cannot_edit_a_digest_published_meanwhile(draft, analyst, second_analyst):
    stale_copy = Digest.objects.get(pk=draft.pk)
    digest_services.digest_publish(digest=draft, analyst=second_analyst)
    with pytest.raises(WorkflowError):
        digest_services.digest_edit(digest=stale_copy, analyst=analyst, summary="mine")
    assert Digest.objects.get(pk=draft.pk).summary == ""


def test_correction_is_a_new_linked_version_flagged_for_the_next_briefing(draft, analyst):
    _green, amber, _clear = _items(draft)
    digest_services.digest_edit(digest=draft, analyst=analyst, summary="Original",
                                summary_tlp="green", dropped=[amber.pk])  # fmt: skip
    digest_services.digest_publish(digest=draft, analyst=analyst)
    with pytest.raises(ValidationError):
        digest_services.digest_correct(digest=draft, analyst=analyst, correction_note="short")
    correction = digest_services.digest_correct(
        digest=draft, analyst=analyst, correction_note="The gallium figure was misread."
    )
    assert (correction.version, correction.previous, correction.status) == (2, draft, "edited")
    assert correction.summary == "Original"
    assert correction.items.get(key=amber.key).dropped  # the analyst's decisions carry over
    assert not correction.correction_pending_briefing  # not until it is published
    with pytest.raises(WorkflowError):  # only the latest version can be corrected
        digest_services.digest_correct(digest=draft, analyst=analyst,
                                       correction_note="A second correction of v1.")  # fmt: skip
    digest_services.digest_edit(digest=correction, analyst=analyst, summary="Corrected")
    digest_services.digest_publish(digest=correction, analyst=analyst)
    correction.refresh_from_db()
    assert correction.correction_pending_briefing
    draft.refresh_from_db()
    assert draft.summary == "Original"  # the first version is unchanged
    # Readers now get version 2; the archive keeps both.
    assert list(selectors_digests.published_digests(sector=SECTOR)) == [correction]
    assert selectors_digests.digests_for_briefing(week_start=WEEK, sectors=[SECTOR]) == {
        SECTOR: correction
    }
    assert list(selectors_digests.corrections_pending_briefing()) == [correction]
    view = selectors_digests.digest_view(digest=draft, clearance="green")
    assert view["superseded_by"] == correction.pk
    # A briefing that carried it marks it, once.
    assert digest_services.digest_corrections_mark_briefed(digest_ids=[correction.pk]) == 1
    assert digest_services.digest_corrections_mark_briefed(digest_ids=[correction.pk]) == 0
    assert not selectors_digests.corrections_pending_briefing().exists()
    assert AuditEvent.objects.filter(action="digest.correct").count() == 1


def test_draft_cannot_be_corrected(draft, analyst):
    with pytest.raises(WorkflowError):
        digest_services.digest_correct(digest=draft, analyst=analyst,
                                       correction_note="Nothing published yet.")  # fmt: skip


def test_database_allows_one_open_version_per_sector_and_week(draft, digest_factory):
    with pytest.raises(IntegrityError):
        digest_factory(sector=SECTOR, week_start=WEEK, version=2, previous=draft, published=False)


def test_assessments_are_appended_and_audited(analyst):
    first = digest_services.assessment_record(
        analyst=analyst, sector=SECTOR, sector_class="green", autonomy=2, indispensability=3,
        rationale="Refining is concentrated abroad.",
    )  # fmt: skip
    second = digest_services.assessment_record(
        analyst=analyst, sector=SECTOR, sector_class="blue", autonomy=3, indispensability=4,
        rationale="Domestic refining came on line.",
    )  # fmt: skip
    assert list(selectors_digests.assessments_of(sector=SECTOR)) == [second, first]
    assert selectors_digests.current_assessments()[SECTOR] == second
    assert SectorAssessment.objects.count() == 2
    event = AuditEvent.objects.filter(action="sector.assess").latest("pk")
    assert event.data == {"sector": SECTOR, "class": "blue", "autonomy": 3,
                          "indispensability": 4}  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sector": "tulips"}, "sector"),
        ({"sector_class": "purple"}, "sector_class"),
        ({"autonomy": 6}, "autonomy"),
        ({"indispensability": 0}, "indispensability"),
        ({"rationale": "short"}, "rationale"),
    ],
)
def test_assessment_validation(analyst, kwargs, field):
    values = {"sector": SECTOR, "sector_class": "red", "autonomy": 3, "indispensability": 3,
              "rationale": "A sound rationale."} | kwargs  # fmt: skip
    with pytest.raises(ValidationError) as error:
        digest_services.assessment_record(analyst=analyst, **values)
    assert field in error.value.message_dict


def test_reader_clearance_by_persona(
    contributor, analyst, analyst_without_mfa, newcomer, admin_user
):
    from django.contrib.auth.models import AnonymousUser

    assert selectors_digests.reader_clearance(AnonymousUser()) == "clear"
    assert selectors_digests.reader_clearance(newcomer) == "clear"
    assert selectors_digests.reader_clearance(contributor) == "green"
    assert selectors_digests.reader_clearance(signed_in(analyst_without_mfa)) == "clear"
    assert selectors_digests.reader_clearance(signed_in(analyst)) == "red"
    assert selectors_digests.reader_clearance(signed_in(admin_user)) == "red"
    # TOTP enrolled is not enough: the sign-in must have passed it.
    assert selectors_digests.reader_clearance(signed_in(analyst, second_factor=False)) == "clear"
    assert selectors_digests.reader_clearance(analyst) == "clear"
