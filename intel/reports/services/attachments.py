"""Attachments: checked by content and structure, stored cleaned and privately, counted."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import User
from intel.errors import WorkflowError
from intel.models import Attachment, Contribution
from intel.models.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from intel.models.contributions import EDITABLE_STATUSES
from intel.reports import filetypes
from intel.reports.services._common import require_author


def attachment_check(uploaded: UploadedFile) -> filetypes.Inspected:
    """The file's type by content and the clean copy to store, or a ValidationError."""
    if uploaded.size is None or uploaded.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; attachments may be at most %(limit)s.")
                % {
                    "size": filesizeformat(uploaded.size),
                    "limit": filesizeformat(MAX_ATTACHMENT_BYTES),
                }
            }
        )
    uploaded.seek(0)
    try:
        inspected = filetypes.inspect(
            uploaded.read(),
            name=uploaded.name or "",
            declared_type=uploaded.content_type or "",
        )
    except filetypes.Refused as refusal:
        raise ValidationError({"file": refusal.message}) from None
    if len(inspected.content) > MAX_ATTACHMENT_BYTES:
        # Re-encoding a picture or quoting formula cells can, rarely, make a file larger.
        raise ValidationError(
            {
                "file": _(
                    "Once cleaned (author details removed, formulas neutralised) the file is "
                    "%(size)s, above the limit of %(limit)s; attach a smaller file."
                )
                % {
                    "size": filesizeformat(len(inspected.content)),
                    "limit": filesizeformat(MAX_ATTACHMENT_BYTES),
                }
            }
        )
    return inspected


@transaction.atomic
def attachment_add(
    *, contribution: Contribution, actor: User, uploaded: UploadedFile
) -> Attachment:
    """Attach a file to a draft or a report with changes requested (author only).

    What is stored is the checked, cleaned copy (`filetypes.inspect`): its size
    and hash are those of the bytes a reader downloads.
    """
    require_author(contribution, actor)
    # Before the row lock: checking and cleaning a file takes a while.
    inspected = attachment_check(uploaded)
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _("Files can be attached only to drafts and reports with changes requested.")
        )
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "file": _("A report can have at most %(count)s attachments; remove one first.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    attachment = Attachment(
        contribution=locked,
        original_name=(uploaded.name or "attachment")[-255:],
        file_type=inspected.file_type.key,
        size=len(inspected.content),
        sha256=hashlib.sha256(inspected.content).hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save("upload", ContentFile(inspected.content), save=False)
    # The file is written before the row; if the row cannot be saved, the
    # file must not stay behind unreferenced.
    stored_name = attachment.file.name or ""
    storage = attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(stored_name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    contribution = attachment.contribution
    require_author(contribution, actor)
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _("Files can be removed only from drafts and reports with changes requested.")
        )
    name, storage = attachment.file.name or "", attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
