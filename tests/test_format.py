"""The formatter: golden round trips, idempotence, comments kept, meaning unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from usage_rows import EXAMPLES, TARIFFS

from tariff.dsl.catalogue import parse_source
from tariff.dsl.format import format_source
from tariff.dsl.format import meaning as file_meaning
from tariff.engine.cli import cli

GOLDEN = Path(__file__).parent / "formatting"
INPUTS = sorted(GOLDEN.glob("*.tariff"))
SHIPPED = sorted([*TARIFFS.glob("*.tariff"), *(EXAMPLES / "order-forms").glob("*.tariff")])


def meaning(text: str) -> object:
    parsed, problems = parse_source(text, "x.tariff")
    assert problems == [] and parsed is not None
    return file_meaning(parsed)


def formatted(text: str) -> str:
    result, problems = format_source(text, "x.tariff")
    assert problems == [] and result is not None
    return result


@pytest.mark.parametrize("source", INPUTS, ids=[p.name for p in INPUTS])
def test_golden_round_trip(source):
    # As written: line-breaks.tariff has CR and CRLF line breaks, which read_text would hide.
    text = source.read_bytes().decode("utf-8")
    expected = source.with_name(source.name + ".formatted").read_text()

    once = formatted(text)
    assert once == expected  # format, compare
    assert meaning(once) == meaning(text)  # re-parse: same meaning
    assert formatted(once) == once  # format again, compare again


@pytest.mark.parametrize("source", INPUTS + SHIPPED, ids=[p.name for p in INPUTS + SHIPPED])
def test_every_comment_survives_in_order(source):
    text = source.read_text()
    before, _ = parse_source(text, "x.tariff")
    after, _ = parse_source(formatted(text), "x.tariff")
    assert before is not None and after is not None
    assert [c.text.rstrip() for c in after.comments] == [c.text.rstrip() for c in before.comments]


@pytest.mark.parametrize("source", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_files_are_already_canonical(source):
    assert formatted(source.read_text()) == source.read_text()


def test_blank_lines_collapse_and_trailing_space_goes():
    text = "package p {\n  generation current   \n\n\n\n  version 2024-01 {\n  }\n}\n\n\n"
    assert formatted(text) == "package p {\n  generation current\n\n  version 2024-01 {\n  }\n}\n"


def test_a_file_of_only_comments_keeps_them():
    assert formatted("# one\n\n\n# two") == "# one\n\n# two\n"
    assert formatted("") == ""


# --------------------------------------------------------------- command


@pytest.fixture
def workspace(tmp_path):
    shutil.copy(GOLDEN / "messy.tariff", tmp_path / "messy.tariff")
    shutil.copy(TARIFFS / "growth.tariff", tmp_path / "growth.tariff")
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, ["fmt", *args], catch_exceptions=False)


def test_check_lists_files_that_would_change_and_writes_nothing(workspace):
    before = (workspace / "messy.tariff").read_text()
    result = run("--check", str(workspace))
    assert result.exit_code == 1
    assert result.stdout.strip().endswith("messy.tariff")
    assert result.stdout.startswith("would reformat ")
    assert "growth" not in result.stdout
    assert (workspace / "messy.tariff").read_text() == before


def test_diff_prints_a_unified_diff_and_writes_nothing(workspace):
    result = run("--diff", str(workspace / "messy.tariff"))
    assert result.exit_code == 1
    assert "(original)" in result.stdout and "(formatted)" in result.stdout
    assert "+    licence 1.00 GBP, 2.00 USD per month" in result.stdout


def test_fmt_rewrites_in_place_then_has_nothing_to_do(workspace):
    assert run(str(workspace)).exit_code == 0
    expected = (GOLDEN / "messy.tariff.formatted").read_text()
    assert (workspace / "messy.tariff").read_text() == expected
    assert run("--check", str(workspace)).exit_code == 0


def test_crlf_files_are_rewritten_with_lf(tmp_path):
    path = tmp_path / "crlf.tariff"
    path.write_bytes(b"package p {\r\n  generation current\r\n}\r\n")
    assert run("--check", str(path)).exit_code == 1
    assert run(str(path)).exit_code == 0
    assert path.read_bytes() == b"package p {\n  generation current\n}\n"


def test_a_file_that_does_not_parse_is_left_alone_and_exits_2(tmp_path):
    path = tmp_path / "broken.tariff"
    path.write_text("package p {\n")
    result = run(str(path))
    assert result.exit_code == 2
    assert "error T001: the file ends inside 'package p {' opened at line 1" in result.stderr
    assert path.read_text() == "package p {\n"
    assert run(str(tmp_path / "missing.tariff")).exit_code == 2
