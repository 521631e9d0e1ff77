"""Who sees what in the portal (shared/spec/portal.md), and ledgers of the previous schema."""

from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient
from test_ledger import bill as bill_month
from test_ledger import dearer_catalogue
from test_portal import ADMIN_PASSWORD, USER_PASSWORD, log_in, two_months_billed
from usage_rows import ROOT

from tariff.engine.billing.documents import InvoiceDocuments
from tariff.engine.billing.ledger import documents, open_ledger
from tariff.engine.billing.migrations import head, revision
from tariff.engine.billing.portal import create_app, document_info
from tariff.engine.billing.users import (
    ADMINISTRATOR,
    STAFF,
    USER,
    add_user,
    authenticate,
    remove_user,
    set_password,
)

PREVIOUS_SCHEMA = ROOT / "tests" / "fixtures" / "ledger-0.1.sqlite"


@pytest.fixture
def two_customers(tmp_path):
    path = two_months_billed(tmp_path)
    ledger = open_ledger(path)
    add_user(ledger, "dental-admin", ADMIN_PASSWORD, role=ADMINISTRATOR, account_id="ACC-001")
    add_user(ledger, "dental-user", USER_PASSWORD, role=USER, account_id="ACC-001")
    add_user(ledger, "harbour-admin", ADMIN_PASSWORD, role=ADMINISTRATOR, account_id="ACC-002")
    add_user(ledger, "harbour-user", USER_PASSWORD, role=USER, account_id="ACC-002")
    add_user(ledger, "staff", ADMIN_PASSWORD, role=STAFF)
    return path


def client_for(path, name, password):
    client = TestClient(create_app(path, secret_key="k"), base_url="https://testserver")
    assert log_in(client, name, password).status_code == 303
    return client


def numbers_on_page(text):
    return set(re.findall(r"(?:INV|CN)-\d{6}", text))


def test_an_administrator_sees_only_their_own_accounts_documents(two_customers):
    ledger = open_ledger(two_customers)
    everything = documents(ledger)
    by_account: dict[str, set[str]] = {}
    for issued in everything:
        by_account.setdefault(issued.account_id, set()).add(issued.number)
    for name, account, other in (
        ("dental-admin", "ACC-001", "ACC-002"),
        ("harbour-admin", "ACC-002", "ACC-001"),
    ):
        client = client_for(two_customers, name, ADMIN_PASSWORD)
        page = client.get("/admin/billing/invoices")
        assert page.status_code == 200
        assert numbers_on_page(page.text) == by_account[account]
        mine = sorted(by_account[account])[0]
        theirs = sorted(by_account[other])[0]
        assert client.get(f"/admin/billing/invoices/{mine}.pdf").status_code == 200
        # Another account's document is answered as one that does not exist.
        refused = client.get(f"/admin/billing/invoices/{theirs}.pdf")
        missing = client.get("/admin/billing/invoices/INV-999999.pdf")
        assert refused.status_code == missing.status_code == 404
        assert refused.text == missing.text


def test_other_users_of_an_account_are_refused_and_see_no_admin_link(two_customers):
    client = client_for(two_customers, "dental-user", USER_PASSWORD)
    for path in ("/admin", "/admin/billing", "/admin/billing/invoices"):
        assert client.get(path).status_code == 403
    invoice = documents(open_ledger(two_customers))[0].number
    assert client.get(f"/admin/billing/invoices/{invoice}.pdf").status_code == 403
    assert 'href="/admin"' not in client.get("/admin").text


def test_staff_see_every_account_and_filter_by_account_and_month(two_customers):
    client = client_for(two_customers, "staff", ADMIN_PASSWORD)
    everything = {d.number for d in documents(open_ledger(two_customers))}
    assert numbers_on_page(client.get("/admin/billing/invoices").text) == everything
    filtered = client.get(
        "/admin/billing/invoices", params={"account": "ACC-002", "month": "2026-10"}
    )
    expected = {
        d.number
        for d in documents(open_ledger(two_customers))
        if d.account_id == "ACC-002" and d.period == "2026-10"
    }
    assert expected and numbers_on_page(filtered.text) == expected


def test_a_ledger_of_the_previous_schema_opens_and_its_users_become_staff(tmp_path):
    copy = tmp_path / "ledger.sqlite"
    shutil.copy(PREVIOUS_SCHEMA, copy)
    with sa.create_engine(f"sqlite:///{copy}").connect() as connection:
        assert not sa.inspect(connection).has_table("alembic_version")
    ledger = open_ledger(str(copy))
    assert revision(ledger) == head() == "0006"
    user = authenticate(ledger, "old-admin", "an old long password")
    assert user is not None and user.role == STAFF and user.account_id is None
    assert len(documents(ledger)) == 7
    # Its invoices, issued before tax, due dates and issuers, still read and render.
    old = documents(ledger)[0]
    assert old.due_on is None and old.issuer is None and old.invoice.tax == 0
    assert old.invoice.net == old.invoice.total
    text = InvoiceDocuments().text(old.invoice, document_info(old))
    assert "Total due" in text and "Please pay" in text and " · due " not in text


def test_a_removed_users_id_is_never_given_to_the_next_user(two_customers):
    ledger = open_ledger(two_customers)
    gone = add_user(ledger, "temporary", ADMIN_PASSWORD, role=STAFF)
    remove_user(ledger, "temporary")
    after = add_user(ledger, "newcomer", ADMIN_PASSWORD, role=STAFF)
    assert after.id > gone.id


def test_a_saved_cookie_is_worthless_after_logout_a_new_password_or_removal(two_customers):
    ledger = open_ledger(two_customers)
    for end in ("logout", "new password", "removal"):
        name = f"temp-{end.replace(' ', '-')}"
        add_user(ledger, name, ADMIN_PASSWORD, role=ADMINISTRATOR, account_id="ACC-001")
        client = client_for(two_customers, name, ADMIN_PASSWORD)
        saved = dict(client.cookies)
        assert client.get("/admin/billing/invoices").status_code == 200
        if end == "logout":
            page = client.get("/admin")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token is not None
            client.post("/logout", data={"csrf": token.group(1)}, follow_redirects=False)
        elif end == "new password":
            set_password(ledger, name, "a brand new long password")
        else:
            remove_user(ledger, name)
        replay = TestClient(
            create_app(two_customers, secret_key="k"), base_url="https://testserver"
        )
        replay.cookies.update(saved)
        answer = replay.get("/admin/billing/invoices", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), end


def test_the_list_shows_what_each_document_cancels_or_replaces(tmp_path):
    path = str(tmp_path / "ledger.sqlite")
    assert bill_month(path).exit_code == 0
    assert (
        bill_month(path, "--catalog", str(dearer_catalogue(tmp_path)), "--correct").exit_code == 0
    )
    add_user(open_ledger(path), "staff", ADMIN_PASSWORD, role=STAFF)
    page = client_for(path, "staff", ADMIN_PASSWORD).get("/admin/billing/invoices").text
    assert "cancelled by CN-000001" in page
    assert "cancels INV-000001" in page
    assert "replaces INV-000001" in page
