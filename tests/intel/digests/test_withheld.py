"""Honest redaction: what a reader may not see is counted ("N reports above your handling
level are not shown"), the number equals what is hidden, and a week never reads as empty
when something exists above the reader's clearance."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from intel.digests import core
from intel.digests import text as digest_text
from intel.vocabulary import TLP_ORDER
from tests.intel.briefings.test_compose import ITEMS, _labels
from tests.intel.digests.test_views import _all_outputs, digests  # noqa: F401 - a fixture

# This week: 2 clear, 3 green, 0 amber, 4 amber+strict, 1 red; none last week.
SNAPSHOT = {
    "totals": {
        "clear": [2, 0, 0, 0, 0],
        "green": [3, 0, 0, 0, 0],
        "amber+strict": [4, 0, 0, 0, 0],
        "red": [1, 0, 0, 0, 0],
    },
}
THIS_WEEK = {"clear": 2, "green": 3, "amber": 0, "amber+strict": 4, "red": 1}


def view(clearance, snapshot=SNAPSHOT, summary="", summary_tlp="clear"):
    return core.compose_view(
        meta={
            "sector": "semiconductors",
            "sector_label": "Semiconductors",
            "version": 1,
            "week_start": "2026-11-16",
        },
        snapshot=snapshot,
        items=ITEMS,
        summary=summary,
        summary_tlp=summary_tlp,
        clearance=clearance,
        labels=_labels(),
        sentences=lambda v: digest_text.what_changed(v, language="en"),
    )


@pytest.mark.parametrize("clearance", list(TLP_ORDER))
def test_withheld_is_exactly_what_is_hidden(clearance):
    composed = view(clearance)
    hidden = sum(n for level, n in THIS_WEEK.items() if TLP_ORDER[level] > TLP_ORDER[clearance])
    assert composed["withheld"]["accepted"] == hidden
    assert composed["totals"]["accepted"] + hidden == sum(THIS_WEEK.values())
    sentences = " ".join(composed["what_changed"])
    if hidden:
        assert f"{hidden} report" in sentences and "above your handling level" in sentences
    else:
        assert "above your handling level" not in sentences


@pytest.mark.parametrize("clearance", list(TLP_ORDER))
def test_a_week_never_reads_as_empty_when_something_is_hidden(clearance):
    # Nothing at clear or green: only amber and above.
    snapshot = {"totals": {"amber": [3, 0, 0, 0, 0], "red": [2, 1, 0, 0, 0]}}
    composed = view(clearance, snapshot)
    sentences = composed["what_changed"]
    assert not any(s.startswith("No reports were accepted this week") for s in sentences)
    markdown = digest_text.to_markdown(composed, language="en")
    withheld = composed["withheld"]["accepted"]
    if composed["totals"]["accepted"] == 0:
        assert sentences[0].startswith("No reports at your handling level were accepted")
    if withheld:
        expected = f"{withheld} report{'s' if withheld > 1 else ''} above your handling level"
        assert sentences[1].startswith(expected)
        assert expected in markdown.split("## Top items")[1].split("##")[0]
    assert composed["totals"]["accepted"] + withheld == 5


def test_nothing_at_all_still_reads_as_nothing():
    composed = view("clear", {"totals": {}})
    assert composed["withheld"]["accepted"] == 0
    assert composed["what_changed"][0] == "No reports were accepted this week (last week: 0)."


def test_a_summary_above_clearance_is_announced_not_shown():
    composed = view("green", summary="Amber thoughts", summary_tlp="amber")
    assert composed["summary"] == "" and composed["withheld"]["summary"] is True
    markdown = digest_text.to_markdown(composed, language="en")
    assert "Amber thoughts" not in markdown
    assert "The analyst summary is above your handling level and is not shown." in markdown
    assert view("amber", summary="Amber thoughts", summary_tlp="amber")["withheld"] == {
        "accepted": 5,
        "summary": False,
    }


def test_japanese_sentence():
    composed = view("clear")
    japanese = digest_text.what_changed(composed, language="ja")
    assert "あなたの取り扱いレベルを超える報告8件は表示していません。" in japanese


# --- On every surface of a published digest ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "hidden"), [("anonymous", 2), ("contributor", 1), ("analyst", 0)]
)
def test_every_output_says_how_many_are_withheld(request, client_for, anonymous, digests,  # noqa: F811
                                                 persona, hidden):  # fmt: skip
    client = anonymous if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    digest = digests["published"]
    page, printed, markdown, exported = _all_outputs(client, digest)
    expected = {
        0: None,
        1: "1 report above your handling level is not shown.",
        2: "2 reports above your handling level are not shown.",
    }[hidden]
    for text in (page, printed, markdown):
        if expected:
            assert expected in text
        else:
            assert "above your handling level" not in text
    data = json.loads(exported)
    assert data["withheld"]["accepted"] == hidden
    assert data["withheld"]["summary"] is (hidden > 0)  # the summary is TLP:AMBER
    api = client.get(reverse("api-digest-detail", args=[digest.pk]))
    if api.status_code == 200:
        assert api.json()["withheld"]["accepted"] == hidden
