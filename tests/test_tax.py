"""Tax (billing-semantics.md, charge 6): one line per invoice, half-up on the net."""

from __future__ import annotations

import pytest
from usage_rows import account, calls, edited_catalogue, lines_of, number


def totals(run, account_id="ACC-1"):
    invoice = next(
        i for i in run.model_dump(mode="json")["invoices"] if i["account_id"] == account_id
    )
    return (
        invoice["subtotal"],
        invoice["discount"],
        invoice["net"],
        invoice["tax"],
        invoice["total"],
    )


def test_an_account_billed_in_gbp_is_in_gb_and_pays_uk_vat(rate):
    run = rate([account(package="essentials")])
    assert totals(run) == ("59.00", "0.00", "59.00", "11.80", "70.80")
    (vat,) = lines_of(run, kind="tax")
    assert vat == {
        "kind": "tax",
        "description": "VAT 20%",
        "quantity": 1,
        "rate": "20",
        "unit_price": "59.00",
        "amount": "11.80",
        "discountable": False,
    }
    assert run.invoices[0].customer.country == "GB" and run.invoices[0].tax_notes is None


def test_an_account_billed_in_usd_is_in_the_us_gets_the_note_and_no_tax(rate):
    run = rate([account(package="essentials", currency="USD")])
    assert totals(run) == ("75.00", "0.00", "75.00", "0.00", "75.00")
    assert lines_of(run, kind="tax") == []
    assert run.invoices[0].tax_notes == ("Outside the scope of UK VAT",)
    assert run.invoices[0].customer.country == "US"


@pytest.mark.parametrize("country", ["FR", "fr", " FR "])
def test_a_gbp_account_in_france_is_not_taxed(rate, country):
    run = rate([account(package="essentials", country=country)])
    assert totals(run)[3:] == ("0.00", "59.00")
    assert run.invoices[0].customer.country == "FR"
    assert run.invoices[0].tax_notes == ("Outside the scope of UK VAT",)


def test_a_usd_account_in_gb_is_taxed(rate):
    run = rate([account(package="essentials", currency="USD", country="GB")])
    assert totals(run)[2:] == ("75.00", "15.00", "90.00")


def test_the_discount_is_taken_before_tax(rate):
    # 10% of the 59.00 licence = 5.90 off; VAT is 20% of the net 53.10 = 10.62.
    run = rate([account(package="essentials", discount_percent=10)])
    assert totals(run) == ("59.00", "-5.90", "53.10", "10.62", "63.72")


def test_fair_usage_is_taxed_but_never_discounted(rate):
    # Professional: licence 249.00 (discounted 20% = -49.80) and ten missing calls
    # at 0.10 = 1.00, not discounted; VAT on the net 200.20 = 40.04.
    run = rate([account(discount_percent=20)], [number()])
    (fair_usage,) = lines_of(run, kind="fair_usage")
    assert fair_usage["amount"] == "1.00"
    assert totals(run) == ("250.00", "-49.80", "200.20", "40.04", "240.24")


@pytest.fixture
def seventeen_and_a_half(tmp_path):
    """The reference catalogue with VAT at 17.5%, rising to 20% on 1 January 2027."""
    return edited_catalogue(
        tmp_path / "catalogue",
        {"billing.tariff": [("  rate 20%\n", "  rate 17.5%\n  rate 20% from 2027-01-01\n")]},
    )


def test_a_tie_at_the_half_penny_rounds_up(rate, seventeen_and_a_half):
    # A licence of 0.60: 17.5% of it is 10.5p, which rounds half-up to 11p.
    form = 'order form "ACC-1" { licence 0.60 GBP }'
    run = rate([account(package="essentials")], order_forms=form, catalogue=seventeen_and_a_half)
    assert totals(run) == ("0.60", "0.00", "0.60", "0.11", "0.71")
    assert lines_of(run, kind="tax")[0]["description"] == "VAT 17.5%"


@pytest.mark.parametrize(
    ("month", "description", "tax"),
    [("2026-12", "VAT 17.5%", "10.33"), ("2027-01", "VAT 20%", "11.80")],
)
def test_a_rate_change_applies_from_the_month_it_starts(
    rate, seventeen_and_a_half, month, description, tax
):
    # 17.5% of 59.00 = 10.325 -> 10.33; 20% = 11.80.
    run = rate([account(package="essentials")], month=month, catalogue=seventeen_and_a_half)
    (line,) = lines_of(run, kind="tax")
    assert (line["description"], line["amount"]) == (description, tax)


def test_without_tax_rules_the_total_is_the_net(rate, tmp_path):
    untaxed = edited_catalogue(tmp_path / "catalogue", {})
    (untaxed / "billing.tariff").unlink()
    run = rate([account(package="essentials")], catalogue=untaxed)
    assert totals(run) == ("59.00", "0.00", "59.00", "0.00", "59.00")
    assert run.invoices[0].tax_notes is None and run.issuer is None
    # Without an issuer, invoices are due 30 days after their issue date.
    assert (run.invoices[0].due_on - run.invoices[0].issued_on).days == 30


def test_calls_are_taxed_with_the_rest(rate):
    # Essentials: 59.00 + two 60 s calls (fee 0.15 each, 0.02 a minute at 0.015).
    run = rate([account(package="essentials")], [number()], calls(2, duration_s=60))
    assert totals(run) == ("59.34", "0.00", "59.34", "11.87", "71.21")
