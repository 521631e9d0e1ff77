"""The catalogue's definitions, indexed by name, and the walks the rules share.

Rules look at the first definition of each name (a second one is itself a
problem, reported once) and at the first of each statement that may appear
once. The helpers here only find things; deciding what is wrong is the rules'.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from tariff.dsl import ast
from tariff.dsl.catalogue import DeckFile

if TYPE_CHECKING:
    from tariff.dsl.check.decks import DeckBands
from tariff.dsl.vocabulary import MINOR_DIGITS

S = TypeVar("S")
Version = ast.PackageVersion | ast.SheetVersion
# The amounts a call may pay besides its seconds, and their words.
CALL_CHARGES: tuple[tuple[type[ast.ConnectionFee | ast.MinimumCharge], str], ...] = (
    (ast.ConnectionFee, "connection fee"),
    (ast.MinimumCharge, "minimum charge"),
)


@dataclass(frozen=True)
class PriceList:
    """A list of amounts by currency, what it prices, and whether it is a per-minute rate."""

    prices: Sequence[ast.Money]
    what: str
    is_rate: bool = False


def first(statements: Iterable[object], kind: type[S]) -> S | None:
    """The first statement of ``kind``, or None."""
    return next((s for s in statements if isinstance(s, kind)), None)


def every(statements: Iterable[object], kind: type[S]) -> list[S]:
    """Every statement of ``kind``, in order."""
    return [s for s in statements if isinstance(s, kind)]


def known_prices(prices: Sequence[ast.Money]) -> dict[str, ast.Money]:
    """The first amount of each currency the engine bills in."""
    by_currency: dict[str, ast.Money] = {}
    for money in prices:
        if money.currency in MINOR_DIGITS:
            by_currency.setdefault(money.currency, money)
    return by_currency


def editions(version: ast.PackageVersion) -> set[str] | None:
    """The currencies a package version's licence offers; None without a licence."""
    licence = first(version.statements, ast.Licence)
    return set(known_prices(licence.prices)) if licence is not None else None


def pinned_versions(package: ast.Package, pin: ast.PackagePin | None) -> list[ast.PackageVersion]:
    """The versions an order form may use: the pinned one if it exists, else all of them."""
    versions = every(package.statements, ast.PackageVersion)
    if pin is not None and pin.version is not None:
        chosen = [v for v in versions if v.version.text == pin.version.text]
        return chosen or versions
    return versions


def distinct_bands(version: ast.SheetVersion) -> Iterator[ast.Band]:
    """The first band of each name in a sheet version, in order."""
    seen: set[str] = set()
    for band in every(version.statements, ast.Band):
        if band.name.text not in seen:
            seen.add(band.name.text)
            yield band


def dials(version: ast.SheetVersion) -> dict[str, ast.Dial]:
    """The first dial rule of each prefix in a sheet version (an empty prefix is no rule)."""
    found: dict[str, ast.Dial] = {}
    for dial in every(version.statements, ast.Dial):
        if dial.prefix.value:
            found.setdefault(dial.prefix.value, dial)
    return found


def distinct_custom_rates(form: ast.OrderForm) -> Iterator[ast.CustomRate]:
    """The first custom rate of each band in an order form, in order."""
    seen: set[str] = set()
    for rate in every(form.statements, ast.CustomRate):
        if rate.band.text not in seen:
            seen.add(rate.band.text)
            yield rate


