"""`tariff diff`: the invoice impact of a tariff change."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from usage_rows import TARIFFS, edited_catalogue, example_month_args

from tariff.engine.cli import cli

MONTH = example_month_args()


@pytest.fixture
def new_catalogue(tmp_path):
    """The reference catalogue with a dearer Professional and UK mobile rate."""
    return edited_catalogue(
        tmp_path / "new",
        {
            "professional.tariff": [
                ("licence 249.00 GBP, 325.00 USD", "licence 259.00 GBP, 335.00 USD"),
                ("unit rate 0.10 GBP, 0.15 USD", "unit rate 0.12 GBP, 0.15 USD"),
            ],
            "carrier.tariff": [("rate 0.040 GBP, 0.050 USD", "rate 0.045 GBP, 0.050 USD")],
        },
    )


def invoke(*args):
    return CliRunner().invoke(cli, ["diff", *args], catch_exceptions=False)


def test_diff_json_shows_totals_changes_and_moved_lines(new_catalogue):
    result = invoke(*MONTH, "--format", "json", str(TARIFFS), str(new_catalogue))
    assert result.exit_code == 0, result.output
    impact = json.loads(result.stdout)

    changed = {a["account_id"]: a for a in impact["accounts"] if a["change"] != "0.00"}
    assert sorted(changed) == ["ACC-001", "ACC-002"]
    bright = changed["ACC-001"]
    # Totals include VAT: 20% of the nets 264.97 and 274.27.
    assert (bright["old_total"], bright["new_total"], bright["change"]) == (
        "317.96",
        "329.12",
        "11.16",
    )
    assert [(m["description"], m["old_amount"], m["new_amount"]) for m in bright["lines"]] == [
        ("Professional edition licence", "249.00", "259.00"),
        ("Fair usage: +441632960102 (5 calls short)", "0.50", "0.60"),
        ("Fair usage: +441632960103 (10 calls short)", "1.00", "1.20"),
        ("Discount 10% on licence, call fees", "-26.79", "-27.79"),
        ("VAT 20%", "52.99", "54.85"),
    ]
    # ACC-001 has its own uk_mobile rate, so only ACC-002's minutes move.
    assert [(m.get("band"), m["change"]) for m in changed["ACC-002"]["lines"]] == [
        ("uk_mobile", "0.42"),
        (None, "0.09"),  # VAT: 17.80 -> 17.89
    ]
    by_package = {(g["package"], g["currency"]): g["change"] for g in impact["by_package"]}
    assert by_package[("professional", "GBP")] == "11.16"
    assert by_package[("enterprise", "USD")] == "0.00"
    # By band: every account's uk_mobile minutes (Bright Dental's at its own rate).
    assert impact["by_band"] == [
        {
            "band": "uk_mobile",
            "currency": "GBP",
            "calls": 130,
            "old_seconds": 19726,
            "new_seconds": 19726,
            "old_amount": "10.69",
            "new_amount": "11.11",
            "change": "0.42",
        }
    ]
    assert {g["currency"]: g["change"] for g in impact["by_currency"]} == {
        "GBP": "11.67",
        "USD": "0.00",
    }


def test_diff_text(new_catalogue):
    result = invoke(*MONTH, str(TARIFFS), str(new_catalogue))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith("on 2026-10: 2 of 7 invoices change")
    assert any(line.startswith("ACC-001") and line.rstrip().endswith("+11.16") for line in lines)
    assert "By package and currency" in lines


def test_diff_of_a_catalogue_with_itself_changes_nothing():
    result = invoke(*MONTH, "--format", "json", str(TARIFFS), str(TARIFFS))
    impact = json.loads(result.stdout)
    assert all(a["change"] == "0.00" and a["lines"] == [] for a in impact["accounts"])


def test_a_broken_new_catalogue_exits_2(new_catalogue):
    (new_catalogue / "growth.tariff").write_text("package growth {")
    result = invoke(*MONTH, str(TARIFFS), str(new_catalogue))
    assert result.exit_code == 2
    assert "the new catalogue" in result.stderr and "error T001" in result.stderr


def test_diff_previews_a_new_rate_deck_by_band(tmp_path):
    # Today's sheet against a deck of the same prices, but 60/1 on UK mobiles.
    new = edited_catalogue(tmp_path / "deck", {})
    (new / "carrier.tariff").write_text(
        'sheet carrier {\n  version 2021-04-01 {\n    dial "00" as "+"\n    dial "0" as "+44"\n'
        '    deck "carrier.csv"\n  }\n}\n'
    )
    from tariff.engine import load_catalogue

    (sheet,) = load_catalogue(TARIFFS).sheets["carrier"]
    rows = ["prefix,band,currency,rate_per_minute,increments,name"]
    for prefix, band in sheet.prefix_bands().items():
        if band is None:
            rows.append(f"{prefix},,GBP,barred,,")
            continue
        increments = "60/1" if band == "uk_mobile" else ""
        for currency, rate in sheet.bands[band].rates.items():
            rows.append(f"{prefix},{band},{currency},{rate},{increments},{sheet.bands[band].title}")
    (new / "carrier.csv").write_text("\n".join(rows) + "\n")
    result = invoke(*MONTH, "--format", "json", str(TARIFFS), str(new))
    assert result.exit_code == 0, result.output
    bands = json.loads(result.stdout)["by_band"]
    # Only UK mobile minutes move (the USD accounts call no UK mobiles).
    assert [(b["band"], b["currency"]) for b in bands] == [("uk_mobile", "GBP")]
    assert all(b["new_seconds"] > b["old_seconds"] and b["change"] != "0.00" for b in bands)
