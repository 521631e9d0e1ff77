"""The rating plan: a checked catalogue as plain, resolved data.

Defaults are filled in, prices are exact Decimals by currency, and every term
keeps the span of the statement it came from, for ``tariff explain``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from tariff.dsl.ast import Span
from tariff.dsl.months import Month

Prices = Mapping[str, Decimal]


@dataclass(frozen=True)
class FairUsageTerms:
    """A Fair Usage clause: a monthly minimum of calls per number, and the rate per missing call."""

    minimum_calls: int
    number_kinds: frozenset[str]
    counting_from_seconds: int
    unit_rates: Prices
    partial_months_exempt: bool
    span: Span
    # The statement behind each term ("minimum", "unit rate", ...); a term left
    # to its default points at the clause.
    spans: Mapping[str, Span] = field(default_factory=dict)

    def span_of(self, term: str) -> Span:
        """The span of the statement that sets ``term``, or of the clause."""
        return self.spans.get(term, self.span)


@dataclass(frozen=True)
class PackageVersionTerms:
    """A package's terms from its effective date on."""

    package: str
    title: str
    generation: str
    version: str
    effective: dt.date
    licence: Prices
    licence_discountable: bool
    call_fee: Prices
    call_fee_discountable: bool
    chargeable_from_seconds: int
    inclusive_calls: int
    sheet: str
    minutes_discountable: bool
    fair_usage: FairUsageTerms | None
    span: Span
    # The statement behind each term ("licence", "call fee", ...); a term left
    # to its default points at the version.
    spans: Mapping[str, Span] = field(default_factory=dict)

    def span_of(self, term: str) -> Span:
        """The span of the statement that sets ``term``, or of the version."""
        return self.spans.get(term, self.span)

    @property
    def currencies(self) -> frozenset[str]:
        """The editions this version offers."""
        return frozenset(self.licence)


@dataclass(frozen=True)
class CallTerms:
    """How a call is priced besides its rate: increments, connection fee, minimum charge.

    The defaults (1/1, no fee, no minimum) price every second at the rate. Each
    term keeps the span of the statement that set it (a band's, its sheet
    version's, or an order form's), for ``tariff explain``.
    """

    first: int = 1
    step: int = 1
    connection_fee: Prices = field(default_factory=dict)
    minimum_charge: Prices = field(default_factory=dict)
    spans: Mapping[str, Span] = field(default_factory=dict)

    def merged(self, over: CallTerms) -> CallTerms:
        """These terms with every term ``over`` sets (its spans say which) put in their place."""
        first, step = (
            (over.first, over.step) if "increments" in over.spans else (self.first, self.step)
        )
        fee = over.connection_fee if "connection fee" in over.spans else self.connection_fee
        minimum = over.minimum_charge if "minimum charge" in over.spans else self.minimum_charge
        return CallTerms(first, step, fee, minimum, {**self.spans, **over.spans})


PER_SECOND = CallTerms()


@dataclass(frozen=True)
class BandTerms:
    """A destination band: the prefixes that select it and its per-minute rates."""

    name: str
    prefixes: tuple[str, ...]
    rates: Prices
    span: Span
    rate_span: Span
    # How documents name the band ("UK mobiles"); JSON keeps the id.
    title: str = ""
    calls: CallTerms = PER_SECOND


@dataclass(frozen=True)
class SheetVersionTerms:
    """A call tariff sheet from its effective date on."""

    sheet: str
    version: str
    effective: dt.date
    rounding: str
    dial: Mapping[str, str]
    bands: Mapping[str, BandTerms]
    barred: tuple[str, ...]
    span: Span
    rounding_span: Span

    @property
    def key(self) -> str:
        """A name for this sheet version, e.g. ``carrier@2021-04-01``."""
        return f"{self.sheet}@{self.version}"

    def prefix_bands(self) -> dict[str, str | None]:
        """Every prefix and the band it selects; None for a barred prefix."""
        table: dict[str, str | None] = {p: None for p in self.barred}
        for band in self.bands.values():
            table.update(dict.fromkeys(band.prefixes, band.name))
        return table


@dataclass(frozen=True)
class DiscountTerms:
    """A percentage off the discountable lines, maybe limited to charges and months."""

    percent: Decimal
    charges: frozenset[str] = frozenset()
    start: Month | None = None
    end: Month | None = None
    span: Span | None = None

    def applies_in(self, month: Month) -> bool:
        """Whether the discount is in force in ``month``."""
        return (self.start is None or self.start <= month) and (
            self.end is None or month <= self.end
        )

    def covers(self, kind: str) -> bool:
        """Whether the discount reaches invoice lines of ``kind``."""
        return not self.charges or kind in self.charges


