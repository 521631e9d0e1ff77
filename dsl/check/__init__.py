"""Semantic rules over a parsed catalogue: AST in, every problem out.

The checker is a table of named rules (:data:`RULES`), run in order over the
catalogue's definitions; each rule is a function that yields findings, and
every finding of a rule carries that rule's one code. The checker never stops
at the first problem, and returns every diagnostic in source order. A catalogue
without errors is safe to compile: the compiler relies on what is checked here.

Adding a rule: a code in :mod:`tariff.dsl.codes`, a function in the module for
what it checks, a line below, a golden case under ``tests/golden/``, and a row
in docs/diagnostics.md.
"""

from __future__ import annotations

from collections.abc import Collection

from tariff.dsl import codes
from tariff.dsl.catalogue import Catalogue
from tariff.dsl.check.decks import deck_problems
from tariff.dsl.check.definitions import (
    duplicate_definitions,
    missing_statements,
    repeated_statements,
    unknown_references,
)
from tariff.dsl.check.discounts import (
    charges_never_discountable,
    overlapping_discounts,
    percents_out_of_range,
    reversed_ranges,
)
from tariff.dsl.check.index import Definitions
from tariff.dsl.check.order_forms import (
    currency_mismatches,
    order_forms_without_accounts,
    rates_that_never_apply,
    versions_not_in_effect,
)
from tariff.dsl.check.prices import missing_edition_prices, negative_amounts, too_precise_amounts
from tariff.dsl.check.rule import Finding, Rule
from tariff.dsl.check.sheets import bands_missing_rates, minimums_below_fees, unreachable_prefixes
from tariff.dsl.check.taxes import overlapping_taxes, tax_rates_out_of_range, unknown_countries
from tariff.dsl.check.values import (
    empty_values,
    invalid_counts,
    invalid_dates,
    too_large_values,
    unknown_words,
)
from tariff.dsl.diagnostics import Diagnostic, Severity, in_source_order

RULES: tuple[Rule, ...] = (
    # definitions and their statements
    Rule(codes.DUPLICATE_DEFINITION, duplicate_definitions),
    Rule(codes.UNKNOWN_REFERENCE, unknown_references),
    Rule(codes.MISSING_STATEMENT, missing_statements),
    Rule(codes.REPEATED_STATEMENT, repeated_statements),
    Rule(codes.UNKNOWN_WORD, unknown_words),
    Rule(codes.INVALID_COUNT, invalid_counts),
    Rule(codes.INVALID_DATE, invalid_dates),
    Rule(codes.EMPTY_VALUE, empty_values),
    # amounts
    Rule(codes.MISSING_EDITION_PRICE, missing_edition_prices),
    Rule(codes.NEGATIVE_AMOUNT, negative_amounts),
    Rule(codes.TOO_PRECISE, too_precise_amounts),
    Rule(codes.TOO_LARGE, too_large_values),
    # sheets
    Rule(codes.BAND_MISSING_RATE, bands_missing_rates),
    Rule(codes.UNREACHABLE_PREFIX, unreachable_prefixes),
    Rule(codes.MINIMUM_BELOW_FEE, minimums_below_fees, Severity.WARNING),
    Rule(codes.DECK_PROBLEM, deck_problems),
    # order forms
    Rule(codes.CURRENCY_MISMATCH, currency_mismatches),
    Rule(codes.VERSION_NOT_IN_EFFECT, versions_not_in_effect),
    Rule(codes.RATE_NEVER_APPLIES, rates_that_never_apply, Severity.WARNING),
    Rule(codes.UNKNOWN_ACCOUNT, order_forms_without_accounts),
    # discounts
    Rule(codes.NOT_DISCOUNTABLE, charges_never_discountable),
    Rule(codes.OVERLAPPING_DISCOUNTS, overlapping_discounts),
    Rule(codes.PERCENT_OUT_OF_RANGE, percents_out_of_range),
    Rule(codes.REVERSED_RANGE, reversed_ranges),
    # taxes and the issuer
    Rule(codes.UNKNOWN_COUNTRY, unknown_countries),
    Rule(codes.OVERLAPPING_TAXES, overlapping_taxes),
    Rule(codes.TAX_RATE_OUT_OF_RANGE, tax_rates_out_of_range),
)

__all__ = ["RULES", "Finding", "Rule", "check_catalogue"]


def check_catalogue(
    catalogue: Catalogue, accounts: Collection[str] | None = None
) -> list[Diagnostic]:
    """Every semantic problem in the catalogue, in source order.

    With ``accounts`` (an accounts file's ids), order forms are also checked
    against them (T121).
    """
    definitions = Definitions.of(catalogue.files, accounts, catalogue.decks)
    return in_source_order(
        Diagnostic(rule.severity, rule.code.code, found.message, found.span, found.hint)
        for rule in RULES
        for found in rule.check(definitions)
    )
