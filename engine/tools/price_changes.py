"""Every price two catalogues set differently, listed where it is set: no usage needed.

``tariff diff --prices OLD NEW`` lists, per package version, sheet version,
order form and tax, and per currency, each price or term that differs: a
licence, a call fee, inclusive calls, a Fair Usage term, a band's rate,
increments, connection fee and minimum charge, each prefix's band (or barred),
a sheet's rounding and dial rules, an order form's agreed terms and discounts.
Prices are compared by value (``0.040`` is ``0.04``), from the compiled
catalogue, so that a term moved from a band to its sheet version's defaults,
or a band moved into a rate deck, is no change. Whether a change can make
something cost more is :mod:`price_proof`'s question.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from tariff.engine.plan.model import (
    CallTerms,
    OrderFormTerms,
    PackageVersionTerms,
    Prices,
    RatingPlan,
    SheetVersionTerms,
)
from tariff.engine.tools.price_proof import longest_match

# What a price point holds: an amount, a count, or words (a rounding mode, a set of prefixes).
Value = Decimal | int | str

ABSENT = "(not set)"


@dataclass(frozen=True, order=True)
class PricePoint:
    """Where a price is set, what it is, and in which currency (None: in every currency)."""

    where: str
    what: str
    currency: str


@dataclass(frozen=True)
class PriceChange:
    """One price point whose value differs: None where a catalogue does not set it."""

    point: PricePoint
    old: Value | None
    new: Value | None

    @property
    def text(self) -> str:
        """``package growth version 2024-01, GBP: licence 59.00 → 65.00``."""
        currency = f", {self.point.currency}" if self.point.currency else ""
        old = ABSENT if self.old is None else str(self.old)
        new = ABSENT if self.new is None else str(self.new)
        return f"{self.point.where}{currency}: {self.point.what} {old} → {new}"


def price_changes(old: RatingPlan, new: RatingPlan) -> list[PriceChange]:
    """Every price point whose value differs between the two plans, in order of where it is."""
    before, after = dict(price_points(old)), dict(price_points(new))
    before |= _destinations(old, new)
    after |= _destinations(new, old)
    changes = []
    for point in sorted(before.keys() | after.keys()):
        was, now = before.get(point), after.get(point)
        if not _same(was, now):
            changes.append(PriceChange(point, was, now))
    return changes


def _same(was: Value | None, now: Value | None) -> bool:
    if isinstance(was, Decimal | int) and isinstance(now, Decimal | int):
        return Decimal(was) == Decimal(now)
    return was == now


def price_points(plan: RatingPlan) -> Iterator[tuple[PricePoint, Value]]:
    """Every price and term the plan sets, each at the definition that sets it."""
    for versions in plan.packages.values():
        for version in versions:
            yield from _package_version(version)
    for sheet_versions in plan.sheets.values():
        for sheet in sheet_versions:
            yield from _sheet_version(sheet)
    for form in plan.order_forms.values():
        yield from _order_form(form)
    for tax in plan.taxes:
        where = f"tax {tax.name}"
        yield PricePoint(where, "countries", ""), ", ".join(sorted(tax.countries))
        for rate in tax.rates:
            since = f" from {rate.effective}" if rate.effective else ""
            yield PricePoint(where, f"rate{since} (%)", ""), rate.percent


def _destinations(plan: RatingPlan, other: RatingPlan) -> dict[PricePoint, Value]:
    """Where each prefix of either plan's sheet versions leads in ``plan``'s.

    A number's band is its longest matching prefix's, so a prefix one plan adds
    is a change only where it leads elsewhere than the shorter prefix did: a
    rate deck that spells out a sheet's bands prefix by prefix is no change.
    """
    points: dict[PricePoint, Value] = {}
    for name, versions in plan.sheets.items():
        others = {v.version: v for v in other.sheets.get(name, ())}
        for sheet in versions:
            table = sheet.prefix_bands()
            prefixes = set(table)
            if sheet.version in others:
                prefixes |= set(others[sheet.version].prefix_bands())
            where = f"sheet {sheet.sheet} version {sheet.version}"
            for prefix in prefixes:
                band = longest_match(table, prefix)
                points[PricePoint(where, f'prefix "{prefix}"', "")] = band or "barred or no band"
    return points


def _prices(where: str, what: str, prices: Prices) -> Iterator[tuple[PricePoint, Value]]:
    for currency, amount in prices.items():
        yield PricePoint(where, what, currency), amount


def _package_version(version: PackageVersionTerms) -> Iterator[tuple[PricePoint, Value]]:
    where = f"package {version.package} version {version.version}"
    yield from _prices(where, "licence", version.licence)
    yield from _prices(where, "call fee", version.call_fee)
    yield PricePoint(where, "inclusive calls", ""), version.inclusive_calls
    yield PricePoint(where, "chargeable from (seconds)", ""), version.chargeable_from_seconds
    yield PricePoint(where, "minutes from sheet", ""), version.sheet
    discountable = {
        "licence": version.licence_discountable,
        "call fee": version.call_fee_discountable,
        "minutes": version.minutes_discountable,
    }
    for charge, allowed in discountable.items():
        yield PricePoint(where, f"{charge} discountable", ""), "yes" if allowed else "no"
    fair = version.fair_usage
    if fair is not None:
        yield from _prices(where, "fair usage unit rate", fair.unit_rates)
        yield PricePoint(where, "fair usage minimum calls", ""), fair.minimum_calls
        yield PricePoint(where, "fair usage numbers", ""), ", ".join(sorted(fair.number_kinds))
        counting = "fair usage counting from (seconds)"
        yield PricePoint(where, counting, ""), fair.counting_from_seconds
        exempt = "exempt" if fair.partial_months_exempt else "owe full minimum"
        yield PricePoint(where, "fair usage partial months", ""), exempt


def _sheet_version(sheet: SheetVersionTerms) -> Iterator[tuple[PricePoint, Value]]:
    where = f"sheet {sheet.sheet} version {sheet.version}"
    yield PricePoint(where, "rounding", ""), sheet.rounding
    for prefix, replacement in sorted(sheet.dial.items()):
        yield PricePoint(where, f'dial "{prefix}" as', ""), f'"{replacement}"'
    for band in sheet.bands.values():
        at = f"{where}, band {band.name}"
        yield from _prices(at, "rate per minute", band.rates)
        yield from _call_terms(at, band.calls)


def _call_terms(where: str, calls: CallTerms) -> Iterator[tuple[PricePoint, Value]]:
    yield PricePoint(where, "increments", ""), f"{calls.first}/{calls.step}"
    yield from _prices(where, "connection fee", calls.connection_fee)
    yield from _prices(where, "minimum charge", calls.minimum_charge)


def _order_form(form: OrderFormTerms) -> Iterator[tuple[PricePoint, Value]]:
    where = f'order form "{form.account_id}"'
    words: Mapping[str, str | None] = {
        "package": form.package,
        "package version": form.version,
        "currency": form.currency,
        "contract ends": str(form.contract_ends) if form.contract_ends else None,
    }
    for what, value in words.items():
        if value is not None:
            yield PricePoint(where, what, ""), value
    yield from _prices(where, "licence", form.licence or {})
    yield from _prices(where, "call fee", form.call_fee or {})
    if form.inclusive_calls is not None:
        yield PricePoint(where, "inclusive calls", ""), form.inclusive_calls
    yield from _prices(where, "fair usage unit rate", form.fair_usage_rates or {})
    for band, rates in form.band_rates.items():
        yield from _prices(f"{where}, band {band}", "rate per minute", rates)
    for band, calls in form.band_calls.items():
        at = f"{where}, band {band}"
        if "increments" in calls.spans:
            yield PricePoint(at, "increments", ""), f"{calls.first}/{calls.step}"
        yield from _prices(at, "connection fee", calls.connection_fee)
        yield from _prices(at, "minimum charge", calls.minimum_charge)
    for index, discount in enumerate(form.discounts, start=1):
        charges = ", ".join(sorted(discount.charges)) or "every discountable charge"
        months = f"{discount.start or 'the start'} to {discount.end or 'the end'}"
        text = f"{discount.percent}% on {charges}, {months}"
        yield PricePoint(where, f"discount {index}", ""), text