@dataclass(frozen=True)
class OrderFormTerms:
    """One account's agreed terms; each set field wins over the package and the accounts file."""

    account_id: str
    span: Span
    title: str | None = None
    package: str | None = None
    version: str | None = None
    currency: str | None = None
    licence: Prices | None = None
    call_fee: Prices | None = None
    inclusive_calls: int | None = None
    band_rates: Mapping[str, Prices] = field(default_factory=dict)
    # Call terms agreed per band (``band NAME { increments ... }``).
    band_calls: Mapping[str, CallTerms] = field(default_factory=dict)
    fair_usage_rates: Prices | None = None
    discounts: tuple[DiscountTerms, ...] = ()
    # The last month the terms are in force (``contract ends``); None: no end.
    contract_ends: Month | None = None
    # The statement behind each agreed term ("licence", "call fee", ...), and
    # behind each agreed band rate.
    spans: Mapping[str, Span] = field(default_factory=dict)
    band_rate_spans: Mapping[str, Span] = field(default_factory=dict)

    def span_of(self, term: str) -> Span:
        """The span of the statement that sets ``term``, or of the order form."""
        return self.spans.get(term, self.span)

    def in_force(self, month: Month) -> bool:
        """Whether the contract still runs in ``month``."""
        return self.contract_ends is None or month <= self.contract_ends


@dataclass(frozen=True)
class TaxRateTerms:
    """A tax's rate from a day on (from the beginning when ``effective`` is None)."""

    percent: Decimal
    effective: dt.date | None


@dataclass(frozen=True)
class TaxTerms:
    """A tax on the net of the invoices of accounts in some countries."""

    name: str
    title: str
    countries: frozenset[str]
    rates: tuple[TaxRateTerms, ...]  # earliest first
    note: str | None
    span: Span

    def rate_on(self, day: dt.date) -> Decimal | None:
        """The rate in force on ``day``, or None before the first rate starts."""
        current = None
        for rate in self.rates:
            if rate.effective is None or rate.effective <= day:
                current = rate.percent
        return current


# Payment terms when the catalogue declares no issuer, or no terms.
DEFAULT_PAYMENT_TERMS_DAYS = 30
# The country of an account whose accounts-file row names none, by its currency.
DEFAULT_COUNTRIES: Mapping[str, str] = {"GBP": "GB", "USD": "US"}


@dataclass(frozen=True)
class IssuerTerms:
    """Who issues the invoices: shown on every document, with its payment terms."""

    name: str
    address: tuple[str, ...] = ()
    company_number: str | None = None
    vat_number: str | None = None
    contact: tuple[str, ...] = ()
    bank: tuple[str, ...] = ()
    payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS


@dataclass(frozen=True)
class RatingPlan:
    """Every package, sheet and order form of a catalogue, ready to rate with."""

    packages: Mapping[str, tuple[PackageVersionTerms, ...]]
    sheets: Mapping[str, tuple[SheetVersionTerms, ...]]
    order_forms: Mapping[str, OrderFormTerms]
    taxes: tuple[TaxTerms, ...] = ()
    issuer: IssuerTerms | None = None
    default_countries: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COUNTRIES))
    # Each tariff file's catalogue-relative name, by its name in messages.
    source_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def payment_terms_days(self) -> int:
        """Days from an invoice's issue date to its due date."""
        return self.issuer.payment_terms_days if self.issuer else DEFAULT_PAYMENT_TERMS_DAYS

    def country_of(self, country: str | None, currency: str) -> str | None:
        """An account's country: its own, else the default for its currency."""
        return country or self.default_countries.get(currency)

    def tax_for(self, country: str | None) -> TaxTerms | None:
        """The tax rule that taxes accounts in ``country``, if any."""
        return next((tax for tax in self.taxes if country in tax.countries), None)

    def package_version(self, package: str, month: Month) -> PackageVersionTerms | None:
        """The version of ``package`` in effect on the first day of ``month``."""
        return _in_effect(self.packages.get(package, ()), month.first_day)

    def sheet_version(self, sheet: str, month: Month) -> SheetVersionTerms | None:
        """The version of ``sheet`` in effect on the first day of ``month``."""
        return _in_effect(self.sheets.get(sheet, ()), month.first_day)


_Version = TypeVar("_Version", PackageVersionTerms, SheetVersionTerms)


def _in_effect(versions: tuple[_Version, ...], day: dt.date) -> _Version | None:
    current = None
    for version in versions:
        if version.effective <= day:
            current = version
    return current
