"""Rules about the shape of definitions: each name and statement where it belongs, once.

Duplicates, references to nothing, and missing and repeated statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from tariff.dsl import ast
from tariff.dsl.check.index import (
    Definitions,
    Version,
    every,
    first,
    pinned_versions,
)
from tariff.dsl.check.rule import Finding
from tariff.dsl.diagnostics import did_you_mean
from tariff.dsl.vocabulary import MINOR_DIGITS

# The statements that may appear once, by where they are (T104).
_ONCE_IN_SHEET = ((ast.DisplayName, "name"),)
_CALL_TERMS = (
    (ast.Increments, "increments"),
    (ast.ConnectionFee, "connection fee"),
    (ast.MinimumCharge, "minimum charge"),
)
_ONCE_IN_SHEET_VERSION = ((ast.Rounding, "rounding"), *_CALL_TERMS)
_ONCE_IN_BAND = (
    (ast.DisplayName, "name"),
    (ast.Prefixes, "prefixes"),
    (ast.BandRate, "rate"),
    *_CALL_TERMS,
)
_ONCE_IN_AGREED_BAND = ((ast.BandRate, "rate"), *_CALL_TERMS)
_ONCE_IN_PACKAGE = ((ast.DisplayName, "name"), (ast.Generation, "generation"))
_ONCE_IN_PACKAGE_VERSION = (
    (ast.Licence, "licence"),
    (ast.CallFee, "call fee"),
    (ast.Minutes, "minutes"),
    (ast.Chargeable, "chargeable"),
    (ast.InclusiveCalls, "inclusive calls"),
    (ast.FairUsage, "fair usage"),
)
_ONCE_IN_FAIR_USAGE = (
    (ast.FairUsageMinimum, "minimum"),
    (ast.FairUsageNumbers, "numbers"),
    (ast.FairUsageCounting, "counting"),
    (ast.FairUsagePartialMonths, "partial months"),
    (ast.FairUsageUnitRate, "unit rate"),
)
_ONCE_IN_ORDER_FORM = (
    (ast.DisplayName, "name"),
    (ast.PackagePin, "package"),
    (ast.CurrencyPin, "currency"),
    (ast.Licence, "licence"),
    (ast.CallFee, "call fee"),
    (ast.FairUsageRate, "fair usage unit rate"),
    (ast.InclusiveCalls, "inclusive calls"),
    (ast.ContractEnd, "contract ends"),
)
_ONCE_IN_ISSUER = (
    (ast.DisplayName, "name"),
    (ast.PaymentTerms, "payment terms"),
    (ast.DefaultCountry, "default country"),
)
_ONCE_IN_TAX = ((ast.DisplayName, "name"), (ast.TaxCountries, "countries"), (ast.TaxNote, "note"))
_NOUNS = {
    ast.Package: "package",
    ast.Sheet: "sheet",
    ast.OrderForm: "order form",
    ast.Tax: "tax",
    ast.Issuer: "issuer",
}


def _key(definition: ast.Definition) -> tuple[str, ast.Span]:
    """What names a definition, and where: one issuer is the catalogue's."""
    if isinstance(definition, ast.OrderForm):
        return definition.account.value, definition.account.span
    if isinstance(definition, ast.Issuer):
        return "", definition.span
    return definition.name.text, definition.name.span


def duplicate_definitions(definitions: Definitions) -> Iterator[Finding]:
    """T101: a package, sheet, order form, version, dial rule or band defined twice."""
    seen: dict[tuple[type, str], ast.Definition] = {}
    for definition in definitions.definitions():
        key, span = _key(definition)
        earlier = seen.setdefault((type(definition), key), definition)
        if earlier is definition:
            continue
        if isinstance(definition, ast.Issuer):
            yield Finding(
                span,
                f"the catalogue has a second issuer; the first is at {earlier.span}",
                "keep one issuer block: every invoice has one seller",
            )
            continue
        yield Finding(
            span,
            f"{_NOUNS[type(definition)]} '{key}' is defined twice; the first is at {earlier.span}",
            "remove one, or give this one another name",
        )
    for versions, owner in definitions.versioned():
        yield from _repeated_versions(versions, owner)
    for version, where in definitions.sheet_versions():
        first_dials: set[str] = set()
        for dial in every(version.statements, ast.Dial):
            if dial.prefix.value and dial.prefix.value in first_dials:
                yield Finding(dial.span, f'dial "{dial.prefix.value}" is defined twice')
            first_dials.add(dial.prefix.value)
        bands: set[str] = set()
        for band in every(version.statements, ast.Band):
            if band.name.text in bands:
                yield Finding(
                    band.name.span, f"band '{band.name.text}' is defined twice in {where}"
                )
            bands.add(band.name.text)


