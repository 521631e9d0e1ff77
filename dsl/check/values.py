"""Rules about the values written in statements: words, counts, dates, and values left empty."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tariff.dsl import ast
from tariff.dsl.check.index import Definitions, every, first, known_prices
from tariff.dsl.check.rule import Finding
from tariff.dsl.diagnostics import did_you_mean
from tariff.dsl.vocabulary import (
    DISCOUNT_CHARGE_WORDS,
    GENERATIONS,
    LARGEST_AMOUNT,
    LARGEST_COUNT,
    MINOR_DIGITS,
    NUMBER_KINDS,
    ROUNDING_MODES,
    charge_kind,
    charge_words,
    is_never_discountable,
)


def unknown_words(definitions: Definitions) -> Iterator[Finding]:
    """T105: a currency, generation, number kind, rounding mode or charge the language lacks."""
    for version, _ in definitions.sheet_versions():
        rounding = first(version.statements, ast.Rounding)
        if rounding is not None:
            yield from _word(rounding.mode, tuple(ROUNDING_MODES), "rounding mode")
    for package in definitions.packages.values():
        generation = first(package.statements, ast.Generation)
        if generation is not None:
            yield from _word(generation.name, GENERATIONS, "generation")
    for _, clause, _ in definitions.fair_usage_clauses():
        kinds = first(clause.statements, ast.FairUsageNumbers)
        for kind in kinds.kinds if kinds is not None else ():
            yield from _word(kind, NUMBER_KINDS, "number kind")
    for form, _ in definitions.forms():
        currency = first(form.statements, ast.CurrencyPin)
        if currency is not None:
            yield from _word(currency.currency, tuple(MINOR_DIGITS), "currency")
        for discount in every(form.statements, ast.Discount):
            for charge in discount.charges:
                if charge_kind(charge.text) is None and not is_never_discountable(charge.text):
                    yield Finding(
                        charge.span,
                        f"unknown charge '{charge.text}'; a discount may name: "
                        + ", ".join(DISCOUNT_CHARGE_WORDS),
                        did_you_mean(charge_words(charge.text), DISCOUNT_CHARGE_WORDS),
                    )
    if definitions.issuer is not None:
        for default in every(definitions.issuer.statements, ast.DefaultCountry):
            for _, code in default.countries:
                yield from _word(code, tuple(MINOR_DIGITS), "currency")
    for prices in definitions.price_lists():
        for money in prices.prices:
            if money.currency not in MINOR_DIGITS:
                yield Finding(
                    money.currency_span,
                    f"unknown currency '{money.currency}'; tariffs price in "
                    + ", ".join(MINOR_DIGITS),
                    did_you_mean(money.currency, MINOR_DIGITS),
                )


def _word(name: ast.Name, known: Sequence[str], what: str) -> Iterator[Finding]:
    if name.text not in known:
        yield Finding(
            name.span,
            f"unknown {what} '{name.text}'; use one of: " + ", ".join(known),
            did_you_mean(name.text, known),
        )


def invalid_counts(definitions: Definitions) -> Iterator[Finding]:
    """T111: a count of calls or seconds that is not whole, or below its least value."""
    for number, what, least in definitions.counts():
        value = number.value
        if value != value.to_integral_value() or value < least:
            yield Finding(
                number.span,
                f"{what} must be a whole number of at least {least}, not {value:f}",
            )


def too_large_values(definitions: Definitions) -> Iterator[Finding]:
    """T122: a price or rate of a trillion units or more, or a count of a billion or more."""
    for prices in definitions.price_lists():
        for currency, money in known_prices(prices.prices).items():
            if abs(money.amount) >= LARGEST_AMOUNT:
                yield Finding(
                    money.span,
                    f"{prices.what} {money.amount:f} {currency} is too large: amounts are below "
                    f"{LARGEST_AMOUNT:,f} {currency}, so that every sum of them stays exact",
                )
    for number, what, _ in definitions.counts():
        if number.value >= LARGEST_COUNT:
            yield Finding(
                number.span,
                f"{what} {number.value:f} is too large: counts are below {LARGEST_COUNT:,}",
            )


def invalid_dates(definitions: Definitions) -> Iterator[Finding]:
    """T116: a version's start or a discount's month that is not a real date."""
    dates: list[tuple[ast.DateText, str]] = []
    for versions, _ in definitions.versioned():
        dates += [(version.version, "version") for version in versions]
    for form, _ in definitions.forms():
        for discount in every(form.statements, ast.Discount):
            dates += [(b, "month") for b in (discount.start, discount.end) if b is not None]
        dates += [(end.month, "month") for end in every(form.statements, ast.ContractEnd)]
    dates += [(rate.start, "date") for _, rate in definitions.tax_rates() if rate.start is not None]
    for date, what in dates:
        if date.value is None:
            yield Finding(date.span, f"{what} '{date.text}' is not a real date")


def empty_values(definitions: Definitions) -> Iterator[Finding]:
    """T117: a dial prefix or an order form's account id that is empty."""
    for version, _ in definitions.sheet_versions():
        for dial in every(version.statements, ast.Dial):
            if not dial.prefix.value:
                yield Finding(dial.prefix.span, "a dial prefix cannot be empty")
    for form, _ in definitions.forms():
        if not form.account.value.strip():
            yield Finding(form.account.span, "an order form needs an account id")
