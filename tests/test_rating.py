"""Every rule and default of billing-semantics.md, with the reference catalogue's prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from usage_rows import TARIFFS, account, calls, lines_of, number

# ------------------------------------------------------------------ licence


def test_licence_appears_once_even_without_usage(rate):
    run = rate([account(package="essentials")])

    assert lines_of(run) == [
        {
            "kind": "licence",
            "description": "Essentials edition licence",
            "quantity": 1,
            "unit_price": "59.00",
            "amount": "59.00",
            "discountable": True,
        },
        {
            "kind": "tax",
            "description": "VAT 20%",
            "quantity": 1,
            "rate": "20",
            "unit_price": "59.00",
            "amount": "11.80",
            "discountable": False,
        },
    ]
    assert run.invoices[0].net == run.invoices[0].subtotal == 59
    assert run.invoices[0].total == 59 + run.invoices[0].tax == Decimal("70.80")


@pytest.mark.parametrize(
    ("package", "version", "currency", "licence"),
    [
        ("standard", "2019-01", "GBP", "79.00"),
        ("standard", "2021-04", "USD", "129.00"),
        ("professional", "2019-01", "USD", "259.00"),
        ("enterprise", "2021-04", "GBP", "599.00"),
        ("growth", "2024-01", "USD", "245.00"),
        ("scale", "2024-01", "GBP", "449.00"),
    ],
)
def test_licence_price_by_package_version_and_currency(rate, package, version, currency, licence):
    run = rate([account(package=package, version=version, currency=currency)])

    assert lines_of(run, kind="licence")[0]["amount"] == licence


# ------------------------------------------------------------- cost per call


def test_cost_per_call_only_for_calls_of_one_second_or_more(rate):
    run = rate(
        [account(package="essentials")],
        [number()],
        calls(3, duration_s=0, prefix="missed") + calls(5, duration_s=1, prefix="short"),
    )

    (fee,) = lines_of(run, kind="call_fee")
    assert fee == {
        "kind": "call_fee",
        "description": "Calls: 5 chargeable",
        "quantity": 5,
        "unit_price": "0.15",
        "amount": "0.75",
        "discountable": True,
    }


def test_first_250_chargeable_calls_are_inclusive(rate):
    run = rate([account(package="growth")], [number()], calls(300))

    (fee,) = lines_of(run, kind="call_fee")
    assert fee["description"] == "Calls: 300 chargeable, 250 inclusive"
    assert (fee["quantity"], fee["unit_price"], fee["amount"]) == (50, "0.09", "4.50")


def test_no_call_fee_line_while_within_the_allowance(rate):
    run = rate([account(package="growth")], [number()], calls(250))

    assert lines_of(run, kind="call_fee") == []


def test_zero_second_calls_do_not_use_the_allowance(rate):
    run = rate(
        [account(package="growth")],
        [number()],
        calls(250, prefix="answered") + calls(40, duration_s=0, prefix="missed"),
    )

    assert lines_of(run, kind="call_fee") == []


def test_legacy_and_latest_versions_differ_in_inclusive_calls(rate):
    run = rate(
        [
            account("OLD", version="2019-01"),
            account("NEW", version="2021-04"),
        ],
        [number("+441632960001", "OLD"), number("+441632960002", "NEW")],
        calls(300, number="+441632960001", prefix="o")
        + calls(300, number="+441632960002", prefix="n"),
    )

    (old_fee,) = lines_of(run, "OLD", kind="call_fee")
    (new_fee,) = lines_of(run, "NEW", kind="call_fee")
    assert (old_fee["quantity"], old_fee["unit_price"], old_fee["amount"]) == (300, "0.10", "30.00")
    assert (new_fee["quantity"], new_fee["unit_price"], new_fee["amount"]) == (50, "0.08", "4.00")


# ------------------------------------------------------------ minute charges


def test_minute_charge_rounds_each_call_half_up(rate):
    # 20 s at 0.015/min = 0.5p -> 1p; 16 s = 0.4p -> 0p.
    run = rate(
        [account(package="essentials")],
        [number()],
        calls(1, duration_s=20, prefix="half") + calls(1, duration_s=16, prefix="less"),
    )

    (minutes,) = lines_of(run, kind="minutes")
    assert minutes == {
        "kind": "minutes",
        "band": "uk_geographic",
        "band_name": "UK geographic",
        "description": "Minute charges: UK geographic",
        "quantity": 36,
        "seconds": 36,
        "calls": 2,
        "unit_price": "0.015",
        "amount": "0.01",
        "discountable": True,
    }


def test_band_amount_is_the_sum_of_rounded_calls_not_a_rounded_total(rate):
    # Three 20 s calls: 0.5p each, rounded up to 1p each = 3p; the unrounded
    # total (60 s = 1.5p) would round to 2p.
    run = rate([account(package="essentials")], [number()], calls(3, duration_s=20))

    (minutes,) = lines_of(run, kind="minutes")
    assert (minutes["quantity"], minutes["amount"]) == (60, "0.03")


def test_minute_lines_are_per_band_sorted_by_band(rate):
    run = rate(
        [account(package="essentials")],
        [number()],
        calls(1, duration_s=90, destination="+447700900123", prefix="m")
        + calls(1, duration_s=90, destination="+441632961000", prefix="g")
        + calls(1, duration_s=90, destination="sip:desk@example.com", prefix="s"),
    )

    bands = [(line["band"], line["amount"]) for line in lines_of(run, kind="minutes")]
    # 90 s: 0.040 -> 0.06; 0.015 -> 0.0225 -> 0.02; 0.010 -> 0.015 -> 0.02
    assert bands == [("sip", "0.02"), ("uk_geographic", "0.02"), ("uk_mobile", "0.06")]


@pytest.mark.parametrize(
    ("destination", "band"),
    [
        ("+441632961000", "uk_geographic"),
        ("+442079460000", "uk_geographic"),
        ("+443001234567", "uk_non_geographic"),
        ("+447700900123", "uk_mobile"),
        ("07700 900123", "uk_mobile"),  # UK national, read as +44 7700 900123
        ("020 7946 0000", "uk_geographic"),
        ("sip:reception@example.com", "sip"),
        ("+12125550100", "north_america"),
        ("+33140000000", "international_a"),
        ("+353112345678", "international_a"),
        ("+35212345678", "international_b"),  # +352 is not +353: the catch-all
        ("+819012345678", "international_b"),
        ("0033 1 40 00 00 00", "international_a"),  # 00 is the international prefix
        # Plain digits are read over the whole column, the rest one by one:
        # both readings must agree.
        ("02079460000", "uk_geographic"),
        ("0033140000000", "international_a"),
        ("07700900123", "uk_mobile"),
        ("SIP:Reception@Example.com", "sip"),
    ],
)
def test_longest_prefix_selects_the_band(rate, destination, band):
    run = rate([account()], [number()], calls(1, duration_s=120, destination=destination))

    assert [line["band"] for line in lines_of(run, kind="minutes")] == [band]
    assert run.rejected == ()


@pytest.mark.parametrize(
    "destination",
    [
        "+447012345678",
        "+447612345678",
        "+448412345678",
        "+448712345678",
        "+449012345678",
        "+441184960000",
        "0118 496 0000",
    ],
)
def test_barred_prefixes_beat_the_catch_all(rate, destination):
    run = rate([account()], [number()], calls(1, destination=destination))

    (rejection,) = run.rejected
    assert rejection.reason.startswith("barred destination +44")
    assert rejection.field == "destination"
    assert run.summary.calls_rejected == 1
    assert lines_of(run, kind="minutes") == []


@pytest.mark.parametrize("destination", ["0161 496 ABC", "+44161x", "44 (0) 161 496 0000!"])
def test_a_destination_that_starts_with_digits_but_is_no_number_is_rejected(rate, destination):
    run = rate([account()], [number()], calls(1, destination=destination))

    (rejection,) = run.rejected
    assert rejection.field == "destination"
    assert "is not a phone number" in rejection.reason


def test_explicit_band_wins_over_the_destination(rate):
    run = rate(
        [account()],
        [number()],
        calls(1, duration_s=60, destination="+447012345678", band="sip"),
    )

    assert [(line["band"], line["amount"]) for line in lines_of(run, kind="minutes")] == [
        ("sip", "0.01")
    ]
    assert run.rejected == ()


def test_usd_accounts_use_usd_rates(rate):
    run = rate(
        [account(currency="USD", package="essentials")],
        [number()],
        calls(1, duration_s=60, destination="+12125550100"),
    )

    (minutes,) = lines_of(run, kind="minutes")
    assert (minutes["unit_price"], minutes["amount"]) == ("0.025", "0.03")


def test_a_minute_line_that_rounds_to_zero_is_left_out(rate):
    run = rate([account(package="essentials")], [number()], calls(1, duration_s=10))

    assert lines_of(run, kind="minutes") == []
    (fee,) = lines_of(run, kind="call_fee")
    assert fee["quantity"] == 1


# ---------------------------------------------------------------- fair usage


def test_fair_usage_only_on_previous_packages(rate):
    run = rate(
        [account("PREV", package="standard"), account("CURR", package="scale")],
        [number("+441632960001", "PREV"), number("+441632960002", "CURR")],
    )

    assert len(lines_of(run, "PREV", kind="fair_usage")) == 1
    assert lines_of(run, "CURR", kind="fair_usage") == []


def test_fair_usage_applies_to_fixed_and_offline_numbers_only(rate):
    run = rate(
        [account()],
        [
            number("+441632960001", kind="fixed"),
            number("+441632960002", kind="offline"),
            number("+441632960003", kind="dynamic"),
        ],
    )

    assert [line["number"] for line in lines_of(run, kind="fair_usage")] == [
        "+441632960001",
        "+441632960002",
    ]


def test_numbers_are_never_pooled(rate):
    # 20 calls on one number do not make up for none on the other.
    run = rate(
        [account()],
        [number("+441632960001"), number("+441632960002")],
        calls(20, number="+441632960001"),
    )

    (line,) = lines_of(run, kind="fair_usage")
    assert (line["number"], line["quantity"], line["amount"]) == ("+441632960002", 10, "1.00")
    assert line["description"] == "Fair usage: +441632960002 (10 calls short)"


def test_calls_under_one_second_do_not_count_toward_the_minimum(rate):
    run = rate([account()], [number()], calls(9) + calls(5, duration_s=0, prefix="z"))

    (line,) = lines_of(run, kind="fair_usage")
    assert (line["quantity"], line["description"]) == (
        1,
        "Fair usage: +441632960001 (1 call short)",
    )


def test_inclusive_calls_count_toward_the_minimum(rate):
    # Enterprise includes 250 calls; the 10 calls carry no fee but still count.
    run = rate([account(package="enterprise")], [number()], calls(10))

    assert lines_of(run, kind="fair_usage") == []
    assert lines_of(run, kind="call_fee") == []


def test_legacy_versions_charge_their_own_fair_usage_rate(rate):
    run = rate(
        [
            account("GBP-OLD", package="standard", version="2019-01"),
            account("USD-OLD", package="standard", version="2019-01", currency="USD"),
        ],
        [number("+441632960001", "GBP-OLD"), number("+15550000001", "USD-OLD")],
    )

    assert lines_of(run, "GBP-OLD", kind="fair_usage")[0]["amount"] == "0.50"
    assert lines_of(run, "USD-OLD", kind="fair_usage")[0]["amount"] == "0.80"


def test_a_number_assigned_for_part_of_the_month_owes_the_full_minimum(rate):
    run = rate(
        [account()],
        [number(assigned_from="2026-10-25")],
        calls(3, started_at="2026-10-26T10:00:00Z"),
    )

    (line,) = lines_of(run, kind="fair_usage")
    assert line["quantity"] == 7


def test_numbers_not_held_in_the_month_owe_nothing(rate):
    run = rate(
        [account()],
        [
            number("+441632960001", released_on="2026-10-01"),
            number("+441632960002", assigned_from="2026-11-01"),
        ],
    )

    assert lines_of(run, kind="fair_usage") == []


def test_a_recycled_number_owes_a_minimum_to_each_holder(rate):
    run = rate(
        [account("A"), account("B")],
        [
            number("+441632960001", "A", released_on="2026-10-15"),
            number("+441632960001", "B", assigned_from="2026-10-15"),
        ],
        calls(4, started_at="2026-10-10T10:00:00+01:00", prefix="a")
        + calls(12, started_at="2026-10-20T10:00:00+01:00", prefix="b"),
    )

    assert [line["quantity"] for line in lines_of(run, "A", kind="fair_usage")] == [6]
    assert lines_of(run, "B", kind="fair_usage") == []
    assert run.summary.calls_rated == 16


# ------------------------------------------------------------ billing period


def test_month_is_taken_in_london_time_across_the_end_of_summer_time(rate):
    run = rate(
        [account(package="essentials")],
        [number()],
        [
            # 23:30 UTC on 30 Sep is 00:30 BST on 1 Oct: October.
            {
                "call_id": "a",
                "number": "+441632960001",
                "started_at": "2026-09-30T23:30:00Z",
                "duration_s": 60,
                "destination": "+441632961000",
            },
            # 22:59 UTC on 30 Sep is 23:59 BST: September.
            {
                "call_id": "b",
                "number": "+441632960001",
                "started_at": "2026-09-30T22:59:00Z",
                "duration_s": 60,
                "destination": "+441632961000",
            },
            # Summer time ends 25 Oct 2026; 23:30 UTC on 31 Oct is 23:30 GMT: October.
            {
                "call_id": "c",
                "number": "+441632960001",
                "started_at": "2026-10-31T23:30:00Z",
                "duration_s": 60,
                "destination": "+441632961000",
            },
            # 00:30 GMT on 1 Nov: November.
            {
                "call_id": "d",
                "number": "+441632960001",
                "started_at": "2026-11-01T00:30:00+00:00",
                "duration_s": 60,
                "destination": "+441632961000",
            },
        ],
    )

    assert run.summary.model_dump() == {
        "calls_in": 4,
        "calls_rated": 2,
        "calls_other_period": 2,
        "calls_rejected": 0,
    }
    assert lines_of(run, kind="call_fee")[0]["quantity"] == 2


def test_an_accounts_time_zone_decides_its_month(rate):
    # 03:00 UTC on 1 Oct is still 30 Sep in New York.
    run = rate(
        [account(timezone="America/New_York", currency="USD", package="essentials")],
        [number()],
        calls(1, started_at="2026-10-01T03:00:00Z"),
    )

    assert run.summary.calls_other_period == 1
    assert run.summary.calls_rated == 0


def test_calls_in_other_months_count_toward_nothing(rate):
    run = rate([account()], [number()], calls(12, started_at="2026-09-15T10:00:00+01:00"))

    assert lines_of(run, kind="fair_usage")[0]["quantity"] == 10
    assert run.summary.calls_other_period == 12


# ------------------------------------------------------- versions and forms


def test_version_defaults_to_the_one_in_effect_on_the_first_of_the_month(rate, tmp_path):
    # The shipped sheet starts in April 2021; give this catalogue an older one
    # so that months priced by the 2019 version can be rated.
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    (catalogue / "standard.tariff").write_text((TARIFFS / "standard.tariff").read_text())
    sheet = (TARIFFS / "carrier.tariff").read_text()
    (catalogue / "carrier.tariff").write_text(sheet.replace("2021-04-01", "2019-01-01"))

    march = rate([account(package="standard")], month="2021-03", catalogue=catalogue)
    april = rate([account(package="standard")], month="2021-04", catalogue=catalogue)

    assert (march.invoices[0].version, str(march.invoices[0].total)) == ("2019-01", "79.00")
    assert (april.invoices[0].version, str(april.invoices[0].total)) == ("2021-04", "99.00")


def test_order_form_overrides_rates_licence_fee_and_fair_usage(rate):
    form = """
    order form "ACC-1" {
      package professional version 2021-04
      licence 200.00 GBP per month
      call fee 0.05 GBP per call
      inclusive calls 0 per month
      rate uk_geographic 0.012 GBP per minute
      fair usage unit rate 0.20 GBP
    }
    """
    run = rate(
        [account(package="standard", version="2019-01")],
        [number(), number("+441632960002")],
        calls(10, duration_s=100),
        order_forms=form,
    )

    invoice = run.invoices[0]
    assert (invoice.package, invoice.version) == ("professional", "2021-04")
    by_kind = {line["kind"]: line for line in lines_of(run)}
    assert by_kind["licence"]["amount"] == "200.00"
    assert (by_kind["call_fee"]["quantity"], by_kind["call_fee"]["amount"]) == (10, "0.50")
    # 100 s at 0.012/min = 0.02 per call
    assert (by_kind["minutes"]["unit_price"], by_kind["minutes"]["amount"]) == ("0.012", "0.20")
    assert by_kind["fair_usage"]["amount"] == "2.00"


def test_scoped_discount_applies_to_named_charges_in_its_months(rate):
    form = """
    order form "ACC-1" {
      discount 10% on call fee from 2026-09 to 2026-10
      discount 50% on licence from 2026-11
    }
    """
    accounts = [account(package="essentials")]
    numbers = [number()]
    run = rate(
        accounts, numbers, calls(100, duration_s=0) + calls(20, prefix="x"), order_forms=form
    )

    (discount,) = lines_of(run, kind="discount")
    # 20 calls x 0.15 = 3.00; 10% = 0.30. The licence is not in this discount's scope.
    assert (discount["description"], discount["amount"]) == ("Discount 10% on call fees", "-0.30")

    november = rate(
        accounts,
        numbers,
        calls(5, started_at="2026-11-05T10:00:00Z"),
        order_forms=form,
        month="2026-11",
    )
    (discount,) = lines_of(november, kind="discount")
    assert (discount["description"], discount["amount"]) == ("Discount 50% on licence", "-29.50")


def test_order_form_discounts_replace_the_accounts_file_discount(rate):
    form = 'order form "ACC-1" { discount 10% from 2027-01 }'
    run = rate([account(package="essentials", discount_percent=30)], order_forms=form)

    assert lines_of(run, kind="discount") == []


def test_discount_rounds_half_up_to_the_penny(rate):
    # 12.5% of 59.00 (essentials licence) = 7.375 -> 7.38
    run = rate([account(package="essentials", discount_percent="12.5")])

    (discount,) = lines_of(run, kind="discount")
    assert (discount["amount"], discount["description"]) == ("-7.38", "Discount 12.5%")
    assert str(run.invoices[0].net) == "51.62"


def test_non_discountable_charge_is_not_discounted(rate, tmp_path):
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    (catalogue / "carrier.tariff").write_text((TARIFFS / "carrier.tariff").read_text())
    (catalogue / "flat.tariff").write_text(
        """
        package flat {
          generation current
          version 2024-01 {
            licence 100.00 GBP per month not discountable
            call fee 1.00 GBP per call
            minutes from sheet carrier
          }
        }
        """
    )
    run = rate(
        [account(package="flat", discount_percent=10)],
        [number()],
        calls(3, duration_s=0) + calls(2, prefix="x", duration_s=5),
        catalogue=catalogue,
    )

    by_kind = {line["kind"]: line for line in lines_of(run)}
    assert by_kind["licence"]["discountable"] is False
    assert by_kind["discount"]["amount"] == "-0.20"  # 10% of the 2.00 call fees only
    assert str(run.invoices[0].total) == "101.80"
