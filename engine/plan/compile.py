"""A checked catalogue to a rating plan: defaults filled in, prices resolved.

The input must have passed :func:`tariff.dsl.check_catalogue` without errors;
this stage trusts it (known currencies, valid words, whole numbers, real dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol, TypeVar

from tariff.dsl import ast
from tariff.dsl import vocabulary as words
from tariff.dsl.catalogue import Catalogue, DeckFile
from tariff.dsl.check.decks import DeckBands, read_bands
from tariff.dsl.months import Month
from tariff.dsl.vocabulary import charge_kind
from tariff.engine.plan.model import (
    DEFAULT_COUNTRIES,
    DEFAULT_PAYMENT_TERMS_DAYS,
    BandTerms,
    CallTerms,
    DiscountTerms,
    FairUsageTerms,
    IssuerTerms,
    OrderFormTerms,
    PackageVersionTerms,
    Prices,
    RatingPlan,
    SheetVersionTerms,
    TaxRateTerms,
    TaxTerms,
)

S = TypeVar("S")


def compile_catalogue(catalogue: Catalogue) -> RatingPlan:
    """The rating plan of a checked catalogue."""
    packages: dict[str, tuple[PackageVersionTerms, ...]] = {}
    sheets: dict[str, tuple[SheetVersionTerms, ...]] = {}
    order_forms: dict[str, OrderFormTerms] = {}
    taxes: list[TaxTerms] = []
    issuer: ast.Issuer | None = None
    for file in catalogue.files:
        for definition in file.definitions:
            if isinstance(definition, ast.Package):
                packages[definition.name.text] = _package(definition)
            elif isinstance(definition, ast.Sheet):
                decks = {
                    written: deck
                    for (path, written), deck in catalogue.decks.items()
                    if path == file.path
                }
                sheets[definition.name.text] = _sheet(definition, decks)
            elif isinstance(definition, ast.OrderForm):
                order_forms[definition.account.value] = _order_form(definition)
            elif isinstance(definition, ast.Tax):
                taxes.append(_tax(definition))
            else:
                issuer = definition
    countries = dict(DEFAULT_COUNTRIES)
    if issuer is not None:
        for default in issuer.statements:
            if isinstance(default, ast.DefaultCountry):
                countries.update({cur.text: country.value for country, cur in default.countries})
    return RatingPlan(
        packages,
        sheets,
        order_forms,
        taxes=tuple(taxes),
        issuer=_issuer(issuer) if issuer is not None else None,
        default_countries=countries,
        source_names=dict(catalogue.names),
    )


def _first(statements: Iterable[object], kind: type[S]) -> S | None:
    return next((s for s in statements if isinstance(s, kind)), None)


def _prices(prices: Sequence[ast.Money]) -> Prices:
    return {money.currency: money.amount for money in prices}


def _title(statements: Iterable[object], default: str) -> str:
    name = _first(statements, ast.DisplayName)
    return name.name.value if name else default


class _Spanned(Protocol):
    @property
    def span(self) -> ast.Span: ...


def _spans(**statements: _Spanned | None) -> dict[str, ast.Span]:
    """The span of each statement given, keyed by its term ("call_fee" -> "call fee")."""
    return {
        term.replace("_", " "): statement.span
        for term, statement in statements.items()
        if statement is not None
    }


def _int(number: ast.Number | None, default: int) -> int:
    return int(number.value) if number is not None else default


def _effective(version: ast.DateText) -> Month | None:
    day = version.value
    return Month.of(day) if day else None


# ------------------------------------------------------------------ packages


def _package(package: ast.Package) -> tuple[PackageVersionTerms, ...]:
    title = _title(package.statements, package.name.text.replace("_", " ").title())
    generation = _first(package.statements, ast.Generation)
    versions = [
        _package_version(package.name.text, title, generation.name.text if generation else "", v)
        for v in package.statements
        if isinstance(v, ast.PackageVersion)
    ]
    return tuple(sorted(versions, key=lambda v: v.effective))


def _package_version(
    package: str, title: str, generation: str, version: ast.PackageVersion
) -> PackageVersionTerms:
    statements = version.statements
    licence = _first(statements, ast.Licence)
    call_fee = _first(statements, ast.CallFee)
    minutes = _first(statements, ast.Minutes)
    chargeable = _first(statements, ast.Chargeable)
    inclusive = _first(statements, ast.InclusiveCalls)
    fair_usage = _first(statements, ast.FairUsage)
    assert licence and call_fee and minutes and version.version.value, "checked catalogue"
    return PackageVersionTerms(
        package=package,
        title=title,
        generation=generation,
        version=version.version.text,
        effective=version.version.value,
        licence=_prices(licence.prices),
        licence_discountable=licence.discountable,
        call_fee=_prices(call_fee.prices),
        call_fee_discountable=call_fee.discountable,
        chargeable_from_seconds=_int(
            chargeable.seconds if chargeable else None, words.DEFAULT_CHARGEABLE_FROM_SECONDS
        ),
        inclusive_calls=_int(inclusive.count if inclusive else None, words.DEFAULT_INCLUSIVE_CALLS),
        sheet=minutes.sheet.text,
        minutes_discountable=minutes.discountable,
        fair_usage=_fair_usage(fair_usage) if fair_usage else None,
        span=version.span,
        spans=_spans(
            licence=licence,
            call_fee=call_fee,
            chargeable=chargeable,
            inclusive_calls=inclusive,
            minutes=minutes,
        ),
    )


def _fair_usage(clause: ast.FairUsage) -> FairUsageTerms:
    statements = clause.statements
    minimum = _first(statements, ast.FairUsageMinimum)
    kinds = _first(statements, ast.FairUsageNumbers)
    counting = _first(statements, ast.FairUsageCounting)
    unit_rate = _first(statements, ast.FairUsageUnitRate)
    partial = _first(statements, ast.FairUsagePartialMonths)
    assert unit_rate is not None, "checked catalogue"
    return FairUsageTerms(
        minimum_calls=_int(minimum.calls if minimum else None, words.DEFAULT_FAIR_USAGE_MINIMUM),
        number_kinds=frozenset(k.text for k in kinds.kinds)
        if kinds
        else frozenset(words.DEFAULT_FAIR_USAGE_NUMBER_KINDS),
        counting_from_seconds=_int(
            counting.seconds if counting else None, words.DEFAULT_FAIR_USAGE_COUNTING_FROM_SECONDS
        ),
        unit_rates=_prices(unit_rate.prices),
        partial_months_exempt=partial.exempt if partial else words.DEFAULT_PARTIAL_MONTHS_EXEMPT,
        span=clause.span,
        spans=_spans(
            minimum=minimum,
            numbers=kinds,
            counting=counting,
            unit_rate=unit_rate,
            partial_months=partial,
        ),
    )


# -------------------------------------------------------------------- sheets


def _sheet(sheet: ast.Sheet, decks: Mapping[str, DeckFile]) -> tuple[SheetVersionTerms, ...]:
    versions = [
        _sheet_version(sheet.name.text, v, decks)
        for v in sheet.statements
        if isinstance(v, ast.SheetVersion)
    ]
    return tuple(sorted(versions, key=lambda v: v.effective))


def call_terms(statements: Sequence[object]) -> CallTerms:
    """The call terms a block of statements sets (a band's, a sheet version's, an order form's)."""
    increments = _first(statements, ast.Increments)
    fee = _first(statements, ast.ConnectionFee)
    minimum = _first(statements, ast.MinimumCharge)
    return CallTerms(
        first=int(increments.first.value) if increments else 1,
        step=int(increments.step.value) if increments else 1,
        connection_fee=_prices(fee.prices) if fee else {},
        minimum_charge=_prices(minimum.prices) if minimum else {},
        spans=_spans(increments=increments, connection_fee=fee, minimum_charge=minimum),
    )


def _sheet_version(
    sheet: str, version: ast.SheetVersion, decks: Mapping[str, DeckFile]
) -> SheetVersionTerms:
    statements = version.statements
    rounding = _first(statements, ast.Rounding)
    defaults = call_terms(statements)
    bands = {}
    barred = [p.value for b in statements if isinstance(b, ast.Barred) for p in b.prefixes]
    for deck in (d for d in statements if isinstance(d, ast.Deck)):
        read, _ = read_bands(decks[deck.path.value])
        barred += read.barred
        bands.update(_deck_bands(read, deck, defaults))
    for band in statements:
        if isinstance(band, ast.Band):
            prefixes = _first(band.statements, ast.Prefixes)
            rate = _first(band.statements, ast.BandRate)
            assert prefixes and rate, "checked catalogue"
            bands[band.name.text] = BandTerms(
                band.name.text,
                tuple(p.value for p in prefixes.prefixes),
                _prices(rate.prices),
                band.span,
                rate.span,
                title=_title(band.statements, band.name.text.replace("_", " ")),
                calls=defaults.merged(call_terms(band.statements)),
            )
    assert version.version.value, "checked catalogue"
    return SheetVersionTerms(
        sheet=sheet,
        version=version.version.text,
        effective=version.version.value,
        rounding=rounding.mode.text if rounding else words.DEFAULT_ROUNDING,
        dial={d.prefix.value: d.replacement.value for d in statements if isinstance(d, ast.Dial)},
        bands=bands,
        barred=tuple(barred),
        span=version.span,
        rounding_span=rounding.span if rounding else version.span,
    )


# --------------------------------------------------------------- order forms


def _order_form(form: ast.OrderForm) -> OrderFormTerms:
    statements = form.statements
    name = _first(statements, ast.DisplayName)
    pin = _first(statements, ast.PackagePin)
    currency = _first(statements, ast.CurrencyPin)
    licence = _first(statements, ast.Licence)
    call_fee = _first(statements, ast.CallFee)
    inclusive = _first(statements, ast.InclusiveCalls)
    fair_usage_rate = _first(statements, ast.FairUsageRate)
    contract_end = _first(statements, ast.ContractEnd)
    agreed = [s for s in statements if isinstance(s, ast.BandTerms)]
    band_rates = {
        r.band.text: _prices(r.prices) for r in statements if isinstance(r, ast.CustomRate)
    }
    band_rate_spans = {r.band.text: r.span for r in statements if isinstance(r, ast.CustomRate)}
    for block in agreed:
        rate = _first(block.statements, ast.BandRate)
        if rate is not None:
            band_rates.setdefault(block.band.text, _prices(rate.prices))
            band_rate_spans.setdefault(block.band.text, rate.span)
    return OrderFormTerms(
        account_id=form.account.value,
        span=form.span,
        title=name.name.value if name else None,
        package=pin.package.text if pin else None,
        version=pin.version.text if pin and pin.version else None,
        currency=currency.currency.text if currency else None,
        licence=_prices(licence.prices) if licence else None,
        call_fee=_prices(call_fee.prices) if call_fee else None,
        inclusive_calls=int(inclusive.count.value) if inclusive else None,
        band_rates=band_rates,
        band_calls={block.band.text: call_terms(block.statements) for block in agreed},
        fair_usage_rates=_prices(fair_usage_rate.prices) if fair_usage_rate else None,
        discounts=tuple(_discount(d) for d in statements if isinstance(d, ast.Discount)),
        contract_ends=_effective(contract_end.month) if contract_end else None,
        spans=_spans(
            package=pin,
            currency=currency,
            licence=licence,
            call_fee=call_fee,
            inclusive_calls=inclusive,
            fair_usage_unit_rate=fair_usage_rate,
        ),
        band_rate_spans=band_rate_spans,
    )


def _discount(discount: ast.Discount) -> DiscountTerms:
    kinds = frozenset(kind for c in discount.charges if (kind := charge_kind(c.text)))
    return DiscountTerms(
        percent=Decimal(discount.percent.value),
        charges=kinds,
        start=_effective(discount.start) if discount.start else None,
        end=_effective(discount.end) if discount.end else None,
        span=discount.span,
    )


# ------------------------------------------------------- the issuer and taxes


def _tax(tax: ast.Tax) -> TaxTerms:
    statements = tax.statements
    countries = _first(statements, ast.TaxCountries)
    note = _first(statements, ast.TaxNote)
    rates = [
        TaxRateTerms(rate.percent.value, rate.start.value if rate.start else None)
        for rate in statements
        if isinstance(rate, ast.TaxRate)
    ]
    assert countries is not None and rates, "checked catalogue"
    return TaxTerms(
        name=tax.name.text,
        title=_title(statements, tax.name.text.replace("_", " ")),
        countries=frozenset(c.value for c in countries.countries),
        rates=tuple(sorted(rates, key=lambda r: r.effective or dt.date.min)),
        note=note.note.value if note else None,
        span=tax.span,
    )


def _issuer(issuer: ast.Issuer) -> IssuerTerms:
    statements = issuer.statements
    name = _first(statements, ast.DisplayName)
    terms = _first(statements, ast.PaymentTerms)
    details: dict[str, tuple[str, ...]] = {}
    for detail in statements:
        if isinstance(detail, ast.IssuerDetail):
            details.setdefault(detail.kind, tuple(v.value for v in detail.values))
    assert name is not None, "checked catalogue"

    def one_line(kind: str) -> str | None:
        lines = details.get(kind)
        return ", ".join(lines) if lines else None

    return IssuerTerms(
        name=name.name.value,
        address=details.get("address", ()),
        company_number=one_line("company number"),
        vat_number=one_line("vat number"),
        contact=details.get("contact", ()),
        bank=details.get("bank", ()),
        payment_terms_days=_int(terms.days if terms else None, DEFAULT_PAYMENT_TERMS_DAYS),
    )


def _deck_bands(read: DeckBands, deck: ast.Deck, defaults: CallTerms) -> dict[str, BandTerms]:
    """A deck's bands, each with the sheet version's call terms where its rows give none."""
    bands = {}
    for entry in read.bands.values():
        first, step = entry.increments
        spans = {"increments": deck.span} if (first, step) != (1, 1) else {}
        if entry.connection_fees:
            spans["connection fee"] = deck.span
        if entry.minimum_charges:
            spans["minimum charge"] = deck.span
        own = CallTerms(first, step, entry.connection_fees, entry.minimum_charges, spans)
        bands[entry.name] = BandTerms(
            entry.name,
            tuple(entry.prefixes),
            entry.rates,
            deck.span,
            deck.span,
            title=entry.title or entry.name.replace("_", " "),
            calls=defaults.merged(own),
        )
    return bands
