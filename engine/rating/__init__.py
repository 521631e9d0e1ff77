"""Rating: a month's valid calls, priced and summed per account, band and number.

The stages, in order: ``codes`` (text to integer codes), ``holdings`` (which
account held each number when a call started), ``bands`` (destination to band),
``price`` (each call's charge, rounded once), ``totals`` (sums per account,
band and number) and ``rejections`` (why a call could not be rated); ``blocks``
runs them over blocks of calls.
"""

from __future__ import annotations

from tariff.engine.rating.bands import read_destination
from tariff.engine.rating.blocks import MonthRating, RatedCalls, rate_calls
from tariff.engine.rating.progress import RatingStatus
from tariff.engine.rating.totals import AccountUsage, BandUsage

__all__ = [
    "AccountUsage",
    "BandUsage",
    "MonthRating",
    "RatedCalls",
    "RatingStatus",
    "rate_calls",
    "read_destination",
]
