"""The Billing portal over the ledger: access, sessions, CSRF, throttling, invoices."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pypdf import PdfReader
from starlette.testclient import TestClient
from usage_rows import example_month_args

from tariff.engine.billing.ledger import open_ledger
from tariff.engine.billing.portal import create_app
from tariff.engine.billing.portal.security import LoginThrottle
from tariff.engine.billing.users import STAFF, USER, add_user
from tariff.engine.cli import cli

ADMIN_PASSWORD = "correct horse battery staple"
USER_PASSWORD = "a different long password"


def bill(database, month, issue_date):
    result = CliRunner().invoke(
        cli, ["bill", *example_month_args(month), "--db", database, "--issue-date", issue_date]
    )
    assert result.exit_code == 0, result.output


def two_months_billed(tmp_path):
    """A ledger with September's and October's invoices of the example accounts."""
    path = str(tmp_path / "ledger.sqlite")
    bill(path, "2026-09", "2026-10-01")
    bill(path, "2026-10", "2026-11-01")
    return path


@pytest.fixture
def database(tmp_path):
    path = two_months_billed(tmp_path)
    ledger = open_ledger(path)
    add_user(ledger, "ada", ADMIN_PASSWORD, role=STAFF)
    add_user(ledger, "bob", USER_PASSWORD, role=USER, account_id="ACC-001")
    return path


@pytest.fixture
def client(database):
    app = create_app(database, secret_key="test secret", throttle=LoginThrottle(max_failures=3))
    return TestClient(app, base_url="https://testserver")


def csrf(client, path="/login"):
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, "the page has a CSRF field"
    return found.group(1)


def log_in(client, name, password, **extra):
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf": csrf(client), **extra},
        follow_redirects=False,
    )


def test_the_billing_pages_ask_anonymous_visitors_to_log_in(client):
    response = client.get("/admin/billing/invoices", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/billing/invoices"


def test_an_administrator_finds_invoices_by_month_newest_first(client):
    response = log_in(client, "ada", ADMIN_PASSWORD, next="/admin/billing/invoices")
    assert (response.status_code, response.headers["location"]) == (303, "/admin/billing/invoices")
    page = client.get("/admin/billing/invoices")
    assert page.status_code == 200
    months = re.findall(r"<h2>([^<]+)</h2>", page.text)
    assert months == ["October 2026", "September 2026"]
    october = page.text.split("<h2>September 2026</h2>")[0]
    assert "INV-000008" in october and "£317.96" in october and "Bright Dental Ltd" in october
    assert 'href="/admin/billing/invoices/INV-000008.pdf"' in october


def test_each_invoice_shows_its_due_date_the_payment_terms_after_its_issue(client):
    log_in(client, "ada", ADMIN_PASSWORD)
    page = client.get("/admin/billing/invoices").text
    october, september = page.split("<h2>September 2026</h2>")
    # Issued on 1 November and on 1 October; the issuer's terms are 30 days.
    assert october.count('<td class="due">2026-12-01</td>') == 7
    assert september.count('<td class="due">2026-10-31</td>') == 7


def test_each_invoice_downloads_as_a_pdf_with_its_total(client, pdf_engine):
    log_in(client, "ada", ADMIN_PASSWORD)
    response = client.get("/admin/billing/invoices/INV-000010.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="INV-000010.pdf"'
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "INV-000010" in text and "Northwind Legal LLP" in text and "$767.16" in text
    assert client.get("/admin/billing/invoices/INV-999999.pdf").status_code == 404


def test_anyone_but_an_administrator_is_refused(client):
    assert log_in(client, "bob", USER_PASSWORD).status_code == 303
    for path in (
        "/admin",
        "/admin/billing",
        "/admin/billing/invoices",
        "/admin/billing/invoices/INV-000001.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Billing is for Administrators" in response.text


def test_a_failed_login_never_says_whether_the_name_exists(client):
    unknown = log_in(client, "nobody-here", "whatever it is")
    wrong = log_in(client, "ada", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    message = "The name or password is not right."
    assert message in unknown.text and message in wrong.text
    assert unknown.text.replace("nobody-here", "").count(message) == wrong.text.count(message)


def test_logins_are_throttled_after_repeated_failures(client):
    for _ in range(3):
        assert log_in(client, "ada", "guess").status_code == 401
    blocked = log_in(client, "ada", ADMIN_PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in blocked.text


def test_forms_without_the_session_token_are_refused(client):
    response = client.post(
        "/login",
        data={"name": "ada", "password": ADMIN_PASSWORD, "csrf": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    log_in(client, "ada", ADMIN_PASSWORD)
    client.post("/logout", data={"csrf": "forged"})
    assert client.get("/admin").status_code == 200  # a forged logout does nothing


def test_the_session_cookie_is_secure_and_changes_at_login(client):
    client.get("/login")
    before = client.cookies.get("tariff_session")
    response = log_in(client, "ada", ADMIN_PASSWORD)
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "secure" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert client.cookies.get("tariff_session") != before


def test_every_response_carries_the_security_headers(client):
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_login_never_redirects_off_the_site(client):
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        response = log_in(client, "ada", ADMIN_PASSWORD, next=target)
        assert response.headers["location"] == "/admin"
        client.post("/logout", data={"csrf": csrf(client, "/admin")})


HOSTILE = '"><script>alert(1)</script><meta http-equiv="refresh" content="0;url=//evil.example">'


def test_pages_escape_a_hostile_next_and_account_name(tmp_path):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "account_id,name,package,currency\n"
        f'ACC-1,"{HOSTILE.replace(chr(34), chr(34) * 2)}",essentials,GBP\n',
        encoding="utf-8",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    ledger = str(tmp_path / "ledger.sqlite")
    billed = CliRunner().invoke(
        cli,
        ["bill", "--month", "2026-10", "--accounts", str(accounts), "--numbers", str(empty),
         "--calls", str(empty), "--db", ledger, "--issue-date", "2026-11-01"],
    )  # fmt: skip
    assert billed.exit_code == 0, billed.output
    add_user(open_ledger(ledger), "ada", ADMIN_PASSWORD, role=STAFF)
    client = TestClient(create_app(ledger, secret_key="k"), base_url="https://testserver")

    login_page = client.get("/login", params={"next": "/" + HOSTILE})
    assert "<script>" not in login_page.text and "<meta http-equiv" not in login_page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in login_page.text

    log_in(client, "ada", ADMIN_PASSWORD)
    listing = client.get("/admin/billing/invoices")
    assert listing.status_code == 200
    assert "<script>" not in listing.text and "<meta http-equiv" not in listing.text
    assert "&lt;meta http-equiv=&#34;refresh&#34;" in listing.text


def test_hsts_is_sent_when_cookies_are_secure_and_only_then(database):
    secure = TestClient(create_app(database, secret_key="k"), base_url="https://testserver")
    plain = TestClient(
        create_app(database, secret_key="k", secure_cookies=False), base_url="http://testserver"
    )
    assert secure.get("/login").headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in plain.get("/login").headers


def test_failures_from_one_address_never_lock_the_right_password_out_from_another(database):
    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, clock=lambda: now[0])
    app = create_app(database, secret_key="k", throttle=throttle)
    attacker = TestClient(app, base_url="https://testserver", client=("203.0.113.9", 5000))
    owner = TestClient(app, base_url="https://testserver", client=("198.51.100.7", 5000))
    for _ in range(3):
        assert log_in(attacker, "ada", "guess").status_code == 401
    assert log_in(attacker, "ada", ADMIN_PASSWORD).status_code == 429  # that address waits
    # From elsewhere the name is only slowed: after the delay, the right password works.
    assert log_in(owner, "ada", ADMIN_PASSWORD).status_code == 429
    now[0] += 2
    assert log_in(owner, "ada", ADMIN_PASSWORD).status_code == 303
    assert log_in(attacker, "ada", ADMIN_PASSWORD).status_code == 429  # still refused there


def test_failed_logins_are_kept_in_the_ledger_so_a_restart_or_another_worker_agrees(database):
    first_worker = TestClient(create_app(database, secret_key="k"), base_url="https://testserver")
    for _ in range(5):
        assert log_in(first_worker, "ada", "guess").status_code == 401
    # A second process on the same ledger (another worker, or the portal restarted).
    second_worker = TestClient(create_app(database, secret_key="k"), base_url="https://testserver")
    refused = log_in(second_worker, "ada", ADMIN_PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    with sa.create_engine(f"sqlite:///{database}").connect() as connection:
        kept = connection.execute(sa.text("select key_hash from login_failures")).scalars().all()
    # Five failures, each against the address, the pair and the name; never the name itself.
    assert len(kept) == 15 and not any("ada" in key for key in kept)


def test_serve_trusts_forwarded_addresses_only_from_the_proxies_it_is_given(database, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    runner = CliRunner()
    assert runner.invoke(cli, ["serve", "--db", database]).exit_code == 0
    given = ["serve", "--db", database, "--forwarded-allow-ips", "10.0.0.5"]
    assert runner.invoke(cli, given).exit_code == 0
    plain, proxied = calls
    assert plain["proxy_headers"] is False and plain["server_header"] is False
    assert proxied["proxy_headers"] is True and proxied["forwarded_allow_ips"] == "10.0.0.5"
