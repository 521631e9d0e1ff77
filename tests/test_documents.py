"""Invoice documents: text, HTML and PDF from templates, money shown for its currency."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from test_cli import EXAMPLE_ARGS
from usage_rows import EXAMPLES, TARIFFS, account

from tariff.engine import load_catalogue, load_usage, rate_month
from tariff.engine.billing.documents import (
    InvoiceDocuments,
    TemplateProblem,
    draft_info,
    file_name,
    money,
)
from tariff.engine.cli import cli

SNAPSHOTS = Path(__file__).parent / "snapshots"
ISSUED = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def example_run():
    plan = load_catalogue(TARIFFS, [EXAMPLES / "order-forms"])
    usage = load_usage(*(EXAMPLES / f"{n}.csv" for n in ("accounts", "numbers", "calls")))
    return rate_month(plan, "2026-10", usage)


def invoice_of(run, account_id):
    return next(i for i in run.invoices if i.account_id == account_id)


def matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_SNAPSHOTS=1 rewrites)"


@pytest.mark.parametrize("account_id", ["ACC-001", "ACC-003", "ACC-004"])
@pytest.mark.parametrize("output_format", ["text", "html"])
def test_rendered_documents_match_their_snapshots(example_run, account_id, output_format):
    invoice = invoice_of(example_run, account_id)
    info = draft_info(invoice, "2026-10", ISSUED)
    rendered = InvoiceDocuments().render(invoice, info, output_format).decode("utf-8")
    matches_snapshot(file_name(info, output_format), rendered)


def test_the_text_document_shows_every_part_of_the_invoice(example_run):
    invoice = invoice_of(example_run, "ACC-001")
    text = InvoiceDocuments().text(invoice, draft_info(invoice, "2026-10", ISSUED))
    for expected in (
        "DRAFT INVOICE DRAFT-2026-10-ACC-001",  # account and invoice number
        "Issued 1 November 2026 · period October 2026",  # issue date and period
        "Professional edition licence",  # the licence
        "486 chargeable, 250 inclusive, 236 billed × £0.08",  # cost per call
        "uk_mobile: 14,684 s at £0.030/min",  # minutes per band: seconds, rate
        "+441632960103: 10 short × £0.10",  # fair usage: units x rate
        "not discounted: Minute charges: uk_geographic",  # what the discount excluded
        "Subtotal",
    ):
        assert expected in text
    assert text.rstrip().endswith(
        "Total                                                       £264.97"
    )


def test_the_pdf_shows_the_invoice_and_its_total(example_run, pdf_engine):
    invoice = invoice_of(example_run, "ACC-003")
    pdf = InvoiceDocuments().pdf(invoice, draft_info(invoice, "2026-10", ISSUED))
    assert pdf.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "DRAFT-2026-10-ACC-003" in text
    assert "Northwind Legal LLP" in text
    assert "$767.16" in text


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234.50", "GBP", "£1,234.50"),
        ("1234.50", "USD", "$1,234.50"),
        ("-26.79", "GBP", "-£26.79"),
        ("0", "USD", "$0.00"),
        ("0.015", "GBP", "£0.015"),
        ("1000000.00", "GBP", "£1,000,000.00"),
    ],
)
def test_money_is_shown_for_its_currency(amount, currency, shown):
    assert money(Decimal(amount), currency) == shown


def test_templates_can_be_overridden_by_name(example_run, tmp_path):
    (tmp_path / "invoice.txt.j2").write_text(
        "{{ doc.number }} owes {{ invoice.total | money(cur) }}\n"
    )
    invoice = invoice_of(example_run, "ACC-004")
    info = draft_info(invoice, "2026-10", ISSUED)
    documents = InvoiceDocuments(tmp_path)
    assert documents.text(invoice, info) == "DRAFT-2026-10-ACC-004 owes £69.55\n"
    assert "<!doctype html>" in documents.html(invoice, info)  # the shipped HTML still serves


def test_a_broken_template_is_reported_with_its_line(example_run, tmp_path):
    (tmp_path / "invoice.txt.j2").write_text("line one\n{{ doc.number \n")
    invoice = invoice_of(example_run, "ACC-004")
    with pytest.raises(TemplateProblem, match=r"invoice.txt.j2:2: "):
        InvoiceDocuments(tmp_path).text(invoice, draft_info(invoice, "2026-10", ISSUED))


def test_invoice_writes_one_pdf_per_invoice_with_predictable_names(tmp_path, pdf_engine):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["invoice", *EXAMPLE_ARGS, "--format", "pdf", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"DRAFT-2026-10-ACC-00{n}.pdf" for n in range(1, 8)
    ]
    html = runner.invoke(cli, ["invoice", *EXAMPLE_ARGS, "--format", "html"])
    assert html.exit_code == 2 and "add --out DIR" in html.stderr
    templates = runner.invoke(
        cli, ["invoice", *EXAMPLE_ARGS, "--templates", str(tmp_path / "none")]
    )
    assert templates.exit_code == 2 and "no such template directory" in templates.stderr


def test_distinct_account_ids_never_share_a_file_name(tmp_path, month_files):
    ids = ["ACC/1", "ACC:1", "ACC_1", "ACC%2F1", "ACC 1"]
    files = month_files([account(i) for i in ids], [], [])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["invoice", *files.arguments(), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in out.iterdir())
    assert len(names) == len(ids)
    assert "DRAFT-2026-10-ACC%2F1.html" in names
    assert "DRAFT-2026-10-ACC_1.html" in names
    assert "wrote 5 html invoices" in result.stderr


def test_ids_that_differ_only_in_case_stop_the_run_before_writing(tmp_path, month_files):
    files = month_files([account("acc-1"), account("ACC-1")], [], [])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["invoice", *files.arguments(), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "DRAFT-2026-10-ACC-1.html and DRAFT-2026-10-acc-1.html differ only in case" in (
        result.stderr
    )
    assert not out.exists()
