"""Semantic rules over a parsed catalogue: AST in, every problem out.

The checker never stops at the first problem: it walks every definition and
returns all diagnostics in source order. A catalogue without errors is safe to
compile; the compiler relies on what is checked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol, TypeVar

from tariff.dsl import ast
from tariff.dsl.catalogue import Catalogue
from tariff.dsl.currencies import MINOR_DIGITS, RATE_DECIMALS
from tariff.dsl.diagnostics import Diagnostic, did_you_mean, error, in_source_order, warning
from tariff.dsl.vocabulary import (
    CHARGES,
    GENERATIONS,
    NEVER_DISCOUNTABLE,
    NUMBER_KINDS,
    ROUNDING_MODES,
)


class _Statement(Protocol):
    @property
    def span(self) -> ast.Span: ...


S = TypeVar("S", bound=_Statement)
D = TypeVar("D", ast.Package, ast.Sheet, ast.OrderForm)


def check_catalogue(catalogue: Catalogue) -> list[Diagnostic]:
    """Every semantic problem in the catalogue, in source order."""
    return in_source_order(_CatalogueChecker(catalogue.files).run())


def decimal_places(value: Decimal) -> int:
    """How many digits a decimal has after the point, as written."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def charge_kind(words: str) -> str | None:
    """The invoice line kind a discount scope word names, e.g. 'call fee' -> 'call_fee'."""
    return CHARGES.get(" ".join(words.lower().replace("_", " ").split()))


