"""`tariff diff --prices`: every changed price, and a proof that nothing costs more."""

from __future__ import annotations

import importlib
import json
import sys
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from usage_rows import ROOT, TARIFFS, edited_catalogue

from tariff.engine.cli import cli
from tariff.engine.plan.terms import CallPricing
from tariff.engine.tools.price_curves import call_prices

UK_MOBILE = 'prefixes "+4471", "+4472", "+4473", "+4474", "+4475", "+4477", "+4478", "+4479"\n'


def diff_prices(old, new, *flags):
    return CliRunner().invoke(
        cli, ["diff", "--prices", *flags, str(old), str(new)], catch_exceptions=False
    )


def as_json(old, new, *flags):
    result = diff_prices(old, new, "--format", "json", *flags)
    return result.exit_code, json.loads(result.stdout)


def test_a_refactor_that_changes_nothing_is_proven_the_same(tmp_path):
    # Rates written with fewer zeros, a band's terms moved to the sheet version's
    # defaults, and a band in another place: the same prices everywhere.
    refactored = edited_catalogue(
        tmp_path / "new",
        {
            "carrier.tariff": [
                ("rate 0.040 GBP, 0.050 USD", "rate 0.04 GBP, 0.05 USD"),
                ("rounding half-up per call\n", "rounding half-up per call\n    increments 1/1\n"),
                (
                    '    band sip {\n      name "SIP"\n      prefixes "sip:"\n'
                    "      rate 0.010 GBP, 0.013 USD per minute\n    }\n\n",
                    "",
                ),
                (
                    "    # The catch-all",
                    '    band sip {\n      name "SIP"\n      prefixes "sip:"\n'
                    "      rate 0.01 GBP, 0.013 USD per minute\n    }\n\n    # The catch-all",
                ),
            ]
        },
    )
    status, report = as_json(TARIFFS, refactored, "--fail-if-changed")
    assert status == 0
    assert report["changes"] == []
    assert report["proof"]["same"] is True
    assert report["proof"]["differences"] == []
    assert report["proof"]["bound_seconds"] == 86400
    assert report["proof"]["account_months"] > 0


def test_a_cut_passes_fail_if_higher_and_is_listed(tmp_path):
    cheaper = edited_catalogue(
        tmp_path / "new",
        {
            "carrier.tariff": [("rate 0.040 GBP, 0.050 USD", "rate 0.035 GBP, 0.050 USD")],
            "professional.tariff": [
                ("licence 249.00 GBP, 325.00 USD", "licence 239.00 GBP, 325.00 USD")
            ],
        },
    )
    result = diff_prices(TARIFFS, cheaper, "--fail-if-higher")
    assert result.exit_code == 0, result.output
    assert (
        "  sheet carrier version 2021-04-01, band uk_mobile, GBP: rate per minute 0.040 → 0.035"
        in result.stdout
    )
    assert "  package professional version 2021-04, GBP: licence 249.00 → 239.00" in result.stdout
    assert "Proven: nothing costs more under" in result.stdout
    # ... but the catalogues do not price everything the same.
    assert diff_prices(TARIFFS, cheaper, "--fail-if-changed").exit_code == 1


def test_a_rise_fails_with_its_cheapest_counterexample(tmp_path):
    dearer = edited_catalogue(
        tmp_path / "new",
        {"carrier.tariff": [("rate 0.040 GBP, 0.050 USD", "rate 0.045 GBP, 0.050 USD")]},
    )
    status, report = as_json(TARIFFS, dearer, "--fail-if-higher")
    assert status == 1
    assert report["proof"]["higher"] is True
    cheapest = report["proof"]["differences"][0]
    # 0.040 → 0.045 a minute: the first call that rounds differently is 7 s long
    # (0.467p rounds to 0p, 0.525p to 1p); every shorter call costs 0p under both.
    durations = np.arange(1, 86401)
    old = call_prices(durations, Decimal("0.040"), CallPricing(), "half-up", "GBP")
    new = call_prices(durations, Decimal("0.045"), CallPricing(), "half-up", "GBP")
    first = int(np.flatnonzero(new > old)[0]) + 1
    assert cheapest["kind"] == "call" and cheapest["seconds"] == first == 7
    assert cheapest["currency"] == "GBP"
    assert (cheapest["old"], cheapest["new"], cheapest["excess"]) == ("0.00", "0.01", "0.01")
    assert cheapest["text"].startswith('a 7 s call to uk_mobile ("+4471") on ')
    text = diff_prices(TARIFFS, dearer, "--fail-if-higher")
    assert text.exit_code == 1
    assert "Could cost more under" in text.stdout
    assert (
        "a 7 s call to uk_mobile" in text.stdout and "costs 0.01 more (0.00 → 0.01)" in text.stdout
    )


