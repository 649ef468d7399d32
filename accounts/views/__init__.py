"""Web views of membership and vetting, by audience.

`applicant` — apply, see and answer one's own application, invitation links;
`analyst` — the vetting queue, members and source grades, the audit trail;
`member` — invitations, one's own data and account deletion.
"""
