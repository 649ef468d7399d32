"""Saved searches: per analyst, named, re-run from the list; nobody else's can be seen or used."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intel.models import SavedSearch
from intel.reports.services import saved_search_save

pytestmark = pytest.mark.django_db


def test_analyst_saves_a_search_and_reruns_it_from_the_list(client_for, analyst):
    client = client_for(analyst)
    response = client.post(
        reverse("intel:saved_search_save"),
        {"name": "Gallium in Japanese", "query": "q=ガリウム&sector=critical-minerals&page=3&x=1"},
    )
    saved = SavedSearch.objects.get(user=analyst)
    # Only the search form's own fields are kept; the page number and unknown keys are not.
    assert saved.query_string == "q=%E3%82%AC%E3%83%AA%E3%82%A6%E3%83%A0&sector=critical-minerals"
    assert response.status_code == 302 and response["Location"].endswith(saved.query_string)
    page = client.get(reverse("intel:search")).content.decode()
    assert "Gallium in Japanese" in page
    rerun = client.get(reverse("intel:saved_search_run", args=[saved.pk]))
    assert rerun.status_code == 302
    assert rerun["Location"] == reverse("intel:search") + "?" + saved.query_string


def test_saving_again_under_a_name_replaces_the_query(analyst):
    first = saved_search_save(user=analyst, name="Neon", query_string="q=neon")
    second = saved_search_save(user=analyst, name=" Neon ", query_string="q=neon+prices")
    assert first.pk == second.pk and SavedSearch.objects.get().query_string == "q=neon+prices"


def test_another_analyst_cannot_see_run_or_delete_it(client_for, analyst, second_analyst):
    saved = saved_search_save(user=analyst, name="Private", query_string="q=neon")
    other = client_for(second_analyst)
    assert "Private" not in other.get(reverse("intel:search")).content.decode()
    assert other.get(reverse("intel:saved_search_run", args=[saved.pk])).status_code == 404
    assert other.post(reverse("intel:saved_search_delete", args=[saved.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_owner_deletes_it(client_for, analyst):
    saved = saved_search_save(user=analyst, name="Old", query_string="q=neon")
    response = client_for(analyst).post(reverse("intel:saved_search_delete", args=[saved.pk]))
    assert response.status_code == 302 and not SavedSearch.objects.exists()


def test_non_analysts_are_refused(client_for, anonymous, contributor, analyst_without_mfa,
                                  analyst):  # fmt: skip
    saved = saved_search_save(user=analyst, name="Mine", query_string="q=neon")
    urls = [
        ("post", reverse("intel:saved_search_save"), {"name": "x", "query": ""}),
        ("get", reverse("intel:saved_search_run", args=[saved.pk]), {}),
        ("post", reverse("intel:saved_search_delete", args=[saved.pk]), {}),
    ]
    for client in (anonymous, client_for(contributor), client_for(analyst_without_mfa)):
        for method, url, data in urls:
            assert getattr(client, method)(url, data).status_code in {302, 403}, url
    assert SavedSearch.objects.count() == 1


def test_bad_input_is_a_400_and_keeps_what_was_typed(client_for, analyst):
    client = client_for(analyst)
    response = client.post(reverse("intel:saved_search_save"), {"name": "", "query": "q=neon"})
    assert response.status_code == 400
    response = client.post(
        reverse("intel:saved_search_save"),
        {"name": "Bad dates", "query": "submitted_from=2026-05-02&submitted_to=2026-05-01"},
    )
    assert response.status_code == 400
    assert 'value="Bad dates"' in response.content.decode()
    assert not SavedSearch.objects.exists()
