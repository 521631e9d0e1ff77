"""Invoice documents people read: text, HTML and PDF, from jinja2 templates.

The templates (``invoice.txt.j2``, ``invoice.html.j2`` and the ``invoice.css``
the HTML includes) ship in ``tariff/engine/templates``; a directory given as
``templates`` overrides any of them by name. PDF is the HTML printed by
WeasyPrint. Money is shown for its currency: £1,234.50 and $1,234.50.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2

from tariff.dsl.months import Month
from tariff.dsl.vocabulary import SYMBOLS, Charge
from tariff.engine.invoice.models import Invoice, InvoiceLine, Issuer
from tariff.engine.money import minor_unit

TEMPLATES = Path(__file__).parent / "templates"
_EXTENSIONS = {"text": "txt", "html": "html", "pdf": "pdf", "calls": "csv"}


class TemplateProblem(Exception):
    """A template cannot be loaded or rendered; the message says which and where."""


@dataclass(frozen=True)
class DocumentInfo:
    """What a document says about itself: its title, number, dates, period and issuer."""

    title: str
    number: str
    issued_on: dt.date
    period: str
    # A credit note names the invoice it cancels; a corrected invoice the one it replaces.
    cancels: str | None = None
    replaces: str | None = None
    issuer: Issuer | None = None
    # A draft is not an invoice yet: it is marked DRAFT and has no number of the ledger's.
    draft: bool = False

    @property
    def is_credit_note(self) -> bool:
        """Whether the document cancels an invoice rather than asking for payment."""
        return self.cancels is not None


def draft_info(
    invoice: Invoice, period: str, issued_on: dt.date, issuer: Issuer | None = None
) -> DocumentInfo:
    """An invoice that has not been issued into the ledger: a numbered draft."""
    number = f"DRAFT-{period}-{invoice.account_id}"
    return DocumentInfo("Draft invoice", number, issued_on, period, issuer=issuer, draft=True)


def file_name(info: DocumentInfo, output_format: str) -> str:
    """A predictable, safe file name: the document's number and the format's extension.

    Letters, digits, ``.``, ``_`` and ``-`` stay; every other character is
    percent-encoded (``ACC/1`` is ``ACC%2F1``), so that distinct numbers never
    share a name.
    """
    safe = urllib.parse.quote(info.number, safe="")
    return f"{safe}.{_EXTENSIONS[output_format]}"


def clashing_file_names(names: Sequence[str]) -> list[list[str]]:
    """Groups of file names that one file system could take for one (they differ in case)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.casefold(), []).append(name)
    return [group for group in groups.values() if len(group) > 1]


def money(amount: Decimal, currency: str) -> str:
    """An amount with its currency's symbol and thousands separators: £1,234.50, -$3.00."""
    symbol = SYMBOLS.get(currency, currency + " ")
    places = max(0, -int(amount.as_tuple().exponent))
    digits = max(places, -int(minor_unit(currency).as_tuple().exponent))
    text = f"{abs(amount):,.{digits}f}"
    return f"-{symbol}{text}" if amount < 0 else f"{symbol}{text}"


def month_name(period: str) -> str:
    """A period as people say it: 2026-10 -> October 2026."""
    month = Month.parse(period)
    return month.first_day.strftime("%B %Y")


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def service_period(invoice: Invoice, period: str) -> str:
    """The days an invoice bills, as people write them: 1–31 October 2026."""
    month = Month.parse(period)
    first = invoice.period_start or month.first_day
    last = invoice.period_end or month.last_day
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    return f"{_long_date(first)} – {_long_date(last)}"


def _seconds(value: int) -> str:
    return f"{value:,} second{'' if value == 1 else 's'}"


def _count(value: int) -> str:
    return f"{value:,}"


class InvoiceDocuments:
    """Renders invoices with the shipped templates, or overrides from a directory."""

    def __init__(self, templates: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
        if templates is not None:
            if not templates.is_dir():
                raise TemplateProblem(f"{templates}: no such template directory")
            loaders.insert(0, jinja2.FileSystemLoader(templates))
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(["html", "html.j2"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            # Block tags take no room of their own: templates read as laid out.
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.filters.update(
            money=money,
            month_name=month_name,
            long_date=_long_date,
            count=_count,
            service_period=service_period,
            seconds=_seconds,
        )

    def render(
        self,
        invoice: Invoice,
        info: DocumentInfo,
        output_format: str,
        calls: Sequence[Mapping[str, object]] | None = None,
    ) -> bytes:
        """The document in ``output_format``: text, html or pdf; ``calls`` itemises it."""
        if output_format == "pdf":
            return self.pdf(invoice, info, calls)
        template = "invoice.txt.j2" if output_format == "text" else "invoice.html.j2"
        return self._render(template, invoice, info, calls).encode("utf-8")

    def text(
        self,
        invoice: Invoice,
        info: DocumentInfo,
        calls: Sequence[Mapping[str, object]] | None = None,
    ) -> str:
        """The plain-text document."""
        return self._render("invoice.txt.j2", invoice, info, calls)

    def html(
        self,
        invoice: Invoice,
        info: DocumentInfo,
        calls: Sequence[Mapping[str, object]] | None = None,
        *,
        paged: bool = False,
    ) -> str:
        """The HTML document (styles included), as WeasyPrint prints it.

        ``paged`` numbers the pages ("Page 2 of 5"): the PDF asks for it when
        the document runs over more than one page.
        """
        return self._render("invoice.html.j2", invoice, info, calls, paged=paged)

    def pdf(
        self,
        invoice: Invoice,
        info: DocumentInfo,
        calls: Sequence[Mapping[str, object]] | None = None,
    ) -> bytes:
        """The PDF document: the HTML printed on A4 by WeasyPrint, pages numbered if several."""
        from weasyprint import HTML

        rendered = HTML(string=self.html(invoice, info, calls)).render()
        if len(rendered.pages) > 1:
            rendered = HTML(string=self.html(invoice, info, calls, paged=True)).render()
        document: bytes = rendered.write_pdf()
        return document

    def _render(
        self,
        template: str,
        invoice: Invoice,
        info: DocumentInfo,
        calls: Sequence[Mapping[str, object]] | None,
        *,
        paged: bool = False,
    ) -> str:
        try:
            return self.environment.get_template(template).render(
                invoice=invoice,
                doc=info,
                cur=invoice.currency,
                lines=_lines_by_kind(invoice.lines),
                zero=Decimal(0),
                calls=calls,
                paged=paged,
            )
        except jinja2.TemplateSyntaxError as problem:
            where = f"{problem.filename or problem.name}:{problem.lineno}"
            raise TemplateProblem(f"{where}: {problem.message}") from None
        except jinja2.TemplateError as problem:
            raise TemplateProblem(f"{template}: {problem}") from None


def _lines_by_kind(lines: tuple[InvoiceLine, ...]) -> dict[str, list[InvoiceLine]]:
    grouped: dict[str, list[InvoiceLine]] = {kind: [] for kind in Charge}
    for line in lines:
        grouped.setdefault(line.kind, []).append(line)
    return grouped
