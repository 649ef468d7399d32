"""Reports: what contributors submit and analysts review.

Field reports and case studies (drafts, submission, revisions, withdrawal),
the review workflow (decisions, four-eyes, comments, the audited author
reveal), intelligence requirements and their answers, attachments (checked by
content, stored privately) and search. Web views, API, admin, emails and demo
data of these live here; the models are in `intel.models`.
"""
