"""Display labels for the audit trail's action codes.

Country names live in `intel.countries` and sector labels in
`intel.vocabulary`, shared with intel.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Audit actions written by accounts; other apps' actions show as their code
# until they add a label here or their own.
AUDIT_ACTION_LABELS = {
    "application.submit": _("Application submitted"),
    "application.resubmit": _("Application resubmitted"),
    "application.request_info": _("More information requested"),
    "application.approve": _("Application approved"),
    "application.reject": _("Application rejected"),
    "membership.suspend": _("Membership suspended"),
    "membership.reinstate": _("Membership reinstated"),
    "membership.revoke": _("Membership revoked"),
    "membership.grade_change": _("Source grade changed"),
    "invitation.create": _("Invitation sent"),
    "invitation.accept": _("Invitation used"),
    "user.roles_change": _("Roles changed"),
    "account.delete": _("Account deleted"),
}


def action_label(action: str) -> str:
    return str(AUDIT_ACTION_LABELS.get(action, action))
