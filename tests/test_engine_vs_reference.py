"""Property: the columnar engine agrees with the row-at-a-time Decimal reference, exactly."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_run
from usage_rows import ACCOUNT_HEADER, CALL_HEADER, EXAMPLES, NUMBER_HEADER, TARIFFS, write_csv

from tariff.engine import RatingPlan, load_catalogue, load_usage, rate_month
from tariff.engine.api import rate_month_itemised
from tariff.engine.rating import blocks

ORDER_FORMS = """
order form "OF-1" {
  package professional version 2019-01
  currency GBP
  inclusive calls 3 per month
  rate uk_mobile 0.0333 GBP per minute
  discount 15% on minutes, call fee from 2026-01 to 2026-10
}
order form "OF-2" {
  package enterprise
  call fee 0.01 GBP per call
  fair usage unit rate 0.07 GBP per missing call
  discount 7.5%
}
"""
# A second sheet, used by one package, so that months mix sheets and roundings.
SECOND_SHEET = """
sheet budget {
  version 2024-01-01 {
    rounding down per call
    dial "0" as "+44"
    band domestic { prefixes "+44" rate 0.600 GBP, 0.700 USD per minute }
    band rest { prefixes "+", "sip:" rate 0.123 GBP, 0.150 USD per minute }
    barred "+449"
  }
}
package cheap {
  generation previous
  version 2024-01 {
    licence 1.00 GBP, 1.00 USD
    call fee 0.01 GBP, 0.02 USD
    inclusive calls 5
    minutes from sheet budget
    fair usage { minimum 3 calls numbers dynamic unit rate 0.03 GBP, 0.04 USD }
  }
}
"""
# A second tax, whose rate changes on the month's last day: the day that decides.
FRENCH_TAX = """
tax fr_tva {
  name "TVA"
  countries "FR"
  rate 20%
  rate 5.5% from 2026-10-31
  note "TVA non applicable"
}
"""
ROUNDING_MODES = ("half-up", "half-even", "up", "down")
# Call terms the property draws: none; increments alone; and fees and minimums
# (in the reference sheet, the second sheet, and an order form's band).
CALL_TERMS = {
    "per second": ({}, ""),
    "increments": (
        {
            "carrier.tariff": [('    dial "00"', '    increments 30/6\n    dial "00"')],
            "budget.tariff": [('    dial "0"', '    increments 60/1\n    dial "0"')],
        },
        "",
    ),
    "fees and minimums": (
        {
            "carrier.tariff": [
                (
                    "rate 0.040 GBP, 0.050 USD per minute",
                    "rate 0.040 GBP, 0.050 USD per minute\n"
                    "      connection fee 0.015 GBP, 0.02 USD per call\n"
                    "      minimum charge 0.035 GBP, 0.04 USD per call",
                ),
                (
                    "rate 0.015 GBP, 0.020 USD per minute\n    }\n\n    band uk_non",
                    "rate 0.015 GBP, 0.020 USD per minute\n      increments 60/60\n"
                    "      minimum charge 0.02 GBP, 0.03 USD per call\n    }\n\n    band uk_non",
                ),
            ],
            "budget.tariff": [
                ('    dial "0"', '    connection fee 0.001 GBP, 0.002 USD\n    dial "0"')
            ],
        },
        """
