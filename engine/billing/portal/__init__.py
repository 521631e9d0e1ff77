"""The Billing portal: Admin → Billing → Invoices, for Administrators only.

A Starlette application over the invoice ledger. Users log in with a name and
password (Argon2 hashes). A session is a record in the ledger, named by a
random token in a signed cookie that is HttpOnly, SameSite=Lax and Secure, and
ended for good by logging out, a new password or the user's removal. Every
form carries a CSRF token; logins are throttled per address and per name, and
a failed login never says whether the name exists.

An account's Administrators reach the Admin pages and see that account's
invoices and credit notes only; its other users get 403; billing staff see
every account's, filtered by account and month. Another account's document is
answered as one that does not exist (404), so that numbers cannot be probed.
Invoices are listed by month, newest first, and each downloads as a PDF
rendered from the issued document.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import jinja2
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from tariff.engine.billing.documents import DocumentInfo, InvoiceDocuments, money, month_name
from tariff.engine.billing.kept_calls import invoices_with_calls, kept_calls
from tariff.engine.billing.ledger import Document, document, documents, open_ledger
from tariff.engine.billing.login_failures import LedgerFailures
from tariff.engine.billing.portal.security import (
    SECURITY_HEADERS,
    STRICT_TRANSPORT,
    LoginThrottle,
    csrf_token,
    csrf_valid,
)
from tariff.engine.billing.sessions import SESSION_HOURS, end_session, session_user, start_session
from tariff.engine.billing.users import STAFF, USER, User, authenticate

TEMPLATES = Path(__file__).parent / "templates"
_TITLES = {"invoice": "Invoice", "credit_note": "Credit note"}

Handler = Callable[[Request], Awaitable[Response]]


def create_app(
    database: str,
    *,
    secret_key: str | None = None,
    secure_cookies: bool = True,
    templates: Path | None = None,
    throttle: LoginThrottle | None = None,
) -> Starlette:
    """The portal over the ledger at ``database`` (a SQLite path or a postgresql:// URL)."""
    ledger = open_ledger(database, create=False)
    if throttle is None:
        # Failures in the ledger: a restart or another worker throttles alike.
        throttle = LoginThrottle(store=LedgerFailures(ledger))
    portal = _Portal(ledger, InvoiceDocuments(templates), throttle)
    return Starlette(
        routes=[
            Route("/", portal.home),
            Route("/login", portal.login_form, methods=["GET"]),
            Route("/login", portal.login, methods=["POST"]),
            Route("/logout", portal.logout, methods=["POST"]),
            Route("/admin", portal.admin(portal.admin_page)),
            Route("/admin/billing", portal.admin(portal.billing_page)),
            Route("/admin/billing/invoices", portal.admin(portal.invoices_page)),
            Route("/admin/billing/invoices/{number}.pdf", portal.admin(portal.invoice_pdf)),
            Route("/admin/billing/invoices/{number}.csv", portal.admin(portal.invoice_calls)),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=secret_key or secrets.token_urlsafe(32),
                session_cookie="tariff_session",
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=secure_cookies,
            ),
            Middleware(_SecurityHeaders, strict_transport=secure_cookies),
        ],
    )


