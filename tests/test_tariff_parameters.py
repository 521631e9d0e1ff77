"""Every default of billing-semantics.md can be changed from a tariff file, and works."""

from __future__ import annotations

import pytest
from usage_rows import TARIFFS, account, calls, lines_of, number

CUSTOM = """
package custom {
  name "Custom"
  generation previous
  version 2024-01 {
    licence 10.00 GBP per month
    call fee 1.00 GBP per call
    chargeable from 5 seconds
    inclusive calls 2 per month
    minutes from sheet carrier
    fair usage {
      minimum 4 calls per number per month
      numbers dynamic
      counting from 30 seconds
      unit rate 0.25 GBP per missing call
      partial months exempt
    }
  }
}
"""


@pytest.fixture
def catalogue(tmp_path):
    def build(package=CUSTOM, rounding="half-up"):
        directory = tmp_path / f"catalogue-{rounding}"
        directory.mkdir(exist_ok=True)
        sheet = (TARIFFS / "carrier.tariff").read_text().replace("half-up", rounding)
        (directory / "carrier.tariff").write_text(sheet)
        (directory / "custom.tariff").write_text(package)
        return directory

    return build


def test_chargeable_threshold_and_inclusive_allowance_are_parameters(rate, catalogue):
    run = rate(
        [account(package="custom")],
        [number(kind="dynamic")],
        calls(3, duration_s=4, prefix="short") + calls(5, duration_s=5, prefix="ok"),
        catalogue=catalogue(),
    )

    (fee,) = lines_of(run, kind="call_fee")
    assert (fee["description"], fee["quantity"], fee["amount"]) == (
        "Calls: 5 chargeable, 2 inclusive",
        3,
        "3.00",
    )


def test_fair_usage_minimum_kinds_and_counting_threshold_are_parameters(rate, catalogue):
    run = rate(
        [account(package="custom")],
        [number("+441632960001", kind="dynamic"), number("+441632960002", kind="fixed")],
        calls(2, duration_s=30, prefix="counted") + calls(5, duration_s=29, prefix="not"),
        catalogue=catalogue(),
    )

    # Only the dynamic number owes; 2 calls of 30 s count, so 2 of 4 are missing.
    (line,) = lines_of(run, kind="fair_usage")
    assert (line["number"], line["quantity"], line["unit_price"], line["amount"]) == (
        "+441632960001",
        2,
        "0.25",
        "0.50",
    )


def test_partial_months_can_be_exempt(rate, catalogue):
    run = rate(
        [account(package="custom")],
        [
            number("+441632960001", kind="dynamic", assigned_from="2026-10-02"),
            number("+441632960002", kind="dynamic", released_on="2026-10-31"),
            number("+441632960003", kind="dynamic", assigned_from="2026-10-01"),
            number("+441632960004", kind="dynamic", released_on="2026-11-01"),
        ],
        catalogue=catalogue(),
    )

    assert [line["number"] for line in lines_of(run, kind="fair_usage")] == [
        "+441632960003",
        "+441632960004",
    ]


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        # 30 s at 0.015/min = 0.75p; 20 s = 0.5p; 18 s = 0.45p; 60 s at 0.010 = 1p.
        ("half-up", ["0.01", "0.01", "0.00"]),
        ("half-even", ["0.01", "0.00", "0.00"]),
        ("up", ["0.01", "0.01", "0.01"]),
        ("down", ["0.00", "0.00", "0.00"]),
    ],
)
def test_rounding_mode_is_a_sheet_parameter(rate, catalogue, rounding, expected):
    durations = (30, 20, 18)
    accounts = [account(f"A{d}", package="custom") for d in durations]
    numbers = [number(f"+44163296000{i}", f"A{d}") for i, d in enumerate(durations)]
    rows = []
    for i, d in enumerate(durations):
        rows += calls(1, number=f"+44163296000{i}", duration_s=d, prefix=f"c{d}-")

    run = rate(accounts, numbers, rows, catalogue=catalogue(rounding=rounding))

    amounts = []
    for d in durations:
        minutes = lines_of(run, f"A{d}", kind="minutes")
        amounts.append(minutes[0]["amount"] if minutes else "0.00")
    assert amounts == expected


def test_a_charge_can_be_marked_not_discountable(rate, catalogue):
    package = CUSTOM.replace(
        "minutes from sheet carrier", "minutes from sheet carrier not discountable"
    )
    run = rate(
        [account(package="custom", discount_percent=50)],
        [number(kind="fixed")],
        calls(1, duration_s=600),  # 10 min at 0.015 = 0.15
        catalogue=catalogue(package),
    )

    by_kind = {line["kind"]: line for line in lines_of(run)}
    assert by_kind["minutes"]["discountable"] is False
    assert by_kind["discount"]["amount"] == "-5.00"  # half of the 10.00 licence only


BUDGET = """
sheet budget {
  version 2024-01-01 {
    rounding down per call
    dial "0" as "+44"
    band domestic {
      prefixes "+44"
      rate 0.600 GBP, 0.700 USD per minute
    }
    band rest {
      prefixes "+"
      rate 0.123 GBP, 0.150 USD per minute
    }
  }
}

package cheap {
  generation current
  version 2024-01 {
    licence 1.00 GBP, 1.00 USD per month
    call fee 0.00 GBP, 0.00 USD per call
    minutes from sheet budget
  }
}
"""


def test_accounts_on_different_sheets_are_priced_by_their_own(rate, catalogue):
    directory = catalogue()
    (directory / "budget.tariff").write_text(BUDGET)
    for name in ("essentials",):
        (directory / f"{name}.tariff").write_text((TARIFFS / f"{name}.tariff").read_text())

    run = rate(
        [account("A", package="essentials"), account("B", package="cheap")],
        [number("+441632960001", "A"), number("+441632960002", "B")],
        calls(1, number="+441632960001", duration_s=30, prefix="a")
        + calls(1, number="+441632960001", duration_s=30, prefix="a-band", band="domestic")
        + calls(1, number="+441632960002", duration_s=30, prefix="b")
        + calls(1, number="+441632960002", duration_s=20, destination="+33140000000", prefix="b-fr")
        + calls(1, number="+441632960002", duration_s=30, prefix="b-band", band="uk_mobile"),
        catalogue=directory,
    )

    assert [(line["band"], line["amount"]) for line in lines_of(run, "A", kind="minutes")] == [
        ("uk_geographic", "0.01")  # 30 s at 0.015, half-up
    ]
    assert [(line["band"], line["amount"]) for line in lines_of(run, "B", kind="minutes")] == [
        ("domestic", "0.30"),  # 30 s at 0.600
        ("rest", "0.04"),  # 20 s at 0.123 = 0.041, rounded down
    ]
    assert [(r.call_id, r.field) for r in run.rejected] == [
        ("a-band0", "band"),
        ("b-band0", "band"),
    ]
    assert "sheet budget (version 2024-01-01)" in run.rejected[1].reason
