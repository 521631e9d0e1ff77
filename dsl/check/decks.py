"""Rate decks: a carrier's CSV of prefixes read into bands, and every problem it has.

:func:`read_bands` turns a deck's rows into bands (prefixes, a rate per
currency, increments, fees, a display name) and barred prefixes, with a
finding, at ``FILE.csv`` row N field X, for each field it cannot read, each
band whose rows disagree on its terms, each prefix listed twice, and each band
that lacks a currency the deck prices. The compiler builds the sheet version's
bands from the same reading, so what is checked is what is billed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from tariff.dsl import ast
from tariff.dsl.catalogue import DeckFile
from tariff.dsl.check.index import Definitions, every
from tariff.dsl.check.rule import Finding
from tariff.dsl.check.sheets import reachable_prefix
from tariff.dsl.vocabulary import LARGEST_AMOUNT, MINOR_DIGITS, RATE_DECIMALS, decimal_places

BARRED = "barred"


@dataclass
class DeckBand:
    """One band of a deck: its prefixes, and its terms in each currency."""

    name: str
    line: int
    title: str | None = None
    prefixes: list[str] = field(default_factory=list)
    rates: dict[str, Decimal] = field(default_factory=dict)
    increments: tuple[int, int] = (1, 1)
    connection_fees: dict[str, Decimal] = field(default_factory=dict)
    minimum_charges: dict[str, Decimal] = field(default_factory=dict)
    # The first row of each currency: the terms its other rows must repeat.
    terms: dict[str, tuple[object, ...]] = field(default_factory=dict)


@dataclass
class DeckBands:
    """A deck read: its bands by name, in first-row order, and its barred prefixes."""

    bands: dict[str, DeckBand] = field(default_factory=dict)
    barred: list[str] = field(default_factory=list)


def read_bands(deck: DeckFile) -> tuple[DeckBands, list[Finding]]:
    """The deck's bands and barred prefixes, and a finding for each problem of its rows.

    Read once per deck: the result is kept on the deck for the next caller.
    """
    kept = deck.readings.get("bands")
    if kept is None:
        kept = deck.readings["bands"] = _read_bands(deck)
    assert isinstance(kept, tuple)
    return kept


def _read_bands(deck: DeckFile) -> tuple[DeckBands, list[Finding]]:
    read = DeckBands()
    findings: list[Finding] = []
    # A prefix has one row per currency, all of one band (or all barred).
    rows: dict[tuple[str, str], int] = {}
    owners: dict[str, tuple[str, int]] = {}
    # A deck repeats a handful of terms over its rows: each is read once.
    terms_read: dict[tuple[str, ...], tuple[object, ...] | tuple[str, str]] = {}
    field = deck.field
    for line, values in deck.rows:
        prefix, band, currency, rate_text = (
            field(values, "prefix"),
            field(values, "band"),
            field(values, "currency").upper(),
            field(values, "rate_per_minute"),
        )
        problem = _problem(prefix, band, currency, rate_text, rows, owners)
        if problem is not None:
            findings.append(_at(deck, line, *problem))
            continue
        if rate_text.lower() == BARRED or not band:
            rows[prefix, currency] = _row(line)
            if prefix not in owners:
                owners[prefix] = (BARRED, _row(line))
                read.barred.append(prefix)
            continue
        name = field(values, "name") or None
        key = (
            rate_text,
            field(values, "increments"),
            field(values, "connection_fee"),
            field(values, "minimum_charge"),
        )
        terms = terms_read.get(key)
        if terms is None:
            terms = terms_read[key] = _terms(*key)
        if len(terms) == 2:  # (field, message): the terms cannot be read
            findings.append(_at(deck, line, str(terms[0]), str(terms[1])))
            continue
        rows[prefix, currency] = _row(line)
        first_of_prefix = prefix not in owners
        owners.setdefault(prefix, (band, _row(line)))
        entry = read.bands.get(band)
        if entry is None:
            entry = read.bands[band] = DeckBand(band, line)
        if entry.terms.setdefault(currency, (*terms, name)) != (*terms, name):
            findings.append(
                _at(
                    deck,
                    line,
                    "rate_per_minute",
                    f"band {band} is priced otherwise in {currency} at row {_row(entry.line)}: "
                    "every row of one band and currency gives the same rate, increments, fees "
                    "and name",
                )
            )
            continue
        rate, increments, fee, minimum = terms
        assert isinstance(rate, Decimal) and isinstance(fee, Decimal)
        assert isinstance(minimum, Decimal) and isinstance(increments, tuple)
        if entry.rates and increments != entry.increments:
            message = f"band {band} has other increments at row {_row(entry.line)}"
            findings.append(_at(deck, line, "increments", message))
            continue
        if first_of_prefix:
            entry.prefixes.append(prefix)
        if currency not in entry.rates:
            entry.rates[currency] = rate
            entry.increments = increments
            entry.title = entry.title or name
            if fee:
                entry.connection_fees[currency] = fee
            if minimum:
                entry.minimum_charges[currency] = minimum
    priced = {currency for entry in read.bands.values() for currency in entry.rates}
    for entry in read.bands.values():
        for currency in sorted(priced - set(entry.rates)):
            message = f"band {entry.name} has no {currency} row, but the deck prices {currency}"
            findings.append(_at(deck, entry.line, "currency", message))
    return read, findings


def _problem(
    prefix: str,
    band: str,
    currency: str,
    rate_text: str,
    rows: Mapping[tuple[str, str], int],
    owners: Mapping[str, tuple[str, int]],
) -> tuple[str, str] | None:
    """(field, message) when a row's prefix, band or currency cannot be used; else None."""
    if not prefix:
        return "prefix", "is empty; every row prices one prefix, such as +4471"
    if (prefix, currency) in rows:
        return "prefix", (
            f'"{prefix}" is listed again in {currency} (first at row {rows[prefix, currency]})'
        )
    barred = rate_text.lower() == BARRED
    owner = BARRED if barred or not band else band
    if prefix in owners and owners[prefix][0] != owner:
        earlier, at = owners[prefix]
        shown = "barred" if earlier == BARRED else f"in band {earlier}"
        return "band", (
            f'"{prefix}" is {shown} at row {at}: a prefix is in one band, or barred, '
            "whatever the currency"
        )
    if not reachable_prefix(prefix):
        return "prefix", (
            f'"{prefix}" can never match: destinations are numbers in E.164 form '
            '("+" and digits) or addresses such as "sip:"'
        )
    if not band and rate_text and not barred:
        return "band", f"is empty, but the rate is {rate_text}: a barred row says barred"
    if band and currency not in MINOR_DIGITS:
        return "currency", (
            f"'{currency}' is not a currency tariffs price in ({', '.join(MINOR_DIGITS)})"
        )
    return None


