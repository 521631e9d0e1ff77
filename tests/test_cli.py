"""The command line: outputs, formats and exit statuses as interfaces.md says."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from usage_rows import (
    ACCOUNT_HEADER,
    CALL_HEADER,
    NUMBER_HEADER,
    TARIFFS,
    account,
    calls,
    edited_catalogue,
    example_month_args,
    number,
    write_csv,
)

from tariff.engine.cli import cli

EXAMPLE_ARGS = [*example_month_args(), "--catalog", str(TARIFFS)]


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


# -------------------------------------------------------------------- check


def test_check_on_the_shipped_catalogue_is_clean():
    result = invoke("check", str(TARIFFS))
    assert result.exit_code == 0
    assert result.stdout == "8 files checked: no problems found\n"


@pytest.fixture
def broken_catalogue(tmp_path):
    return edited_catalogue(
        tmp_path / "tariffs",
        {
            "growth.tariff": [("sheet carrier", "sheet carier")],
            "essentials.tariff": [("59.00 GBP", "59.001 GBP")],
        },
    )


def test_check_reports_every_problem_with_position_and_snippet(broken_catalogue):
    result = invoke("check", str(broken_catalogue))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith(
        "essentials.tariff:7:13: error T110: licence 59.001 GBP has 3 decimal places; the engine "
        "keeps at most 2 decimal places (whole minor units of GBP)"
    )
    assert lines[1:3] == [
        "    7 |     licence 59.001 GBP, 75.00 USD per month",
        "      |             ^^^^^^^^^^",
    ]
    assert any(
        line.endswith("growth.tariff:11:24: error T102: unknown sheet 'carier'") for line in lines
    )
    assert "      hint: did you mean 'carrier'?" in lines
    assert lines[-1] == "8 files checked: 2 errors, 0 warnings"


def test_check_json_is_a_versioned_document_with_positions(broken_catalogue):
    result = invoke("check", str(broken_catalogue), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert document["summary"] == {"files": 8, "errors": 2, "warnings": 0}
    first = document["diagnostics"][0]
    assert (first["line"], first["column"], first["code"], first["severity"]) == (
        7,
        13,
        "T110",
        "error",
    )
    assert {"file", "end_line", "end_column", "rule", "message", "snippet"} <= set(first)


def test_check_github_annotations(broken_catalogue):
    result = invoke("check", str(broken_catalogue), "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[0].endswith("essentials.tariff: 1 error, 0 warnings")
    assert lines[0].startswith("::group::")
    first = lines[1]
    assert first.startswith("::error file=")
    assert lines[2] == "::endgroup::"
    assert lines[3].startswith("::group::") and lines[3].endswith(
        "growth.tariff: 1 error, 0 warnings"
    )
    assert lines[4].startswith("::error file=") and lines[5] == "::endgroup::"
    assert len(lines) == 6
    assert (
        ",line=7,col=13,endLine=7,endColumn=23,title=T110 too-precise::licence 59.001 GBP" in first
    )


def test_check_sarif_log(broken_catalogue):
    log = json.loads(invoke("check", str(broken_catalogue), "--format", "sarif").stdout)
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["T110", "T102"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (7, 13)


def test_check_usage_errors_exit_2(tmp_path):
    assert invoke("check", str(tmp_path / "missing")).exit_code == 2
    assert invoke("check", str(tmp_path)).exit_code == 2  # no .tariff files
    assert invoke("check", "--format", "yaml").exit_code == 2


def test_check_without_paths_uses_the_catalogue_in_use(tmp_path, broken_catalogue, monkeypatch):
    monkeypatch.chdir(tmp_path)  # has ./tariffs: the broken copy
    assert invoke("check").exit_code == 1
    assert invoke("check", env={"TARIFF_CATALOG": str(TARIFFS)}).exit_code == 0
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.chdir(empty)  # no ./tariffs: the bundled catalogue
    result = invoke("check")
    assert result.exit_code == 0
    assert result.stdout == "8 files checked: no problems found\n"


# ------------------------------------------------------------------ invoice


def test_invoice_json_on_the_example_month():
    result = invoke("invoice", *EXAMPLE_ARGS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["period"] == "2026-10"
    # (net, tax, total): UK VAT at 20% on the net of the GB accounts; ACC-006
    # is billed in GBP but in France, the USD accounts are in the US.
    assert {i["account_id"]: (i["net"], i["tax"], i["total"]) for i in document["invoices"]} == {
        "ACC-001": ("264.97", "52.99", "317.96"),
        "ACC-002": ("89.02", "17.80", "106.82"),
        "ACC-003": ("767.16", "0.00", "767.16"),
        "ACC-004": ("69.55", "13.91", "83.46"),
        "ACC-005": ("267.36", "0.00", "267.36"),
        "ACC-006": ("518.49", "0.00", "518.49"),
        "ACC-007": ("190.74", "38.15", "228.89"),
    }
    first = document["invoices"][0]
    assert (first["period_start"], first["period_end"]) == ("2026-10-01", "2026-10-31")
    assert first["lines"][-1] == {
        "kind": "tax",
        "description": "VAT 20%",
        "quantity": 1,
        "rate": "20",
        "unit_price": "264.97",
        "amount": "52.99",
        "discountable": False,
        "source": {
            "file": "billing.tariff",
            "line": 16,
            "column": 1,
            "end_line": 21,
            "end_column": 2,
            "origin": "tax",
        },
    }
    assert document["invoices"][2]["tax_notes"] == ["Outside the scope of UK VAT"]
    assert document["summary"] == {
        "calls_in": 1922,
        "calls_rated": 1921,
        "calls_other_period": 1,
        "calls_rejected": 0,
    }
    assert document["rejected"] == []
    assert "calls: 1,922 in, 1,921 rated, 1 in other months, 0 rejected" in result.stderr


def test_invoice_json_dates_follow_the_issue_date_and_the_payment_terms():
    result = invoke("invoice", *EXAMPLE_ARGS, "--format", "json", "--issue-date", "2026-11-02")
    invoice = json.loads(result.stdout)["invoices"][0]
    assert (invoice["issued_on"], invoice["due_on"]) == ("2026-11-02", "2026-12-02")


def test_invoice_text_is_the_default():
    result = invoke("invoice", *EXAMPLE_ARGS, "--issue-date", "2026-11-01")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "DRAFT INVOICE DRAFT-2026-10-ACC-001\n"
        "DRAFT: not yet issued, not a VAT invoice. Do not pay.\n"
        "From Example Call Tracking Ltd, 1 Example Street, London, EC1A 1AA, United Kingdom"
        " · VAT GB 123 4567 89\n"
        "To Bright Dental Ltd (account ACC-001)\n"
    )
    assert "Prepared 1 November 2026 · due 1 December 2026 · service period 1–31 October 2026" in (
        result.stdout
    )
    assert "  Discount 10% on licence, call fees" in result.stdout


@pytest.fixture
def rejecting_month(tmp_path):
    accounts = write_csv(tmp_path / "accounts.csv", ACCOUNT_HEADER, [account()])
    numbers = write_csv(tmp_path / "numbers.csv", NUMBER_HEADER, [number()])
    rows = calls(2) + calls(1, prefix="x", destination="+447012345678")
    calls_file = write_csv(tmp_path / "calls.csv", CALL_HEADER, rows)
    return [
        "--month",
        "2026-10",
        "--accounts",
        str(accounts),
        "--numbers",
        str(numbers),
        "--calls",
        str(calls_file),
        "--catalog",
        str(TARIFFS),
    ]


def test_rejected_calls_exit_1_unless_accepted(rejecting_month):
    result = invoke("invoice", *rejecting_month, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["rejected"] == [
        {
            "file": document["rejected"][0]["file"],
            "row": 3,
            "call_id": "x0",
            "field": "destination",
            "reason": "barred destination +447012345678",
        }
    ]
    assert document["rejected"][0]["file"].endswith("calls.csv")
    assert "1 call was rejected" in result.stderr

    accepted = invoke("invoice", *rejecting_month, "--format", "json", "--accept-rejections")
    assert accepted.exit_code == 0
    assert accepted.stdout == result.stdout


def test_bad_input_exits_2_naming_file_row_and_field(rejecting_month, tmp_path):
    write_csv(tmp_path / "accounts.csv", ACCOUNT_HEADER, [account(package="profesional")])
    result = invoke("invoice", *rejecting_month)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        "accounts.csv row 1 field package: unknown package 'profesional'; did you mean "
        "'professional'?" in result.stderr
    )


def test_a_broken_catalogue_exits_2_with_positions(rejecting_month, broken_catalogue):
    result = invoke("invoice", *rejecting_month, "--catalog", str(broken_catalogue))
    assert result.exit_code == 2
    assert "essentials.tariff:7:13: error T110" in result.stderr
    assert "the catalogue has errors" in result.stderr


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "'2026-13' is not a month"),
        ("9999-12", "'9999-12' is not a month of years 0001 to 9999 (the last is 9999-11)"),
        ("0000-06", "'0000-06' is not a month of years 0001 to 9999"),
    ],
)
def test_bad_month_is_a_usage_error(rejecting_month, month, message):
    result = invoke("invoice", *rejecting_month[2:], "--month", month)
    assert result.exit_code == 2
    assert message in result.stderr


def test_out_writes_the_document_and_per_invoice_text(tmp_path):
    out = tmp_path / "out"
    assert invoke("invoice", *EXAMPLE_ARGS, "--format", "json", "--out", str(out)).exit_code == 0
    assert json.loads((out / "invoices-2026-10.json").read_text())["period"] == "2026-10"
    assert invoke("invoice", *EXAMPLE_ARGS, "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.glob("*.txt"))[:2] == [
        "DRAFT-2026-10-ACC-001.txt",
        "DRAFT-2026-10-ACC-002.txt",
    ]


def test_the_installed_command_runs_without_a_traceback(tmp_path):
    """The real console script, as a process: exit statuses and clean stderr."""
    tariff = shutil.which("tariff") or [sys.executable, "-m", "tariff.engine.cli"]
    command = [tariff] if isinstance(tariff, str) else tariff
    ok = subprocess.run(
        [*command, "invoice", *EXAMPLE_ARGS, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["summary"]["calls_in"] == 1922
    broken = tmp_path / "calls.csv"
    broken.write_bytes(b"\xff\xfe not utf-8")
    bad = subprocess.run(
        [*command, "invoice", *EXAMPLE_ARGS, "--calls", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "calls.csv" in bad.stderr


def test_json_invoices_start_without_the_document_libraries():
    """Start-up counts: JSON output imports neither templates nor the PDF or web libraries."""
    report = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in ('jinja2', 'weasyprint', 'starlette')"
        " if m in sys.modules), file=sys.stderr))\n"
        "sys.argv = ['tariff', *sys.argv[1:]]\n"
        "from tariff.engine.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", report, "invoice", *EXAMPLE_ARGS, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("arguments", "extra", "module"),
    [
        (
            ["invoice", *example_month_args(), "--format", "pdf", "--out", "out"],
            "pdf",
            "weasyprint",
        ),
        (["bill", *example_month_args(), "--db", "ledger.sqlite"], "ledger", "sqlalchemy"),
        (
            ["bill", *example_month_args(), "--db", "postgresql://u@localhost/l"],
            "postgres",
            "psycopg",
        ),
        (["serve", "--db", "ledger.sqlite"], "portal", "starlette"),
        (["users", "add", "ann", "--staff", "--db", "ledger.sqlite"], "portal", "argon2"),
        (["lsp"], "lsp", "pygls"),
    ],
)
def test_a_command_without_its_optional_part_names_the_extra_to_install(
    arguments, extra, module, monkeypatch, tmp_path
):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name == module else real_find_spec(name, *rest),
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert f"pip install 'tariff-lang[{extra}]'" in result.stderr
    assert f"missing: {module}" in result.stderr
    assert "internal error" not in result.stderr
