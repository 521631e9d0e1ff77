"""Calendar months: the billing period, and the months tariffs date things by."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_TEXT = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month, such as 2026-10."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read ``YYYY-MM``; raise ValueError with a readable message otherwise."""
        match = _MONTH_TEXT.fullmatch(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-10")
        month = cls(int(match.group(1)), int(match.group(2)))
        # A month is billed up to the first day of the next one, which must be a date.
        if not _FIRST <= month <= _LAST:
            raise ValueError(f"{text!r} is not a month of years 0001 to 9999 (the last is 9999-11)")
        return month

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month that contains ``day``."""
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        """The 1st of the month."""
        return dt.date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        """The following month."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def last_day(self) -> dt.date:
        """The last day of the month."""
        return self.next.first_day - dt.timedelta(days=1)

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months have consecutive indexes."""
        return self.year * 12 + self.month - 1

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


_FIRST, _LAST = Month(1, 1), Month(9999, 11)
