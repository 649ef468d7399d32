"""Display labels for the audit trail's action codes.

Country names live in `intel.countries` and sector labels in
`intel.vocabulary`, shared with intel.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Every action code any app writes to the audit trail; an unknown code (from an
# older version) shows as itself.
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
    "report.submit": _("Report submitted"),
    "report.resubmit": _("Report resubmitted"),
    "report.withdraw": _("Report withdrawn"),
    "report.start_review": _("Review started"),
    "report.approve": _("Second approval given"),
    "report.accept": _("Report accepted"),
    "report.reject": _("Report rejected"),
    "report.request_changes": _("Changes requested"),
    "report.reveal_author": _("Anonymous author revealed"),
    "tags.add": _("Tag added"),
    "tags.remove": _("Tag removed"),
    "requirement.publish": _("Requirement published"),
    "requirement.close": _("Requirement closed"),
    "sector.assess": _("Sector assessed"),
    "digest.build": _("Digest drafted"),
    "digest.edit": _("Digest edited"),
    "digest.publish": _("Digest published"),
    "digest.correct": _("Digest corrected"),
    "briefing.clearance": _("Briefing clearance granted"),
    "briefing.resend": _("Briefing resent"),
    "briefing.week_start": _("Briefing week started"),
    "briefing.week_resume": _("Briefing week resumed"),
    "taxonomy.add": _("Taxonomy label added"),
    "taxonomy.change": _("Taxonomy changed"),
    "taxonomy.delete": _("Taxonomy label deleted"),
}


def action_label(action: str) -> str:
    return str(AUDIT_ACTION_LABELS.get(action, action))


# Where an analyst reads the record an audit event is about, by its model.
_TARGET_PAGES = {
    "accounts.application": "accounts:vetting-detail",
    "accounts.membership": "accounts:member-detail",
    "intel.contribution": "intel:review_detail",
    "intel.digest": "intel:digest_detail",
}


def audit_target_url(target_type: str, target_id: str) -> str | None:
    """The page showing an audit event's target, or None where there is none to link."""
    name = _TARGET_PAGES.get(target_type)
    if name is None or not target_id.isdigit():
        return None
    return reverse(name, args=[int(target_id)])
