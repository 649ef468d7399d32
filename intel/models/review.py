"""The review conversation: comments between author and analysts, four-eyes approvals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    CHANGES_REQUESTED = "changes-requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    ACCEPTED = "accepted", _("Accepted")


class Comment(models.Model):
    Kind = CommentKind

    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Whether the writer spoke as an analyst; decides how the thread labels them
    # (an anonymous report's author is only ever "the author").
    by_analyst = models.BooleanField(default=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.COMMENT)
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["contribution", "created_at"], name="intel_comment_idx")]
        constraints = [choices_constraint("kind", CommentKind, name="intel_comment_kind")]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on {self.contribution_id}"


class ReviewApproval(models.Model):
    """One analyst's accept of one revision; amber+strict and red need two."""

    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="approvals"
    )
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "revision", "analyst"], name="intel_approval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.analyst_id} approves {self.contribution_id} r{self.revision}"


class ContributionRevision(models.Model):
    """What one submitted revision said, kept so the next can be compared with it."""

    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="revisions"
    )
    revision = models.PositiveIntegerField()
    # Field name → the text the analysts read at that revision.
    fields = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitted revision")
        verbose_name_plural = _("submitted revisions")
        constraints = [
            models.UniqueConstraint(fields=["contribution", "revision"], name="intel_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} r{self.revision}"
