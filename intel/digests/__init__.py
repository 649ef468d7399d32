"""Digests: each sector's week, built from accepted reports, edited and published by analysts.

The pure core (`core`: weeks, ranking, redaction; `text`: sentences and
Markdown; `svg`: charts) beside the Django side: the build's SQL (`queries`),
reads and the reader's clearance (`selectors`), writes (`services`), sector
assessments and dashboards, pages, API and the weekly build task.
"""
