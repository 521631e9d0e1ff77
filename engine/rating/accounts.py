"""The accounts being rated, by position, with the tables rating looks them up in."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from tariff.dsl.vocabulary import MINOR_DIGITS, RATE_DECIMALS
from tariff.engine.money import rate_to_micro
from tariff.engine.plan.model import SheetVersionTerms
from tariff.engine.plan.terms import AccountTerms
from tariff.engine.rating.codes import Ints, integers

# A threshold no call reaches: accounts without Fair Usage count nothing.
_NEVER = 2**62


@dataclass(frozen=True)
class RatingAccounts:
    """The accounts being rated, by position, and the sheet versions pricing them."""

    ids: tuple[str, ...]
    terms: tuple[AccountTerms, ...]
    sheets: tuple[SheetVersionTerms, ...]
    sheet_of: Ints

    @classmethod
    def of(cls, terms: Mapping[str, AccountTerms]) -> RatingAccounts:
        """The accounts of ``terms`` in id order, and the sheet versions they use."""
        ids = tuple(sorted(terms))
        ordered = tuple(terms[a] for a in ids)
        keys = sorted({t.sheet.key for t in ordered})
        sheets = tuple(next(t.sheet for t in ordered if t.sheet.key == k) for k in keys)
        sheet_of = np.array([keys.index(t.sheet.key) for t in ordered], dtype=np.int64)
        return cls(ids, ordered, sheets, sheet_of)

    @property
    def index(self) -> dict[str, int]:
        """Each account's position."""
        return {account_id: position for position, account_id in enumerate(self.ids)}

    @property
    def band_width(self) -> int:
        """Bands in the widest sheet: (account, band) is numbered account × width + band."""
        return max(len(sheet.bands) for sheet in self.sheets)

    @functools.cached_property
    def rates(self) -> Ints:
        """Each (account, band) slot's rate in micro-units per minute (0 past a sheet's bands)."""
        width = self.band_width
        rates = []
        for terms, sheet in zip(self.terms, self.sheet_of.tolist(), strict=True):
            row = [micro_rate(terms.band_rates[b].amount) for b in self.sheets[sheet].bands]
            rates += row + [0] * (width - len(row))
        return integers(rates)

    @functools.cached_property
    def per_second(self) -> bool:
        """Whether every band of every account prices its calls by the second and nothing else."""
        return not any(terms.band_calls for terms in self.terms)

    def _slots(self, value: Callable[[AccountTerms, str], int], default: int) -> Ints:
        """A per-(account, band) table of one call term (``default`` past a sheet's bands)."""
        width = self.band_width
        table = []
        for terms, sheet in zip(self.terms, self.sheet_of.tolist(), strict=True):
            row = [value(terms, band) for band in self.sheets[sheet].bands]
            table += row + [default] * (width - len(row))
        return integers(table)

    @functools.cached_property
    def firsts(self) -> Ints:
        """Each slot's first block of billed seconds (increments F/N: F)."""
        return self._slots(lambda terms, band: terms.calls_in(band).first, 1)

    @functools.cached_property
    def steps(self) -> Ints:
        """Each slot's increment after the first block (increments F/N: N)."""
        return self._slots(lambda terms, band: terms.calls_in(band).step, 1)

    @functools.cached_property
    def connection_fees(self) -> Ints:
        """Each slot's connection fee, in micro-units × 60: the unit of seconds × a rate."""
        return self._slots(
            lambda terms, band: 60 * micro_rate(terms.calls_in(band).connection_fee), 0
        )

    @functools.cached_property
    def minimum_charges(self) -> Ints:
        """Each slot's minimum charge, in micro-units × 60 (0: none)."""
        return self._slots(
            lambda terms, band: 60 * micro_rate(terms.calls_in(band).minimum_charge), 0
        )

    @functools.cached_property
    def divisors(self) -> Ints:
        """Per account: micro-units per minute of a rate to minor units per second."""
        return integers([60 * 10 ** (RATE_DECIMALS - MINOR_DIGITS[t.currency]) for t in self.terms])

    @functools.cached_property
    def chargeable_from(self) -> Ints:
        """Per account: the shortest call, in seconds, that the call fee counts."""
        return integers([t.package.chargeable_from_seconds for t in self.terms])

    @functools.cached_property
    def counting_from(self) -> Ints:
        """Per account: the shortest call that counts toward Fair Usage (never without it)."""
        return integers(
            [
                fair_usage.counting_from_seconds if (fair_usage := t.fair_usage) else _NEVER
                for t in self.terms
            ]
        )


@functools.cache
def micro_rate(rate: Decimal) -> int:
    """A rate in micro-units, once per distinct rate: accounts share a handful of rates."""
    return rate_to_micro(rate)
