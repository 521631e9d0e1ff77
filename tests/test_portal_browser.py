"""The portal in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright
from pypdf import PdfReader
from system import require_chromium
from test_portal import ADMIN_PASSWORD, USER_PASSWORD, database  # noqa: F401 (a fixture)
from test_portal_accounts import two_customers  # noqa: F401 (a fixture)
from usage_rows import ROOT

from tariff.engine.billing.ledger import documents, open_ledger
from tariff.engine.billing.portal import create_app
from tariff.engine.billing.users import set_password

pytestmark = pytest.mark.browser
# Without these, Chromium reaches for Google's services, which this network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def served(path):
    """The portal over the ledger at ``path``, on a free local port, for one test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(path, secret_key="browser test"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://localhost:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def portal(database):  # noqa: F811
    with served(database) as base:
        yield base


@pytest.fixture
def customers_portal(two_customers):  # noqa: F811
    with served(two_customers) as base:
        yield base


@pytest.fixture
def browser():
    chromium = require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def log_in(page, base, name, password):
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_administrator_downloads_an_invoice_pdf(portal, browser, tmp_path, pdf_engine):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    log_in(page, portal, "ada", ADMIN_PASSWORD)

    expect(page.get_by_role("heading", name="Admin")).to_be_visible()
    page.get_by_role("link", name="Billing").click()
    page.get_by_role("link", name="Invoices").click()
    expect(page).to_have_url(portal + "/admin/billing/invoices")
    assert page.locator("h2").all_inner_texts() == ["October 2026", "September 2026"]

    row = page.locator("section[data-period='2026-10'] tr", has_text="INV-000010")
    total = row.locator("td.num").inner_text()
    assert total == "$767.16"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / "portal-invoices.png"), full_page=True)
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "INV-000010.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "INV-000010" in text and total in text
    context.close()


def test_a_user_who_is_not_an_administrator_is_refused(portal, browser):
    page = browser.new_page()
    log_in(page, portal, "bob", USER_PASSWORD)
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    response = page.goto(portal + "/admin/billing/invoices")
    assert response.status == 403
    assert page.locator("text=INV-000001").count() == 0


def shown_numbers(page):
    return set(page.locator("tbody td:first-child").all_inner_texts())


def test_two_customers_administrators_see_only_their_own_and_staff_see_both(
    two_customers,  # noqa: F811 (the ledger behind the portal)
    customers_portal,
    browser,
):
    everything = documents(open_ledger(two_customers))
    by_account: dict[str, set[str]] = {}
    for issued in everything:
        by_account.setdefault(issued.account_id, set()).add(issued.number)
    for name, account, other in (
        ("dental-admin", "ACC-001", "ACC-002"),
        ("harbour-admin", "ACC-002", "ACC-001"),
    ):
        context = browser.new_context()
        page = context.new_page()
        log_in(page, customers_portal, name, ADMIN_PASSWORD)
        page.get_by_role("link", name="Billing").click()
        page.get_by_role("link", name="Invoices").click()
        expect(page).to_have_url(customers_portal + "/admin/billing/invoices")
        assert shown_numbers(page) == by_account[account]
        # A customer sees no filter over other accounts.
        assert page.locator("form.filters").count() == 0
        if name == "dental-admin" and os.environ.get("UPDATE_SCREENSHOTS"):
            shot = ROOT / "docs" / "portal-customer-invoices.png"
            page.screenshot(path=str(shot), full_page=True)
        theirs = sorted(by_account[other])[0]
        response = page.goto(f"{customers_portal}/admin/billing/invoices/{theirs}.pdf")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        context.close()

    page = browser.new_page()
    log_in(page, customers_portal, "staff", ADMIN_PASSWORD)
    page.goto(customers_portal + "/admin/billing/invoices")
    assert shown_numbers(page) == set().union(*by_account.values())
    page.get_by_label("Account").select_option("ACC-002")
    page.get_by_label("Month").fill("2026-10")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"account=ACC-002&month=2026-10"))
    october = {d.number for d in everything if d.account_id == "ACC-002" and d.period == "2026-10"}
    assert october and shown_numbers(page) == october
    page.close()


def test_each_accounts_other_users_are_refused_and_see_no_admin_link(customers_portal, browser):
    for name in ("dental-user", "harbour-user"):
        page = browser.new_page()
        log_in(page, customers_portal, name, USER_PASSWORD)
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        assert page.get_by_role("link", name="Admin").count() == 0
        response = page.goto(customers_portal + "/admin/billing/invoices/INV-000001.pdf")
        assert response is not None and response.status == 403
        page.close()


def test_a_saved_cookie_opens_nothing_after_logout_or_a_new_password(
    two_customers,  # noqa: F811 (the ledger behind the portal)
    customers_portal,
    browser,
):
    invoices = customers_portal + "/admin/billing/invoices"

    def saved_cookies():
        context = browser.new_context()
        page = context.new_page()
        log_in(page, customers_portal, "dental-admin", ADMIN_PASSWORD)
        expect(page.get_by_role("heading", name="Admin")).to_be_visible()
        return context, page, context.cookies()

    def replayed(cookies):
        context = browser.new_context()
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(invoices)
        landed = page.url
        context.close()
        return landed

    context, page, cookies = saved_cookies()
    assert replayed(cookies) == invoices  # the copy works while the session lasts
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert "/login" in replayed(cookies)
    context.close()

    context, page, cookies = saved_cookies()
    set_password(open_ledger(two_customers), "dental-admin", "a brand new passphrase")
    assert "/login" in replayed(cookies)
    context.close()
