"""Source digests change with every file's name and content, and with the salt."""

from __future__ import annotations

from pathlib import Path

from community import sources


def _files(folder: Path, contents: dict[str, bytes]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, content in contents.items():
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def test_the_same_files_give_the_same_digest(tmp_path: Path) -> None:
    files = _files(tmp_path, {"a.py": b"x = 1\n", "b.py": b"y = 2\n"})
    copies = _files(tmp_path / "copy", {"a.py": b"x = 1\n", "b.py": b"y = 2\n"})
    assert sources.source_digest(files) == sources.source_digest(copies)
    assert len(sources.source_digest(files)) == 32


def test_a_changed_byte_or_salt_changes_the_digest(tmp_path: Path) -> None:
    files = _files(tmp_path, {"a.py": b"x = 1\n", "b.py": b"y = 2\n"})
    before = sources.source_digest(files)
    assert sources.source_digest(files, salt=b"20") != before
    files[1].write_bytes(b"y = 3\n")
    assert sources.source_digest(files) != before


def test_a_renamed_file_changes_the_digest(tmp_path: Path) -> None:
    files = _files(tmp_path, {"a.html": b"<p>hi</p>"})
    renamed = _files(tmp_path / "other", {"b.html": b"<p>hi</p>"})
    assert sources.source_digest(files) != sources.source_digest(renamed)


def test_bytes_moved_between_files_change_the_digest(tmp_path: Path) -> None:
    first = _files(tmp_path / "one", {"a.py": b"ab", "b.py": b"c"})
    second = _files(tmp_path / "two", {"a.py": b"a", "b.py": b"bc"})
    assert sources.source_digest(first) != sources.source_digest(second)


def test_module_files_are_the_modules_sources() -> None:
    assert sources.module_files(sources) == [Path(sources.__file__)]
