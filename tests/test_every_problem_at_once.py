"""Every problem at once: one run lists all of them, and none hides behind another."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from usage_rows import EXAMPLES, TARIFFS

from tariff.engine.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_every_bad_accounts_row_and_every_pricing_problem_come_in_one_report(tmp_path):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "account_id,package,currency\n"
        "A1,professional,GBP,extra\n"
        "A2,profesional,GBP\n"
        "A3,professional,EUR\n"
        "A4,professional\n",
        encoding="utf-8",
    )
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("number,account_id,kind\n+441632960001,A9,fixed\n", encoding="utf-8")
    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,number,started_at,duration_s,destination\n", encoding="utf-8")
    result = run(
        "invoice", "--month", "2026-10", "--accounts", str(accounts),
        "--numbers", str(numbers), "--calls", str(calls), "--catalog", str(TARIFFS),
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines == [
        f"{accounts} row 1: the row has 4 fields where the header has 3",
        f"{accounts} row 2 field package: unknown package 'profesional'; "
        "did you mean 'professional'?",
        f"{accounts} row 3 field currency: 'EUR' is not a billing currency (GBP or USD)",
        f"{accounts} row 4: the row has 2 fields where the header has 3",
        f"{numbers} row 1 field account_id: 'A9' is not in the accounts file",
        "tariff invoice: 5 problems in the input",
    ]


def test_a_file_checked_alone_says_so_instead_of_reporting_references(tmp_path):
    result = run("check", str(TARIFFS / "growth.tariff"))
    assert result.exit_code == 0
    assert "error" not in result.stdout
    assert result.stderr.startswith(
        "tariff check: checked alone: the files use sheet 'carrier', defined elsewhere"
    )


def test_a_syntax_error_in_a_package_is_not_an_error_in_every_order_form_using_it(tmp_path):
    catalogue = tmp_path / "tariffs"
    shutil.copytree(TARIFFS, catalogue)
    professional = catalogue / "professional.tariff"
    professional.write_text(
        professional.read_text().replace("licence 249.00 GBP", "licnce 249.00 GBP"),
        encoding="utf-8",
    )
    result = run("check", str(catalogue), str(EXAMPLES / "order-forms"))
    assert result.exit_code == 1
    assert "error T001: unexpected 'licnce'" in result.stdout
    assert "T102" not in result.stdout
    assert result.stdout.rstrip().endswith("1 error, 0 warnings")
