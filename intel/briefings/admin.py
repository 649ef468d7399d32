"""Admin for briefings: subscriptions (clearance grants), the delivery log, sending a week.

Every change goes through `intel.briefings.services` and is audited: the only
editable field of a subscription is the clearance an administrator grants
(with a reason); the delivery log is read-only, with actions to resend one
briefing and to send a week now. Imported by `intel.admin`.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from community.admin import ReadOnlyAdmin
from community.mail import email_send_on_commit
from intel import validation
from intel.briefings import selectors, services
from intel.digests import core as digest_core
from intel.errors import WorkflowError
from intel.models import BriefingWeek, Delivery, DeliveryStatus, Subscription


def _admin(request: HttpRequest) -> User:
    return cast(User, request.user)


class SubscriptionAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the clearance change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the granted clearance changes; recorded in the audit trail."),
    )

    class Meta:
        model = Subscription
        fields = ["granted_clearance"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "granted_clearance" in self.changed_data:
            if cleaned.get("granted_clearance") and self.instance.user_id is None:
                self.add_error(
                    "granted_clearance",
                    _("Only a subscription linked to an account can hold a higher clearance."),
                )
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", _("Give a reason for this decision."))
        return cleaned


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionAdminForm
    list_display = [
        "email", "status", "language", "sector_list", "granted_clearance",
        "consecutive_failures", "confirmed_at", "user",
    ]  # fmt: skip
    list_filter = ["status", "language", "content", "granted_clearance"]
    search_fields = ["email"]
    list_select_related = ["user"]
    readonly_fields = [
        "email", "user", "sector_list", "language", "status", "granted_by", "granted_at",
        "confirmation_sent_at", "confirmed_at", "unsubscribed_at", "paused_at",
        "consecutive_failures", "created_at", "updated_at", "content",
    ]  # fmt: skip
    fields = [*readonly_fields[:5], "granted_clearance", "reason", *readonly_fields[5:]]

    @admin.display(description=_("sectors"))
    def sector_list(self, subscription: Subscription) -> str:
        return ", ".join(subscription.sectors)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(_admin(request).is_site_admin)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A subscriber leaves through their own unsubscribe link, which keeps the record
        # of consent; the admin only grants clearance.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if "granted_clearance" not in form.changed_data:
            return
        current = Subscription.objects.get(pk=obj.pk)
        try:
            services.subscription_grant_clearance(
                subscription=current,
                clearance=form.cleaned_data["granted_clearance"],
                actor=_admin(request),
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:  # pragma: no cover - form checks
            raise PermissionDenied(str(error)) from error


def _count(status: str) -> Subquery:
    return Subquery(
        Delivery.objects.filter(week_start=OuterRef("week_start"), status=status)
        .values("week_start")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


class PreviewForm(forms.Form):
    """Which briefing to look at: the week, the kind of reader, the language."""

    week_start = forms.DateField(
        label=_("Week starting (a Monday)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reader = forms.ChoiceField(
        label=_("Reader"),
        choices=[
            ("public", _("Public subscriber (TLP:CLEAR)")),
            ("member", _("Member or analyst (TLP:GREEN)")),
            ("cleared", _("Subscriber cleared to TLP:AMBER")),
        ],
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_week_start(self) -> datetime.date:
        return validation.clean_week_start(self.cleaned_data["week_start"])


class SendWeekForm(forms.Form):
    week_start = forms.DateField(
        label=_("Week starting (a Monday)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_week_start(self) -> datetime.date:
        return validation.clean_week_start(self.cleaned_data["week_start"])


@admin.register(BriefingWeek)
class BriefingWeekAdmin(ReadOnlyAdmin):
    list_display = ["week_start", "started_at", "started_by", "sent", "failed", "waiting"]
    readonly_fields = ["week_start", "started_at", "started_by", "corrections", "updated_at"]
    actions = ["send_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BriefingWeek]:
        return (
            super()
            .get_queryset(request)
            .select_related("started_by")
            .annotate(
                sent_count=_count(DeliveryStatus.SENT),
                failed_count=_count(DeliveryStatus.FAILED),
                pending_count=_count(DeliveryStatus.PENDING),
                sending_count=_count(DeliveryStatus.SENDING),
            )
        )

    @admin.display(description=_("sent"))
    def sent(self, week: Any) -> int:
        return week.sent_count or 0

    @admin.display(description=_("failed"))
    def failed(self, week: Any) -> int:
        return week.failed_count or 0

    @admin.display(description=_("waiting"))
    def waiting(self, week: Any) -> int:
        return (week.pending_count or 0) + (week.sending_count or 0)

    def has_send_permission(self, request: HttpRequest) -> bool:
        return bool(_admin(request).is_site_admin)

    def _send(self, request: HttpRequest, week_start: datetime.date) -> bool:
        try:
            services.briefing_week_send_now(week_start=week_start, actor=_admin(request))
        except WorkflowError as error:
            self.message_user(request, error.message, messages.ERROR)
            return False
        self.message_user(
            request,
            _("The briefing of the week of %(week)s is being sent; only unsent briefings go out.")
            % {"week": week_start.isoformat()},
            messages.SUCCESS,
        )
        return True

    @admin.action(description=_("Send now (only briefings not yet sent)"), permissions=["send"])
    def send_now(self, request: HttpRequest, queryset: QuerySet[BriefingWeek]) -> None:
        for week in queryset:
            self._send(request, week.week_start)

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "send/",
                self.admin_site.admin_view(self.send_week_view),
                name="intel_briefingweek_send",
            ),
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="intel_briefingweek_preview",
            ),
        ]
        return custom + super().get_urls()

    def send_week_view(self, request: HttpRequest) -> HttpResponse:
        """Start (or finish) any week's briefing now, e.g. one beat refused as unpublished."""
        if not self.has_send_permission(request):
            raise PermissionDenied
        default = default_week()
        form = SendWeekForm(request.POST or None, initial={"week_start": default})
        if (
            request.method == "POST"
            and form.is_valid()
            and self._send(request, form.cleaned_data["week_start"])
        ):
            return redirect(reverse("admin:intel_briefingweek_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send a weekly briefing now"),
            "form": form,
            "preview_form": PreviewForm(
                initial={"week_start": default, "reader": "public", "language": "en"}
            ),
            "preview_url": reverse("admin:intel_briefingweek_preview"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/intel/briefingweek/send_week.html", context)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """A week's briefing as one kind of reader gets it; POST mails that copy to oneself."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PreviewForm(request.POST if request.method == "POST" else request.GET)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Preview a weekly briefing"),
                "form": SendWeekForm(initial={"week_start": default_week()}),
                "preview_form": form,
                "preview_url": reverse("admin:intel_briefingweek_preview"),
                "opts": self.model._meta,
            }
            return TemplateResponse(
                request, "admin/intel/briefingweek/send_week.html", context, status=400
            )
        composed = selectors.briefing_preview(
            week_start=form.cleaned_data["week_start"],
            reader=form.cleaned_data["reader"],
            language=form.cleaned_data["language"],
        )
        if request.method == "GET" and request.GET.get("part") == "html":
            # The email itself, as a mail client shows it: its styles are inline
            # attributes, allowed for this response only; scripts stay forbidden.
            response = HttpResponse(composed.html)
            response._csp_replace = {"style-src": ["'unsafe-inline'"]}  # type: ignore[attr-defined]
            return response
        if request.method == "POST":
            message = EmailMultiAlternatives(
                subject=composed.subject,
                body=composed.text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[_admin(request).email],
            )
            message.attach_alternative(composed.html, "text/html")
            email_send_on_commit(message=message)
            self.message_user(
                request,
                _("A test copy is on its way to %(email)s.") % {"email": _admin(request).email},
                messages.SUCCESS,
            )
            query = request.POST.copy()
            query.pop("csrfmiddlewaretoken", None)
            return redirect(f"{reverse('admin:intel_briefingweek_preview')}?{query.urlencode()}")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(subject)s") % {"subject": composed.subject},
            "composed": composed,
            "preview_form": form,
            "preview_url": reverse("admin:intel_briefingweek_preview"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/intel/briefingweek/preview.html", context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {
            **(extra_context or {}),
            "send_week_url": reverse("admin:intel_briefingweek_send"),
            "may_send": self.has_send_permission(request),
        }
        return super().changelist_view(request, extra_context=extra)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: read-only; one action resends a briefing."""

    list_display = [
        "subscription", "week_start", "status", "attempts", "smtp_code", "sent_at",
        "clearance", "resend_count", "error",
    ]  # fmt: skip
    list_filter = ["status", "week_start", "clearance"]
    search_fields = ["subscription__email"]
    list_select_related = ["subscription"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "subscription", "week_start", "status", "attempts", "claimed_at", "sent_at",
        "smtp_code", "error", "sectors", "clearance", "language", "corrections",
        "resend_count", "created_at", "updated_at",
    ]  # fmt: skip
    actions = ["resend"]

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return bool(_admin(request).is_site_admin)

    @admin.action(description=_("Resend the selected briefings"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        queued = sum(
            services.delivery_resend(delivery=delivery, actor=_admin(request))
            for delivery in queryset
        )
        skipped = queryset.count() - queued
        self.message_user(
            request,
            ngettext(
                "%(number)s briefing queued to be sent again.",
                "%(number)s briefings queued to be sent again.",
                queued,
            )
            % {"number": queued},
            messages.SUCCESS,
        )
        if skipped > 0:
            self.message_user(
                request,
                _("Briefings still waiting to be sent were left as they are."),
                messages.WARNING,
            )


def default_week() -> datetime.date:
    """The newest week with a published digest, else the week just ended."""
    return selectors.latest_published_week() or digest_core.last_full_week(
        datetime.datetime.now(tz=digest_core.TOKYO)
    )
