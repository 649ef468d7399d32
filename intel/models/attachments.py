"""Attachments: private files under MEDIA_ROOT/private, served only by a checked view."""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.reports import filetypes

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no URL: files leave only through the download view."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._base_url = None

    @cached_property
    def base_location(self) -> str:
        # Re-read when MEDIA_ROOT changes (Django clears this on setting_changed).
        return os.path.join(
            self._value_or_setting(getattr(self, "_location", None), settings.MEDIA_ROOT), "private"
        )

    @cached_property
    def base_url(self) -> str | None:  # type: ignore[override]
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; use the permission-checked download view.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploader's name: it could hold path tricks or personal data.
    return f"attachments/{instance.contribution_id}/{uuid.uuid4().hex}.{instance.file_type}"


class Attachment(models.Model):
    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(
        _("type"), max_length=8, choices=[(t.key, t.label) for t in filetypes.ALLOWED.values()]
    )
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["contribution", "created_at"], name="intel_attach_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0, size__lte=MAX_ATTACHMENT_BYTES), name="intel_attach_size"
            ),
            choices_constraint("file_type", filetypes.ALLOWED, name="intel_attach_type"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def mime(self) -> str:
        return filetypes.ALLOWED[self.file_type].mime

    @property
    def download_name(self) -> str:
        """The uploader's name with the extension of the sniffed type."""
        stem = os.path.splitext(os.path.basename(self.original_name))[0] or "attachment"
        return f"{stem}.{filetypes.ALLOWED[self.file_type].extension}"