class _CatalogueChecker:
    def __init__(self, files: Sequence[ast.TariffFile]) -> None:
        self.files = files
        self.problems: list[Diagnostic] = []
        self.packages: dict[str, ast.Package] = {}
        self.sheets: dict[str, ast.Sheet] = {}
        self.order_forms: dict[str, ast.OrderForm] = {}

    def run(self) -> list[Diagnostic]:
        for file in self.files:
            for definition in file.definitions:
                self._index(definition)
        for sheet in self.sheets.values():
            self._check_sheet(sheet)
        for package in self.packages.values():
            self._check_package(package)
        for order_form in self.order_forms.values():
            self._check_order_form(order_form)
        return self.problems

    # --------------------------------------------------------------- helpers

    def _report(self, diagnostic: Diagnostic) -> None:
        self.problems.append(diagnostic)

    def _index(self, definition: ast.Definition) -> None:
        if isinstance(definition, ast.Package):
            self._index_into(self.packages, definition.name.text, definition, definition.name.span)
        elif isinstance(definition, ast.Sheet):
            self._index_into(self.sheets, definition.name.text, definition, definition.name.span)
        else:
            account = definition.account
            self._index_into(self.order_forms, account.value, definition, account.span)

    def _index_into(self, table: dict[str, D], key: str, definition: D, span: ast.Span) -> None:
        first = table.get(key)
        if first is None:
            table[key] = definition
            return
        noun = {ast.Package: "package", ast.Sheet: "sheet"}.get(type(definition), "order form")
        self._report(
            error(
                "T101",
                span,
                f"{noun} '{key}' is defined twice; the first is at {first.span}",
                hint="remove one, or give this one another name",
            )
        )

    def _once(self, statements: Iterable[object], kind: type[S], what: str, where: str) -> S | None:
        """The single statement of ``kind``; a repeat is reported (T104)."""
        found = [statement for statement in statements if isinstance(statement, kind)]
        for repeat in found[1:]:
            self._report(
                error(
                    "T104",
                    repeat.span,
                    f"'{what}' appears again in {where}; it may appear once",
                    hint=f"keep the one at line {found[0].span.line}",
                )
            )
        return found[0] if found else None

    def _require(
        self, statement: S | None, what: str, where: str, span: ast.Span, example: str
    ) -> S | None:
        if statement is None:
            self._report(
                error("T103", span, f"{where} has no '{what}'", hint=f"add e.g. `{example}`")
            )
        return statement

    def _whole(self, number: ast.Number, what: str, *, minimum: int = 0) -> None:
        value = number.value
        if value != value.to_integral_value() or value < minimum:
            self._report(
                error(
                    "T111",
                    number.span,
                    f"{what} must be a whole number of at least {minimum}, not {value:f}",
                )
            )

    def _date(self, date: ast.DateText, what: str) -> None:
        if date.value is None:
            self._report(error("T111", date.span, f"{what} '{date.text}' is not a real date"))

    def _prices(
        self, prices: Sequence[ast.Money], what: str, *, rate: bool = False
    ) -> dict[str, ast.Money]:
        """Check a price list; return the valid prices by currency."""
        by_currency: dict[str, ast.Money] = {}
        for money in prices:
            currency = money.currency
            if currency not in MINOR_DIGITS:
                self._report(
                    error(
                        "T105",
                        money.currency_span,
                        f"unknown currency '{currency}'; tariffs price in "
                        + ", ".join(MINOR_DIGITS),
                        hint=did_you_mean(currency, MINOR_DIGITS),
                    )
                )
                continue
            if currency in by_currency:
                self._report(
                    error(
                        "T104",
                        money.span,
                        f"{what} has two {currency} amounts",
                        hint="keep one amount per currency",
                    )
                )
                continue
            by_currency[currency] = money
            if money.amount < 0:
                self._report(
                    error("T109", money.span, f"{what} {money.amount:f} {currency} is negative")
                )
            limit = RATE_DECIMALS if rate else MINOR_DIGITS[currency]
            places = decimal_places(money.amount)
            if places > limit:
                unit = (
                    "decimal places"
                    if rate
                    else f"decimal places (whole minor units of {currency})"
                )
                self._report(
                    error(
                        "T110",
                        money.span,
                        f"{what} {money.amount:f} {currency} has {places} decimal places; "
                        f"the engine keeps at most {limit} {unit}",
                    )
                )
        return by_currency

    def _word(self, name: ast.Name, known: Sequence[str], what: str) -> bool:
        if name.text in known:
            return True
        self._report(
            error(
                "T105",
                name.span,
                f"unknown {what} '{name.text}'; use one of: " + ", ".join(known),
                hint=did_you_mean(name.text, known),
            )
        )
        return False

    def _unknown(self, name: ast.Name, what: str, known: Iterable[str], where: str = "") -> None:
        known = sorted(set(known))
        message = f"unknown {what} '{name.text}'{where}"
        self._report(error("T102", name.span, message, hint=did_you_mean(name.text, known)))

    def _versions(
        self, versions: Sequence[ast.PackageVersion | ast.SheetVersion], owner: str
    ) -> None:
        seen: dict[object, ast.DateText] = {}
        for version in versions:
            self._date(version.version, "version")
            for key in (version.version.text, version.version.value):
                if key is None:
                    continue
                if key in seen:
                    first = seen[key]
                    self._report(
                        error(
                            "T101",
                            version.version.span,
                            f"{owner} already has a version starting then "
                            f"('{first.text}' at line {first.span.line})",
                            hint="give each version its own start date",
                        )
                    )
                    break
                seen[key] = version.version

    # ---------------------------------------------------------------- sheets

    def sheet_currencies(self, sheet: ast.Sheet) -> set[str]:
        """Currencies that every version of the sheet prices."""
        per_version = []
        for version in sheet.statements:
            if isinstance(version, ast.SheetVersion):
                currencies: set[str] = set()
                for band in version.statements:
                    if isinstance(band, ast.Band):
                        for rate in band.statements:
                            if isinstance(rate, ast.BandRate):
                                currencies |= {m.currency for m in rate.prices}
                per_version.append(currencies)
        return set.intersection(*per_version) if per_version else set()

    def band_names(self, sheets: Iterable[ast.Sheet]) -> set[str]:
        """Every band name in any version of the given sheets."""
        return {
            band.name.text
            for sheet in sheets
            for version in sheet.statements
            if isinstance(version, ast.SheetVersion)
            for band in version.statements
            if isinstance(band, ast.Band)
        }

    def _check_sheet(self, sheet: ast.Sheet) -> None:
        where = f"sheet {sheet.name.text}"
        self._once(sheet.statements, ast.DisplayName, "name", where)
        versions = [s for s in sheet.statements if isinstance(s, ast.SheetVersion)]
        if not versions:
            self._report(
                error(
                    "T103",
                    sheet.name.span,
                    f"{where} has no version",
                    hint="add e.g. `version 2021-04-01 { ... }` with its bands",
                )
            )
        self._versions(versions, where)
        for version in versions:
            self._check_sheet_version(version, f"{where} version {version.version.text}")

    def _check_sheet_version(self, version: ast.SheetVersion, where: str) -> None:
        rounding = self._once(version.statements, ast.Rounding, "rounding", where)
        if rounding is not None:
            self._word(rounding.mode, tuple(ROUNDING_MODES), "rounding mode")
        dials: dict[str, ast.Dial] = {}
        for dial in version.statements:
            if isinstance(dial, ast.Dial):
                if not dial.prefix.value:
                    self._report(error("T111", dial.prefix.span, "a dial prefix cannot be empty"))
                elif dial.prefix.value in dials:
                    self._report(
                        error("T101", dial.span, f'dial "{dial.prefix.value}" is defined twice')
                    )
                dials.setdefault(dial.prefix.value, dial)
        owners: dict[str, str] = {}
        currencies_by_band: dict[str, set[str]] = {}
        bands: dict[str, ast.Band] = {}
        for statement in version.statements:
            if isinstance(statement, ast.Band):
                band_where = f"band {statement.name.text} of {where}"
                if statement.name.text in bands:
                    self._report(
                        error(
                            "T101",
                            statement.name.span,
                            f"band '{statement.name.text}' is defined twice in {where}",
                        )
                    )
                    continue
                bands[statement.name.text] = statement
                prefixes = self._once(statement.statements, ast.Prefixes, "prefixes", band_where)
                self._require(
                    prefixes, "prefixes", band_where, statement.name.span, 'prefixes "+441"'
                )
                rate = self._once(statement.statements, ast.BandRate, "rate", band_where)
                self._require(
                    rate, "rate", band_where, statement.name.span, "rate 0.015 GBP per minute"
                )
                if rate is not None:
                    currencies_by_band[statement.name.text] = set(
                        self._prices(rate.prices, f"rate of band {statement.name.text}", rate=True)
                    )
                if prefixes is not None:
                    self._prefixes(prefixes.prefixes, f"band {statement.name.text}", owners, dials)
            elif isinstance(statement, ast.Barred):
                self._prefixes(statement.prefixes, "the barred list", owners, dials)
        every = set().union(*currencies_by_band.values()) if currencies_by_band else set()
        for band_name, currencies in currencies_by_band.items():
            for currency in sorted(every - currencies):
                self._report(
                    error(
                        "T107",
                        bands[band_name].name.span,
                        f"band '{band_name}' has no {currency} rate, but other bands of {where} do",
                        hint=f"add a {currency} amount to its rate",
                    )
                )

    def _prefixes(
        self,
        prefixes: Sequence[ast.Text],
        owner: str,
        owners: dict[str, str],
        dials: dict[str, ast.Dial],
    ) -> None:
        for prefix in prefixes:
            value = prefix.value
            if value in owners:
                self._report(
                    error(
                        "T108",
                        prefix.span,
                        f'prefix "{value}" can never select {owner}: it is already in '
                        f"{owners[value]}",
                        hint="a prefix belongs to one band or to the barred list",
                    )
                )
                continue
            owners[value] = owner
            dialled = next((d for d in dials if value.startswith(d)), None)
            if dialled is not None:
                self._report(
                    error(
                        "T108",
                        prefix.span,
                        f'prefix "{value}" can never match: destinations dialled with '
                        f'"{dialled}" are read as "{dials[dialled].replacement.value}…" '
                        "before bands are matched",
                        hint=f'write it as "{dials[dialled].replacement.value}'
                        f'{value[len(dialled) :]}"',
                    )
                )
            elif not _reachable_prefix(value):
                self._report(
                    error(
                        "T108",
                        prefix.span,
                        f'prefix "{value}" can never match: destinations are numbers '
                        'in E.164 form ("+" and digits) or addresses such as "sip:"',
                    )
                )

    # -------------------------------------------------------------- packages

    def _check_package(self, package: ast.Package) -> None:
        where = f"package {package.name.text}"
        self._once(package.statements, ast.DisplayName, "name", where)
        generation = self._require(
            self._once(package.statements, ast.Generation, "generation", where),
            "generation",
            where,
            package.name.span,
            "generation current",
        )
        if generation is not None:
            self._word(generation.name, GENERATIONS, "generation")
        versions = [s for s in package.statements if isinstance(s, ast.PackageVersion)]
        if not versions:
            self._report(
                error(
                    "T103",
                    package.name.span,
                    f"{where} has no version",
                    hint="add e.g. `version 2024-01 { ... }` with its prices",
                )
            )
        self._versions(versions, where)
        for version in versions:
            self._check_package_version(version, f"{where} version {version.version.text}")

    def _check_package_version(self, version: ast.PackageVersion, where: str) -> None:
        statements = version.statements
        span = version.version.span
        licence = self._require(
            self._once(statements, ast.Licence, "licence", where),
            "licence",
            where,
            span,
            "licence 59.00 GBP, 75.00 USD per month",
        )
        call_fee = self._require(
            self._once(statements, ast.CallFee, "call fee", where),
            "call fee",
            where,
            span,
            "call fee 0.15 GBP, 0.19 USD per call",
        )
        minutes = self._require(
            self._once(statements, ast.Minutes, "minutes", where),
            "minutes",
            where,
            span,
            "minutes from sheet carrier",
        )
        chargeable = self._once(statements, ast.Chargeable, "chargeable", where)
        if chargeable is not None:
            self._whole(chargeable.seconds, "the chargeable threshold in seconds")
        inclusive = self._once(statements, ast.InclusiveCalls, "inclusive calls", where)
        if inclusive is not None:
            self._whole(inclusive.count, "inclusive calls")
        editions = set(self._prices(licence.prices, "licence")) if licence else set()
        if call_fee is not None:
            fee_prices = self._prices(call_fee.prices, "call fee")
            if licence is not None:
                self._editions(fee_prices, editions, call_fee.span, "call fee")
        if minutes is not None:
            sheet = self.sheets.get(minutes.sheet.text)
            if sheet is None:
                self._unknown(minutes.sheet, "sheet", self.sheets)
            elif licence is not None:
                priced = self.sheet_currencies(sheet)
                for currency in sorted(editions - priced):
                    self._report(
                        error(
                            "T106",
                            minutes.sheet.span,
                            f"sheet {sheet.name.text} has no {currency} rates, but {where} "
                            f"has a {currency} edition",
                            hint=f"give every band of sheet {sheet.name.text} a {currency} rate",
                        )
                    )
        fair_usage = self._once(statements, ast.FairUsage, "fair usage", where)
        if fair_usage is not None:
            self._check_fair_usage(
                fair_usage, f"the fair usage clause of {where}", editions if licence else None
            )

    def _editions(
        self, prices: dict[str, ast.Money], editions: set[str], span: ast.Span, what: str
    ) -> None:
        for currency in sorted(editions - set(prices)):
            self._report(
                error(
                    "T106",
                    span,
                    f"{what} has no {currency} price, but the licence has a {currency} edition",
                    hint=f"add a {currency} amount",
                )
            )
        for currency in sorted(set(prices) - editions):
            self._report(
                error(
                    "T106",
                    prices[currency].span,
                    f"{what} has a {currency} price, but the licence has no {currency} edition",
                    hint=f"add a {currency} licence, or remove this amount",
                )
            )

    def _check_fair_usage(
        self, clause: ast.FairUsage, where: str, editions: set[str] | None
    ) -> None:
        statements = clause.statements
        minimum = self._once(statements, ast.FairUsageMinimum, "minimum", where)
        if minimum is not None:
            self._whole(minimum.calls, "the fair usage minimum", minimum=1)
        kinds = self._once(statements, ast.FairUsageNumbers, "numbers", where)
        if kinds is not None:
            for kind in kinds.kinds:
                self._word(kind, NUMBER_KINDS, "number kind")
        counting = self._once(statements, ast.FairUsageCounting, "counting", where)
        if counting is not None:
            self._whole(counting.seconds, "the counting threshold in seconds")
        self._once(statements, ast.FairUsagePartialMonths, "partial months", where)
        unit_rate = self._require(
            self._once(statements, ast.FairUsageUnitRate, "unit rate", where),
            "unit rate",
            where,
            clause.span,
            "unit rate 0.10 GBP, 0.15 USD per missing call",
        )
        if unit_rate is not None:
            prices = self._prices(unit_rate.prices, "fair usage unit rate")
            if editions is not None:
                self._editions(prices, editions, unit_rate.span, "fair usage unit rate")

    # ----------------------------------------------------------- order forms

    def _check_order_form(self, form: ast.OrderForm) -> None:
        where = f"order form {form.account.value!r}"
        if not form.account.value.strip():
            self._report(error("T111", form.account.span, "an order form needs an account id"))
        statements = form.statements
        self._once(statements, ast.DisplayName, "name", where)
        pin = self._once(statements, ast.PackagePin, "package", where)
        package = self._check_pin(pin) if pin is not None else None
        currency_pin = self._once(statements, ast.CurrencyPin, "currency", where)
        if currency_pin is not None:
            self._word(currency_pin.currency, tuple(MINOR_DIGITS), "currency")
        amounts: list[ast.Money] = []
        priced = (
            (self._once(statements, ast.Licence, "licence", where), "licence"),
            (self._once(statements, ast.CallFee, "call fee", where), "call fee"),
            (
                self._once(statements, ast.FairUsageRate, "fair usage unit rate", where),
                "fair usage unit rate",
            ),
        )
        for statement, what in priced:
            if statement is not None:
                amounts += self._prices(statement.prices, what).values()
        inclusive = self._once(statements, ast.InclusiveCalls, "inclusive calls", where)
        if inclusive is not None:
            self._whole(inclusive.count, "inclusive calls")
        amounts += self._check_custom_rates(statements, package, where)
        self._check_currencies(amounts, currency_pin, pin, package)
        self._check_fair_usage_rate(statements, package, pin)
        discounts = [s for s in statements if isinstance(s, ast.Discount)]
        for discount in discounts:
            self._check_discount(discount)
        self._check_overlaps(discounts)
        if pin is not None and package is not None:
            self._check_pinned_version_in_effect(pin, package, discounts)

    def _check_pin(self, pin: ast.PackagePin) -> ast.Package | None:
        package = self.packages.get(pin.package.text)
        if package is None:
            self._unknown(pin.package, "package", self.packages)
            return None
        if pin.version is not None:
            ids = [s.version.text for s in package.statements if isinstance(s, ast.PackageVersion)]
            if pin.version.text not in ids:
                name = ast.Name(pin.version.text, pin.version.span)
                self._unknown(
                    name,
                    "version",
                    ids,
                    f" of package {package.name.text}; it has " + ", ".join(ids),
                )
        return package

    def _check_pinned_version_in_effect(
        self, pin: ast.PackagePin, package: ast.Package, discounts: Sequence[ast.Discount]
    ) -> None:
        """A pinned version must be in effect in every month the order form names."""
        if pin.version is None:
            return
        version = next(
            (v for v in self._pinned_versions(package, pin) if v.version.text == pin.version.text),
            None,
        )
        starts = version.version.value if version is not None else None
        if starts is None:
            return
        for discount in discounts:
            for bound in (discount.start, discount.end):
                if bound is not None and bound.value is not None and bound.value < starts:
                    self._report(
                        error(
                            "T115",
                            bound.span,
                            f"this order form pins version {pin.version.text} of package "
                            f"{package.name.text}, which is not in effect in {bound.text} "
                            f"(it starts on {starts})",
                            hint=f"start the discount in {pin.version.text[:7]} or later, or "
                            "pin an earlier version",
                        )
                    )
                    break

    def _pinned_versions(
        self, package: ast.Package, pin: ast.PackagePin | None
    ) -> list[ast.PackageVersion]:
        versions = [s for s in package.statements if isinstance(s, ast.PackageVersion)]
        if pin is not None and pin.version is not None:
            chosen = [v for v in versions if v.version.text == pin.version.text]
            return chosen or versions
        return versions

    def _check_custom_rates(
        self, statements: Sequence[ast.OrderFormStatement], package: ast.Package | None, where: str
    ) -> list[ast.Money]:
        if package is not None:
            sheet_names = {
                s.sheet.text
                for version in self._pinned_versions(package, None)
                for s in version.statements
                if isinstance(s, ast.Minutes)
            }
            sheets = [self.sheets[name] for name in sheet_names if name in self.sheets]
        else:
            sheets = list(self.sheets.values())
        bands = self.band_names(sheets)
        amounts: list[ast.Money] = []
        seen: dict[str, ast.CustomRate] = {}
        for rate in statements:
            if not isinstance(rate, ast.CustomRate):
                continue
            if rate.band.text in seen:
                self._report(
                    error(
                        "T104",
                        rate.band.span,
                        f"{where} gives band '{rate.band.text}' a rate twice",
                        hint=f"keep the one at line {seen[rate.band.text].span.line}",
                    )
                )
                continue
            seen[rate.band.text] = rate
            if rate.band.text not in bands:
                self._unknown(rate.band, "band", bands)
            amounts += self._prices(rate.prices, f"rate for {rate.band.text}", rate=True).values()
        return amounts

    def _check_currencies(
        self,
        amounts: Sequence[ast.Money],
        currency_pin: ast.CurrencyPin | None,
        pin: ast.PackagePin | None,
        package: ast.Package | None,
    ) -> None:
        """An order form bills in one currency, which its package must offer."""
        offered: set[str] | None = None
        if package is not None:
            offered = {
                money.currency
                for version in self._pinned_versions(package, pin)
                for licence in version.statements
                if isinstance(licence, ast.Licence)
                for money in licence.prices
            }
        expected = currency_pin.currency.text if currency_pin is not None else None
        if (
            currency_pin is not None
            and package is not None
            and offered is not None
            and expected in MINOR_DIGITS
            and expected not in offered
        ):
            self._report(
                error(
                    "T114",
                    currency_pin.span,
                    f"package {package.name.text} has no {expected} edition",
                    hint="it offers " + ", ".join(sorted(offered)),
                )
            )
        for money in amounts:
            if expected is None:
                expected = money.currency
            if money.currency != expected:
                self._report(
                    error(
                        "T114",
                        money.currency_span,
                        f"this order form bills in {expected}, but this amount is in "
                        f"{money.currency}",
                        hint="an account is billed in one currency",
                    )
                )
            elif package is not None and offered is not None and money.currency not in offered:
                self._report(
                    error(
                        "T114",
                        money.currency_span,
                        f"package {package.name.text} has no {money.currency} edition",
                    )
                )

    def _check_fair_usage_rate(
        self,
        statements: Sequence[ast.OrderFormStatement],
        package: ast.Package | None,
        pin: ast.PackagePin | None,
    ) -> None:
        rate = next((s for s in statements if isinstance(s, ast.FairUsageRate)), None)
        if rate is None or package is None:
            return
        versions = self._pinned_versions(package, pin)
        if not any(
            isinstance(s, ast.FairUsage) for version in versions for s in version.statements
        ):
            self._report(
                warning(
                    "T111",
                    rate.span,
                    f"package {package.name.text} has no fair usage clause, so this rate "
                    "never applies",
                )
            )

    def _check_discount(self, discount: ast.Discount) -> None:
        percent = discount.percent.value
        if not 0 < percent <= 100:
            self._report(
                error(
                    "T111",
                    discount.percent.span,
                    f"a discount is a percentage above 0 and at most 100, not {percent:f}",
                )
            )
        for charge in discount.charges:
            words = " ".join(charge.text.lower().replace("_", " ").split())
            if words in NEVER_DISCOUNTABLE:
                self._report(
                    error(
                        "T112",
                        charge.span,
                        f"{words} is never discountable",
                        hint="remove it from the discount",
                    )
                )
            elif charge_kind(charge.text) is None:
                self._report(
                    error(
                        "T105",
                        charge.span,
                        f"unknown charge '{charge.text}'; a discount may name: licence, "
                        "call fee, minutes",
                        hint=did_you_mean(words, ("licence", "call fee", "minutes")),
                    )
                )
        for bound in (discount.start, discount.end):
            if bound is not None:
                self._date(bound, "month")
        if (
            discount.start is not None
            and discount.end is not None
            and discount.start.value
            and discount.end.value
            and discount.start.value > discount.end.value
        ):
            self._report(
                error(
                    "T111",
                    discount.end.span,
                    f"the discount ends ({discount.end.text}) before it starts "
                    f"({discount.start.text})",
                )
            )

    def _check_overlaps(self, discounts: Sequence[ast.Discount]) -> None:
        for index, later in enumerate(discounts):
            for earlier in discounts[:index]:
                shared = _shared_charges(earlier, later)
                if shared and _months_overlap(earlier, later):
                    self._report(
                        error(
                            "T113",
                            later.span,
                            f"this discount and the one at line {earlier.span.line} both "
                            f"cover {', '.join(shared)} in the same months",
                            hint="limit them to different charges or to months that do not overlap",
                        )
                    )


def _reachable_prefix(prefix: str) -> bool:
    if prefix.startswith("+"):
        return prefix[1:].isdigit() or prefix == "+"
    scheme, colon, _ = prefix.partition(":")
    return bool(colon) and scheme.isalpha() and scheme == scheme.lower()


def _charge_set(discount: ast.Discount) -> set[str]:
    if not discount.charges:
        return {"licence", "call_fee", "minutes"}
    return {kind for charge in discount.charges if (kind := charge_kind(charge.text))}


def _shared_charges(a: ast.Discount, b: ast.Discount) -> list[str]:
    names = {"licence": "licence", "call_fee": "call fee", "minutes": "minutes"}
    return [names[kind] for kind in sorted(_charge_set(a) & _charge_set(b))]


def _months_overlap(a: ast.Discount, b: ast.Discount) -> bool:
    a_start, a_end = _bounds(a)
    b_start, b_end = _bounds(b)
    return a_start <= b_end and b_start <= a_end


def _bounds(discount: ast.Discount) -> tuple[dt.date, dt.date]:
    start = discount.start.value if discount.start is not None else None
    end = discount.end.value if discount.end is not None else None
    return start or dt.date.min, end or dt.date.max
