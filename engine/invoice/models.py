"""The invoice run as pydantic models: what the engine returns and JSON carries.

Money is ``Decimal`` here and a string with exactly the currency's minor digits
in JSON (``"12.30"``); quantities are integers. ``InvoiceRun.to_json`` gives the
document that ``tariff invoice --format json`` prints.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from tariff.dsl.vocabulary import Charge
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
    number: str | None = None
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    discountable: bool
    # On a discount line: the lines the discount did not reduce.
    excludes: tuple[str, ...] | None = None
    source: LineSource | None = None

    @field_serializer("unit_price", "amount")
    def _exact(self, value: Decimal) -> str:
        return str(value)


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
    lines: tuple[InvoiceLine, ...]
    subtotal: Decimal
    discount: Decimal
    total: Decimal

    @field_serializer("subtotal", "discount", "total")
    def _exact(self, value: Decimal) -> str:
        return str(value)


class RunSummary(_Frozen):
    """Where every input call went: rated + other period + rejected = in."""

    calls_in: int
    calls_rated: int
    calls_other_period: int
    calls_rejected: int


class InvoiceRun(_Frozen):
    """A month of invoices, the calls rejected on the way, and the counts."""

    period: str
    invoices: tuple[Invoice, ...]
    rejected: tuple[Rejection, ...] = Field(default=())
    summary: RunSummary

    def to_json(self) -> str:
        """The JSON document of ``tariff invoice --format json``."""
        return self.model_dump_json(indent=2, exclude_none=True) + "\n"
