"""Account-level rules: from a month's aggregates and terms to invoice lines.

Licence, call fees after the inclusive allowance, minute charges per band, Fair
Usage per tracking number, discounts and tax, in that order, all in exact Decimal.
Lines are built as plain records and validated into pydantic models once per
invoice, which costs a fraction of building each model field by field.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Required, TypedDict

import polars as pl

from tariff.dsl.diagnostics import counted
from tariff.dsl.months import Month
from tariff.dsl.vocabulary import CHARGE_PLURALS, Charge
from tariff.engine.invoice.models import Invoice
from tariff.engine.invoice.provenance import source_record
from tariff.engine.money import (
    EXACT_ARITHMETIC,
    exact_money,
    from_minor,
    rate_price,
    round_half_up_to_minor,
)
from tariff.engine.plan.terms import AccountTerms, Discounted, Origin
from tariff.engine.rating import AccountUsage
from tariff.engine.usage import NumberAssignment, NumberTable


class Line(TypedDict, total=False):
    """An invoice line as a plain record, with InvoiceLine's fields."""

    kind: Required[Charge]
    band: str
    band_name: str
    number: str
    description: Required[str]
    quantity: Required[int]
    rate: Decimal
    unit_price: Required[Decimal]
    amount: Required[Decimal]
    discountable: Required[bool]
    seconds: int
    calls: int
    excludes: tuple[str, ...]
    source: dict[str, object] | None


def assignments_by_account(numbers: NumberTable) -> dict[str, list[NumberAssignment]]:
    """The numbers file grouped by account."""
    grouped: dict[str, list[NumberAssignment]] = {}
    for assignment in numbers.assignments:
        grouped.setdefault(assignment.account_id, []).append(assignment)
    return grouped


def mark_inclusive(calls: pl.DataFrame, allowance: int | pl.Expr) -> pl.DataFrame:
    """Priced calls (by account, in start order) with ``inclusive``: the allowance's calls.

    The allowance covers the first ``allowance`` chargeable calls of each
    account's month, in start order: the calls whose fee the call fee line
    leaves out. ``allowance`` is a number, or a column of each call's account's.
    """
    chargeable = pl.col("chargeable")
    counted = chargeable.cast(pl.Int64).cum_sum().over("account_id")
    return calls.with_columns(inclusive=chargeable & (counted <= allowance))


@dataclass(frozen=True)
class Issue:
    """What every invoice of a run shares: the issue date, the payment terms, the files' names."""

    issued_on: dt.date
    payment_terms_days: int
    # Each tariff file's catalogue-relative name, for the lines' ``source``.
    source_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def due_on(self) -> dt.date:
        """The issue date plus the payment terms."""
        return self.issued_on + dt.timedelta(days=self.payment_terms_days)


def build_invoice(
    terms: AccountTerms,
    usage: AccountUsage,
    assignments: Sequence[NumberAssignment],
    month: Month,
    issue: Issue,
) -> Invoice:
    """One account's invoice for ``month``."""
    with decimal.localcontext(EXACT_ARITHMETIC):
        return _invoice(terms, usage, assignments, month, issue)


def _invoice(
    terms: AccountTerms,
    usage: AccountUsage,
    assignments: Sequence[NumberAssignment],
    month: Month,
    issue: Issue,
) -> Invoice:
    def source(origin: Origin) -> dict[str, object] | None:
        return source_record(origin, issue.source_names)

    currency = terms.currency
    lines = [_licence_line(terms, source)]
    lines += _call_fee_lines(terms, usage, source)
    lines += _minutes_lines(terms, usage, source)
    lines += _fair_usage_lines(terms, usage, assignments, month, source)
    discounts = [
        line for d in terms.discounts if (line := _discount_line(d, lines, currency, source))
    ]
    subtotal = exact_money(sum((_amount(line) for line in lines), Decimal(0)), currency)
    discount = exact_money(sum((_amount(line) for line in discounts), Decimal(0)), currency)
    net = subtotal + discount
    taxes = _tax_lines(terms, net, source)
    tax = exact_money(sum((_amount(line) for line in taxes), Decimal(0)), currency)
    account = terms.account
    return Invoice.model_validate(
        {
            "account_id": terms.account_id,
            "account_name": terms.name,
            "currency": currency,
            "package": terms.package.package,
            "package_name": terms.package.title,
            "version": terms.package.version,
            "chargeable_calls": usage.chargeable_calls,
            "inclusive_calls": min(usage.chargeable_calls, terms.inclusive_calls),
            "chargeable_from_seconds": terms.package.chargeable_from_seconds,
            "customer": {
                "country": terms.country,
                "tax_id": account.tax_id,
                "address": account.address or None,
                "email": account.email,
                "purchase_order": account.purchase_order,
            },
            "lines": lines + discounts + taxes,
            "subtotal": subtotal,
            "discount": discount,
            "net": net,
            "tax": tax,
            "total": net + tax,
            "tax_notes": terms.tax_notes or None,
            "period_start": month.first_day,
            "period_end": month.last_day,
            "issued_on": issue.issued_on,
            "due_on": issue.due_on,
        }
    )


def _amount(line: Line) -> Decimal:
    return line["amount"]


# Where a line's price was set, as the line's ``source`` record.
Sourced = Callable[[Origin], dict[str, object] | None]