def test_an_increments_change_raises_only_calls_of_some_lengths(tmp_path):
    old = edited_catalogue(
        tmp_path / "old",
        {"carrier.tariff": [(UK_MOBILE, UK_MOBILE + "      increments 60/1\n")]},
    )
    new = edited_catalogue(
        tmp_path / "new",
        {"carrier.tariff": [(UK_MOBILE, UK_MOBILE + "      increments 60/30\n")]},
    )
    status, report = as_json(old, new, "--fail-if-higher")
    assert status == 1
    (change,) = report["changes"]
    assert (change["what"], change["old"], change["new"]) == ("increments", "60/1", "60/30")
    higher = [d for d in report["proof"]["differences"] if d["higher"]]
    assert {d["kind"] for d in higher} == {"call"}
    cheapest = higher[0]
    # Up to 60 s both bill 60 s; a 61 s call bills 61 s (0.04) under OLD, 90 s (0.06) under NEW.
    assert cheapest["seconds"] == 61
    assert (cheapest["old"], cheapest["new"], cheapest["excess"]) == ("0.04", "0.06", "0.02")
    durations = np.arange(1, 86401)
    per_second = CallPricing(60, 1)
    by_thirty = CallPricing(60, 30)
    before = call_prices(durations, Decimal("0.040"), per_second, "half-up", "GBP")
    after = call_prices(durations, Decimal("0.040"), by_thirty, "half-up", "GBP")
    assert (after >= before).all()
    assert after[60 - 1] == before[60 - 1] and after[90 - 1] == before[90 - 1]
    assert after[61 - 1] > before[61 - 1]


def test_order_forms_and_discounts_are_proven_too(tmp_path):
    form = 'order form "ACC-1" {\n  package growth\n  discount 10% on licence\n}\n'
    old, new = tmp_path / "old", tmp_path / "new"
    for root, text in ((old, form), (new, form.replace("10%", "5%"))):
        edited_catalogue(root, {})
        (root / "acc-1.tariff").write_text(text)
    status, report = as_json(old, new, "--fail-if-higher")
    assert status == 1
    (change,) = report["changes"]
    assert change["where"] == 'order form "ACC-1"' and change["what"] == "discount 1"
    (rise, *_) = [d for d in report["proof"]["differences"] if d["higher"]]
    assert rise["kind"] == "licence"
    assert 'for order form "ACC-1"' in rise["context"]
    assert rise["excess"] is not None and Decimal(rise["excess"]) > 0


def test_prices_and_usage_do_not_mix():
    result = CliRunner().invoke(
        cli, ["diff", "--prices", "--month", "2026-10", str(TARIFFS), str(TARIFFS)]
    )
    assert result.exit_code == 2
    assert "give --accounts, --numbers, --calls too" in result.output


_MODES = {
    "half-up": ROUND_HALF_UP,
    "half-even": ROUND_HALF_EVEN,
    "up": ROUND_UP,
    "down": ROUND_DOWN,
}


