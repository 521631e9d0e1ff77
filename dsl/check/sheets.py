"""Rules about call tariff sheets: every band priced alike, every prefix reachable."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from tariff.dsl import ast
from tariff.dsl.check.index import (
    CALL_CHARGES,
    Definitions,
    dials,
    distinct_bands,
    every,
    first,
    known_prices,
)
from tariff.dsl.check.rule import Finding


def bands_missing_rates(definitions: Definitions) -> Iterator[Finding]:
    """T107: a band without a rate in a currency that other bands of its version price."""
    for version, where in definitions.sheet_versions():
        currencies_by_band: dict[str, tuple[ast.Band, set[str]]] = {}
        for band in distinct_bands(version):
            rate = first(band.statements, ast.BandRate)
            if rate is not None:
                currencies_by_band[band.name.text] = (band, set(known_prices(rate.prices)))
        priced = set().union(*(c for _, c in currencies_by_band.values()))
        for name, (band, currencies) in currencies_by_band.items():
            for currency in sorted(priced - currencies):
                yield Finding(
                    band.name.span,
                    f"band '{name}' has no {currency} rate, but other bands of {where} do",
                    f"add a {currency} amount to its rate",
                )
        # A fee or minimum in some currencies only would price the others' calls without it.
        blocks: list[tuple[Sequence[object], str]] = [(version.statements, where)]
        blocks += [(band.statements, f"band {band.name.text}") for band in distinct_bands(version)]
        for statements, owner in blocks:
            for kind, what in CALL_CHARGES:
                term = first(statements, kind)
                missing = sorted(priced - set(known_prices(term.prices))) if term else []
                for currency in missing:
                    yield Finding(
                        term.span if term else version.span,
                        f"the {what} of {owner} has no {currency} amount, but the bands of "
                        f"{where} are priced in {currency}",
                        f"add a {currency} amount, e.g. `{what} 0.00 {currency}` for none",
                    )


def minimums_below_fees(definitions: Definitions) -> Iterator[Finding]:
    """T126 (a warning): a minimum charge at or below the connection fee can never apply."""
    for version, where in definitions.sheet_versions():
        defaults = version.statements
        for band in distinct_bands(version):
            yield from _minimum_below_fee(
                band.statements, defaults, f"band {band.name.text} of {where}"
            )
    for form, where in definitions.forms():
        for block in every(form.statements, ast.BandTerms):
            yield from _minimum_below_fee(
                block.statements, (), f"band {block.band.text} of {where}"
            )


def _minimum_below_fee(
    statements: Sequence[object], defaults: Sequence[object], where: str
) -> Iterator[Finding]:
    fee = first(statements, ast.ConnectionFee) or first(defaults, ast.ConnectionFee)
    minimum = first(statements, ast.MinimumCharge) or first(defaults, ast.MinimumCharge)
    if fee is None or minimum is None:
        return
    fees = known_prices(fee.prices)
    for currency, least in known_prices(minimum.prices).items():
        if currency in fees and least.amount <= fees[currency].amount:
            yield Finding(
                least.span,
                f"the minimum charge of {where}, {least.amount:f} {currency}, can never apply: "
                f"every answered call already pays the connection fee of "
                f"{fees[currency].amount:f} {currency}",
                "raise the minimum above the fee, or remove it",
            )


def unreachable_prefixes(definitions: Definitions) -> Iterator[Finding]:
    """T108: a prefix that can never match: taken, rewritten by a dial rule, or not E.164."""
    for version, _ in definitions.sheet_versions():
        owners: dict[str, str] = {}
        version_dials = dials(version)
        bands = set(map(id, distinct_bands(version)))
        for statement in version.statements:
            if isinstance(statement, ast.Band) and id(statement) in bands:
                prefixes = first(statement.statements, ast.Prefixes)
                if prefixes is not None:
                    owner = f"band {statement.name.text}"
                    yield from _prefixes(prefixes.prefixes, owner, owners, version_dials)
            elif isinstance(statement, ast.Barred):
                yield from _prefixes(statement.prefixes, "the barred list", owners, version_dials)


def _prefixes(
    prefixes: Sequence[ast.Text],
    owner: str,
    owners: dict[str, str],
    version_dials: Mapping[str, ast.Dial],
) -> Iterator[Finding]:
    for prefix in prefixes:
        value = prefix.value
        if value in owners:
            yield Finding(
                prefix.span,
                f'prefix "{value}" can never select {owner}: it is already in {owners[value]}',
                "a prefix belongs to one band or to the barred list",
            )
            continue
        owners[value] = owner
        dialled = next((d for d in version_dials if value.startswith(d)), None)
        if dialled is not None:
            replacement = version_dials[dialled].replacement.value
            yield Finding(
                prefix.span,
                f'prefix "{value}" can never match: destinations dialled with '
                f'"{dialled}" are read as "{replacement}…" before bands are matched',
                f'write it as "{replacement}{value[len(dialled) :]}"',
            )
        elif not reachable_prefix(value):
            yield Finding(
                prefix.span,
                f'prefix "{value}" can never match: destinations are numbers '
                'in E.164 form ("+" and digits) or addresses such as "sip:"',
            )


def reachable_prefix(prefix: str) -> bool:
    """Whether a prefix can begin a destination: ``+`` and digits, or a lower-case scheme."""
    if prefix.startswith("+"):
        return prefix[1:].isdigit() or prefix == "+"
    scheme, colon, _ = prefix.partition(":")
    return bool(colon) and scheme.isalpha() and scheme == scheme.lower()