def _terms(
    rate_text: str, increments_text: str, fee_text: str, minimum_text: str
) -> tuple[object, ...] | tuple[str, str]:
    """(rate, increments, fee, minimum) as read, or (field, message) for the first that is not."""
    found: list[tuple[str, str]] = []

    def problem(name: str, message: str) -> None:
        found.append((name, message))

    rate = _amount(rate_text, "rate_per_minute", problem, required=True)
    increments = _increments(increments_text, problem)
    fee = _amount(fee_text, "connection_fee", problem)
    minimum = _amount(minimum_text, "minimum_charge", problem)
    if found:
        return found[0]
    return rate, increments, fee, minimum


def _row(line: int) -> int:
    """A row's number: the header is line 1, the first row is row 1."""
    return line - 1


def _at(deck: DeckFile, line: int, name: str, message: str) -> Finding:
    span = ast.Span(deck.shown, line, 1, line, 1)
    file = deck.shown.rsplit("/", 1)[-1]
    return Finding(span, f"{file} row {_row(line)} field {name}: {message}")


def _amount(text: str, name: str, problem: object, *, required: bool = False) -> Decimal | None:
    """A decimal amount of at most the engine's decimals; 0 when empty and optional."""
    assert callable(problem)
    if not text:
        if required:
            problem(name, "is empty; give a decimal such as 0.015, or barred")
            return None
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        problem(name, f"'{text}' is not a decimal number such as 0.015")
        return None
    if not value.is_finite() or value < 0:
        problem(name, f"{text} is not an amount of 0 or more")
        return None
    if decimal_places(value) > RATE_DECIMALS or value >= LARGEST_AMOUNT:
        problem(name, f"{text} has more than {RATE_DECIMALS} decimal places, or is too large")
        return None
    return value


def _increments(text: str, problem: object) -> tuple[int, int] | None:
    """``F/N`` as two whole numbers of seconds, each at least 1; 1/1 when empty."""
    assert callable(problem)
    if not text:
        return (1, 1)
    first, slash, step = text.partition("/")
    if not (slash and first.strip().isdigit() and step.strip().isdigit()):
        problem("increments", f"'{text}' is not F/N, such as 60/1 or 30/6")
        return None
    if int(first) < 1 or int(step) < 1:
        problem("increments", f"{text}: each part of F/N is at least 1 second")
        return None
    return int(first), int(step)


def decks_of(
    definitions: Definitions,
) -> Iterator[tuple[ast.SheetVersion, ast.Deck, DeckFile | None]]:
    """Each deck statement of each sheet version, with the deck it names (None: not read)."""
    for file in definitions.files:
        for definition in file.definitions:
            if not isinstance(definition, ast.Sheet):
                continue
            for version in every(definition.statements, ast.SheetVersion):
                for deck in every(version.statements, ast.Deck):
                    yield version, deck, definitions.deck_of(version, deck)


def deck_problems(definitions: Definitions) -> Iterator[Finding]:
    """T127: a deck that cannot be read, each row that cannot be used, clashes with the sheet."""
    for version, statement, deck in decks_of(definitions):
        if deck is None:
            continue
        if deck.problem is not None:
            yield Finding(statement.path.span, f"{deck.shown}: {deck.problem}")
            continue
        bands, findings = read_bands(deck)
        yield from findings
        inline = {band.name.text: band for band in every(version.statements, ast.Band)}
        taken = {
            prefix.value: f"band {band.name.text}"
            for band in inline.values()
            for listed in every(band.statements, ast.Prefixes)
            for prefix in listed.prefixes
        }
        taken.update(
            (prefix.value, "the barred list")
            for barred in every(version.statements, ast.Barred)
            for prefix in barred.prefixes
        )
        for entry in bands.bands.values():
            if entry.name in inline:
                yield _at(
                    deck, entry.line, "band", f"band {entry.name} is also defined in the sheet"
                )
            for prefix in entry.prefixes:
                if prefix in taken:
                    yield _at(
                        deck,
                        entry.line,
                        "prefix",
                        f'"{prefix}" of band {entry.name} is also in {taken[prefix]} of the sheet',
                    )
        for prefix in bands.barred:
            if prefix in taken and taken[prefix] != "the barred list":
                yield Finding(
                    statement.span,
                    f'{deck.shown} bars "{prefix}", which {taken[prefix]} of the sheet prices',
                )