order form "OF-2" {
  band uk_geographic { increments 10/5 connection fee 0.01 GBP minimum charge 0.03 GBP }
}""",
    ),
}


def _plans(root: Path) -> dict[tuple[str, str], RatingPlan]:
    plans = {}
    for mode in ROUNDING_MODES:
        for variant, (edits, form_extra) in CALL_TERMS.items():
            catalogue = root / mode / variant.replace(" ", "-")
            catalogue.mkdir(parents=True)
            texts = {source.name: source.read_text() for source in TARIFFS.glob("*.tariff")}
            texts["budget.tariff"] = SECOND_SHEET
            for name, replacements in edits.items():
                for old, new in replacements:
                    assert old in texts[name], (variant, old)
                    texts[name] = texts[name].replace(old, new, 1)
            for name, text in texts.items():
                (catalogue / name).write_text(text.replace("rounding half-up", f"rounding {mode}"))
            forms = ORDER_FORMS
            if form_extra:
                forms = forms.replace('order form "OF-2" {', form_extra.strip()[:-1], 1)
            (catalogue / "order-forms.tariff").write_text(forms)
            (catalogue / "french-vat.tariff").write_text(FRENCH_TAX)
            plans[mode, variant] = load_catalogue(catalogue)
    return plans


_WORKDIR = tempfile.TemporaryDirectory()
PLANS = _plans(Path(_WORKDIR.name))

ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo")
NUMBERS = tuple(f"+44163296000{i}" for i in range(1, 7))
DESTINATIONS = (
    "+441632961000",
    "+442079460000",
    "+443001234567",
    "+447700900123",
    "07700 900123",
    "020 7946 0000",
    "sip:desk@example.com",
    "SIP:Desk@Example.com",
    "+12125550100",
    "+33140000000",
    "+353112345678",
    "+819012345678",
    "0033 1 40 00 00 00",
    "+447012345678",
    "0118 496 0000",
    "+449012345678",
    "call me",
    None,
)
OFFSETS = ("Z", "+00:00", "+01:00", "-05:00", "+09:00", "+0530", "")


@st.composite
def account_rows(draw):
    # Every order form in force must have its account (a missing one stops the run).
    others = draw(st.lists(st.sampled_from(["A1", "A2", "A3"]), max_size=3, unique=True))
    ids = draw(st.permutations(["OF-1", "OF-2", *others]))
    rows = []
    for account_id in ids:
        package = draw(st.sampled_from(sorted(PLANS["half-up", "per second"].packages)))
        versions = [v.version for v in PLANS["half-up", "per second"].packages[package]]
        rows.append(
            {
                "account_id": account_id,
                "package": package,
                "version": draw(st.sampled_from([None, *versions])),
                "currency": "GBP"
                if account_id.startswith("OF")
                else draw(st.sampled_from(["GBP", "USD"])),
                "discount_percent": draw(st.sampled_from([None, "10", "12.5", "33.3"])),
                "timezone": draw(st.sampled_from([None, *ZONES])),
                "country": draw(st.sampled_from([None, "GB", "gb", "FR", "US", "DE"])),
                "address": draw(st.sampled_from([None, "1 High St|Leeds", "Rue 2\nParis"])),
                "tax_id": draw(st.sampled_from([None, "FR 12 345678901"])),
            }
        )
    return rows


DATES = st.dates(min_value=dt.date(2026, 9, 20), max_value=dt.date(2026, 11, 10))


@st.composite
def number_rows(draw, account_ids):
    rows = []
    for value in draw(st.lists(st.sampled_from(NUMBERS), max_size=5, unique=True)):
        kind = draw(st.sampled_from(["fixed", "offline", "dynamic"]))
        if draw(st.booleans()):
            split = draw(DATES)
            first, second = draw(st.sampled_from(account_ids)), draw(st.sampled_from(account_ids))
            rows.append({"number": value, "account_id": first, "kind": kind, "released_on": split})
            rows.append(
                {"number": value, "account_id": second, "kind": kind, "assigned_from": split}
            )
        else:
            since = draw(st.one_of(st.none(), DATES))
            until = draw(st.one_of(st.none(), DATES))
            if since and until and until <= since:
                since, until = until, since + dt.timedelta(days=1)
            rows.append(
                {
                    "number": value,
                    "account_id": draw(st.sampled_from(account_ids)),
                    "kind": kind,
                    "assigned_from": since,
                    "released_on": until,
                }
            )
    return rows


def rarely(draw, usual, unusual, one_in=12):
    """Usually a draw from ``usual``; about once in ``one_in`` draws, from ``unusual``."""
    return draw(unusual) if draw(st.integers(1, one_in)) == 1 else draw(usual)


@st.composite
def call_rows(draw, numbers):
    known = sorted({row["number"] for row in numbers}) or list(NUMBERS)
    rows = []
    for index in range(draw(st.integers(0, 60))):
        # Spread over 29 Sep - 2 Nov; about one call in five lands on the two
        # days either side of a month boundary.
        day = rarely(draw, st.integers(0, 34), st.sampled_from([1, 2, 32, 33]), one_in=5)
        moment = dt.datetime(2026, 9, 29) + dt.timedelta(
            days=day, seconds=draw(st.integers(0, 86399))
        )
        rows.append(
            {
                "call_id": rarely(draw, st.just(f"c{index}"), st.sampled_from(["dup", ""])),
                "number": rarely(
                    draw, st.sampled_from(known), st.sampled_from([*NUMBERS, "+441632969999"])
                ),
                "started_at": moment.isoformat()
                + rarely(draw, st.sampled_from(OFFSETS[:-1]), st.just("")),
                "duration_s": rarely(
                    draw,
                    st.one_of(
                        st.integers(0, 4000), st.sampled_from([0, 1, 15, 16, 20, 30, 45, 60, 90])
                    ),
                    st.sampled_from(["-1", "abc", "1.5", ""]),
                ),
                "destination": rarely(
                    draw, st.sampled_from(DESTINATIONS[:-4]), st.sampled_from(DESTINATIONS[-4:]), 5
                ),
                "band": rarely(
                    draw,
                    st.none(),
                    st.sampled_from(["sip", "uk_mobile", "uk_mobil", "domestic"]),
                    8,
                ),
            }
        )
    return rows


@st.composite
def months(draw):
    accounts = draw(account_rows())
    numbers = draw(number_rows([row["account_id"] for row in accounts]))
    rounding = draw(st.sampled_from(ROUNDING_MODES))
    terms = draw(st.sampled_from(list(CALL_TERMS)))
    # The engine rates calls in blocks; tiny blocks put every edge across a block boundary.
    block = draw(st.sampled_from([1, 3, 1 << 20]))
    return accounts, numbers, draw(call_rows(numbers)), (rounding, terms), block


def engine_document(plan, month, accounts, numbers, calls):
    run = rate_month(plan, month, load_usage(accounts, numbers, calls))
    document = run.model_dump(mode="json", exclude_none=True)
    document["rejected"] = [
        {"row": r["row"], "call_id": r.get("call_id"), "field": r.get("field")}
        for r in document["rejected"]
    ]
    for invoice in document["invoices"]:
        # The run's issue date is today's, which the reference has no part in.
        del invoice["issued_on"], invoice["due_on"]
        for line in invoice["lines"]:
            del line["source"]  # the reference does not track spans
    return document


def reference_document(plan, month, accounts, numbers, calls):
    document = reference_run(plan, month, accounts, numbers, calls)
    document["rejected"] = [
        {"row": r["row"], "call_id": r["call_id"], "field": r["field"]}
        for r in document["rejected"]
    ]
    return document


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months())
def test_engine_matches_the_reference(month):
    accounts, numbers, calls, variant, block = month
    plan = PLANS[variant]
    with tempfile.TemporaryDirectory() as directory, mock.patch.object(blocks, "_BLOCK", block):
        root = Path(directory)
        files = (
            write_csv(root / "accounts.csv", ACCOUNT_HEADER, accounts),
            write_csv(root / "numbers.csv", NUMBER_HEADER, numbers),
            write_csv(root / "calls.csv", CALL_HEADER, calls),
        )
        assert engine_document(plan, "2026-10", *files) == reference_document(
            plan, "2026-10", *files
        )
        # Each call's own amount, as itemised, is the reference's too.
        expected: list[tuple[str, str, str]] = []
        reference_run(plan, "2026-10", *files, priced_calls=expected)
        _, itemised = rate_month_itemised(plan, "2026-10", load_usage(*files))
        rows = itemised.select("account_id", "call_id", "amount").rows()
        assert sorted(rows) == sorted(expected)


@pytest.mark.parametrize("mode", ROUNDING_MODES)
def test_engine_matches_the_reference_on_the_example_month(mode, tmp_path):
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    for source in [*TARIFFS.glob("*.tariff"), *(EXAMPLES / "order-forms").glob("*.tariff")]:
        text = source.read_text().replace("rounding half-up", f"rounding {mode}")
        (catalogue / source.name).write_text(text)
    plan = load_catalogue(catalogue)
    files = (EXAMPLES / "accounts.csv", EXAMPLES / "numbers.csv", EXAMPLES / "calls.csv")

    engine = engine_document(plan, "2026-10", *files)
    assert engine == reference_document(plan, "2026-10", *files)
    assert engine["summary"]["calls_rated"] == 1921
