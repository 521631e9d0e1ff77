"""`tariff test`: cases beside the tariffs, side-by-side failures, JUnit and coverage."""

from __future__ import annotations

import datetime as dt
import shutil
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from usage_rows import TARIFFS

from tariff.engine.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, ["test", *args], catch_exceptions=False)


def test_the_shipped_cases_pass_and_cover_every_pricing_rule():
    result = invoke("--catalog", str(TARIFFS), "--coverage")
    assert result.exit_code == 0, result.stdout
    assert "  ✓ Example 1, GBP: a fixed number with no calls owes 10 x 10p = £1" in result.stdout
    assert "34 passed, 0 failed" in result.stdout
    assert "coverage: 33 of 33 pricing rules exercised (100%)" in result.stdout


FAILING = """
[[case]]
name = "a wrong expectation"
month = "2026-10"
accounts = [{ account_id = "ACC-1", package = "standard", currency = "GBP" }]
numbers = [{ number = "+441632960001", account_id = "ACC-1", kind = "fixed" }]

[[case.invoices]]
account_id = "ACC-1"
total = "100.00"
lines = [
  { kind = "licence", amount = "99.00" },
  { kind = "fair_usage", quantity = 9, amount = "0.90" },
]

[[case]]
name = "a right one"
month = "2026-10"
accounts = [{ account_id = "ACC-1", package = "essentials", currency = "GBP" }]

[[case.invoices]]
account_id = "ACC-1"
net = "59.00"
tax = "11.80"
total = "70.80"
"""


@pytest.fixture
def workspace(tmp_path):
    catalogue = tmp_path / "tariffs"
    shutil.copytree(TARIFFS, catalogue, ignore=shutil.ignore_patterns("tests"))
    (catalogue / "mine.test.toml").write_text(FAILING)
    return catalogue


def test_a_failing_case_shows_expected_and_actual_side_by_side(workspace):
    result = invoke("--catalog", str(workspace), str(workspace))
    assert result.exit_code == 1
    out = result.stdout
    assert "  ✗ a wrong expectation" in out
    assert "  ✓ a right one" in out
    assert "invoice ACC-1: total expected '100.00', got '100.00'" not in out
    assert "invoice ACC-1: the lines differ" in out
    assert "expected" in out and "| actual" in out
    assert "≠ quantity: 9" in out and "| quantity: 10" in out
    assert "≠ amount: 0.90" in out and "| amount: 1.00" in out
    assert out.rstrip().endswith("1 passed, 1 failed")


def test_junit_xml_report(workspace, tmp_path):
    report = tmp_path / "report.xml"
    invoke("--catalog", str(workspace), str(workspace), "--junit-xml", str(report))
    root = ElementTree.parse(report).getroot()
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "2", "1")
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["a wrong expectation", "a right one"]
    assert cases[0].find("failure") is not None and cases[1].find("failure") is None


def test_coverage_names_the_rules_no_case_exercised(workspace):
    result = invoke("--catalog", str(workspace), str(workspace), "--coverage")
    lines = result.stdout.splitlines()
    assert "coverage: 4 of 33 pricing rules exercised (12%)" in lines
    assert any(
        line.startswith("  not exercised: ")
        and "growth.tariff:" in line
        and line.endswith("licence of package growth version 2024-01")
        for line in lines
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[case]\nname = 1", "not valid TOML"),
        ("title = 'no cases'", "has no [[case]] tables"),
        ('[[case]]\nname = "x"\nmonth = "2026-13"', "case 'x': month: '2026-13' is not a month"),
        ('[[case]]\nname = "x"\nmonth = "2026-10"\nmoney = 1', "case 'x': unknown key money"),
    ],
)
def test_unreadable_case_files_are_usage_errors(workspace, content, message):
    (workspace / "mine.test.toml").write_text(content)
    result = invoke("--catalog", str(workspace), str(workspace))
    assert result.exit_code == 2
    assert "mine.test.toml" in result.stderr and message in result.stderr


BROKEN_CASES = """
[[case]]
name = "a bad accounts row"
month = "2026-10"
accounts = '''
account_id,package,currency
ACC-1,standard,GBP
ACC-2,standad,GBP
'''

[[case]]
name = "a bad order form"
month = "2026-10"
accounts = [{ account_id = "ACC-1", package = "standard", currency = "GBP" }]
order_forms = '''
order form "ACC-1" {
  package standard
  discount 120%
}
'''
"""


def test_a_failing_case_points_at_the_case_file_not_a_temporary_one(tmp_path):
    catalogue = tmp_path / "tariffs"
    shutil.copytree(TARIFFS, catalogue, ignore=shutil.ignore_patterns("tests"))
    cases = catalogue / "broken.test.toml"
    cases.write_text(BROKEN_CASES)
    result = invoke("--catalog", str(catalogue), str(cases))
    assert result.exit_code == 1
    out = result.stdout
    assert "tariff-case-" not in out
    # Row 2 of the CSV text is line 8 of the case file.
    assert f"{cases}:8: accounts row 2 field package: unknown package 'standad'" in out
    # The discount is line 3 of the order-form text, line 18 of the case file.
    assert f"{cases}:18:12: error T118: a discount is a percentage above 0" in out


def test_junit_times_every_case_and_stamps_every_suite(workspace, tmp_path):
    from junitparser import JUnitXml

    report = tmp_path / "report.xml"
    invoke("--catalog", str(workspace), str(workspace), "--junit-xml", str(report))
    xml = JUnitXml.fromfile(str(report))
    (suite,) = list(xml)
    assert (suite.tests, suite.failures) == (2, 1)
    stamped = dt.datetime.fromisoformat(suite.timestamp)
    assert abs(stamped - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=5)
    cases = list(suite)
    assert all(case.time > 0 for case in cases)
    assert suite.time == pytest.approx(sum(case.time for case in cases), abs=0.002)


def test_junit_is_written_when_the_catalogue_has_errors(workspace, tmp_path):
    from junitparser import Failure, JUnitXml

    growth = workspace / "growth.tariff"
    growth.write_text(growth.read_text().replace("sheet carrier", "sheet carier"))
    report = tmp_path / "report.xml"
    result = CliRunner().invoke(
        cli, ["test", "--catalog", str(workspace), "--junit-xml", str(report)]
    )
    assert result.exit_code == 2
    (suite,) = list(JUnitXml.fromfile(str(report)))
    (case,) = list(suite)
    assert case.name.startswith("the catalogue has 1 error: ")
    assert case.name.endswith("growth.tariff:11:24: T102 unknown sheet 'carier'")
    (failure,) = case.result
    assert isinstance(failure, Failure)
    assert "did you mean 'carrier'?" in failure.text
