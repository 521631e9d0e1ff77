"""The invoice ledger: issued invoices and credit notes, numbered without gaps, never changed.

``tariff bill`` issues a month's invoices here and ``tariff serve`` shows them.
The store is SQLite (a file path) or PostgreSQL (a ``postgresql://`` URL),
through SQLAlchemy Core. Rules:

- Invoice numbers (``INV-000001``) and credit-note numbers (``CN-000001``) are
  sequential without gaps: each comes from a counter row updated in the run's
  own transaction, so a run that fails leaves no hole.
- An issued document is never updated. Issuing a month again is idempotent: an
  invoice whose charges are unchanged is left alone.
- A deliberate correction (``correct=True``) issues a credit note cancelling the
  old invoice and a new invoice, both visible.
- A run is one transaction: if the process dies midway, nothing is issued.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tariff.dsl.diagnostics import counted
from tariff.engine.billing.ledger_location import LedgerLocationError, database_url
from tariff.engine.billing.migrations import MigrationClash, head, revision, upgrade
from tariff.engine.invoice.models import Invoice, InvoiceRun, Issuer
from tariff.engine.money import from_minor, to_minor

METADATA = sa.MetaData()

DOCUMENTS = sa.Table(
    "documents",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(32), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "invoice" or "credit_note"
    sa.Column("period", sa.String(7), nullable=False, index=True),
    sa.Column("account_id", sa.String(200), nullable=False, index=True),
    sa.Column("account_name", sa.String(400)),
    sa.Column("currency", sa.String(3), nullable=False),
    # Exact: integer minor units (pence, cents); negative on credit notes.
    sa.Column("total_minor", sa.BigInteger, nullable=False),
    # The document's Invoice as JSON (for a credit note, the negated invoice).
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    # On a credit note: the number of the invoice it cancels.
    sa.Column("cancels", sa.String(32)),
    # On a corrected invoice: the number of the invoice it replaces.
    sa.Column("replaces", sa.String(32)),
    # On an invoice: when it is due (None on credit notes, and before 0.2).
    sa.Column("due_on", sa.Date),
    # Who issued it, as JSON, as the catalogue said then (None before 0.2).
    sa.Column("issuer", sa.Text),
)
# Each issued invoice's itemised calls: the CSV of its rows, gzip-compressed.
ITEMISED_CALLS = sa.Table(
    "itemised_calls",
    METADATA,
    sa.Column("number", sa.String(32), primary_key=True),
    sa.Column("calls", sa.Integer, nullable=False),
    sa.Column("csv_gzip", sa.LargeBinary, nullable=False),
)

SEQUENCES = sa.Table(
    "sequences",
    METADATA,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("last", sa.BigInteger, nullable=False),
)

USERS = sa.Table(
    "users",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(400), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),  # "administrator", "user" or "staff"
    # The customer account a user belongs to; None for billing staff.
    sa.Column("account_id", sa.String(200), nullable=True),
    sqlite_autoincrement=True,
)
# A portal session: the cookie names it by a random token, kept as its SHA-256.
SESSIONS = sa.Table(
    "sessions",
    METADATA,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)
# A failed portal login, counted against an address, a name or the pair: the
# key is kept as its SHA-256, so that a password typed as a name is not stored.
LOGIN_FAILURES = sa.Table(
    "login_failures",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key_hash", sa.String(64), nullable=False, index=True),
    # Seconds since the epoch: the one clock that several processes share.
    sa.Column("failed_at", sa.Float(precision=53), nullable=False, index=True),
)
# The tables above are the schema at the newest migration (engine/billing/migrations/).

_PREFIX = {"invoice": "INV", "credit_note": "CN"}
# A test hook: sleep this many seconds halfway through writing a run, so that
# a test can kill the process mid-transaction and check that nothing was issued.
PAUSE_VARIABLE = "TARIFF_TEST_PAUSE_MIDWAY"


class LedgerBusy(Exception):
    """Another run holds the ledger: this one issued nothing and may simply be run again."""

    def __init__(self) -> None:
        super().__init__(
            "another run is issuing into this ledger; nothing was issued by this one: try again "
            "when it has finished"
        )


class LedgerRefusal(Exception):
    """A run the ledger cannot keep as it is: nothing of it was issued."""


# The ledger keeps totals as 64-bit integers of minor units.
_LARGEST_TOTAL_MINOR = 2**63 - 1


def _refuse_untold_totals(run: InvoiceRun) -> None:
    too_large = [
        i.account_id
        for i in run.invoices
        if abs(to_minor(i.total, i.currency)) > _LARGEST_TOTAL_MINOR
    ]
    if too_large:
        largest = from_minor(_LARGEST_TOTAL_MINOR, run.invoices[0].currency)
        raise LedgerRefusal(
            f"the invoice total of {', '.join(too_large)} is beyond what the ledger keeps "
            f"(±{largest:,}), so nothing was issued; check the rates and durations behind it"
        )


class LedgerConflict(Exception):
    """Invoices already issued for the month differ from this run's; nothing was issued."""

    def __init__(self, accounts: Sequence[str]) -> None:
        super().__init__(
            f"{counted(len(accounts), 'issued invoice')} would change "
            f"({', '.join(accounts[:5])}{', …' if len(accounts) > 5 else ''}); "
            "issued invoices never change: rerun with --correct to issue credit notes and "
            "corrected invoices"
        )
        self.accounts = tuple(accounts)


