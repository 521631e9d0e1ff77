"""The price of every call length in a band, and where two bands' prices first differ.

A band's prices are a curve over durations: for each length from 1 second to
a bound, the minute charge in integer minor units, computed exactly as rating
prices one call. Curves are computed once per rate and terms (bands share a
handful), in numpy, and compared in integers after each side's discount.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction

import numpy as np

from tariff.dsl.vocabulary import MINOR_DIGITS, RATE_DECIMALS
from tariff.engine.money import from_minor, rate_to_micro
from tariff.engine.plan.terms import CallPricing
from tariff.engine.rating.price import rounded_division

# Past this, a step of the arithmetic is done in Python's unbounded integers.
_SAFE = 2**62

# A band's price of every call: its rate, increments, fee, minimum, rounding and currency.
PriceKey = tuple[Decimal, int, int, Decimal, Decimal, str, str]


@functools.lru_cache(maxsize=65536)
def first_difference(
    bound: int, old: PriceKey | None, old_kept: Decimal, new: PriceKey | None, new_kept: Decimal
) -> tuple[int, bool, str, str, Decimal | None] | None:
    """The shortest call priced differently: its seconds, whether NEW costs more, both prices.

    Bands share a handful of rates and terms, so each pair is compared once.
    """
    if old is None or new is None:
        if new is not None:  # rejected before, billed now: from the first call that costs
            prices = band_prices(bound, new)
            paid = np.flatnonzero(prices > 0)
            index = int(paid[0]) if paid.size else 0
            price = from_minor(int(prices[index]), new[-1])
            return index + 1, bool(paid.size), "rejected", str(price), price * new_kept
        return (1, False, str(price_at(bound, old, 0)), "rejected", None) if old else None
    old_prices, new_prices = band_prices(bound, old), band_prices(bound, new)
    old_scale, new_scale = Fraction(old_kept), Fraction(new_kept)
    # Compare new × new_kept with old × old_kept in integers: both over one denominator.
    old_factor = old_scale.numerator * new_scale.denominator
    new_factor = new_scale.numerator * old_scale.denominator
    largest = max(int(old_prices.max()), int(new_prices.max()), 1)
    if max(abs(old_factor), abs(new_factor)) * largest >= _SAFE:
        old_prices, new_prices = old_prices.astype(object), new_prices.astype(object)
    old_paid, new_paid = old_prices * old_factor, new_prices * new_factor
    rises = np.flatnonzero(new_paid > old_paid)
    differ = rises if rises.size else np.flatnonzero(old_paid != new_paid)
    if differ.size == 0:
        return None
    index = int(differ[0])
    was, now = price_at(bound, old, index), price_at(bound, new, index)
    excess = now * new_kept - was * old_kept if rises.size else None
    return index + 1, bool(rises.size), str(was), str(now), excess


def price_at(bound: int, key: PriceKey, index: int) -> Decimal:
    """The price of a call of ``index + 1`` seconds in the band, in its currency."""
    return from_minor(int(band_prices(bound, key)[index]), key[-1])


@functools.lru_cache(maxsize=4096)
def band_prices(bound: int, key: PriceKey) -> np.ndarray:
    """Prices of calls of 1 to ``bound`` seconds in a band."""
    rate, first, step, fee, minimum, rounding, currency = key
    pricing = CallPricing(first, step, fee, minimum)
    return call_prices(np.arange(1, bound + 1, dtype=np.int64), rate, pricing, rounding, currency)


def call_prices(
    durations: np.ndarray, rate: Decimal, pricing: CallPricing, rounding: str, currency: str
) -> np.ndarray:
    """Each duration's minute charge in minor units, exactly as rating prices one call.

    As :mod:`tariff.engine.rating.price`: the billed seconds (under increments)
    times a rate in micro-units per minute, the connection fee added to what is
    rounded and the minimum charge in place of a call that comes to less, then
    one rounding per call with the sheet's mode, all in integers.
    """
    divisor = 60 * 10 ** (RATE_DECIMALS - MINOR_DIGITS[currency])
    micro = rate_to_micro(rate)
    fee = 60 * rate_to_micro(pricing.connection_fee)
    minimum = 60 * rate_to_micro(pricing.minimum_charge)
    first, step = pricing.first, pricing.step
    longest = int(durations.max(initial=0)) + first + step
    seconds: np.ndarray = durations
    if (first, step) != (1, 1):
        after = np.maximum(durations - first, 0)
        seconds = first + (after + step - 1) // step * step
    if longest * micro + fee + minimum >= _SAFE:
        seconds = seconds.astype(object)  # past 64 bits: Python's unbounded integers
    amount = seconds // divisor * micro
    remainder = seconds % divisor * micro
    if fee or minimum:
        remainder = remainder + fee
        below = seconds * micro + fee < minimum
        amount = np.where(below, 0, amount)
        remainder = np.where(below, minimum, remainder)
    priced: np.ndarray = amount + rounded_division(remainder, divisor, rounding)
    return priced
