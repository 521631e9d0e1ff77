"""Exact money: minor units, named rounding steps and the text money is shown as.

Amounts are ``Decimal`` in the account's currency, or integers of minor units
(pence, cents) inside the columnar engine. Every rounding step the engine takes
is one of the functions below, each named with its mode.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Iterable
from decimal import Decimal

from tariff.dsl.vocabulary import MINOR_DIGITS, RATE_DECIMALS


@functools.cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency`` an invoice shows: 0.01 for GBP and USD."""
    return Decimal(1).scaleb(-MINOR_DIGITS[currency])


# Quantizing an amount that is already exact must never round: trap it. The
# largest amount the checker lets through, summed over any month, has fewer
# than 40 digits.
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact])
# Invoice arithmetic (sums, quantities times prices, a discount's base times its
# percentage) is done with this many digits, so that none of it rounds.
EXACT_ARITHMETIC = decimal.Context(prec=60)


def exact_sum(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of amounts, exactly: in a context wide enough that no addition rounds."""
    with decimal.localcontext(EXACT_ARITHMETIC):
        return sum(amounts, Decimal(0))


def from_minor(amount: int, currency: str) -> Decimal:
    """An integer of minor units as a Decimal amount, e.g. 341 -> 3.41."""
    return Decimal(amount).scaleb(-MINOR_DIGITS[currency])


def exact_money(amount: Decimal, currency: str) -> Decimal:
    """An exact amount written with the currency's minor digits, e.g. 249 -> 249.00.

    Raises decimal.Inexact if the amount is finer than the minor unit: a price
    that survived the checker never is.
    """
    return amount.quantize(minor_unit(currency), context=_EXACT)


def to_minor(amount: Decimal, currency: str) -> int:
    """A Decimal amount with at most the minor digits as an integer of minor units."""
    scaled = amount.scaleb(MINOR_DIGITS[currency])
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is finer than the currency's minor unit")
    return int(scaled)


def rate_to_micro(rate: Decimal) -> int:
    """A per-minute rate as integer micro-units of the major unit (exact; checked upstream)."""
    scaled = rate.scaleb(RATE_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"rate {rate} has more than {RATE_DECIMALS} decimal places")
    return int(scaled)


def round_half_up_to_minor(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, halves away from zero (the discount's rounding)."""
    return amount.quantize(minor_unit(currency), rounding=decimal.ROUND_HALF_UP)


def rate_price(rate: Decimal, currency: str) -> Decimal:
    """A per-minute rate as written in the tariff, but never with fewer than the minor digits."""
    # Cached by the rate as written: 0.60 and 0.600 are equal Decimals, and a
    # cache keyed by their value would show one as the other.
    return _rate_price(str(rate), currency)


@functools.cache
def _rate_price(written: str, currency: str) -> Decimal:
    rate = Decimal(written)
    places = max(MINOR_DIGITS[currency], -int(rate.as_tuple().exponent))
    return rate.quantize(Decimal(1).scaleb(-places), context=_EXACT)
