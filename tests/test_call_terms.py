"""Pricing one call (billing-semantics.md): increments, connection fees, minimum charges.

The cases are CGRateS's published ones (engine/calldesc_test.go, docs/ratinglogic.rst)
with their exact values, where CGRateS's float64 arithmetic gives others.
"""

from __future__ import annotations

import pytest
from usage_rows import account, lines_of, number

from tariff.engine import load_catalogue, load_usage
from tariff.engine.api import rate_month_itemised

PEERS = """
sheet peers {
  version 2021-04-01 {
    rounding half-up per call
    band rt_60c { prefixes "+331" rate 0.60 GBP connection fee 0.10 GBP }
    band rt_120c { prefixes "+332" rate 1.20 GBP increments 60/1 connection fee 0.20 GBP }
    band first_minute { prefixes "+333" rate 60.00 GBP increments 60/1 }
    band dy { prefixes "+334" rate 0.05 GBP connection fee 0.15 GBP }
    band thirty_six { prefixes "+335" rate 0.60 GBP increments 30/6 }
    band floor { prefixes "+336" rate 0.01 GBP minimum charge 0.05 GBP }
    band plain { prefixes "+337" rate 0.60 GBP }
  }
}

package peer {
  generation current
  version 2024-01 {
    licence 1.00 GBP
    call fee 0.00 GBP
    minutes from sheet peers
  }
}
"""
# A destination in each band: a French number of the band's prefix.
DESTINATIONS = {
    "rt_60c": "+33140000600",
    "rt_120c": "+33240000600",
    "first_minute": "+33340000600",
    "dy": "+33440000600",
    "thirty_six": "+33540000600",
    "floor": "+33612345678",
    "plain": "+33712345678",
}
CASES = [
    # (band, seconds, billed seconds, amount)
    ("rt_60c", 45, 45, "0.55"),  # RT_60C: 0.10 + 45 s at 0.60 a minute
    ("rt_120c", 45, 60, "1.40"),  # RT_120C: 0.20 + the first minute at 1.20
    ("first_minute", 132, 132, "132.00"),  # the first minute whole, then per second
    ("first_minute", 85, 85, "85.00"),
    ("first_minute", 30, 60, "60.00"),
    ("dy", 24, 24, "0.17"),  # DY: 0.15 + 24 s at 0.05 = 0.17
    ("thirty_six", 10, 30, "0.30"),  # 30/6 at 0.60
    ("thirty_six", 32, 36, "0.36"),
    ("thirty_six", 57, 60, "0.60"),
    ("thirty_six", 75, 78, "0.78"),
    ("floor", 60, 60, "0.05"),  # 0.01 would be less than the minimum
    ("floor", 600, 600, "0.10"),  # above the minimum, the seconds' price
    ("rt_120c", 0, 0, "0.00"),  # an unanswered call pays no fee
    ("floor", 0, 0, "0.00"),  # and no minimum
    ("plain", 45, 45, "0.45"),
]


def calls_of(cases):
    return [
        {
            "call_id": f"c{index}",
            "number": "+441632960001",
            "started_at": "2026-10-12T14:00:00+01:00",
            "duration_s": seconds,
            "destination": DESTINATIONS[band],
        }
        for index, (band, seconds, _, _) in enumerate(cases)
    ]


# The same bands as a carrier's rate deck (interfaces.md, "Rate decks").
PEERS_DECK = """prefix,band,currency,rate_per_minute,increments,connection_fee,minimum_charge,name
+331,rt_60c,GBP,0.60,,0.10,,RT 60C
+332,rt_120c,GBP,1.20,60/1,0.20,,
+333,first_minute,GBP,60.00,60/1,,,
+334,dy,GBP,0.05,,0.15,,
+335,thirty_six,GBP,0.60,30/6,,,
+336,floor,GBP,0.01,,,0.05,
+337,plain,GBP,0.60,,,,
+338,,GBP,barred,,,,
"""
PEERS_WITH_DECK = """
sheet peers {
  version 2021-04-01 {
    rounding half-up per call
    deck "peers.csv"
  }
}
""" + PEERS[PEERS.index("package peer") :]


