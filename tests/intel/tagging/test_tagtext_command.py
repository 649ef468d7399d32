"""`manage.py tagtext` as a separate process: the contract of DESIGN §4."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_tagtext(
    lines: list[str], *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    # Output to a pipe is block-buffered, as it is for a caller: what the
    # process wrote must reach the caller before it ends.
    dropped = ("DATABASE_URL", "REDIS_URL", "PYTHONUNBUFFERED")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "tagtext", *args],
        cwd=ROOT,
        env=env,
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_tags_english_and_japanese_lines_in_order():
    lines = [
        json.dumps({"id": 1, "title": "China tightens gallium export controls",
                    "body": "Beijing set new export licence rules for gallium and germanium."}),
        json.dumps({"id": "j1", "title": "オランダ、半導体製造装置の輸出規制を強化",
                    "body": "オランダ政府は先端半導体の露光装置について輸出管理を拡大した。"},
                   ensure_ascii=False),
    ]  # fmt: skip
    result = run_tagtext(lines)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) == {"id", "sectors", "signals", "countries"}
    assert first["id"] == 1
    assert "critical-minerals" in first["sectors"]
    assert "export-control" in first["signals"]
    assert first["countries"] == ["CN"]
    assert second["id"] == "j1"
    assert "semiconductors" in second["sectors"]
    assert "export-control" in second["signals"]
    assert second["countries"] == ["NL"]


def test_every_line_is_written_before_the_process_ends():
    # More lines than one output block, and more bytes than a pipe holds: the
    # process ends without finalising the interpreter, after flushing them all.
    lines = [
        json.dumps({"id": n, "title": "Gallium export licences", "body": "Delays. " * 40})
        for n in range(700)
    ]
    result = run_tagtext(lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in out] == list(range(700))
    assert all("export-control" in line["signals"] for line in out)


def test_missing_fields_and_empty_text_give_empty_lists():
    result = run_tagtext([json.dumps({"id": 7})])
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"id": 7, "sectors": [], "signals": [], "countries": []}


def test_bad_lines_get_an_error_line_each_and_good_lines_still_tagged():
    result = run_tagtext(["not json", "[1, 2]", json.dumps({"id": 2, "title": "Tariff on rice"})])
    assert result.returncode == 1
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == 3
    assert outputs[0]["id"] is None and "line 1" in outputs[0]["error"]
    assert outputs[1]["id"] is None and "line 2" in outputs[1]["error"]
    assert outputs[2]["id"] == 2 and "tariff" in outputs[2]["signals"]
    assert "line 1" in result.stderr


def test_unreadable_taxonomy_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "taxonomy.json"
    bad.write_text("{}", encoding="utf-8")
    result = run_tagtext([json.dumps({"id": 1})], "--taxonomy", str(bad))
    assert result.returncode != 0
    assert "cannot load taxonomy" in result.stderr


def test_works_with_no_usable_database(tmp_path):
    unreachable = f"sqlite:///{tmp_path}/missing-dir/none.sqlite3"
    line = json.dumps(
        {"id": "x", "title": "米国、中国製EVに追加関税", "body": ""}, ensure_ascii=False
    )
    result = run_tagtext([line], database_url=unreachable)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert "tariff" in output["signals"]
    assert set(output["countries"]) == {"US", "CN"}
