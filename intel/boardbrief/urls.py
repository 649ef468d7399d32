"""Web URLs of board briefs (under /intel/, beside the digest they are drawn from)."""

from __future__ import annotations

from django.urls import path

from intel.boardbrief import views

urlpatterns = [
    path("digests/<int:pk>/board/", views.board_brief, name="board_brief"),
    path("digests/<int:pk>/board/questions/", views.board_questions_edit, name="board_questions"),
]
