"""Rules about taxes and the issuer: real countries, one rule per country, rates as percentages."""

from __future__ import annotations

from collections.abc import Iterator

from tariff.dsl import ast
from tariff.dsl.check.index import Definitions, every, first
from tariff.dsl.check.rule import Finding
from tariff.dsl.diagnostics import did_you_mean
from tariff.dsl.vocabulary import countries


def _named_countries(definitions: Definitions) -> Iterator[ast.Text]:
    for tax in definitions.taxes.values():
        for listed in every(tax.statements, ast.TaxCountries):
            yield from listed.countries
    if definitions.issuer is not None:
        for default in every(definitions.issuer.statements, ast.DefaultCountry):
            yield from (country for country, _ in default.countries)


# Codes people write that ISO 3166-1 spells otherwise.
_USUAL_MISTAKES = {"UK": "GB", "EN": "GB", "EL": "GR"}


def unknown_countries(definitions: Definitions) -> Iterator[Finding]:
    """T123: a country that is not an ISO 3166-1 alpha-2 code."""
    known = countries()
    for country in _named_countries(definitions):
        if country.value in known:
            continue
        upper = country.value.strip().upper()
        meant = _USUAL_MISTAKES.get(upper, upper)
        hint = f'did you mean "{meant}"?' if meant in known else None
        yield Finding(
            country.span,
            f'unknown country "{country.value}"; name countries by their ISO 3166-1 '
            "alpha-2 code, such as GB, US or FR",
            hint or did_you_mean(upper, sorted(known)),
        )


def overlapping_taxes(definitions: Definitions) -> Iterator[Finding]:
    """T124: a country taxed by two rules, or two rates of one tax from the same day."""
    taxed_by: dict[str, ast.Tax] = {}
    for tax in definitions.taxes.values():
        listed = first(tax.statements, ast.TaxCountries)
        for country in listed.countries if listed is not None else ():
            earlier = taxed_by.setdefault(country.value, tax)
            if earlier is not tax:
                yield Finding(
                    country.span,
                    f'"{country.value}" is taxed by tax {earlier.name.text} already '
                    f"(at {earlier.span}); an account's invoice carries one tax rule",
                    f"list {country.value} in one of the two taxes",
                )
        starts: dict[object, ast.TaxRate] = {}
        for rate in every(tax.statements, ast.TaxRate):
            start = rate.start.value if rate.start is not None else None
            earlier_rate = starts.setdefault(start, rate)
            if earlier_rate is not rate:
                since = f"on {start}" if start is not None else "without a date"
                yield Finding(
                    rate.span,
                    f"tax {tax.name.text} already has a rate starting {since} "
                    f"(at line {earlier_rate.span.line})",
                    "give each rate change its own date: `rate 20% from 2011-01-04`",
                )


def tax_rates_out_of_range(definitions: Definitions) -> Iterator[Finding]:
    """T125: a tax rate below 0 % or above 100 %."""
    for tax, rate in definitions.tax_rates():
        percent = rate.percent.value
        if not 0 <= percent <= 100:
            yield Finding(
                rate.percent.span,
                f"tax {tax.name.text} has a rate of {percent:f}%; a tax rate is a "
                "percentage from 0 to 100",
            )
