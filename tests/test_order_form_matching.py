"""An order form must match an account: a mistyped id must never bill the list price."""

from __future__ import annotations

from click.testing import CliRunner
from usage_rows import EXAMPLES, TARIFFS, account, calls, example_month_args, number

from tariff.engine import UsageError
from tariff.engine.cli import cli

MISTYPED = """
order form "ACC-01" {
  package professional
  discount 20%
}
"""
ENDED = """
order form "ACC-1" {
  package professional
  discount 20%
  contract ends 2026-06
}
"""


def invoice(tmp_path, forms: str, *extra: str):
    (tmp_path / "forms.tariff").write_text(forms, encoding="utf-8")
    return CliRunner().invoke(
        cli,
        [
            "invoice",
            *example_month_args(order_forms=False),
            "--catalog",
            str(TARIFFS),
            "--order-forms",
            str(tmp_path / "forms.tariff"),
            "--format",
            "json",
            *extra,
        ],
    )


def test_a_mistyped_order_form_stops_the_run_naming_its_line_and_the_nearest_account(tmp_path):
    result = invoice(tmp_path, MISTYPED)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{tmp_path / 'forms.tariff'}:2:1: order form 'ACC-01' is for an account" in (
        result.stderr
    )
    assert "(did you mean 'ACC-001'?)" in result.stderr
    assert "contract ends YYYY-MM" in result.stderr


def test_an_order_form_whose_contract_ended_need_not_match(tmp_path):
    ended = ENDED.replace("ACC-1", "ACC-999")
    assert invoice(tmp_path, ended).exit_code == 0


def test_an_ended_contract_no_longer_sets_the_terms(rate):
    rows = [account()], [number()], calls(10)
    during = rate(*rows, month="2026-06", order_forms=ENDED)
    after = rate(*rows, month="2026-10", order_forms=ENDED)
    assert "discount" in [line.kind for line in during.invoices[0].lines]
    assert "discount" not in [line.kind for line in after.invoices[0].lines]


def test_the_engine_refuses_the_mistyped_order_form_too(rate):
    try:
        rate([account("ACC-001")], order_forms=MISTYPED)
    except UsageError as problem:
        (only,) = problem.problems
        assert only.message.startswith("order form 'ACC-01' is for an account that is not in")
    else:
        raise AssertionError("a mistyped order form was billed at list price")


def test_check_with_an_accounts_file_reports_the_mistyped_order_form(tmp_path):
    (tmp_path / "forms.tariff").write_text(MISTYPED, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "check",
            str(TARIFFS),
            str(tmp_path / "forms.tariff"),
            "--accounts",
            str(EXAMPLES / "accounts.csv"),
        ],
    )
    assert result.exit_code == 1
    assert "error T121: order form 'ACC-01' is for an account that is not in" in result.stdout
    assert "hint: did you mean 'ACC-001'?" in result.stdout
