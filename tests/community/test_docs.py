"""The README and `docs/` stay true to the repository.

Their links point at files that exist; every site address, repository path,
module and task name they quote is real; the README's configuration table
lists exactly the variables the settings read; and the README stays short.
"""

from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 200

_FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_SITE_ROOTS = {"accounts", "admin", "api", "briefings", "healthz", "intel", "members"}
_REPO_DIRS = {
    ".ci",
    "accounts",
    "community",
    "docker",
    "docs",
    "intel",
    "locale",
    "templates",
    "tests",
}
_REPO_PATH = re.compile(r"^[\w.-]+(?:/[\w.-]+)+/?$")
_DOTTED = re.compile(r"^(?:accounts|community|intel)(?:\.\w+)+")
# `env_int("NAME", …)` and its siblings, and dj-database-url's `config(env="DATABASE_URL")`.
_ENV_READ = re.compile(r"\benv_[a-z]+\(\s*\"([A-Z0-9_]+)\"|\benv=\"([A-Z0-9_]+)\"")

each_page = pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))


def _prose(page: Path) -> str:
    """The page without its fenced code blocks (shell sessions, diagrams)."""
    return _FENCED.sub("", page.read_text(encoding="utf-8"))


def _relative_links(page: Path) -> list[str]:
    targets = _LINK.findall(_prose(page))
    return [t for t in targets if not t.startswith(("http://", "https://", "mailto:", "#"))]


def _site_paths(page: Path) -> list[str]:
    """Addresses such as `/intel/review/<id>/` or `POST /api/digests/{id}/publish/`.

    A bare root such as `/api/` names where a group of addresses is mounted,
    not a page, so it is left out.
    """
    paths = []
    for span in _CODE_SPAN.findall(_prose(page)):
        for word in span.split():
            root = word[1:].split("/", 1)[0]
            if word.startswith("/") and root in _SITE_ROOTS and word != f"/{root}/":
                paths.append(word)
    return paths


def _concrete(path: str) -> str:
    """The path without its query, placeholders filled with values that route."""
    path = path.split("?", 1)[0]
    path = re.sub(r"<[^>]*YYYY[^>]*>", "2000-01-03", path)
    return re.sub(r"<[^>]+>|\{[^}]+\}", "1", path)


@functools.cache
def _task_names() -> frozenset[str]:
    from community.celery import app

    importlib.import_module("community.tasks")
    importlib.import_module("intel.tasks")
    return frozenset(app.tasks)


def _names_something(dotted: str) -> bool:
    """A Celery task name, or a module path followed by attributes of the module."""
    if dotted in _task_names():
        return True
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_readme_stays_within_200_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move notes to docs/"


@each_page
def test_every_relative_link_points_at_an_existing_file(page: Path) -> None:
    broken = [
        target
        for target in _relative_links(page)
        if not (page.parent / target.split("#", 1)[0]).exists()
    ]
    assert broken == []


def test_docs_index_links_every_docs_page() -> None:
    linked = {(DOCS / target).resolve() for target in _relative_links(DOCS / "README.md")}
    pages = [page for page in DOCS.glob("*.md") if page.name != "README.md"]
    assert sorted(page.name for page in pages if page.resolve() not in linked) == []


@each_page
def test_every_site_address_quoted_routes_to_a_view(page: Path) -> None:
    unrouted = []
    for path in _site_paths(page):
        try:
            resolve(_concrete(path))
        except Resolver404:
            unrouted.append(path)
    assert unrouted == []


@each_page
def test_every_repository_path_and_module_quoted_exists(page: Path) -> None:
    spans = _CODE_SPAN.findall(_prose(page))
    missing_paths = [
        span
        for span in spans
        if _REPO_PATH.match(span)
        and span.split("/", 1)[0] in _REPO_DIRS
        and not (ROOT / span).exists()
    ]
    missing_names = [
        match.group(0)
        for match in map(_DOTTED.match, spans)
        if match and not _names_something(match.group(0))
    ]
    assert missing_paths == []
    assert missing_names == []


def test_readme_configuration_table_lists_exactly_the_variables_the_settings_read() -> None:
    source = (ROOT / "community" / "settings.py").read_text(encoding="utf-8")
    read = {name for pair in _ENV_READ.findall(source) for name in pair if name}
    listed = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", README.read_text(encoding="utf-8"), re.M))
    assert len(read) > 30  # the pattern still finds the settings' reads
    assert sorted(read - listed) == []
    assert sorted(listed - read) == []
