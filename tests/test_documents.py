"""Invoice documents: text, HTML and PDF from templates, money shown for its currency."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from test_cli import EXAMPLE_ARGS
from usage_rows import EXAMPLES, TARIFFS, account

from tariff.engine import load_catalogue, load_usage, rate_month
from tariff.engine.billing.documents import (
    DocumentInfo,
    InvoiceDocuments,
    TemplateProblem,
    draft_info,
    money,
)
from tariff.engine.billing.ledger import negated
from tariff.engine.cli import cli
from tariff.engine.invoice.models import Issuer

SNAPSHOTS = Path(__file__).parent / "snapshots"
ISSUED = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def example_run():
    plan = load_catalogue(TARIFFS, [EXAMPLES / "order-forms"])
    usage = load_usage(*(EXAMPLES / f"{n}.csv" for n in ("accounts", "numbers", "calls")))
    return rate_month(plan, "2026-10", usage, issued_on=ISSUED)


def invoice_of(run, account_id):
    return next(i for i in run.invoices if i.account_id == account_id)


def matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_SNAPSHOTS=1 rewrites)"


def issued_info(invoice, number="INV-000001", **links):
    """What the ledger would say of the invoice, issued as ``number``."""
    title = "Credit note" if "cancels" in links else "Invoice"
    return DocumentInfo(title, number, ISSUED, "2026-10", issuer=ISSUER, **links)


ISSUER = Issuer(
    name="Example Call Tracking Ltd",
    address=("1 Example Street", "London", "EC1A 1AA", "United Kingdom"),
    company_number="01234567",
    vat_number="GB 123 4567 89",
    contact=("billing@example.com",),
    bank=("Example Bank plc", "Sort code 00-00-00", "Account 12345678"),
    payment_terms_days=30,
)


# Every kind of document: a draft; an issued invoice with every optional
# customer field (ACC-001), with some (ACC-003, in the US: no VAT, a note) and
# with none (ACC-004); a corrected invoice; a credit note.
@pytest.mark.parametrize(
    ("name", "account_id", "info"),
    [
        ("draft", "ACC-001", lambda i: draft_info(i, "2026-10", ISSUED, ISSUER)),
        ("invoice", "ACC-001", issued_info),
        ("invoice", "ACC-003", issued_info),
        ("invoice", "ACC-004", issued_info),
        ("corrected", "ACC-004", lambda i: issued_info(i, "INV-000009", replaces="INV-000004")),
        ("credit-note", "ACC-004", lambda i: issued_info(i, "CN-000001", cancels="INV-000004")),
        ("without-issuer", "ACC-004", lambda i: draft_info(i, "2026-10", ISSUED)),
    ],
)
@pytest.mark.parametrize("output_format", ["text", "html"])
def test_rendered_documents_match_their_snapshots(
    example_run, name, account_id, info, output_format
):
    invoice = invoice_of(example_run, account_id)
    if name == "credit-note":
        invoice = negated(invoice, ISSUED)
    rendered = InvoiceDocuments().render(invoice, info(invoice), output_format).decode("utf-8")
    extension = "txt" if output_format == "text" else "html"
    matches_snapshot(f"{name}-{account_id}.{extension}", rendered)


def test_the_text_document_shows_every_part_of_the_invoice(example_run):
    invoice = invoice_of(example_run, "ACC-001")
    text = InvoiceDocuments().text(invoice, issued_info(invoice))
    for expected in (
        "INVOICE INV-000001",  # the number
        # the issuer: legal name, address, VAT number, company number, bank
        "From Example Call Tracking Ltd, 1 Example Street, London, EC1A 1AA, United Kingdom"
        " · VAT GB 123 4567 89",
        "Example Call Tracking Ltd · company no. 01234567",
        "Bank: Example Bank plc · Sort code 00-00-00 · Account 12345678",
        # the customer: name, account, billing address, country, tax id, PO reference
        "To Bright Dental Ltd (account ACC-001)",
        "  Bright Dental Ltd, 14 Harley Row, London, W1G 9QD",
        "country GB · VAT/tax number GB 987 6543 21 · your reference PO-2026-118",
        # issue date, due date (30 days on), the service period as dates
        "Issued 1 November 2026 · due 1 December 2026 · service period 1–31 October 2026",
        "Professional edition licence",  # the licence
        "Cost per call: calls of 1 second or more",  # the threshold of the terms
        "486 chargeable, 250 inclusive, 236 billed × £0.08",  # cost per call
        "UK mobiles: 14,684 s at £0.030/min",  # minutes per band, by its display name
        "+441632960103: 10 short × £0.10",  # fair usage: units x rate
        "not discounted: Minute charges: UK geographic",  # what the discount excluded
        "Subtotal                                                    £291.76",
        "Discount 10% on licence, call fees                          -£26.79",
        "Net                                                         £264.97",
        "VAT 20% on £264.97                                           £52.99",
        "Total due                                                   £317.96",
        "Please pay £317.96 by 1 December 2026, quoting INV-000001.",
    ):
        assert expected in text, expected
    assert "DRAFT" not in text


def test_a_draft_says_so_and_asks_for_no_payment(example_run):
    invoice = invoice_of(example_run, "ACC-001")
    text = InvoiceDocuments().text(invoice, draft_info(invoice, "2026-10", ISSUED, ISSUER))
    assert text.startswith(
        "DRAFT INVOICE DRAFT-2026-10-ACC-001\n"
        "DRAFT: not yet issued, not a VAT invoice. Do not pay.\n"
    )
    assert "Prepared 1 November 2026" in text and "Issued" not in text
    assert "Please pay" not in text
    html = InvoiceDocuments().html(invoice, draft_info(invoice, "2026-10", ISSUED, ISSUER))
    assert '<div class="watermark" aria-hidden="true">DRAFT</div>' in html


def test_a_credit_note_says_which_invoice_it_cancels_and_that_nothing_is_due(example_run):
    invoice = negated(invoice_of(example_run, "ACC-004"), ISSUED)
    text = InvoiceDocuments().text(invoice, issued_info(invoice, "CN-000001", cancels="INV-4"))
    assert text.startswith("CREDIT NOTE CN-000001 · cancels invoice INV-4\n")
    assert "This credit note cancels invoice INV-4 in full; nothing is due on it." in text
    assert f"  {'Total credited':<54} {'-£83.46':>12}" in text
    assert " · due " not in text and "Bank:" not in text


def test_an_account_outside_the_uk_gets_the_note_and_no_vat(example_run):
    text = InvoiceDocuments().text(
        invoice_of(example_run, "ACC-006"), issued_info(invoice_of(example_run, "ACC-006"))
    )
    assert f"  {'Outside the scope of UK VAT':<54} {'£0.00':>12}" in text
    assert "VAT 20%" not in text
    assert "country FR · VAT/tax number FR 12 345678901" in text


def test_the_threshold_comes_from_the_terms(rate):
    patient = """package patient {
      generation current
      version 2024-01 {
        licence 10.00 GBP
        call fee 0.10 GBP
        chargeable from 5 seconds
        minutes from sheet carrier
      }
    }"""
    run = rate([account(package="patient")], order_forms=patient)
    invoice = run.invoices[0]
    text = InvoiceDocuments().text(invoice, issued_info(invoice))
    assert "Cost per call: calls of 5 seconds or more" in text
    html = InvoiceDocuments().html(invoice, issued_info(invoice))
    assert "<td>Calls of 5 seconds or more</td>" in html


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
    assert documents.text(invoice, info) == "DRAFT-2026-10-ACC-004 owes £83.46\n"
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


def test_an_issued_pdf_with_its_calls_runs_over_numbered_pages(example_run, pdf_engine, tmp_path):
    from tariff.engine.api import rate_month_itemised
    from tariff.engine.invoice.itemised import invoice_calls

    plan = load_catalogue(TARIFFS, [EXAMPLES / "order-forms"])
    usage = load_usage(*(EXAMPLES / f"{n}.csv" for n in ("accounts", "numbers", "calls")))
    run, calls = rate_month_itemised(plan, "2026-10", usage, issued_on=ISSUED)
    invoice = invoice_of(run, "ACC-001")
    rows = dict(invoice_calls(calls))["ACC-001"].to_dicts()
    pdf = InvoiceDocuments().pdf(invoice, issued_info(invoice), rows)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = [" ".join(page.extract_text().split()) for page in pages]
    assert len(pages) == 11 and all(f"of {len(pages)}" in page for page in text)
    assert "Total due £317.96" in text[0] and "Please pay £317.96 by 1 December 2026" in text[0]
    assert "ITEMISED CALLS: 517 CALLS" in text[1]
    # One page: no page numbers.
    single = InvoiceDocuments().pdf(invoice_of(run, "ACC-004"), issued_info(invoice))
    (page,) = PdfReader(io.BytesIO(single)).pages
    assert "Page 1" not in page.extract_text()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        # The pictures in docs/portal.md: the first page, and one of calls.
        path = tmp_path / "invoice.pdf"
        path.write_bytes(pdf)
        docs = Path(__file__).parent.parent / "docs"
        for number, name in ((1, "invoice-pdf"), (2, "invoice-pdf-itemised")):
            pages_wanted = ["-f", str(number), "-l", str(number), "-singlefile"]
            command = ["pdftoppm", "-png", "-r", "80", *pages_wanted, str(path), str(docs / name)]
            subprocess.run(command, check=True)
