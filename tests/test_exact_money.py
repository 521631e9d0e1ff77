"""Exact money at any size the checker accepts: nothing wraps, every sum is exact."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from click.testing import CliRunner
from usage_rows import account, calls, lines_of, number

from tariff.engine.cli import cli
from tariff.engine.rating import blocks
from tariff.engine.usage.calls import MAX_DURATION_SECONDS

LARGEST_RATE = Decimal("999999999999.999999")
# The finding: 9223372036 GBP a minute made one long call total -153,731,355.87.
WRAPPING_RATE = Decimal("9223372036")


def huge_rate_form(rate: Decimal) -> str:
    return f"""
order form "ACC-1" {{
  package professional
  rate uk_geographic {rate} GBP per minute
}}
"""


def exact_charge(seconds: int, rate: Decimal) -> Decimal:
    """One call's minute charge, by the spec: seconds × rate / 60, half-up to the penny."""
    with decimal.localcontext(decimal.Context(prec=80)):
        return (seconds * rate / 60).quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)


def test_a_wrapping_rate_and_the_longest_call_give_the_exact_charge(rate):
    run = rate(
        [account()],
        [number()],
        calls(3, duration_s=MAX_DURATION_SECONDS),
        order_forms=huge_rate_form(WRAPPING_RATE),
    )
    (minutes,) = lines_of(run, kind="minutes")
    assert Decimal(str(minutes["amount"])) == 3 * exact_charge(MAX_DURATION_SECONDS, WRAPPING_RATE)
    assert run.invoices[0].total > 0


@pytest.mark.parametrize("seconds", [1, 59, 61, 86_400, MAX_DURATION_SECONDS])
@pytest.mark.parametrize("block", [1, 1 << 20])
def test_rates_at_the_checkers_bound_are_exact_in_any_block(rate, seconds, block, monkeypatch):
    monkeypatch.setattr(blocks, "_BLOCK", block)
    run = rate(
        [account()],
        [number()],
        calls(2, duration_s=seconds) + calls(1, duration_s=seconds - 1, prefix="d"),
        order_forms=huge_rate_form(LARGEST_RATE),
    )
    (minutes,) = lines_of(run, kind="minutes")
    expected = 2 * exact_charge(seconds, LARGEST_RATE) + exact_charge(seconds - 1, LARGEST_RATE)
    assert Decimal(str(minutes["amount"])) == expected
    invoice = run.invoices[0]
    assert invoice.total == sum((line.amount for line in invoice.lines), Decimal(0))


def test_ordinary_rates_stay_in_64_bit_arithmetic():
    # The fallback to Python integers is for rates near the bound, not for tariffs.
    from tariff.engine import load_catalogue
    from tariff.engine.plan.terms import resolve_terms
    from tariff.engine.rating.accounts import RatingAccounts
    from tariff.engine.rating.price import needs_exact_arithmetic
    from tariff.engine.usage import AccountRow

    plan = load_catalogue()
    row = AccountRow("accounts.csv", 1, "A", None, "enterprise", None, "GBP", Decimal(0), "UTC")
    from tariff.dsl.months import Month

    accounts = RatingAccounts.of(resolve_terms(plan, [row], Month(2026, 10)))
    assert not needs_exact_arithmetic(accounts, 86_400, 50_000_000)
    assert needs_exact_arithmetic(accounts, MAX_DURATION_SECONDS, 10**12)


def test_a_ledger_refuses_a_total_it_cannot_keep_and_issues_nothing(month_files, tmp_path):
    files = month_files([account()], [number()], calls(40_000, duration_s=MAX_DURATION_SECONDS))
    forms = tmp_path / "forms.tariff"
    forms.write_text(huge_rate_form(LARGEST_RATE), encoding="utf-8")
    ledger = tmp_path / "ledger.sqlite"
    result = CliRunner().invoke(
        cli,
        [
            "bill",
            *files.arguments(),
            "--order-forms",
            str(forms),
            "--db",
            str(ledger),
            "--issue-date",
            "2026-11-01",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "beyond what the ledger keeps" in result.stderr
    assert "nothing was issued" in result.stderr


def test_a_rate_is_shown_as_written_whatever_was_priced_before():
    # 0.60 and 0.600 are equal Decimals: a cache keyed by value showed the
    # second as the first, so a run's JSON depended on what the process had
    # priced before it.
    from tariff.engine.money import rate_price

    assert str(rate_price(Decimal("0.60"), "GBP")) == "0.60"
    assert str(rate_price(Decimal("0.600"), "GBP")) == "0.600"
    assert str(rate_price(Decimal("0.6"), "GBP")) == "0.60"
