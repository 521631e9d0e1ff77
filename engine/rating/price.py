"""Pricing calls: each call's minute charge in minor units, rounded once, in integers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tariff.dsl.vocabulary import Rounding
from tariff.engine.rating.accounts import RatingAccounts
from tariff.engine.rating.codes import Flags, Ints, lookup

# Past this, a charge or a sum of charges is computed in Python's unbounded integers.
_SAFE = 2**62


@dataclass(frozen=True)
class CodedCalls:
    """A block of valid calls, and for each its account, assignment, month and band.

    ``first`` is the position of the block's first call among all valid calls.
    ``account`` and ``holding`` are -1 where nobody held the number when the call
    started; ``band`` is a band position in the account's sheet or a negative code.
    """

    first: int
    duration: Ints
    account: Ints
    holding: Ints
    in_month: Flags
    band: Ints

    @property
    def held(self) -> Flags:
        """Calls to a number some account held when they started."""
        return self.account >= 0

    @property
    def rated(self) -> Flags:
        """Calls in the month that have a band: the ones that are priced."""
        return self.in_month & (self.band >= 0)


@dataclass(frozen=True)
class PricedCalls:
    """The priced calls (positions among all valid calls) and their charges and flags."""

    positions: Ints
    account: Ints
    holding: Ints
    band: Ints
    duration: Ints
    amount: Ints
    chargeable: Flags
    counts: Flags
    # The seconds billed: the duration, or more under increments (F/N).
    billed: Ints

    def of_account(self, position: int) -> PricedCalls:
        """The calls of the account at ``position``."""
        mine = self.account == position
        return PricedCalls(
            self.positions[mine],
            self.account[mine],
            self.holding[mine],
            self.band[mine],
            self.duration[mine],
            self.amount[mine],
            self.chargeable[mine],
            self.counts[mine],
            self.billed[mine],
        )


def needs_exact_arithmetic(accounts: RatingAccounts, longest_call: int, calls: int) -> bool:
    """Whether a call's charge, a step of computing it, or a month's sum could pass 2**62.

    With the rates tariffs use this is never so, and pricing is 64-bit numpy
    arithmetic. Past it (rates near the checker's bound, calls of years), every
    step is done in Python's unbounded integers instead: slower, never wrong.
    """
    largest_rate = int(accounts.rates.max(initial=0))
    widest, narrowest = int(accounts.divisors.max()), int(accounts.divisors.min())
    # Increments bill at most one first block and one step more than the call lasted.
    # (Per second, there are no call terms to build tables of.)
    longest_billed, largest_fee = longest_call, 0
    if not accounts.per_second:
        longest_billed += int(accounts.firsts.max()) + int(accounts.steps.max())
        largest_fee = max(int(accounts.connection_fees.max()), int(accounts.minimum_charges.max()))
    largest_charge = (longest_billed // narrowest + 1) * largest_rate - (-largest_fee // narrowest)
    largest_step = 2 * (widest * largest_rate + largest_fee) + widest
    whole_call = longest_billed * largest_rate + largest_fee
    return max(largest_charge * max(calls, 1), largest_step, whole_call) >= _SAFE


def priced(coded: CodedCalls, accounts: RatingAccounts, *, exact: bool = False) -> PricedCalls:
    """The rated calls: charges in minor units, whether chargeable, whether they count.

    ``exact`` computes the charges in Python integers (see
    :func:`needs_exact_arithmetic`); they are the same numbers.
    """
    positions = np.flatnonzero(coded.rated)
    account, band = coded.account[positions], coded.band[positions]
    duration = coded.duration[positions]
    slot = account * accounts.band_width + band
    rate = accounts.rates[slot]
    divisor: Ints | np.int64 | int = lookup(accounts.divisors, account)
    billed: Ints = duration if accounts.per_second else billed_seconds(duration, accounts, slot)
    seconds: Ints = billed
    if exact:
        seconds, rate = billed.astype(object), rate.astype(object)
        divisor = divisor.astype(object) if isinstance(divisor, np.ndarray) else int(divisor)
    # billed = q × divisor + r: q × rate is exact, only r × rate / divisor is rounded.
    amount, remainder = seconds // divisor, seconds % divisor
    amount *= rate
    remainder *= rate
    if not accounts.per_second:
        amount, remainder = _with_fee_and_minimum(
            amount, remainder, seconds * rate, duration > 0, accounts, slot, exact=exact
        )
    modes = [sheet.rounding for sheet in accounts.sheets]
    distinct_modes = sorted(set(modes))
    if len(distinct_modes) == 1:
        amount += rounded_division(remainder, divisor, modes[0])
    else:
        sheet_mode = np.array([distinct_modes.index(m) for m in modes])[accounts.sheet_of[account]]
        for index, mode in enumerate(distinct_modes):
            chosen = sheet_mode == index
            divisor_chosen = divisor[chosen] if isinstance(divisor, np.ndarray) else divisor
            amount[chosen] += rounded_division(remainder[chosen], divisor_chosen, mode)
    return PricedCalls(
        coded.first + positions,
        account,
        coded.holding[positions],
        band,
        duration,
        amount,
        duration >= lookup(accounts.chargeable_from, account),
        duration >= lookup(accounts.counting_from, account),
        billed,
    )


def billed_seconds(duration: Ints, accounts: RatingAccounts, slot: Ints) -> Ints:
    """Each call's billed seconds under its band's increments F/N, in integers.

    A call of 0 seconds bills nothing; one of up to F seconds bills F; a longer
    one F plus each started N seconds after them.
    """
    first, step = accounts.firsts[slot], accounts.steps[slot]
    after = np.maximum(duration - first, 0)
    billed: Ints = first + (after + step - 1) // step * step
    return np.where(duration > 0, billed, 0)


def _with_fee_and_minimum(
    amount: Ints,
    remainder: Ints,
    whole: Ints,
    answered: Flags,
    accounts: RatingAccounts,
    slot: Ints,
    *,
    exact: bool,
) -> tuple[Ints, Ints]:
    """Add the connection fee to what is rounded, and raise a call to its minimum charge.

    Everything is in micro-units × 60 (seconds × a per-minute rate): ``whole``
    is the call's billed seconds × rate. The fee joins the remainder that is
    rounded, so that each call is still rounded once; a call whose fee and
    seconds come to less than its minimum costs the minimum instead. A call of
    0 seconds pays neither.
    """
    fee, minimum = accounts.connection_fees[slot], accounts.minimum_charges[slot]
    if exact:
        fee, minimum = fee.astype(object), minimum.astype(object)
    fee = np.where(answered, fee, 0)
    minimum = np.where(answered, minimum, 0)
    remainder = remainder + fee
    below = whole + fee < minimum
    return np.where(below, 0, amount), np.where(below, minimum, remainder)


def rounded_division(numerator: Ints, divisor: Ints | np.int64 | int, rounding: str) -> Ints:
    """``numerator / divisor`` for numerator ≥ 0, rounded with a tariff rounding mode."""
    if rounding == Rounding.HALF_UP:
        return (2 * numerator + divisor) // (2 * divisor)
    if rounding == Rounding.UP:
        return (numerator + divisor - 1) // divisor
    if rounding == Rounding.DOWN:
        return numerator // divisor
    if rounding == Rounding.HALF_EVEN:
        quotient = numerator // divisor
        twice_remainder = 2 * (numerator - quotient * divisor)
        round_up = (twice_remainder > divisor) | (
            (twice_remainder == divisor) & (quotient % 2 == 1)
        )
        rounded: Ints = quotient + round_up
        return rounded
    raise ValueError(f"unknown rounding mode {rounding!r}")
