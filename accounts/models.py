"""Identity and membership.

`User`: email is the login; staff roles come from groups (see roles.py).
`Application`: a person's request to join the community, vetted by analysts.
`Membership`: a vetted contributor's standing (active / suspended / revoked)
and Admiralty source grade. `AuditEvent`: the append-only decision record.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.countries import country_name
from intel.vocabulary import SourceReliability, sector_labels

from . import roles


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set by `accounts.services.account_delete`: the row stays (audit records and
    # anonymised reports point at it) but every personal field has been erased.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UserManager()

    # Not stored: whether the sign-in behind the current request (session or
    # API token) passed the second factor. Set per request by
    # accounts.middleware and accounts.authentication; see accounts.permissions.
    second_factor_passed: bool = False

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def is_analyst(self) -> bool:
        return self.is_active and (self.is_superuser or roles.ANALYSTS in self.role_names)

    @cached_property
    def is_reader(self) -> bool:
        """A member's invited colleague: reads the library, digests and briefings at TLP:GREEN.

        The role alone is not enough: the inviting member must still be an active
        member, so a suspended member's colleagues lose the access with them.
        """
        if not (self.is_active and roles.READERS in self.role_names):
            return False
        return ReaderInvitation.objects.filter(
            reader=self,
            removed_at__isnull=True,
            member__is_active=True,
            member__membership__status=Membership.Status.ACTIVE,
        ).exists()

    @property
    def is_vetted_contributor(self) -> bool:
        """An active member of the community: may submit reports."""
        try:
            membership = self.membership
        except Membership.DoesNotExist:
            return False
        return self.is_active and membership.status == Membership.Status.ACTIVE

    @property
    def is_site_admin(self) -> bool:
        return self.is_active and self.is_superuser


class Affiliation(models.TextChoices):
    BUSINESS = "business", _("Business")
    RESEARCH = "research", _("Research")
    ACADEMIA = "academia", _("Academia")
    OTHER = "other", _("Other")


class Invitation(models.Model):
    """A vetted member vouches for someone by email; the link expires."""

    inviter = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations_sent", verbose_name=_("inviter")
    )
    email = models.EmailField(_("email address"))
    # SHA-256 of the code in the link: a leaked database holds no usable invitation.
    token = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language of the invitation email"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_by = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation_used",
        verbose_name=_("used by"),
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["inviter", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_by__isnull=True, used_at__isnull=True)
                | models.Q(used_by__isnull=False, used_at__isnull=False),
                name="accounts_invitation_used_by_and_at_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} (by {self.inviter})"

    @staticmethod
    def token_for(code: str) -> str:
        return hashlib.sha256(code.strip().encode()).hexdigest()

    @property
    def is_used(self) -> bool:
        return self.used_by_id is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_used and not self.is_expired


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    MORE_INFO = "more-info", _("More information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Application(models.Model):
    """A request to join the community as a contributor."""

    Status = ApplicationStatus

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="application", verbose_name=_("applicant")
    )
    affiliation = models.CharField(_("affiliation type"), max_length=16, choices=Affiliation)
    organisation = models.CharField(_("organisation"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    sectors = models.JSONField(_("sectors of expertise"), default=list)
    statement = models.TextField(_("statement of expertise"))
    conflict_of_interest = models.TextField(_("conflicts of interest"), blank=True)
    # The applicant's answer when an analyst asked for more information.
    response = models.TextField(_("answer to the analyst"), blank=True)
    accepts_handling_rules = models.BooleanField(_("accepts the handling rules"), default=False)
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("invitation"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.SUBMITTED)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["affiliation"]),
            models.Index(fields=["country"]),
        ]
        constraints = [
            choices_constraint(
                "status", ApplicationStatus, name="accounts_application_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(accepts_handling_rules=True),
                name="accounts_application_accepts_handling_rules",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["submitted"]) | models.Q(decided_at__isnull=False),
                name="accounts_application_decision_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.MORE_INFO)

    def get_sectors_display(self) -> list[str]:
        return sector_labels(self.sectors)

    def get_country_display(self) -> str:
        return country_name(self.country)


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class Membership(models.Model):
    """A vetted contributor's standing in the community and source grade."""

    Status = MembershipStatus

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="membership", verbose_name=_("member")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE)
    source_grade = models.CharField(
        _("source reliability"),
        max_length=1,
        choices=SourceReliability,
        default=SourceReliability.F,
    )
    affiliation = models.CharField(_("affiliation type"), max_length=16, choices=Affiliation)
    organisation = models.CharField(_("organisation"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    sectors = models.JSONField(_("sectors of expertise"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["status"]), models.Index(fields=["source_grade"])]
        constraints = [
            choices_constraint("status", MembershipStatus, name="accounts_membership_status_valid"),
            choices_constraint(
                "source_grade", SourceReliability, name="accounts_membership_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()}, {self.source_grade})"

    def get_sectors_display(self) -> list[str]:
        return sector_labels(self.sectors)

    def get_country_display(self) -> str:
        return country_name(self.country)


class GradeChange(models.Model):
    """History of a member's source grade: who changed it, from what, and why."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="grade_history"
    )
    previous_grade = models.CharField(max_length=1, choices=SourceReliability, blank=True)
    grade = models.CharField(max_length=1, choices=SourceReliability)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.membership.user}: {self.previous_grade or '-'} → {self.grade}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One decision, append-only: written by `accounts.services.audit_record` only."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the record still names the actor after account deletion.
    actor_repr = models.CharField(_("actor"), max_length=254)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=64)
    target_repr = models.CharField(_("target"), max_length=300)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["action", "created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.target_repr}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")


class ReaderInvitation(models.Model):
    """A vetted member invites a colleague of their own organisation to read, not contribute.

    Accepted, it names the reader and puts them in the readers role; the member
    removes them by setting `removed_at` (the row stays, for the audit trail).
    """

    member = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="reader_invitations", verbose_name=_("member")
    )
    email = models.EmailField(_("email address"))
    # SHA-256 of the code in the link, as for membership invitations.
    token = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    reader = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reader_grants",
        verbose_name=_("reader"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reader invitation")
        verbose_name_plural = _("reader invitations")
        indexes = [models.Index(fields=["member", "created_at"], name="accounts_reader_member_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reader__isnull=True, accepted_at__isnull=True)
                | models.Q(reader__isnull=False, accepted_at__isnull=False),
                name="accounts_reader_accepted_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} (reader of {self.member})"

    @staticmethod
    def token_for(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.reader_id is not None and self.removed_at is None

    @property
    def is_expired(self) -> bool:
        return self.reader_id is None and self.expires_at <= timezone.now()