def _repeated_versions(versions: Sequence[Version], owner: str) -> Iterator[Finding]:
    """Versions starting on the same day, written alike (2021-04) or not (2021-04-01)."""
    seen: dict[object, ast.DateText] = {}
    for version in versions:
        for key in (version.version.text, version.version.value):
            if key is None:
                continue
            if key in seen:
                earlier = seen[key]
                yield Finding(
                    version.version.span,
                    f"{owner} already has a version starting then "
                    f"('{earlier.text}' at line {earlier.span.line})",
                    "give each version its own start date",
                )
                break
            seen[key] = version.version


def unknown_references(definitions: Definitions) -> Iterator[Finding]:
    """T102: a sheet, package, version or band name that refers to nothing defined."""
    # A definition that a syntax error kept out exists: its syntax error is the problem.
    unparsed = definitions.unparsed
    for version, _ in definitions.package_versions():
        minutes = first(version.statements, ast.Minutes)
        if minutes is None:
            continue
        sheet = minutes.sheet.text
        if sheet not in definitions.sheets and ("sheet", sheet) not in unparsed:
            yield _unknown(minutes.sheet, "sheet", definitions.sheets)
    for form, _ in definitions.forms():
        pin = first(form.statements, ast.PackagePin)
        package = definitions.pinned_package(form)
        if pin is not None and package is None and ("package", pin.package.text) not in unparsed:
            yield _unknown(pin.package, "package", definitions.packages)
        if pin is not None and package is not None and pin.version is not None:
            ids = [v.version.text for v in every(package.statements, ast.PackageVersion)]
            if pin.version.text not in ids:
                yield _unknown(
                    ast.Name(pin.version.text, pin.version.span),
                    "version",
                    ids,
                    f" of package {package.name.text}; it has " + ", ".join(ids),
                )
        yield from _unknown_bands(definitions, form, package)


def _unknown_bands(
    definitions: Definitions, form: ast.OrderForm, package: ast.Package | None
) -> Iterator[Finding]:
    if package is not None:
        sheet_names = {
            minutes.sheet.text
            for version in pinned_versions(package, None)
            for minutes in every(version.statements, ast.Minutes)
        }
        sheets = [definitions.sheets[n] for n in sheet_names if n in definitions.sheets]
    else:
        sheets = list(definitions.sheets.values())
    if any(kind == "sheet" for kind, _ in definitions.unparsed):
        return  # a sheet that did not parse may have any band
    bands = definitions.band_names(sheets)
    seen: set[str] = set()
    named = [s.band for s in form.statements if isinstance(s, ast.CustomRate | ast.BandTerms)]
    for band in named:
        if band.text not in seen and band.text not in bands:
            yield _unknown(band, "band", bands)
        seen.add(band.text)


def _unknown(name: ast.Name, what: str, known: Iterable[str], where: str = "") -> Finding:
    return Finding(
        name.span,
        f"unknown {what} '{name.text}'{where}",
        did_you_mean(name.text, sorted(set(known))),
    )


def missing_statements(definitions: Definitions) -> Iterator[Finding]:
    """T103: a definition without a statement it needs."""

    def missing(
        statement: object, what: str, where: str, span: ast.Span, example: str
    ) -> list[Finding]:
        if statement is not None:
            return []
        return [Finding(span, f"{where} has no '{what}'", f"add e.g. `{example}`")]

    for sheet in definitions.sheets.values():
        if not every(sheet.statements, ast.SheetVersion):
            yield Finding(
                sheet.name.span,
                f"sheet {sheet.name.text} has no version",
                "add e.g. `version 2021-04-01 { ... }` with its bands",
            )
    for band, where in definitions.bands():
        prefixes = first(band.statements, ast.Prefixes)
        yield from missing(prefixes, "prefixes", where, band.name.span, 'prefixes "+441"')
        rate = first(band.statements, ast.BandRate)
        yield from missing(rate, "rate", where, band.name.span, "rate 0.015 GBP per minute")
    for package in definitions.packages.values():
        where = f"package {package.name.text}"
        generation = first(package.statements, ast.Generation)
        yield from missing(generation, "generation", where, package.name.span, "generation current")
        if not every(package.statements, ast.PackageVersion):
            yield Finding(
                package.name.span,
                f"{where} has no version",
                "add e.g. `version 2024-01 { ... }` with its prices",
            )
    for version, where in definitions.package_versions():
        for kind, what, example in (
            (ast.Licence, "licence", "licence 59.00 GBP, 75.00 USD per month"),
            (ast.CallFee, "call fee", "call fee 0.15 GBP, 0.19 USD per call"),
            (ast.Minutes, "minutes", "minutes from sheet carrier"),
        ):
            statement = first(version.statements, kind)
            yield from missing(statement, what, where, version.version.span, example)
    for _, clause, where in definitions.fair_usage_clauses():
        unit_rate = first(clause.statements, ast.FairUsageUnitRate)
        yield from missing(
            unit_rate,
            "unit rate",
            where,
            clause.span,
            "unit rate 0.10 GBP, 0.15 USD per missing call",
        )
    if definitions.issuer is not None:
        name = first(definitions.issuer.statements, ast.DisplayName)
        span = definitions.issuer.span
        yield from missing(name, "name", "the issuer", span, 'name "Example Call Tracking Ltd"')
    for tax in definitions.taxes.values():
        where = f"tax {tax.name.text}"
        countries = first(tax.statements, ast.TaxCountries)
        yield from missing(countries, "countries", where, tax.name.span, 'countries "GB"')
        tax_rate = first(tax.statements, ast.TaxRate)
        yield from missing(tax_rate, "rate", where, tax.name.span, "rate 20%")