def _licence_line(terms: AccountTerms, source: Sourced) -> Line:
    price = terms.licence.amount
    return dict(
        kind=Charge.LICENCE,
        description=f"{terms.package.title} edition licence",
        quantity=1,
        unit_price=exact_money(price, terms.currency),
        amount=exact_money(price, terms.currency),
        discountable=terms.package.licence_discountable,
        source=source(terms.licence.origin),
    )


def _call_fee_lines(terms: AccountTerms, usage: AccountUsage, source: Sourced) -> list[Line]:
    chargeable = usage.chargeable_calls
    inclusive = min(chargeable, terms.inclusive_calls)
    billed = chargeable - inclusive
    fee = terms.call_fee.amount
    amount = billed * fee
    if amount == 0:
        return []
    description = f"Calls: {chargeable:,} chargeable"
    if terms.inclusive_calls:
        description += f", {inclusive:,} inclusive"
    return [
        dict(
            kind=Charge.CALL_FEE,
            description=description,
            quantity=billed,
            unit_price=exact_money(fee, terms.currency),
            amount=exact_money(amount, terms.currency),
            discountable=terms.package.call_fee_discountable,
            source=source(terms.call_fee.origin),
        )
    ]


def _minutes_lines(terms: AccountTerms, usage: AccountUsage, source: Sourced) -> list[Line]:
    lines: list[Line] = []
    for band in sorted(usage.bands):
        rated = usage.bands[band]
        amount = exact_money(from_minor(rated.amount_minor, terms.currency), terms.currency)
        if amount == 0:
            continue
        title = terms.sheet.bands[band].title or band
        lines.append(
            dict(
                kind=Charge.MINUTES,
                band=band,
                band_name=title,
                description=f"Minute charges: {title}",
                quantity=rated.billed_seconds,
                seconds=rated.seconds,
                calls=rated.calls,
                unit_price=rate_price(terms.band_rates[band].amount, terms.currency),
                amount=amount,
                discountable=terms.package.minutes_discountable,
                source=source(terms.band_rates[band].origin),
            )
        )
    return lines


def _fair_usage_lines(
    terms: AccountTerms,
    usage: AccountUsage,
    assignments: Sequence[NumberAssignment],
    month: Month,
    source: Sourced,
) -> list[Line]:
    clause, rate = terms.fair_usage, terms.fair_usage_rate
    if clause is None or rate is None:
        return []
    windows: dict[str, list[NumberAssignment]] = {}
    for held in assignments:
        if held.kind in clause.number_kinds and held.held_during(month):
            windows.setdefault(held.number, []).append(held)
    lines: list[Line] = []
    for number in sorted(windows):
        if clause.partial_months_exempt and not _covers(windows[number], month):
            continue
        short = max(0, clause.minimum_calls - usage.counted_calls.get(number, 0))
        amount = short * rate.amount
        if amount == 0:
            continue
        lines.append(
            dict(
                kind=Charge.FAIR_USAGE,
                number=number,
                description=f"Fair usage: {number} ({counted(short, 'call')} short)",
                quantity=short,
                unit_price=exact_money(rate.amount, terms.currency),
                amount=exact_money(amount, terms.currency),
                discountable=False,
                source=source(rate.origin),
            )
        )
    return lines


def _covers(windows: Iterable[NumberAssignment], month: Month) -> bool:
    """Whether the windows together hold the number on every day of the month."""
    covered_until = month.first_day
    for held in sorted(windows, key=lambda w: w.assigned_from or dt.date.min):
        if held.assigned_from is not None and held.assigned_from > covered_until:
            return False
        if held.released_on is None:
            return True
        covered_until = max(covered_until, held.released_on)
    return covered_until > month.last_day


def _discount_line(
    discounted: Discounted, lines: Sequence[Line], currency: str, source: Sourced
) -> Line | None:
    discount = discounted.terms
    reduced = [line for line in lines if line["discountable"] and discount.covers(line["kind"])]
    base = sum((_amount(line) for line in reduced), Decimal(0))
    amount = -round_half_up_to_minor(base * discount.percent / 100, currency)
    if amount == 0:
        return None
    percent = f"{discount.percent.normalize():f}"
    description = f"Discount {percent}%"
    if discount.charges:
        names = [CHARGE_PLURALS[kind] for kind in CHARGE_PLURALS if kind in discount.charges]
        description += " on " + ", ".join(names)
    return dict(
        kind=Charge.DISCOUNT,
        description=description,
        quantity=1,
        unit_price=amount,
        amount=amount,
        discountable=False,
        excludes=tuple(line["description"] for line in lines if line not in reduced),
        source=source(discounted.origin),
    )


def _tax_lines(terms: AccountTerms, net: Decimal, source: Sourced) -> list[Line]:
    """The tax on the net, once per invoice, rounded half-up to the minor unit."""
    due = terms.tax
    if due is None:
        return []
    percent = due.percent.normalize()
    return [
        dict(
            kind=Charge.TAX,
            description=f"{due.title} {percent:f}%",
            quantity=1,
            rate=Decimal(f"{percent:f}"),
            unit_price=net,
            amount=round_half_up_to_minor(net * due.percent / 100, terms.currency),
            discountable=False,
            source=source(due.origin),
        )
    ]
