"""Itemised calls: a CSV per invoice that adds up to its minute lines, kept with issued invoices."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from decimal import Decimal

import pytest
from click.testing import CliRunner
from test_portal import ADMIN_PASSWORD
from test_portal_accounts import client_for
from usage_rows import EXAMPLES, ROOT, example_month_args

from tariff.engine.cli import cli

HEADER = [
    "call_id",
    "started_at",
    "number",
    "destination",
    "band",
    "seconds",
    "billed_seconds",
    "rate",
    "amount",
    "inclusive",
]


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def read_csv(data: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    assert reader.fieldnames == HEADER
    return list(reader)


def minute_lines(invoice):
    return {line["band"]: line for line in invoice["lines"] if line["kind"] == "minutes"}


def test_each_invoice_gets_a_csv_of_its_calls(tmp_path):
    out = tmp_path / "calls"
    result = invoke(
        "invoice", *example_month_args("2026-10"), "--format", "calls", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"DRAFT-2026-10-ACC-00{n}.csv" for n in range(1, 8)
    ]
    rows = read_csv((out / "DRAFT-2026-10-ACC-004.csv").read_bytes())
    # Keystone Motors has no time zone: Europe/London, with its offset (BST until 25 October).
    assert rows[0] == {
        "call_id": "c-00040",
        "started_at": "2026-10-01T11:44:13+01:00",
        "number": "+441632960401",
        "destination": "+441632964000",
        "band": "uk_geographic",
        "seconds": "60",
        "billed_seconds": "60",
        "rate": "0.015",
        "amount": "0.02",
        "inclusive": "false",
    }
    assert rows == sorted(rows, key=lambda row: row["started_at"])
    assert any(row["started_at"].endswith("+00:00") for row in rows)  # after the clocks change


def test_the_rows_add_up_to_the_minute_lines_for_every_account_of_a_generated_month(tmp_path):
    sys.path.append(str(ROOT / "bench"))  # after the standard library: bench/profile.py
    from generate import generate

    month = tmp_path / "month"
    month.mkdir()
    for name, frame in generate(calls=30_000, accounts=60, numbers=300, seed=11).items():
        frame.write_csv(month / f"{name}.csv")
    files = [f"--{n}={month / f'{n}.csv'}" for n in ("accounts", "numbers", "calls")]
    common = ["invoice", "--month", "2026-10", *files, "--accept-rejections"]
    document = invoke(*common, "--format", "json")
    assert document.exit_code == 0, document.output
    invoices = json.loads(document.stdout)["invoices"]
    out = tmp_path / "calls"
    assert invoke(*common, "--format", "calls", "--out", str(out)).exit_code == 0
    checked = 0
    for invoice in invoices:
        rows = read_csv((out / f"DRAFT-2026-10-{invoice['account_id']}.csv").read_bytes())
        sums: dict[str, Decimal] = {}
        seconds: dict[str, int] = {}
        for row in rows:
            sums[row["band"]] = sums.get(row["band"], Decimal(0)) + Decimal(row["amount"])
            seconds[row["band"]] = seconds.get(row["band"], 0) + int(row["seconds"])
        lines = minute_lines(invoice)
        charged = {band: amount for band, amount in sums.items() if amount}
        assert {band: Decimal(line["amount"]) for band, line in lines.items()} == charged
        assert all(line["seconds"] == seconds[band] for band, line in lines.items())
        assert all(
            line["calls"] == sum(r["band"] == band for r in rows) for band, line in lines.items()
        )
        inclusive = sum(row["inclusive"] == "true" for row in rows)
        assert inclusive == invoice["inclusive_calls"]
        checked += 1
    assert checked == 60


def test_itemise_appends_the_calls_to_each_document(tmp_path):
    # (The PDF of the same, over numbered pages: test_documents.py.)
    out = tmp_path / "html"
    result = invoke(
        "invoice",
        *example_month_args("2026-10"),
        "--format",
        "html",
        "--itemise",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    html = (out / "DRAFT-2026-10-ACC-001.html").read_text()
    assert "<h2>Itemised calls: 517 calls</h2>" in html
    assert html.count("<tr><td>2026-10-") == 517
    text = invoke("invoice", *example_month_args("2026-10"), "--itemise").stdout
    assert "Itemised calls (517)" in text


def test_itemise_needs_a_document_format():
    result = invoke("invoice", *example_month_args("2026-10"), "--format", "json", "--itemise")
    assert result.exit_code == 2 and "--itemise appends calls to documents" in result.stderr


@pytest.fixture
def billed_then_changed(tmp_path):
    """A ledger with October issued, after which the calls file changed."""
    month = tmp_path / "month"
    shutil.copytree(EXAMPLES, month)
    ledger = str(tmp_path / "ledger.sqlite")
    args = example_month_args("2026-10", root=month)
    result = invoke("bill", *args, "--db", ledger, "--issue-date", "2026-11-01")
    assert result.exit_code == 0, result.output
    calls = month / "calls.csv"
    kept = [line for line in calls.read_text().splitlines() if ",+441632960101," not in line]
    calls.write_text("\n".join(kept) + "\n")
    from tariff.engine.billing.ledger import open_ledger
    from tariff.engine.billing.users import ADMINISTRATOR, add_user

    engine = open_ledger(ledger)
    add_user(engine, "dental-admin", ADMIN_PASSWORD, role=ADMINISTRATOR, account_id="ACC-001")
    add_user(engine, "harbour-admin", ADMIN_PASSWORD, role=ADMINISTRATOR, account_id="ACC-002")
    return ledger, month


def test_the_portal_gives_the_calls_as_billed_even_after_the_usage_changed(
    billed_then_changed, tmp_path
):
    ledger, month = billed_then_changed
    again = tmp_path / "again"
    fresh = invoke(
        "invoice",
        *example_month_args("2026-10", root=month),
        "--format",
        "calls",
        "--out",
        str(again),
    )
    assert fresh.exit_code == 0, fresh.output
    now = read_csv((again / "DRAFT-2026-10-ACC-001.csv").read_bytes())

    client = client_for(ledger, "dental-admin", ADMIN_PASSWORD)
    page = client.get("/admin/billing/invoices")
    assert 'href="/admin/billing/invoices/INV-000001.csv"' in page.text
    assert "Download calls (CSV)" in page.text
    assert '<td class="due">2026-12-01</td>' in page.text  # issued 1 November, 30 days
    response = client.get("/admin/billing/invoices/INV-000001.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="INV-000001.csv"' in response.headers["content-disposition"]
    billed = read_csv(response.content)
    assert len(billed) == 517 and len(now) < len(billed)
    assert any(row["number"] == "+441632960101" for row in billed)


def test_another_accounts_calls_do_not_exist(billed_then_changed):
    ledger, _ = billed_then_changed
    client = client_for(ledger, "harbour-admin", ADMIN_PASSWORD)
    assert client.get("/admin/billing/invoices/INV-000001.csv").status_code == 404
    assert client.get("/admin/billing/invoices/INV-000002.csv").status_code == 200
    assert client.get("/admin/billing/invoices/INV-999999.csv").status_code == 404
