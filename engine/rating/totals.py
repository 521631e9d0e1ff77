"""Aggregating priced calls: per account and band, and per number assignment."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from tariff.engine.rating.accounts import RatingAccounts
from tariff.engine.rating.codes import Ints
from tariff.engine.rating.holdings import Holdings
from tariff.engine.rating.price import PricedCalls


@dataclass(frozen=True)
class BandUsage:
    """One band's calls on one invoice: how many, their seconds, billed seconds, summed charges."""

    calls: int
    seconds: int
    amount_minor: int
    billed_seconds: int


@dataclass
class AccountUsage:
    """One account's rated calls in the billing month, aggregated."""

    calls: int = 0
    chargeable_calls: int = 0
    bands: dict[str, BandUsage] = field(default_factory=dict)
    counted_calls: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Totals:
    """Running sums over the blocks, per (account, band) slot and per number assignment.

    A slot is numbered account × band width + band.
    """

    accounts: RatingAccounts
    holdings: Holdings
    calls: Ints
    seconds: Ints
    amount: Ints
    chargeable: Ints
    counted: Ints
    billed: Ints

    @classmethod
    def of(cls, accounts: RatingAccounts, holdings: Holdings, *, exact: bool = False) -> Totals:
        """Zero totals for every slot and every assignment.

        ``exact`` sums charges in Python's unbounded integers, as they are priced.
        """
        size = len(accounts.ids) * accounts.band_width

        def zeros(length: int) -> Ints:
            return np.zeros(length, dtype=np.int64)

        amount: Ints = np.zeros(size, dtype=object) if exact else zeros(size)
        return cls(
            accounts,
            holdings,
            zeros(size),
            zeros(size),
            amount,
            zeros(size),
            zeros(len(holdings.assignments)),
            zeros(size),
        )

    def exact(self) -> Totals:
        """These totals, their charges summed from now on in Python's unbounded integers."""
        if self.amount.dtype == object:
            return self
        return dataclasses.replace(self, amount=self.amount.astype(object))

    def add(self, priced: PricedCalls) -> None:
        """Add one block's priced calls."""
        key = priced.account * self.accounts.band_width + priced.band
        size = len(self.calls)
        self.calls[:] += np.bincount(key, minlength=size)
        np.add.at(self.seconds, key, priced.duration)
        if not self.accounts.per_second:
            np.add.at(self.billed, key, priced.billed)
        np.add.at(self.amount, key, priced.amount)
        self.chargeable[:] += np.bincount(key[priced.chargeable], minlength=size)
        self.counted[:] += np.bincount(
            priced.holding[priced.counts], minlength=len(self.holdings.assignments)
        )

    def usage(self) -> dict[str, AccountUsage]:
        """Per account: calls, chargeable calls, and per band and per number what it used."""
        accounts = self.accounts
        width = accounts.band_width
        usage: dict[str, AccountUsage] = {}
        band_names = [list(sheet.bands) for sheet in accounts.sheets]
        sheet_of = accounts.sheet_of.tolist()
        used = np.flatnonzero(self.calls)
        # Per second, the billed seconds are the seconds (and were not summed twice).
        billed = self.seconds if accounts.per_second else self.billed
        for slot, count, used_seconds, charged, chargeable_calls, billed_seconds in zip(
            used.tolist(),
            self.calls[used].tolist(),
            self.seconds[used].tolist(),
            self.amount[used].tolist(),
            self.chargeable[used].tolist(),
            billed[used].tolist(),
            strict=True,
        ):
            position, band = divmod(slot, width)
            account_id = accounts.ids[position]
            mine = usage.get(account_id)
            if mine is None:
                mine = usage[account_id] = AccountUsage()
            mine.calls += count
            mine.chargeable_calls += chargeable_calls
            band_name = band_names[sheet_of[position]][band]
            mine.bands[band_name] = BandUsage(count, used_seconds, charged, billed_seconds)
        for position in np.flatnonzero(self.counted).tolist():
            held = self.holdings.assignments[position]
            numbers = usage[held.account_id].counted_calls
            numbers[held.number] = numbers.get(held.number, 0) + int(self.counted[position])
        return usage
