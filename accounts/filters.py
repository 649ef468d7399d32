"""django-filter sets shared by the analyst pages and the API, so both filter alike."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from community.filters import DateFilter
from intel.countries import country_choices
from intel.vocabulary import Sector, SourceReliability

from .labels import action_label
from .models import Affiliation, Application, AuditEvent, Membership
from .selectors import audit_actions, filter_by_min_age, filter_by_sector

AGE_CHOICES = [
    ("1", _("waiting 1 day or more")),
    ("7", _("waiting 7 days or more")),
    ("14", _("waiting 14 days or more")),
    ("30", _("waiting 30 days or more")),
]


class LazyChoiceFilter(django_filters.ChoiceFilter):
    """Choices computed per request, so country names follow the active language."""

    def __init__(self, *args, choices_function, **kwargs):  # type: ignore[no-untyped-def]
        self._choices_function = choices_function
        super().__init__(*args, choices=[], **kwargs)

    @property
    def field(self) -> forms.Field:
        self.extra["choices"] = self._choices_function()
        return super().field


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("State"), choices=Application.Status.choices, empty_label=_("Any state")
    )
    affiliation = django_filters.ChoiceFilter(
        label=_("Affiliation"), choices=Affiliation.choices, empty_label=_("Any affiliation")
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"),
        choices=Sector.choices,
        method="filter_sector",
        empty_label=_("Any sector"),
    )
    country = django_filters.CharFilter(
        label=_("Country"),
        method="filter_country",
        help_text=_("ISO 3166-1 alpha-2 code, e.g. JP."),
    )
    min_age_days = django_filters.NumberFilter(
        label=_("Age"),
        method="filter_min_age",
        min_value=0,
        max_value=3650,
        help_text=_("Submitted at least this many days ago."),
    )

    class Meta:
        model = Application
        fields = ["status", "affiliation", "sector", "country", "min_age_days"]

    def filter_sector(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_by_sector(queryset, value)

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country=value.strip().upper())

    def filter_min_age(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return filter_by_min_age(queryset, int(value))  # type: ignore[call-overload]


class ApplicationQueueFilter(ApplicationFilter):
    """The web queue: countries by name, and the age filter as a short list of choices."""

    country = LazyChoiceFilter(
        label=_("Country"),
        choices_function=country_choices,
        method="filter_country",
        empty_label=_("Any country"),
    )

    min_age_days = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, method="filter_min_age", empty_label=_("Any age")
    )


class MembershipFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Standing"), choices=Membership.Status.choices, empty_label=_("Any standing")
    )
    source_grade = django_filters.ChoiceFilter(
        label=_("Source grade"), choices=SourceReliability.choices, empty_label=_("Any grade")
    )
    affiliation = django_filters.ChoiceFilter(
        label=_("Affiliation"), choices=Affiliation.choices, empty_label=_("Any affiliation")
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"),
        choices=Sector.choices,
        method="filter_sector",
        empty_label=_("Any sector"),
    )
    q = django_filters.CharFilter(label=_("Email or organisation"), method="filter_text")

    class Meta:
        model = Membership
        fields = ["status", "source_grade", "affiliation", "sector", "q"]

    def filter_sector(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_by_sector(queryset, value)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(user__email__icontains=value) | Q(organisation__icontains=value))


def _action_choices() -> list[tuple[str, str]]:
    return [(action, action_label(action)) for action in audit_actions()]


class AuditEventFilter(django_filters.FilterSet):
    action = LazyChoiceFilter(
        label=_("Action"), choices_function=_action_choices, empty_label=_("Any action")
    )
    actor = django_filters.CharFilter(
        label=_("Actor"), field_name="actor_repr", lookup_expr="icontains"
    )
    target = django_filters.CharFilter(
        label=_("Target"), field_name="target_repr", lookup_expr="icontains"
    )
    since = DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = DateFilter(
        label=_("Until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target", "since", "until"]
