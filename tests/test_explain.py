"""Every invoice line carries its source span; `tariff explain` shows rule, source and values."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_cli import EXAMPLE_ARGS
from usage_rows import (
    ACCOUNT_HEADER,
    CALL_HEADER,
    EXAMPLES,
    NUMBER_HEADER,
    TARIFFS,
    account,
    calls,
    edited_catalogue,
    number,
    write_csv,
)

from tariff.engine.cli import cli


def line_of(path, text: str) -> int:
    """The 1-based line of the first occurrence of ``text`` in a file."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_each_json_line_names_the_statement_that_priced_it(rate):
    form = 'order form "ACC-1" {\n  rate uk_mobile 0.030 GBP per minute\n}\n'
    run = rate(
        [account(discount_percent=10)],
        [number()],
        calls(1, destination="+447700900123") + calls(1, prefix="g"),
        order_forms=form,
    )
    sources = {
        (line.kind, line.band): line.source.model_dump(exclude_none=True)
        for line in run.invoices[0].lines
    }
    professional = TARIFFS / "professional.tariff"
    licence_line = line_of(professional, "licence 249.00 GBP")
    assert sources["licence", None] == {
        "file": sources["licence", None]["file"],
        "line": licence_line,
        "column": 5,
        "end_line": licence_line,
        "end_column": 45,
        "origin": "package",
    }
    # Relative to the catalogue: never where it happens to be installed.
    assert sources["licence", None]["file"] == "professional.tariff"
    assert sources["minutes", "uk_mobile"]["line"] == 2
    assert sources["minutes", "uk_mobile"]["origin"] == "order form"
    assert sources["minutes", "uk_geographic"]["line"] == line_of(
        TARIFFS / "carrier.tariff", "rate 0.015 GBP"
    )
    assert sources["minutes", "uk_geographic"]["origin"] == "sheet"
    assert sources["fair_usage", None]["line"] == line_of(professional, "unit rate 0.10 GBP")
    assert sources["discount", None] == {
        "file": sources["discount", None]["file"],
        "row": 1,
        "field": "discount_percent",
        "origin": "accounts file",
    }


def invoke(*args):
    return CliRunner().invoke(cli, ["explain", *args], catch_exceptions=False)


def test_explain_lists_the_inclusive_calls_in_start_order(tmp_path):
    accounts = write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, [account(package="growth")])
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])
    rows = (
        calls(2, started_at="2026-10-03T10:00:00Z", prefix="late")
        + calls(249, started_at="2026-10-02T10:00:00Z", prefix="early")
        + calls(5, started_at="2026-10-01T10:00:00Z", prefix="missed", duration_s=0)
    )
    calls_file = write_csv(tmp_path / "c.csv", CALL_HEADER, rows)

    result = invoke(
        "--month",
        "2026-10",
        "--account",
        "ACC-1",
        "--accounts",
        str(accounts),
        "--numbers",
        str(numbers),
        "--calls",
        str(calls_file),
        "--catalog",
        str(TARIFFS),
        "--format",
        "json",
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    call_fee = next(e for e in document["lines"] if e["line"]["kind"] == "call_fee")
    facts = {fact["name"]: fact["value"] for fact in call_fee["facts"]}
    inclusive = facts["inclusive calls (the first chargeable calls by start time)"]
    # 249 early calls, then the first of the two late ones; missed calls never count.
    assert inclusive == [f"early{i}" for i in range(249)] + ["late0"]
    assert (facts["chargeable calls"], facts["billed calls"]) == (251, 1)
    assert call_fee["line"]["amount"] == "0.09"


def test_explain_text_on_the_example_month():
    result = invoke(*EXAMPLE_ARGS, "--account", "ACC-001")
    assert result.exit_code == 0
    text = result.stdout
    assert "7. Discount 10% on licence, call fees" in text
    assert "rule    minute charges for band uk_mobile, at the rate agreed in the order form" in text
    form = EXAMPLES / "order-forms" / "bright-dental.tariff"
    assert f"bright-dental.tariff:{line_of(form, 'rate uk_mobile')}:3 (order form)" in text
    assert "   base: 267.88" in text
    assert "8. VAT 20%" in text and "   net (subtotal + discount): 264.97" in text
    assert text.rstrip().endswith(
        "subtotal 291.76 · discount -26.79 · net 264.97 · tax 52.99 · total 317.96"
    )


def test_explain_an_unknown_account_is_bad_input():
    result = invoke(*EXAMPLE_ARGS, "--account", "ACC-01")
    assert result.exit_code == 2
    assert "has no account 'ACC-01'; did you mean 'ACC-001'?" in result.stderr


def test_explain_with_a_broken_catalogue_exits_2(tmp_path):
    broken = edited_catalogue(tmp_path / "tariffs", {})
    (broken / "carrier.tariff").write_text("sheet carrier {")
    args = list(EXAMPLE_ARGS)
    args[args.index("--catalog") + 1] = str(broken)
    result = invoke(*args, "--account", "ACC-001")
    assert result.exit_code == 2
    assert "carrier.tariff:1:16: error T001" in result.stderr
