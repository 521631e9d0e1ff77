"""Rules about order forms: one billing currency, pinned versions in effect, rates that apply."""

from __future__ import annotations

from collections.abc import Iterator

from tariff.dsl import ast
from tariff.dsl.check.index import (
    Definitions,
    distinct_custom_rates,
    every,
    first,
    known_prices,
    pinned_versions,
)
from tariff.dsl.check.rule import Finding
from tariff.dsl.diagnostics import did_you_mean
from tariff.dsl.vocabulary import MINOR_DIGITS


def currency_mismatches(definitions: Definitions) -> Iterator[Finding]:
    """T114: an order form that mixes currencies, or bills in one its package does not offer."""
    for form, _ in definitions.forms():
        pin = first(form.statements, ast.PackagePin)
        package = definitions.pinned_package(form)
        offered: set[str] | None = None
        if package is not None:
            offered = {
                money.currency
                for version in pinned_versions(package, pin)
                for licence in every(version.statements, ast.Licence)
                for money in licence.prices
            }
        currency_pin = first(form.statements, ast.CurrencyPin)
        expected = currency_pin.currency.text if currency_pin is not None else None
        if (
            currency_pin is not None
            and package is not None
            and offered is not None
            and expected in MINOR_DIGITS
            and expected not in offered
        ):
            yield Finding(
                currency_pin.span,
                f"package {package.name.text} has no {expected} edition",
                "it offers " + ", ".join(sorted(offered)),
            )
        for money in _amounts(form):
            if expected is None:
                expected = money.currency
            if money.currency != expected:
                yield Finding(
                    money.currency_span,
                    f"this order form bills in {expected}, but this amount is in {money.currency}",
                    "an account is billed in one currency",
                )
            elif package is not None and offered is not None and money.currency not in offered:
                yield Finding(
                    money.currency_span,
                    f"package {package.name.text} has no {money.currency} edition",
                )


def _amounts(form: ast.OrderForm) -> list[ast.Money]:
    """The order form's amounts in known currencies: prices first, then custom rates."""
    priced: list[ast.Licence | ast.CallFee | ast.FairUsageRate | ast.CustomRate | None] = [
        first(form.statements, ast.Licence),
        first(form.statements, ast.CallFee),
        first(form.statements, ast.FairUsageRate),
        *distinct_custom_rates(form),
    ]
    return [
        money
        for statement in priced
        if statement is not None
        for money in known_prices(statement.prices).values()
    ]


def versions_not_in_effect(definitions: Definitions) -> Iterator[Finding]:
    """T115: a pinned package version that starts after a month the order form names."""
    for form, _ in definitions.forms():
        pin = first(form.statements, ast.PackagePin)
        package = definitions.pinned_package(form)
        if pin is None or package is None or pin.version is None:
            continue
        version = next(
            (v for v in pinned_versions(package, pin) if v.version.text == pin.version.text), None
        )
        starts = version.version.value if version is not None else None
        if starts is None:
            continue
        for discount in every(form.statements, ast.Discount):
            for bound in (discount.start, discount.end):
                if bound is not None and bound.value is not None and bound.value < starts:
                    yield Finding(
                        bound.span,
                        f"this order form pins version {pin.version.text} of package "
                        f"{package.name.text}, which is not in effect in {bound.text} "
                        f"(it starts on {starts})",
                        f"start the discount in {pin.version.text[:7]} or later, or "
                        "pin an earlier version",
                    )
                    break


def order_forms_without_accounts(definitions: Definitions) -> Iterator[Finding]:
    """T121: an order form for an account the accounts file lacks (a mistyped id).

    Checked only against an accounts file (``tariff check --accounts F``); an
    order form that says when its contract ends need not match, since the
    invoice run checks it against the billing month.
    """
    if definitions.accounts is None:
        return
    for form, _ in definitions.forms():
        account = form.account.value
        ends = first(form.statements, ast.ContractEnd)
        if account in definitions.accounts or ends is not None:
            continue
        yield Finding(
            form.account.span,
            f"order form '{account}' is for an account that is not in the accounts file, "
            "so its terms would never be billed",
            did_you_mean(account, definitions.accounts)
            or "correct the account id, or say when its contract ended: `contract ends YYYY-MM`",
        )


def rates_that_never_apply(definitions: Definitions) -> Iterator[Finding]:
    """T120 (a warning): a fair usage rate for a package that has no fair usage clause."""
    for form, _ in definitions.forms():
        rate = first(form.statements, ast.FairUsageRate)
        package = definitions.pinned_package(form)
        if rate is None or package is None:
            continue
        versions = pinned_versions(package, first(form.statements, ast.PackagePin))
        if not any(first(version.statements, ast.FairUsage) for version in versions):
            yield Finding(
                rate.span,
                f"package {package.name.text} has no fair usage clause, so this rate never applies",
            )
