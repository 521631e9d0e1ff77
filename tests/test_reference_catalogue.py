"""The shipped tariffs say exactly what reference-catalogue.md says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

# package, version, generation, GBP licence, GBP per call, USD licence, USD per call,
# inclusive calls, FU GBP, FU USD (None: no Fair Usage clause)
TABLE = [
    ("standard", "2019-01", "previous", "79.00", "0.12", "99.00", "0.15", 0, "0.05", "0.08"),
    ("standard", "2021-04", "previous", "99.00", "0.10", "129.00", "0.13", 0, "0.10", "0.15"),
    ("professional", "2019-01", "previous", "199.00", "0.10", "259.00", "0.13", 0, "0.05", "0.08"),
    (
        "professional",
        "2021-04",
        "previous",
        "249.00",
        "0.08",
        "325.00",
        "0.10",
        250,
        "0.10",
        "0.15",
    ),
    ("enterprise", "2019-01", "previous", "499.00", "0.08", "649.00", "0.10", 250, "0.05", "0.08"),
    ("enterprise", "2021-04", "previous", "599.00", "0.06", "780.00", "0.08", 250, "0.10", "0.15"),
    ("essentials", "2024-01", "current", "59.00", "0.15", "75.00", "0.19", 0, None, None),
    ("growth", "2024-01", "current", "189.00", "0.09", "245.00", "0.12", 250, None, None),
    ("scale", "2024-01", "current", "449.00", "0.07", "585.00", "0.09", 250, None, None),
]


@pytest.mark.parametrize("row", TABLE, ids=[f"{r[0]}-{r[1]}" for r in TABLE])
def test_package_versions_match_the_table(reference_plan, row):
    package, version, generation, gbp, gbp_call, usd, usd_call, inclusive, fu_gbp, fu_usd = row
    terms = next(v for v in reference_plan.packages[package] if v.version == version)

    assert terms.generation == generation
    assert terms.effective == dt.date(int(version[:4]), int(version[5:]), 1)
    assert terms.licence == {"GBP": Decimal(gbp), "USD": Decimal(usd)}
    assert terms.call_fee == {"GBP": Decimal(gbp_call), "USD": Decimal(usd_call)}
    assert terms.inclusive_calls == inclusive
    assert terms.chargeable_from_seconds == 1
    assert terms.sheet == "carrier"
    assert terms.licence_discountable and terms.call_fee_discountable and terms.minutes_discountable
    if fu_gbp is None:
        assert terms.fair_usage is None
    else:
        clause = terms.fair_usage
        assert clause.unit_rates == {"GBP": Decimal(fu_gbp), "USD": Decimal(fu_usd)}
        assert clause.minimum_calls == 10
        assert clause.number_kinds == {"fixed", "offline"}
        assert clause.counting_from_seconds == 1
        assert clause.partial_months_exempt is False


def test_the_catalogue_has_exactly_the_table_packages(reference_plan):
    versions = {(p, v.version) for p, vs in reference_plan.packages.items() for v in vs}
    assert versions == {(row[0], row[1]) for row in TABLE}


SHEET = {
    "uk_geographic": (("+441", "+442"), "0.015", "0.020"),
    "uk_non_geographic": (("+443",), "0.015", "0.020"),
    "uk_mobile": (
        ("+4471", "+4472", "+4473", "+4474", "+4475", "+4477", "+4478", "+4479"),
        "0.040",
        "0.050",
    ),
    "sip": (("sip:",), "0.010", "0.013"),
    "north_america": (("+1",), "0.020", "0.025"),
    "international_a": (("+31", "+32", "+33", "+34", "+353", "+39", "+49"), "0.030", "0.040"),
    "uk_freephone": (("+44800", "+44808"), "0.015", "0.020"),
    "international_b": (("+",), "0.150", "0.200"),
}


def test_the_carrier_sheet_matches_the_table(reference_plan):
    (sheet,) = reference_plan.sheets["carrier"]

    assert sheet.effective == dt.date(2021, 4, 1)
    assert sheet.rounding == "half-up"
    assert sheet.barred == ("+4470", "+4476", "+4484", "+4487", "+449", "+44118", "+44")
    assert sheet.dial == {"00": "+", "0": "+44"}
    assert {
        name: (band.prefixes, str(band.rates["GBP"]), str(band.rates["USD"]))
        for name, band in sheet.bands.items()
    } == SHEET