class _SecurityHeaders:
    """Adds the security headers to every response (and HSTS where cookies are secure)."""

    def __init__(self, app: Any, *, strict_transport: bool) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS)
        if strict_transport:
            # Secure cookies mean the portal is served over HTTPS: browsers keep to it.
            self.headers["Strict-Transport-Security"] = STRICT_TRANSPORT

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class _Portal:
    def __init__(
        self, ledger: sa.Engine, rendering: InvoiceDocuments, throttle: LoginThrottle
    ) -> None:
        self.ledger = ledger
        self.rendering = rendering
        self.throttle = throttle
        # Every page escapes what it shows. Starlette's default escapes only
        # *.html, *.htm and *.xml names, and the templates are *.html.j2.
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True
        )
        self.pages = Jinja2Templates(env=environment)
        self.pages.env.filters.update(money=money, month_name=month_name)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("csrf", csrf_token(request.session))
        context.setdefault("user", request.session.get("name"))
        viewer = getattr(request.state, "user", None)
        context.setdefault("admin", viewer is not None and viewer.role != USER)
        return self.pages.TemplateResponse(request, name, context, status_code=status)

    # ---------------------------------------------------------------- login

    async def home(self, request: Request) -> Response:
        known = session_user(self.ledger, request.session.get("session")) is not None
        target = "/admin/billing/invoices" if known else "/login"
        return RedirectResponse(target, status_code=303)

    async def login_form(self, request: Request) -> Response:
        return self.page(
            request, "login.html.j2", next=_safe_next(request.query_params.get("next"))
        )

    async def login(self, request: Request) -> Response:
        form = await request.form()
        name = str(form.get("name", "")).strip()
        password = str(form.get("password", ""))
        target = _safe_next(str(form.get("next", "")))
        if not csrf_valid(request.session, form.get("csrf")):
            return self.page(
                request,
                "login.html.j2",
                403,
                next=target,
                error="This form has expired. Please try again.",
            )
        address = request.client.host if request.client else "unknown"
        wait = self.throttle.retry_after(address, name)
        if wait:
            minutes = (wait + 59) // 60
            refused = self.page(
                request,
                "login.html.j2",
                429,
                next=target,
                error=f"Too many failed attempts. Try again in {minutes} minute"
                f"{'s' if minutes != 1 else ''}.",
            )
            refused.headers["Retry-After"] = str(wait)
            return refused
        user = authenticate(self.ledger, name, password)
        if user is None:
            self.throttle.failed(address, name)
            return self.page(
                request,
                "login.html.j2",
                401,
                next=target,
                error="The name or password is not right.",
            )
        self.throttle.succeeded(address, name)
        # A new session on login, so that a session fixed before it is worthless;
        # the cookie only names the session's record in the ledger.
        request.session.clear()
        request.session.update(session=start_session(self.ledger, user), name=user.name)
        csrf_token(request.session)
        return RedirectResponse(target or "/admin", status_code=303)

    async def logout(self, request: Request) -> Response:
        form = await request.form()
        if csrf_valid(request.session, form.get("csrf")):
            end_session(self.ledger, request.session.get("session"))
            request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # ---------------------------------------------------------------- admin

    def admin(self, handler: Handler) -> Handler:
        """Only for Administrators and staff: others are sent to log in, or refused (403)."""

        async def guarded(request: Request) -> Response:
            # A session is a record in the ledger: logged out, a new password or a
            # removed user has none, whatever the cookie says.
            user = session_user(self.ledger, request.session.get("session"))
            if user is None:
                request.session.clear()
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            request.state.user = user
            if user.role == USER:
                return self.page(request, "forbidden.html.j2", 403)
            return await handler(request)

        return guarded

    async def admin_page(self, request: Request) -> Response:
        return self.page(request, "admin.html.j2")

    async def billing_page(self, request: Request) -> Response:
        return self.page(request, "billing.html.j2")

    async def invoices_page(self, request: Request) -> Response:
        viewer: User = request.state.user
        issued = [d for d in documents(self.ledger) if viewer.may_see(d.account_id)]
        cancelled_by = {d.cancels: d.number for d in issued if d.cancels}
        accounts = sorted({d.account_id for d in issued})
        chosen_account = request.query_params.get("account", "")
        chosen_month = request.query_params.get("month", "")
        if viewer.role == STAFF:
            issued = [
                d
                for d in issued
                if chosen_account in ("", d.account_id) and chosen_month in ("", d.period)
            ]
        months = [  # newest month first
            (period, list(group)) for period, group in groupby(issued, key=lambda d: d.period)
        ]
        return self.page(
            request,
            "invoices.html.j2",
            months=months,
            staff=viewer.role == STAFF,
            accounts=accounts,
            chosen_account=chosen_account,
            chosen_month=chosen_month,
            cancelled_by=cancelled_by,
            with_calls=invoices_with_calls(self.ledger),
        )

    async def invoice_pdf(self, request: Request) -> Response:
        viewer: User = request.state.user
        issued = document(self.ledger, request.path_params["number"])
        # Another account's document is answered as one that does not exist.
        if issued is None or not viewer.may_see(issued.account_id):
            return self.page(request, "not_found.html.j2", 404)
        pdf = self.rendering.pdf(issued.invoice, document_info(issued))
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{issued.number}.pdf"'},
        )

    async def invoice_calls(self, request: Request) -> Response:
        """The invoice's itemised calls as the ledger kept them, streamed as CSV."""
        viewer: User = request.state.user
        issued = document(self.ledger, request.path_params["number"])
        pieces = None
        if issued is not None and viewer.may_see(issued.account_id):
            pieces = kept_calls(self.ledger, issued.number)
        # Another account's invoice, like one without kept calls, does not exist here.
        if issued is None or pieces is None:
            return self.page(request, "not_found.html.j2", 404)
        return StreamingResponse(
            iterate_in_threadpool(pieces),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{issued.number}.csv"'},
        )


def document_info(issued: Document) -> DocumentInfo:
    """What an issued document says of itself: kind, number, dates, what it cancels or replaces."""
    return DocumentInfo(
        _TITLES[issued.kind],
        issued.number,
        issued.issued_on,
        issued.period,
        cancels=issued.cancels,
        replaces=issued.replaces,
        issuer=issued.issuer,
    )


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never redirect a login to somewhere else."""
    if not target:
        return ""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    return target