@dataclass
class IssueReport:
    """What one run did to the ledger."""

    issued: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    credited: list[str] = field(default_factory=list)
    # Accounts with an active invoice for the month that the run no longer has:
    # cancelled by a credit note with --correct, else kept (and said so).
    departed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    """An issued invoice or credit note, as the portal lists it."""

    number: str
    kind: str
    period: str
    account_id: str
    account_name: str | None
    currency: str
    total: Decimal
    issued_on: dt.date
    cancels: str | None
    replaces: str | None
    content: str
    due_on: dt.date | None = None
    issuer_json: str | None = None

    @property
    def invoice(self) -> Invoice:
        """The document's invoice (negated, for a credit note)."""
        return Invoice.model_validate_json(self.content)

    @property
    def issuer(self) -> Issuer | None:
        """Who issued the document, as the catalogue said when it was issued."""
        return Issuer.model_validate_json(self.issuer_json) if self.issuer_json else None


def open_ledger(target: str, *, create: bool = True) -> sa.Engine:
    """Connect to the ledger, creating its tables and counters if they are not there yet.

    With ``create=False`` (``users``, ``serve``), a ledger that does not exist
    yet is a LedgerLocationError instead: a mistyped ``--db`` must not make an
    empty one. Only ``tariff bill`` creates ledgers.
    """
    url = database_url(target)
    if not create:
        exists = (
            Path(url.removeprefix("sqlite:///")).is_file()
            if url.startswith("sqlite:///")
            else sa.inspect(sa.create_engine(url)).has_table(DOCUMENTS.name)
        )
        if not exists:
            raise LedgerLocationError("has no ledger yet; `tariff bill` creates one")
    engine = sa.create_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            existing = set(connection.execute(sa.select(SEQUENCES.c.name)).scalars())
            for name in _PREFIX.keys() - existing:
                connection.execute(sa.insert(SEQUENCES).values(name=name, last=0))
    except (sa.exc.DBAPIError, MigrationClash):
        # Two first runs at once: the other one made the ledger a moment ago.
        # Its schema and counters are the ones wanted; anything else is busy.
        if revision(engine) != head() or not _counters_ready(engine):
            raise LedgerBusy() from None
    return engine