@dataclass(frozen=True)
class Definitions:
    """Every definition of a catalogue, and the first package, sheet and order form of each name."""

    files: Sequence[ast.TariffFile]
    packages: Mapping[str, ast.Package]
    sheets: Mapping[str, ast.Sheet]
    order_forms: Mapping[str, ast.OrderForm]
    # The account ids of an accounts file, when the catalogue is checked against one.
    accounts: Collection[str] | None = None
    # Packages and sheets that a syntax error kept out: they exist, unchecked.
    unparsed: Collection[tuple[str, str]] = ()
    # The first issuer block, and the first tax of each name.
    issuer: ast.Issuer | None = None
    taxes: Mapping[str, ast.Tax] = field(default_factory=dict)
    # The rate decks the sheet versions name, by (tariff file, path as written).
    decks: Mapping[tuple[str, str], DeckFile] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        files: Sequence[ast.TariffFile],
        accounts: Collection[str] | None = None,
        decks: Mapping[tuple[str, str], DeckFile] | None = None,
    ) -> Definitions:
        """Index the files' definitions by name, keeping the first of each."""
        packages: dict[str, ast.Package] = {}
        sheets: dict[str, ast.Sheet] = {}
        order_forms: dict[str, ast.OrderForm] = {}
        taxes: dict[str, ast.Tax] = {}
        issuer: ast.Issuer | None = None
        for file in files:
            for definition in file.definitions:
                if isinstance(definition, ast.Package):
                    packages.setdefault(definition.name.text, definition)
                elif isinstance(definition, ast.Sheet):
                    sheets.setdefault(definition.name.text, definition)
                elif isinstance(definition, ast.OrderForm):
                    order_forms.setdefault(definition.account.value, definition)
                elif isinstance(definition, ast.Tax):
                    taxes.setdefault(definition.name.text, definition)
                else:
                    issuer = issuer or definition
        unparsed = {entry for file in files for entry in file.unparsed}
        return cls(
            files, packages, sheets, order_forms, accounts, unparsed, issuer, taxes, decks or {}
        )

    def definitions(self) -> Iterator[ast.Definition]:
        """Every definition, in file order, repeats included."""
        for file in self.files:
            yield from file.definitions

    def sheet_versions(self) -> Iterator[tuple[ast.SheetVersion, str]]:
        """Each version of each sheet, with words for where it is."""
        for sheet in self.sheets.values():
            for version in every(sheet.statements, ast.SheetVersion):
                yield version, f"sheet {sheet.name.text} version {version.version.text}"

    def bands(self) -> Iterator[tuple[ast.Band, str]]:
        """The first band of each name in each sheet version, with where it is."""
        for version, where in self.sheet_versions():
            for band in distinct_bands(version):
                yield band, f"band {band.name.text} of {where}"

    def package_versions(self) -> Iterator[tuple[ast.PackageVersion, str]]:
        """Each version of each package, with words for where it is."""
        for package in self.packages.values():
            for version in every(package.statements, ast.PackageVersion):
                yield version, f"package {package.name.text} version {version.version.text}"

    def fair_usage_clauses(self) -> Iterator[tuple[ast.PackageVersion, ast.FairUsage, str]]:
        """Each package version's (first) fair usage clause, with where it is."""
        for version, where in self.package_versions():
            clause = first(version.statements, ast.FairUsage)
            if clause is not None:
                yield version, clause, f"the fair usage clause of {where}"

    def versioned(self) -> Iterator[tuple[Sequence[Version], str]]:
        """The versions of each sheet and package, with the owner's name."""
        for sheet in self.sheets.values():
            yield every(sheet.statements, ast.SheetVersion), f"sheet {sheet.name.text}"
        for package in self.packages.values():
            yield every(package.statements, ast.PackageVersion), f"package {package.name.text}"

    def forms(self) -> Iterator[tuple[ast.OrderForm, str]]:
        """Each order form, with words for where it is."""
        for form in self.order_forms.values():
            yield form, f"order form {form.account.value!r}"

    def pinned_package(self, form: ast.OrderForm) -> ast.Package | None:
        """The package an order form pins, when it is defined."""
        pin = first(form.statements, ast.PackagePin)
        return self.packages.get(pin.package.text) if pin is not None else None

    def form_sheets(self, form: ast.OrderForm) -> list[ast.Sheet]:
        """The sheets an order form's package versions price minutes from.

        Those of its pinned version if it pins one; every sheet when the form
        names no known package.
        """
        package = self.pinned_package(form)
        if package is None:
            return list(self.sheets.values())
        pin = first(form.statements, ast.PackagePin)
        names = {
            minutes.sheet.text
            for version in pinned_versions(package, pin)
            for minutes in every(version.statements, ast.Minutes)
        }
        return [sheet for name, sheet in self.sheets.items() if name in names]

    def counts(self) -> list[tuple[ast.Number, str, int]]:
        """Every count a catalogue writes, what it counts, and its least value."""
        counts: list[tuple[ast.Number, str, int]] = []
        for version, _ in self.package_versions():
            chargeable = first(version.statements, ast.Chargeable)
            if chargeable is not None:
                counts.append((chargeable.seconds, "the chargeable threshold in seconds", 0))
            inclusive = first(version.statements, ast.InclusiveCalls)
            if inclusive is not None:
                counts.append((inclusive.count, "inclusive calls", 0))
        for _, clause, _ in self.fair_usage_clauses():
            minimum = first(clause.statements, ast.FairUsageMinimum)
            if minimum is not None:
                counts.append((minimum.calls, "the fair usage minimum", 1))
            counting = first(clause.statements, ast.FairUsageCounting)
            if counting is not None:
                counts.append((counting.seconds, "the counting threshold in seconds", 0))
        for form, _ in self.forms():
            inclusive = first(form.statements, ast.InclusiveCalls)
            if inclusive is not None:
                counts.append((inclusive.count, "inclusive calls", 0))
        for statements, _ in self.call_term_blocks():
            increments = first(statements, ast.Increments)
            if increments is not None:
                counts.append((increments.first, "the first block of increments in seconds", 1))
                counts.append((increments.step, "the increment in seconds", 1))
        if self.issuer is not None:
            terms = first(self.issuer.statements, ast.PaymentTerms)
            if terms is not None:
                counts.append((terms.days, "the payment terms in days", 0))
        return counts

    @functools.cached_property
    def _version_files(self) -> dict[int, str]:
        """The file of each sheet version, by the version's id: decks are named relative to it."""
        return {
            id(version): file.path
            for file in self.files
            for definition in file.definitions
            if isinstance(definition, ast.Sheet)
            for version in every(definition.statements, ast.SheetVersion)
        }

    def deck_of(self, version: ast.SheetVersion, statement: ast.Deck) -> DeckFile | None:
        """The rate deck a sheet version's ``deck`` statement names, as read (None: not read)."""
        return self.decks.get((self._version_files.get(id(version), ""), statement.path.value))

    def deck_readings(self, version: ast.SheetVersion) -> list[DeckBands]:
        """What the rate decks a sheet version names give: their bands and barred prefixes."""
        from tariff.dsl.check.decks import read_bands

        readings = []
        for statement in every(version.statements, ast.Deck):
            deck = self.deck_of(version, statement)
            if deck is not None and deck.problem is None:
                readings.append(read_bands(deck)[0])
        return readings

    def sheet_currencies(self, sheet: ast.Sheet) -> set[str]:
        """Currencies that every version of the sheet prices, in its bands and its decks."""
        per_version = []
        for version in every(sheet.statements, ast.SheetVersion):
            currencies: set[str] = set()
            for band in every(version.statements, ast.Band):
                for rate in every(band.statements, ast.BandRate):
                    currencies |= {m.currency for m in rate.prices}
            for reading in self.deck_readings(version):
                currencies |= {c for entry in reading.bands.values() for c in entry.rates}
            per_version.append(currencies)
        return set.intersection(*per_version) if per_version else set()

    def band_names(self, sheets: Iterable[ast.Sheet]) -> set[str]:
        """Every band name in any version of the given sheets, their decks' included."""
        names = set()
        for sheet in sheets:
            for version in every(sheet.statements, ast.SheetVersion):
                names |= {band.name.text for band in every(version.statements, ast.Band)}
                for reading in self.deck_readings(version):
                    names |= set(reading.bands)
        return names

    def call_term_blocks(self) -> Iterator[tuple[Sequence[object], str]]:
        """Every block that may set call terms: sheet versions, their bands, order-form bands."""
        for version, where in self.sheet_versions():
            yield version.statements, where
        for band, where in self.bands():
            yield band.statements, where
        for form, where in self.forms():
            for block in every(form.statements, ast.BandTerms):
                yield block.statements, f"band {block.band.text} of {where}"

    def tax_rates(self) -> Iterator[tuple[ast.Tax, ast.TaxRate]]:
        """Every rate of every tax, with its tax."""
        for tax in self.taxes.values():
            for rate in every(tax.statements, ast.TaxRate):
                yield tax, rate

    def price_lists(self) -> Iterator[PriceList]:
        """Every list of amounts that is checked: rates, licences, fees, fair usage rates."""
        for band, _ in self.bands():
            rate = first(band.statements, ast.BandRate)
            if rate is not None:
                yield PriceList(rate.prices, f"rate of band {band.name.text}", is_rate=True)
        for version, _ in self.package_versions():
            yield from _order_form_or_version_prices(version.statements)
        for _, clause, _ in self.fair_usage_clauses():
            unit_rate = first(clause.statements, ast.FairUsageUnitRate)
            if unit_rate is not None:
                yield PriceList(unit_rate.prices, "fair usage unit rate")
        for form, _ in self.forms():
            yield from _order_form_or_version_prices(form.statements)
            for custom in distinct_custom_rates(form):
                yield PriceList(custom.prices, f"rate for {custom.band.text}", is_rate=True)
            for block in every(form.statements, ast.BandTerms):
                rate = first(block.statements, ast.BandRate)
                if rate is not None:
                    yield PriceList(rate.prices, f"rate for {block.band.text}", is_rate=True)
        # Fees are kept as exactly as rates (micro-units): they join a call's price unrounded.
        for statements, where in self.call_term_blocks():
            for kind, what in CALL_CHARGES:
                term = first(statements, kind)
                if term is not None:
                    yield PriceList(term.prices, f"{what} of {where}", is_rate=True)


def _order_form_or_version_prices(statements: Sequence[object]) -> Iterator[PriceList]:
    priced: tuple[tuple[ast.Licence | ast.CallFee | ast.FairUsageRate | None, str], ...] = (
        (first(statements, ast.Licence), "licence"),
        (first(statements, ast.CallFee), "call fee"),
        (first(statements, ast.FairUsageRate), "fair usage unit rate"),
    )
    for statement, what in priced:
        if statement is not None:
            yield PriceList(statement.prices, what)
