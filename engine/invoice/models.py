"""The invoice run as pydantic models: what the engine returns and JSON carries.

Money is ``Decimal`` here and a string with exactly the currency's minor digits
in JSON (``"12.30"``); quantities are integers. ``InvoiceRun.to_json`` gives the
document that ``tariff invoice --format json`` prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    field_serializer,
    model_validator,
)

from tariff.dsl.vocabulary import Charge
from tariff.engine.invoice.rejected import RejectedCalls, validated
from tariff.engine.usage.errors import Rejection


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LineSource(_Frozen):
    """Where a line's price was set: a span of a tariff file, or a field of an input row."""

    file: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    row: int | None = None
    field: str | None = None
    origin: str  # "package", "sheet", "order form" or "accounts file"

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}:{self.column}"
        return f"{self.file} row {self.row} field {self.field}"


class InvoiceLine(_Frozen):
    """One charge on an invoice."""

    kind: Charge
    band: str | None = None
    # On a minutes line: how documents name the band ("UK mobiles").
    band_name: str | None = None
    number: str | None = None
    description: str
    # On a minutes line, the billed seconds; on a tax line, 1 (the net is its unit price).
    quantity: int
    # On a tax line: the percentage ("20").
    rate: Decimal | None = None
    unit_price: Decimal
    amount: Decimal
    discountable: bool
    # On a minutes line: the calls' actual seconds, and how many calls.
    seconds: int | None = None
    calls: int | None = None
    # On a discount line: the lines the discount did not reduce.
    excludes: tuple[str, ...] | None = None
    source: LineSource | None = None

    @field_serializer("unit_price", "amount", "rate")
    def _exact(self, value: Decimal | None) -> str | None:
        return None if value is None else str(value)


class Customer(_Frozen):
    """Who is billed, as the accounts file describes them (each field when given)."""

    country: str | None = None
    tax_id: str | None = None
    address: tuple[str, ...] | None = None  # its lines
    email: str | None = None
    purchase_order: str | None = None


class Invoice(_Frozen):
    """One account's invoice for one month."""

    account_id: str
    account_name: str | None = None
    currency: str
    package: str
    package_name: str | None = None
    version: str
    chargeable_calls: int = 0
    inclusive_calls: int = 0
    # The shortest call that carries a call fee, for the documents' wording.
    chargeable_from_seconds: int = 1
    customer: Customer = Field(default_factory=Customer)
    lines: tuple[InvoiceLine, ...]
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    # Why no tax line: e.g. "Outside the scope of UK VAT".
    tax_notes: tuple[str, ...] | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    issued_on: dt.date | None = None
    due_on: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _untaxed_before_0_2(cls, data: Any) -> Any:
        """An invoice kept by release 0.1 has no ``net`` and ``tax``: it carried no tax."""
        if isinstance(data, dict) and "net" not in data and "total" in data:
            total = Decimal(str(data["total"]))
            data = {**data, "net": total, "tax": total - total}
        return data

    @field_serializer("subtotal", "discount", "net", "tax", "total")
    def _exact(self, value: Decimal) -> str:
        return str(value)


class RunSummary(_Frozen):
    """Where every input call went: rated + other period + rejected = in."""

    calls_in: int
    calls_rated: int
    calls_other_period: int
    calls_rejected: int


class Issuer(_Frozen):
    """Who issues the invoices, as the catalogue's ``issuer`` block declares."""

    name: str
    address: tuple[str, ...] = ()
    company_number: str | None = None
    vat_number: str | None = None
    contact: tuple[str, ...] = ()
    bank: tuple[str, ...] = ()
    payment_terms_days: int


class InvoiceRun(_Frozen):
    """A month of invoices, the calls rejected on the way, and the counts."""

    period: str
    # Who issues them; None when the catalogue declares no issuer.
    issuer: Issuer | None = None
    invoices: tuple[Invoice, ...]
    # A sequence of Rejection, in row order, held as columns (there may be millions).
    rejected: Annotated[
        RejectedCalls,
        PlainValidator(validated),
        PlainSerializer(tuple, return_type=tuple[Rejection, ...]),
    ] = Field(default_factory=RejectedCalls)
    summary: RunSummary

    def to_json(self) -> str:
        """The JSON document of ``tariff invoice --format json``."""
        return "".join(self.json_text())

    def write_json(self, out: IO[str]) -> None:
        """Write :meth:`to_json`'s document to ``out``, the rejections a block at a time."""
        for text in self.json_text():
            out.write(text)

    def json_text(self) -> Iterator[str]:
        """:meth:`to_json`'s document in pieces, its rejections made without objects.

        The same text as pydantic's ``model_dump_json(indent=2, exclude_none=True)``.
        """
        document = self.model_copy(update={"rejected": RejectedCalls()})
        text = document.model_dump_json(indent=2, exclude_none=True) + "\n"
        if not self.rejected:
            yield text
            return
        # No text but the top level's is two spaces in and begins a line.
        head, tail = text.split(_NO_REJECTIONS)
        yield head + _REJECTIONS_OPEN
        yield from self.rejected.json_text(indent=4)
        yield _REJECTIONS_CLOSE + tail


_NO_REJECTIONS = '\n  "rejected": [],\n'
_REJECTIONS_OPEN = '\n  "rejected": [\n'
_REJECTIONS_CLOSE = "\n  ],\n"
