"""The accounts being rated, by position, with the tables rating looks them up in."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from tariff.dsl.currencies import MINOR_DIGITS, RATE_DECIMALS
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