def repeated_statements(definitions: Definitions) -> Iterator[Finding]:
    """T104: a statement that may appear once appears again, or a currency priced twice."""
    for sheet in definitions.sheets.values():
        yield from _repeats(sheet.statements, _ONCE_IN_SHEET, f"sheet {sheet.name.text}")
    for sheet_version, where in definitions.sheet_versions():
        yield from _repeats(sheet_version.statements, _ONCE_IN_SHEET_VERSION, where)
    for band, where in definitions.bands():
        yield from _repeats(band.statements, _ONCE_IN_BAND, where)
    for package in definitions.packages.values():
        yield from _repeats(package.statements, _ONCE_IN_PACKAGE, f"package {package.name.text}")
    for version, where in definitions.package_versions():
        yield from _repeats(version.statements, _ONCE_IN_PACKAGE_VERSION, where)
    for _, clause, where in definitions.fair_usage_clauses():
        yield from _repeats(clause.statements, _ONCE_IN_FAIR_USAGE, where)
    if definitions.issuer is not None:
        issuer = definitions.issuer.statements
        yield from _repeats(issuer, _ONCE_IN_ISSUER, "the issuer")
        details = every(issuer, ast.IssuerDetail)
        for kind in dict.fromkeys(detail.kind for detail in details):
            same = [detail for detail in details if detail.kind == kind]
            yield from _repeats(same, ((ast.IssuerDetail, kind),), "the issuer")
    for tax in definitions.taxes.values():
        yield from _repeats(tax.statements, _ONCE_IN_TAX, f"tax {tax.name.text}")
    for form, where in definitions.forms():
        yield from _repeats(form.statements, _ONCE_IN_ORDER_FORM, where)
        yield from _repeated_band_terms(form, where)
    for prices in definitions.price_lists():
        currencies: set[str] = set()
        for money in prices.prices:
            if money.currency not in MINOR_DIGITS:
                continue
            if money.currency in currencies:
                yield Finding(
                    money.span,
                    f"{prices.what} has two {money.currency} amounts",
                    "keep one amount per currency",
                )
            currencies.add(money.currency)


def _repeated_band_terms(form: ast.OrderForm, where: str) -> Iterator[Finding]:
    """A band given two rates (``rate X`` or a ``band X { rate }``), or agreed twice."""
    rates: dict[str, ast.CustomRate | ast.BandRate] = {}
    blocks: dict[str, ast.BandTerms] = {}
    for statement in form.statements:
        rate: ast.CustomRate | ast.BandRate | None
        if isinstance(statement, ast.BandTerms):
            named = statement.band
            owner = f"band {named.text} of {where}"
            yield from _repeats(statement.statements, _ONCE_IN_AGREED_BAND, owner)
            earlier_block = blocks.setdefault(named.text, statement)
            if earlier_block is not statement:
                yield Finding(
                    named.span,
                    f"{where} agrees terms for band '{named.text}' twice",
                    f"keep the block at line {earlier_block.span.line}",
                )
                continue
            rate = first(statement.statements, ast.BandRate)
        elif isinstance(statement, ast.CustomRate):
            named, rate = statement.band, statement
        else:
            continue
        if rate is None:
            continue
        earlier = rates.setdefault(named.text, rate)
        if earlier is not rate:
            yield Finding(
                named.span,
                f"{where} gives band '{named.text}' a rate twice",
                f"keep the one at line {earlier.span.line}",
            )


def _repeats(
    statements: Sequence[object], once: Sequence[tuple[type, str]], where: str
) -> Iterator[Finding]:
    for kind, what in once:
        found: list[ast.DisplayName] = every(statements, kind)
        for repeat in found[1:]:
            yield Finding(
                repeat.span,
                f"'{what}' appears again in {where}; it may appear once",
                f"keep the one at line {found[0].span.line}",
            )
