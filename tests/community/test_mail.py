"""Email rendering: subjects are plain text, so nothing in them is HTML-escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from community.mail import render_email, render_plain_text

SUBJECTS = sorted((Path(settings.BASE_DIR) / "templates" / "emails").glob("*_subject.txt"))
NASTY = 'R&D <Tokyo> "quoted" O\'Brien'
# Every name a subject template reads: {{ name }} and {% blocktranslate with x=name %}.
_NAMES = re.compile(r"{{\s*(\w+)|\w+=(\w+)")


def test_there_are_subject_templates_to_check():
    assert len(SUBJECTS) >= 8


@pytest.mark.parametrize("path", SUBJECTS, ids=lambda path: path.name)
def test_every_subject_template_renders_without_html_escaping(path):
    source = path.read_text()
    names = {name for pair in _NAMES.findall(source) for name in pair if name}
    context = dict.fromkeys(names, NASTY)
    rendered = render_plain_text(f"emails/{path.name}", context)
    if names:
        assert NASTY in rendered
    assert "&amp;" not in rendered and "&lt;" not in rendered and "&#x27;" not in rendered


def test_the_html_part_is_still_escaped():
    message = render_email(
        template="report_decision",
        to="author@example.org",
        language="en",
        context={"status": "accepted", "title": NASTY, "name": "A", "url": "https://x.test/"},
    )
    assert message.subject.endswith(f"Your report was accepted: {NASTY}")
    [(html, _mimetype)] = message.alternatives
    assert "R&amp;D &lt;Tokyo&gt;" in str(html)