@settings(max_examples=300, deadline=None)
@given(
    rate=st.decimals(min_value=0, max_value=5, places=6),
    first=st.integers(1, 120),
    step=st.integers(1, 120),
    fee=st.decimals(min_value=0, max_value=1, places=6),
    minimum=st.decimals(min_value=0, max_value=2, places=6),
    mode=st.sampled_from(sorted(_MODES)),
    durations=st.lists(st.integers(1, 100_000), min_size=1, max_size=20),
)
def test_call_prices_are_the_billing_semantics(rate, first, step, fee, minimum, mode, durations):
    """Against the spec, in Decimals: bill F, then each started N; add the fee; the minimum."""
    pricing = CallPricing(first, step, fee, minimum)
    got = call_prices(np.array(durations, dtype=np.int64), rate, pricing, mode, "GBP")
    for duration, pence in zip(durations, got, strict=True):
        billed = first if duration <= first else first + -(-(duration - first) // step) * step
        exact = Decimal(billed) * rate / 60 + fee
        exact = max(exact, minimum)
        assert Decimal(int(pence)) / 100 == exact.quantize(Decimal("0.01"), rounding=_MODES[mode])


def test_a_tax_rise_from_a_month_on_is_a_rise_in_that_month(tmp_path):
    dearer = edited_catalogue(
        tmp_path / "new", {"billing.tariff": [("rate 20%", "rate 20%\n  rate 22.5% from 2027-01")]}
    )
    status, report = as_json(TARIFFS, dearer, "--fail-if-higher")
    assert status == 1
    (tax,) = [d for d in report["proof"]["differences"] if d["kind"] == "tax"]
    assert (tax["higher"], tax["month"], tax["old"], tax["new"]) == (
        True,
        "2027-01",
        "20%",
        "22.5%",
    )
    assert "2027-01" in report["proof"]["months"]


def test_a_sheet_version_from_mid_month_prices_from_the_next_month(tmp_path):
    carrier = (TARIFFS / "carrier.tariff").read_text()
    start = carrier.index("  version 2021-04-01 {")
    end = carrier.rindex("}")
    dearer_version = (
        carrier[start:end]
        .replace("version 2021-04-01", "version 2026-11-15")
        .replace("rate 0.040 GBP, 0.050 USD", "rate 0.040 GBP, 0.060 USD")
    )
    new = edited_catalogue(tmp_path / "new", {})
    (new / "carrier.tariff").write_text(carrier[:end] + "\n" + dearer_version + "}\n")
    status, report = as_json(TARIFFS, new, "--fail-if-higher")
    assert status == 1
    assert "2026-12" in report["proof"]["months"] and "2026-11" not in report["proof"]["months"]
    (cheapest, *_) = report["proof"]["differences"]
    assert (cheapest["kind"], cheapest["band"], cheapest["currency"]) == (
        "call",
        "uk_mobile",
        "USD",
    )
    assert cheapest["month"] == "2026-12"
    added = {
        (c["where"], c["currency"]): c["new"]
        for c in report["changes"]
        if c["what"] == "rate per minute" and c["old"] is None
    }
    assert added[("sheet carrier version 2026-11-15, band uk_mobile", "USD")] == "0.060"
    assert len(added) == 16  # every band of the new version, in both currencies


def test_a_rate_deck_spelling_out_the_sheet_is_proven_the_same(tmp_path):
    """bench/deck.py's deck prices as the sheet does, prefix by prefix: no change at all."""
    sys.path.append(str(ROOT / "bench"))  # after the standard library: bench/profile.py
    try:
        deck = importlib.import_module("deck")  # bench/deck.py, as the bench runs it
    finally:
        sys.path.remove(str(ROOT / "bench"))
    decked = edited_catalogue(tmp_path / "decked", {})
    (decked / "carrier.tariff").write_text(deck.SHEET_WITH_DECK)
    rows = deck.write_deck(decked / "carrier-deck.csv", 3_000)
    assert rows > 2_000
    status, report = as_json(TARIFFS, decked, "--fail-if-changed")
    assert status == 0
    assert report["changes"] == [] and report["proof"]["same"] is True
    # One prefix moved to a dearer band is one change, and a rise.
    lines = (decked / "carrier-deck.csv").read_text().splitlines()
    moved = next(i for i, line in enumerate(lines) if ",uk_non_geographic,GBP," in line)
    prefix = lines[moved].split(",")[0]
    lines = [
        line.replace(
            ",uk_non_geographic,GBP,0.015,UK non-geographic", ",uk_mobile,GBP,0.040,UK mobiles"
        ).replace(
            ",uk_non_geographic,USD,0.020,UK non-geographic", ",uk_mobile,USD,0.050,UK mobiles"
        )
        if line.startswith(prefix + ",")
        else line
        for line in lines
    ]
    (decked / "carrier-deck.csv").write_text("\n".join(lines) + "\n")
    status, report = as_json(TARIFFS, decked, "--fail-if-higher")
    assert status == 1
    (change,) = report["changes"]
    assert (change["what"], change["old"], change["new"]) == (
        f'prefix "{prefix}"',
        "uk_non_geographic",
        "uk_mobile",
    )
    (cheapest, *_) = report["proof"]["differences"]
    assert (cheapest["band"], cheapest["prefix"]) == ("uk_mobile", prefix)


def test_the_proofs_flags_need_prices_and_prices_needs_no_usage():
    runner = CliRunner()
    alone = runner.invoke(cli, ["diff", "--fail-if-higher", str(TARIFFS), str(TARIFFS)])
    assert alone.exit_code == 2
    assert "--fail-if-higher and --fail-if-changed go with --prices" in alone.output
    nothing = runner.invoke(cli, ["diff", str(TARIFFS), str(TARIFFS)])
    assert nothing.exit_code == 2
    assert "or --prices to compare the catalogues alone" in nothing.output
