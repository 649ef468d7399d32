"""Web URLs of reports: contributions, review, search, requirements, attachments (under /intel/)."""

from __future__ import annotations

from django.urls import path

from intel.reports import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/new/", views.report_create, name="report_create"),
    path("case-studies/new/", views.case_study_create, name="case_study_create"),
    path("contributions/<int:pk>/", views.contribution_detail, name="contribution_detail"),
    path("contributions/<int:pk>/edit/", views.contribution_edit, name="contribution_edit"),
    path("contributions/<int:pk>/submit/", views.contribution_submit, name="contribution_submit"),
    path(
        "contributions/<int:pk>/withdraw/",
        views.contribution_withdraw,
        name="contribution_withdraw",
    ),
    path("contributions/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("contributions/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/claim/", views.review_claim, name="review_claim"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("review/<int:pk>/tags/", views.review_tag_correct, name="review_tag_correct"),
    path("review/<int:pk>/reveal/", views.reveal_author, name="reveal_author"),
    path("search/", views.search, name="search"),
    path("search/saved/", views.saved_search_save, name="saved_search_save"),
    path("search/saved/<int:pk>/", views.saved_search_run, name="saved_search_run"),
    path("search/saved/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("requirements/", views.requirement_list, name="requirement_list"),
    path("requirements/new/", views.requirement_create, name="requirement_create"),
    path("requirements/<int:pk>/close/", views.requirement_close, name="requirement_close"),
]
