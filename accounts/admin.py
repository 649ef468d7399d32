"""Admin for accounts: users, and read-only views of membership and the audit trail.

Vetting, standing and grade decisions are made on the analyst pages, which go
through the services (conditional transitions, reasons, audit, emails). The
admin therefore shows applications, memberships, invitations and grade history
but cannot change them, and the audit trail cannot be added to, changed or
deleted here at all. Role changes made on a user's groups are audited. Users
are never deleted here (account deletion erases them through the service).
API tokens are listed and can be revoked, never issued here: a token only
comes from the token endpoint, which asks for the second factor.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from community.admin import ReadOnlyAdmin

from . import services
from .forms import AdminPasswordChangeForm
from .models import (
    Application,
    AuditEvent,
    GradeChange,
    Invitation,
    Membership,
    ReaderInvitation,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = AdminPasswordChangeForm
    ordering = ("email",)
    list_display = ("email", "display_name", "language", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "language")
    search_fields = ("email", "display_name")
    date_hierarchy = "date_joined"
    readonly_fields = ("date_joined", "last_login", "updated_at", "deleted_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "updated_at", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People are erased by account deletion, which keeps the row the record
        # points at. Deleting here would also show which kinds of rows point at a
        # person, so an admin could tell that someone has written anonymous reports.
        return False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        services.user_roles_changed(
            actor=cast(User, request.user), user=user, added=after - before, removed=before - after
        )


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("user", "affiliation", "organisation", "country", "status", "submitted_at")
    list_filter = ("status", "affiliation")
    search_fields = ("user__email", "organisation")
    list_select_related = ("user",)
    date_hierarchy = "submitted_at"
    readonly_fields = ("vetting_page",)

    @admin.display(description=_("Vetting page"))
    def vetting_page(self, application: Application) -> str:
        url = reverse("accounts:vetting-detail", args=[application.pk])
        return format_html('<a href="{}">{}</a>', url, _("Decide on the vetting page"))


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "source_grade", "affiliation", "organisation", "country")
    list_filter = ("status", "source_grade", "affiliation")
    search_fields = ("user__email", "organisation")
    list_select_related = ("user",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "inviter", "created_at", "expires_at", "used_by")
    search_fields = ("email", "inviter__email")
    list_select_related = ("inviter", "used_by")
    exclude = ("token",)


@admin.register(ReaderInvitation)
class ReaderInvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "member", "reader", "created_at", "accepted_at", "removed_at")
    search_fields = ("email", "member__email")
    list_select_related = ("member", "reader")
    exclude = ("token",)


@admin.register(GradeChange)
class GradeChangeAdmin(ReadOnlyAdmin):
    list_display = ("membership", "previous_grade", "grade", "changed_by", "created_at")
    list_filter = ("grade",)
    search_fields = ("membership__user__email",)
    list_select_related = ("membership__user", "changed_by")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_repr", "action", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("actor_repr", "target_repr", "reason")
    date_hierarchy = "created_at"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Not even the bulk "delete selected" action.
        return {}


admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created", "expiry")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    date_hierarchy = "created"
    # Neither the hash nor the key's first characters are shown.
    fields = ("user", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
