"""The seed's examples, verbatim: Fair Usage on a previous package at the latest rates."""

from __future__ import annotations

import pytest
from usage_rows import account, calls, lines_of, number


@pytest.mark.parametrize(
    ("currency", "received", "expected_amount", "expected_units"),
    [
        ("GBP", 0, "1.00", 10),  # Example 1: no calls -> £1 (10 x 10p)
        ("USD", 0, "1.50", 10),  # Example 1: no calls -> $1.50 (10 x 15c)
        ("GBP", 6, "0.40", 4),  # Example 2: 6 calls -> 40p for the 4 not received
        ("USD", 6, "0.60", 4),  # Example 2: 6 calls -> 60c
    ],
)
def test_fair_usage_charge_for_missing_calls(
    rate, currency, received, expected_amount, expected_units
):
    run = rate([account(currency=currency)], [number()], calls(received))

    (line,) = lines_of(run, kind="fair_usage")
    assert line["amount"] == expected_amount
    assert line["quantity"] == expected_units
    assert line["unit_price"] == ("0.10" if currency == "GBP" else "0.15")
    assert line["number"] == "+441632960001"
    assert line["discountable"] is False


@pytest.mark.parametrize("received", [10, 11, 40])
@pytest.mark.parametrize("currency", ["GBP", "USD"])
def test_ten_or_more_calls_owe_nothing_and_get_no_line(rate, currency, received):
    run = rate([account(currency=currency)], [number()], calls(received))

    assert lines_of(run, kind="fair_usage") == []


@pytest.mark.parametrize(
    ("currency", "fair_usage", "discount", "subtotal", "net", "tax", "total"),
    [
        # licence 249.00 + six 60 s uk_geographic calls at 0.015/min (0.015 -> 0.02 each)
        # = 249.12 discountable; 20% = 49.824 -> 49.82. Fair usage 0.40 stays whole,
        # and is taxed with the rest: VAT 20% of the net 199.70 = 39.94.
        ("GBP", "0.40", "-49.82", "249.52", "199.70", "39.94", "239.64"),
        # licence 325.00 + six calls at 0.020/min (0.02 each) = 325.12; 20% = 65.02.
        # An account billed in USD is in the US: no UK VAT.
        ("USD", "0.60", "-65.02", "325.72", "260.70", "0.00", "260.70"),
    ],
)
def test_a_discount_leaves_fair_usage_unchanged(
    rate, currency, fair_usage, discount, subtotal, net, tax, total
):
    run = rate([account(currency=currency, discount_percent=20)], [number()], calls(6))

    (fair_usage_line,) = lines_of(run, kind="fair_usage")
    assert fair_usage_line["amount"] == fair_usage
    (discount_line,) = lines_of(run, kind="discount")
    assert discount_line["amount"] == discount
    assert discount_line["description"] == "Discount 20%"
    invoice = run.model_dump(mode="json")["invoices"][0]
    assert (
        invoice["subtotal"],
        invoice["discount"],
        invoice["net"],
        invoice["tax"],
        invoice["total"],
    ) == (subtotal, discount, net, tax, total)


def test_seed_example_json_document_to_the_penny(rate):
    run = rate(
        [account("ACC-GBP", currency="GBP"), account("ACC-USD", currency="USD")],
        [
            number("+441632960001", "ACC-GBP"),
            number("+441632960002", "ACC-GBP"),
            number("+15550000001", "ACC-USD"),
            number("+15550000002", "ACC-USD"),
        ],
        calls(6, number="+441632960002", prefix="g", duration_s=0)
        + calls(6, number="+15550000002", prefix="u", duration_s=0),
    )
    document = run.model_dump(mode="json", exclude_none=True)
    fair_usage = {
        (invoice["account_id"], line["number"]): line["amount"]
        for invoice in document["invoices"]
        for line in invoice["lines"]
        if line["kind"] == "fair_usage"
    }
    # Zero-second calls do not count, so both second numbers are 10 short too.
    assert fair_usage == {
        ("ACC-GBP", "+441632960001"): "1.00",
        ("ACC-GBP", "+441632960002"): "1.00",
        ("ACC-USD", "+15550000001"): "1.50",
        ("ACC-USD", "+15550000002"): "1.50",
    }
    assert [i["net"] for i in document["invoices"]] == ["251.00", "328.00"]
    # UK VAT on the GBP account (in GB by default), none on the USD one (in the US).
    assert [i["tax"] for i in document["invoices"]] == ["50.20", "0.00"]
    assert [i["total"] for i in document["invoices"]] == ["301.20", "328.00"]