def _counters_ready(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        names = set(connection.execute(sa.select(SEQUENCES.c.name)).scalars())
    return names >= _PREFIX.keys()


def issue_run(
    engine: sa.Engine,
    run: InvoiceRun,
    issued_on: dt.date,
    *,
    correct: bool = False,
    calls: Mapping[str, bytes] | None = None,
) -> IssueReport:
    """Issue a month's invoices in one transaction; LedgerConflict if any would change.

    ``calls`` holds each account's itemised calls (CSV), kept, compressed, with
    every invoice this run issues. LedgerRefusal, before anything is written,
    for a total the ledger cannot keep.
    """
    _refuse_untold_totals(run)
    try:
        return _issue(engine, run, issued_on, correct=correct, calls=calls or {})
    except sa.exc.OperationalError as problem:
        # SQLite answers a second writer "database is locked" once its wait runs out.
        if "locked" in str(problem).lower():
            raise LedgerBusy() from None
        raise


def _issue(
    engine: sa.Engine,
    run: InvoiceRun,
    issued_on: dt.date,
    *,
    correct: bool,
    calls: Mapping[str, bytes],
) -> IssueReport:
    report = IssueReport()
    pause = float(os.environ.get(PAUSE_VARIABLE, "0") or 0)
    issuer = run.issuer.model_dump_json() if run.issuer is not None else None
    with engine.begin() as connection:

        def insert(kind: str, invoice: Invoice, **links: str | None) -> str:
            return _insert(connection, kind, run.period, invoice, issued_on, issuer, **links)

        _lock_sequences(connection)
        conflicts = []
        for position, invoice in enumerate(run.invoices):
            if pause and position == len(run.invoices) // 2:
                time.sleep(pause)
            active = _active_invoice(connection, run.period, invoice.account_id)
            if active is not None and _charges(active.invoice) == _charges(invoice):
                report.unchanged.append(active.number)
                continue
            if active is not None and not correct:
                conflicts.append(invoice.account_id)
                continue
            replaced = None
            if active is not None:
                insert("credit_note", negated(active.invoice, issued_on), cancels=active.number)
                report.credited.append(active.number)
                replaced = active.number
            number = insert("invoice", invoice, replaces=replaced)
            if invoice.account_id in calls:
                _keep_calls(connection, number, calls[invoice.account_id])
            report.issued.append(number)
        if conflicts:
            raise LedgerConflict(conflicts)
        billed = {invoice.account_id for invoice in run.invoices}
        for active in _active_invoices(connection, run.period):
            if active.account_id in billed:
                continue
            report.departed.append(active.account_id)
            if correct:
                insert("credit_note", negated(active.invoice, issued_on), cancels=active.number)
                report.credited.append(active.number)
    return report


def documents(engine: sa.Engine) -> list[Document]:
    """Every issued document, newest period first, then by number."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(DOCUMENTS).order_by(DOCUMENTS.c.period.desc(), DOCUMENTS.c.id)
        )
        return [_document(row) for row in rows]


def document(engine: sa.Engine, number: str) -> Document | None:
    """One issued document by its number."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(DOCUMENTS).where(DOCUMENTS.c.number == number)).first()
        return _document(row) if row is not None else None


def _document(row: sa.Row[Any]) -> Document:
    return Document(
        number=row.number,
        kind=row.kind,
        period=row.period,
        account_id=row.account_id,
        account_name=row.account_name,
        currency=row.currency,
        total=from_minor(row.total_minor, row.currency),
        issued_on=row.issued_on,
        cancels=row.cancels,
        replaces=row.replaces,
        content=row.content,
        due_on=row.due_on,
        issuer_json=row.issuer,
    )


def _lock_sequences(connection: sa.Connection) -> None:
    """Hold the counters for this transaction, so that concurrent runs take turns."""
    connection.execute(sa.update(SEQUENCES).values(last=SEQUENCES.c.last))


def _next_number(connection: sa.Connection, kind: str) -> str:
    connection.execute(
        sa.update(SEQUENCES).where(SEQUENCES.c.name == kind).values(last=SEQUENCES.c.last + 1)
    )
    last = connection.execute(
        sa.select(SEQUENCES.c.last).where(SEQUENCES.c.name == kind)
    ).scalar_one()
    return f"{_PREFIX[kind]}-{int(last):06d}"


def _insert(
    connection: sa.Connection,
    kind: str,
    period: str,
    invoice: Invoice,
    issued_on: dt.date,
    issuer: str | None,
    cancels: str | None = None,
    replaces: str | None = None,
) -> str:
    number = _next_number(connection, kind)
    connection.execute(
        sa.insert(DOCUMENTS).values(
            number=number,
            kind=kind,
            period=period,
            account_id=invoice.account_id,
            account_name=invoice.account_name,
            currency=invoice.currency,
            total_minor=to_minor(invoice.total, invoice.currency),
            content=invoice.model_dump_json(exclude_none=True),
            issued_on=issued_on,
            cancels=cancels,
            replaces=replaces,
            due_on=invoice.due_on,
            issuer=issuer,
        )
    )
    return number


def _keep_calls(connection: sa.Connection, number: str, csv: bytes) -> None:
    """Keep an invoice's itemised calls with it: its CSV, gzip-compressed."""
    rows = csv.count(b"\n") - 1  # every row ends with a line break, and so does the header
    packed = gzip.compress(csv, compresslevel=6, mtime=0)
    connection.execute(sa.insert(ITEMISED_CALLS).values(number=number, calls=rows, csv_gzip=packed))


def _active_invoice(connection: sa.Connection, period: str, account_id: str) -> Document | None:
    """The account's newest invoice for the period that no credit note cancels."""
    cancelled = sa.select(DOCUMENTS.c.cancels).where(DOCUMENTS.c.cancels.is_not(None))
    row = connection.execute(
        sa.select(DOCUMENTS)
        .where(
            DOCUMENTS.c.kind == "invoice",
            DOCUMENTS.c.period == period,
            DOCUMENTS.c.account_id == account_id,
            DOCUMENTS.c.number.not_in(cancelled),
        )
        .order_by(DOCUMENTS.c.id.desc())
    ).first()
    return _document(row) if row is not None else None


def _active_invoices(connection: sa.Connection, period: str) -> list[Document]:
    """Every account's invoice for the period that no credit note cancels, by number."""
    cancelled = sa.select(DOCUMENTS.c.cancels).where(DOCUMENTS.c.cancels.is_not(None))
    rows = connection.execute(
        sa.select(DOCUMENTS)
        .where(
            DOCUMENTS.c.kind == "invoice",
            DOCUMENTS.c.period == period,
            DOCUMENTS.c.number.not_in(cancelled),
        )
        .order_by(DOCUMENTS.c.id)
    )
    return [_document(row) for row in rows]


# What may differ between two runs of one invoice: not its money, but its dates
# (the run's issue date), the customer's particulars and where tariffs were read.
_NOT_CHARGES = {"account_name", "customer", "issued_on", "due_on"}


def _charges(invoice: Invoice) -> str:
    """What makes an invoice the same invoice: its money, not when or from where it was made."""
    document = invoice.model_dump(mode="json", exclude=_NOT_CHARGES)
    for line in document["lines"]:
        line.pop("source", None)
    return json.dumps(document, sort_keys=True)


def negated(invoice: Invoice, issued_on: dt.date) -> Invoice:
    """A credit note's content: the invoice with every amount negated, issued now, owing nothing."""
    return invoice.model_copy(
        update={
            "issued_on": issued_on,
            "due_on": None,
            "lines": tuple(
                line.model_copy(update={"amount": -line.amount, "unit_price": -line.unit_price})
                for line in invoice.lines
            ),
            "subtotal": -invoice.subtotal,
            "discount": -invoice.discount,
            "net": -invoice.net,
            "tax": -invoice.tax,
            "total": -invoice.total,
        }
    )
