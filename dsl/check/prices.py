"""Rules about amounts: never negative, never finer than the engine keeps, one per edition."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tariff.dsl import ast
from tariff.dsl.check.index import Definitions, editions, first, known_prices
from tariff.dsl.check.rule import Finding
from tariff.dsl.vocabulary import MINOR_DIGITS, RATE_DECIMALS, decimal_places


def negative_amounts(definitions: Definitions) -> Iterator[Finding]:
    """T109: a price or rate below zero."""
    for prices in definitions.price_lists():
        for currency, money in known_prices(prices.prices).items():
            if money.amount < 0:
                yield Finding(money.span, f"{prices.what} {money.amount:f} {currency} is negative")


def too_precise_amounts(definitions: Definitions) -> Iterator[Finding]:
    """T110: more decimal places than the engine keeps exactly (prices: the minor unit)."""
    for prices in definitions.price_lists():
        for currency, money in known_prices(prices.prices).items():
            limit = RATE_DECIMALS if prices.is_rate else MINOR_DIGITS[currency]
            places = decimal_places(money.amount)
            if places > limit:
                unit = (
                    "decimal places"
                    if prices.is_rate
                    else f"decimal places (whole minor units of {currency})"
                )
                yield Finding(
                    money.span,
                    f"{prices.what} {money.amount:f} {currency} has {places} decimal places; "
                    f"the engine keeps at most {limit} {unit}",
                )


def missing_edition_prices(definitions: Definitions) -> Iterator[Finding]:
    """T106: an edition (a licence currency) without a call fee, fair usage or sheet price."""
    for version, where in definitions.package_versions():
        offered = editions(version)
        if offered is None:
            continue
        call_fee = first(version.statements, ast.CallFee)
        if call_fee is not None:
            yield from _editions(known_prices(call_fee.prices), offered, call_fee.span, "call fee")
        clause = first(version.statements, ast.FairUsage)
        unit_rate = first(clause.statements, ast.FairUsageUnitRate) if clause else None
        if unit_rate is not None:
            yield from _editions(
                known_prices(unit_rate.prices), offered, unit_rate.span, "fair usage unit rate"
            )
        minutes = first(version.statements, ast.Minutes)
        sheet = definitions.sheets.get(minutes.sheet.text) if minutes is not None else None
        if minutes is not None and sheet is not None:
            for currency in sorted(offered - definitions.sheet_currencies(sheet)):
                yield Finding(
                    minutes.sheet.span,
                    f"sheet {sheet.name.text} has no {currency} rates, but {where} "
                    f"has a {currency} edition",
                    f"give every band of sheet {sheet.name.text} a {currency} rate",
                )


def _editions(
    prices: Mapping[str, ast.Money], offered: set[str], span: ast.Span, what: str
) -> Iterator[Finding]:
    for currency in sorted(offered - set(prices)):
        yield Finding(
            span,
            f"{what} has no {currency} price, but the licence has a {currency} edition",
            f"add a {currency} amount",
        )
    for currency in sorted(set(prices) - offered):
        yield Finding(
            prices[currency].span,
            f"{what} has a {currency} price, but the licence has no {currency} edition",
            f"add a {currency} licence, or remove this amount",
        )
