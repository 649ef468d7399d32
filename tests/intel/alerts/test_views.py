"""Watch pages: who may keep watches, nobody edits another's, the mute link needs no sign-in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intel.alerts import selectors
from intel.models import Watch

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Gallium",
    "sectors": ["critical-minerals"],
    "countries": "cn, jp",
    "query": "",
    "frequency": "immediate",
}


def test_member_saves_lists_and_edits_a_watch(contributor, client_for):
    client = client_for(contributor)
    assert client.get(reverse("intel:watch_create")).status_code == 200
    response = client.post(reverse("intel:watch_create"), FORM)
    assert response.status_code == 302
    watch = Watch.objects.get(user=contributor)
    assert selectors.watch_labels(watch)["country"] == ["CN", "JP"]
    assert watch.kind_count == 2
    page = client.get(reverse("intel:watch_list"))
    assert page.status_code == 200 and "Gallium" in page.content.decode()
    edit = {**FORM, "name": "Gallium daily", "frequency": "daily", "countries": ""}
    assert client.post(reverse("intel:watch_edit", args=[watch.pk]), edit).status_code == 302
    watch.refresh_from_db()
    assert (watch.name, watch.frequency, watch.kind_count) == ("Gallium daily", "daily", 1)


def test_member_saves_a_watch_on_words_alone_and_edits_it_back_to_labels(contributor, client_for):
    client = client_for(contributor)
    words = {**FORM, "sectors": [], "countries": "", "query": "gallium licence"}
    assert client.post(reverse("intel:watch_create"), words).status_code == 302
    watch = Watch.objects.get(user=contributor)
    assert watch.query == "gallium licence" and watch.kind_count == 1
    assert list(watch.terms.values_list("kind", "slug")) == [("word", "gal")]
    assert all(not slugs for slugs in selectors.watch_labels(watch).values())
    assert client.post(reverse("intel:watch_edit", args=[watch.pk]), FORM).status_code == 302
    assert sorted(watch.terms.values_list("kind", flat=True)) == ["country", "country", "sector"]


def test_analyst_may_keep_watches(analyst, client_for):
    client = client_for(analyst)
    assert client.get(reverse("intel:watch_list")).status_code == 200
    assert client.post(reverse("intel:watch_create"), FORM).status_code == 302


def test_anonymous_is_sent_to_sign_in(anonymous):
    response = anonymous.get(reverse("intel:watch_list"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert anonymous.post(reverse("intel:watch_create"), FORM).status_code == 302
    assert not Watch.objects.exists()


def test_newcomer_and_analyst_without_second_factor_are_refused(
    newcomer, analyst, password_only_client_for, client_for
):
    assert client_for(newcomer).get(reverse("intel:watch_list")).status_code == 403
    client = password_only_client_for(analyst)
    assert client.post(reverse("intel:watch_create"), FORM).status_code == 403
    assert not Watch.objects.exists()


def test_other_member_cannot_see_edit_or_delete_your_watch(
    contributor, other_contributor, client_for, watch_for
):
    watch = watch_for(contributor, name="Mine", sectors=["semiconductors"])
    other = client_for(other_contributor)
    assert "Mine" not in other.get(reverse("intel:watch_list")).content.decode()
    assert other.get(reverse("intel:watch_edit", args=[watch.pk])).status_code == 404
    assert other.post(reverse("intel:watch_edit", args=[watch.pk]), FORM).status_code == 404
    assert other.post(reverse("intel:watch_delete", args=[watch.pk])).status_code == 404
    watch.refresh_from_db()
    assert watch.name == "Mine"
    assert (
        client_for(contributor).post(reverse("intel:watch_delete", args=[watch.pk])).status_code
        == 302
    )
    assert not Watch.objects.filter(pk=watch.pk).exists()


@pytest.mark.parametrize(
    "data",
    [
        {**FORM, "sectors": [], "countries": ""},  # no label and no words
        {**FORM, "sectors": [], "countries": "", "query": "   "},
        {**FORM, "countries": "XX"},  # not a country
        {**FORM, "sectors": ["not-a-sector"]},
        {**FORM, "frequency": "hourly"},
        {**FORM, "name": ""},
    ],
)
def test_bad_watch_is_a_400_and_keeps_the_saved_one(contributor, client_for, watch_for, data):
    watch = watch_for(contributor, name="Kept", sectors=["semiconductors"])
    client = client_for(contributor)
    assert client.post(reverse("intel:watch_create"), data).status_code == 400
    assert client.post(reverse("intel:watch_edit", args=[watch.pk]), data).status_code == 400
    watch.refresh_from_db()
    assert watch.name == "Kept" and selectors.watch_labels(watch)["sector"] == ["semiconductors"]
    assert Watch.objects.filter(user=contributor).count() == 1


def test_duplicate_name_is_a_400(contributor, client_for, watch_for):
    watch_for(contributor, name="Gallium", sectors=["semiconductors"])
    assert client_for(contributor).post(reverse("intel:watch_create"), FORM).status_code == 400


def test_mute_link_works_without_sign_in_and_can_be_unmuted(
    contributor, anonymous, client_for, watch_for
):
    watch = watch_for(contributor, name="Gallium", sectors=["critical-minerals"])
    url = reverse("intel:watch_mute", args=[selectors.mute_token(watch)])
    assert anonymous.get(url).status_code == 200
    watch.refresh_from_db()
    assert not watch.is_muted  # a link scanner's GET mutes nothing
    assert anonymous.post(url).status_code == 200
    watch.refresh_from_db()
    assert watch.is_muted
    assert anonymous.post(url).status_code == 200  # twice is harmless
    client = client_for(contributor)
    assert client.post(reverse("intel:watch_unmute", args=[watch.pk])).status_code == 302
    watch.refresh_from_db()
    assert not watch.is_muted


def test_bad_or_altered_mute_token_is_a_404(contributor, other_contributor, anonymous, watch_for):
    watch = watch_for(contributor, name="Gallium", sectors=["critical-minerals"])
    token = selectors.mute_token(watch)
    for bad in ["nonsense", token[:-2] + "xx", token.replace(":", "-", 1)]:
        assert anonymous.post(reverse("intel:watch_mute", args=[bad])).status_code == 404
    watch.refresh_from_db()
    assert not watch.is_muted


def test_watch_list_costs_a_fixed_number_of_queries(
    contributor, client_for, watch_for, django_assert_max_num_queries
):
    client = client_for(contributor)
    client.get(reverse("intel:watch_list"))
    for index in range(8):
        watch_for(contributor, name=f"Watch {index}", sectors=["semiconductors"],
                  countries=["JP"])  # fmt: skip
    with django_assert_max_num_queries(12):
        response = client.get(reverse("intel:watch_list"))
    assert response.content.decode().count("Watch ") >= 8


def test_watch_list_names_signals_and_countries_in_the_readers_language(
    contributor, client_for, watch_for
):
    watch_for(contributor, name="Gallium", signals=["export-control"], countries=["CN"])
    client = client_for(contributor)
    body = client.get(reverse("intel:watch_list")).content.decode()
    assert "Export control" in body and "China" in body and "export-control" not in body
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    body = client.get(reverse("intel:watch_list")).content.decode()
    assert "中国" in body