@pytest.fixture(params=["inline", "deck"])
def peers(request, tmp_path, month_files):
    form = tmp_path / "peers.tariff"
    if request.param == "inline":
        form.write_text(PEERS)
    else:
        form.write_text(PEERS_WITH_DECK)
        (tmp_path / "peers.csv").write_text(PEERS_DECK)
    from usage_rows import TARIFFS

    plan = load_catalogue(TARIFFS, [form])
    files = month_files([account(package="peer")], [number()], calls_of(CASES))
    return plan, files


def test_each_call_costs_exactly_what_the_spec_says(peers):
    plan, files = peers
    _, itemised = rate_month_itemised(
        plan, "2026-10", load_usage(files.accounts, files.numbers, files.calls)
    )
    rows = {row["call_id"]: row for row in itemised.to_dicts()}
    for index, (band, seconds, billed, amount) in enumerate(CASES):
        row = rows[f"c{index}"]
        assert (row["band"], row["seconds"], row["billed_seconds"], row["amount"]) == (
            band,
            seconds,
            billed,
            amount,
        ), (band, seconds)


def test_minute_lines_carry_billed_seconds_actual_seconds_and_calls(rate, tmp_path):
    cases = [c for c in CASES if c[0] == "thirty_six"]
    run = rate([account(package="peer")], [number()], calls_of(cases), order_forms=PEERS)
    (line,) = lines_of(run, kind="minutes")
    assert (line["quantity"], line["seconds"], line["calls"], line["amount"]) == (
        30 + 36 + 60 + 78,
        10 + 32 + 57 + 75,
        4,
        "2.04",
    )


def test_an_order_form_agrees_a_bands_rate_and_terms(rate):
    # The sheet's uk_mobile is 0.040 a minute, per second; the order form agrees
    # 0.060, billed by the minute, with a 0.05 fee and a 0.10 minimum.
    form = """order form "ACC-1" {
      band uk_mobile {
        rate 0.060 GBP per minute
        increments 60/1
        connection fee 0.05 GBP per call
        minimum charge 0.10 GBP per call
      }
    }"""
    # Billed 60, 61 and 200 s: 0.05 + 0.060 = 0.11; 0.05 + 0.061 = 0.111 -> 0.11; 0.25.
    durations = [1, 61, 200]
    calls = [
        {
            "call_id": f"m{index}",
            "number": "+441632960001",
            "started_at": "2026-10-12T14:00:00+01:00",
            "duration_s": seconds,
            "destination": "+447700900123",
        }
        for index, seconds in enumerate(durations)
    ]
    run = rate([account(package="essentials")], [number()], calls, order_forms=form)
    (line,) = lines_of(run, kind="minutes")
    assert (line["quantity"], line["seconds"], line["amount"]) == (321, 262, "0.47")
    assert line["unit_price"] == "0.060"
    assert run.invoices[0].lines[2].source.origin == "order form"


def test_explain_shows_a_calls_billed_seconds_fee_and_minimum(peers):
    from tariff.engine.tools.explain import explain_invoice, render_explanation

    plan, files = peers
    usage = load_usage(files.accounts, files.numbers, files.calls)
    ids = [
        f"c{CASES.index(case)}" for case in (("rt_120c", 45, 60, "1.40"), ("floor", 60, 60, "0.05"))
    ]
    explanation = explain_invoice(plan, "2026-10", usage, "ACC-1", call_ids=ids)
    first, second = ({f.name: f.value for f in call.facts} for call in explanation.calls)
    assert (first["seconds"], first["billed seconds"], first["increments"]) == (45, 60, "60/1")
    assert (first["connection fee"], first["minimum applied"], first["amount"]) == (
        "0.20",
        False,
        "1.40",
    )
    assert (second["minimum charge"], second["minimum applied"], second["amount"]) == (
        "0.05",
        True,
        "0.05",
    )
    text = render_explanation(explanation)
    assert f"Call {ids[0]} · band rt_120c" in text and "   billed seconds: 60" in text
