"""Web URLs of the accounts app (membership, vetting, audit) under /members/."""

from __future__ import annotations

from django.urls import path

from .views import analyst, applicant, member, readers

app_name = "accounts"
urlpatterns = [
    # Applicants
    path("apply/", applicant.apply, name="apply"),
    path("application/", applicant.application_detail, name="application"),
    path("application/answer/", applicant.application_resubmit, name="application-resubmit"),
    path("invitation/<str:code>/", applicant.invitation_landing, name="invitation"),
    # Analysts
    path("vetting/", analyst.vetting_queue, name="vetting-queue"),
    path("vetting/<int:pk>/", analyst.vetting_detail, name="vetting-detail"),
    path("vetting/<int:pk>/decide/", analyst.vetting_decide, name="vetting-decide"),
    path("directory/", analyst.member_list, name="member-list"),
    path("directory/<int:pk>/", analyst.member_detail, name="member-detail"),
    path("directory/<int:pk>/grade/", analyst.member_grade, name="member-grade"),
    path(
        "directory/<int:pk>/grade/confirm/",
        analyst.member_grade_confirm,
        name="member-grade-confirm",
    ),
    path(
        "directory/<int:pk>/grade/override/",
        analyst.member_grade_override,
        name="member-grade-override",
    ),
    path("directory/<int:pk>/standing/", analyst.member_status, name="member-status"),
    path("audit/", analyst.audit_trail, name="audit-trail"),
    # Members
    path("invitations/", member.invitations, name="invitations"),
    path("readers/", readers.my_readers, name="readers"),
    path("readers/<int:pk>/remove/", readers.reader_remove, name="reader_remove"),
    path("readers/accept/<str:code>/", readers.reader_accept, name="reader_accept"),
    path("api-tokens/", member.api_tokens, name="api-tokens"),
    path("api-tokens/revoke/", member.api_token_revoke, name="api-token-revoke"),
    path("api-tokens/revoke-all/", member.api_tokens_revoke_all, name="api-tokens-revoke-all"),
    path("privacy/", member.privacy, name="privacy"),
    path("privacy/export/", member.privacy_export, name="privacy-export"),
    path("privacy/delete/", member.account_delete, name="account-delete"),
]
