"""Usage: reading and validating a month's accounts, tracking numbers and calls.

The stages, in order: ``tables`` reads a file (CSV, JSON Lines, Parquet) into
columns; ``accounts`` and ``numbers`` validate the small files, where any
problem is fatal; ``calls`` validates the calls over whole columns, where each
bad call is a rejection; ``load`` puts the three together.
"""

from __future__ import annotations

from tariff.engine.usage.accounts import (
    ACCOUNT_COLUMNS,
    BILLING_COLUMNS,
    DEFAULT_TIMEZONE,
    AccountRow,
)
from tariff.engine.usage.calls import CALL_COLUMNS, CallBlocks, CallTable
from tariff.engine.usage.errors import Rejection, UsageError, UsageProblem
from tariff.engine.usage.load import Usage, load_usage, read_accounts, usage_from_frames
from tariff.engine.usage.numbers import NUMBER_COLUMNS, NumberAssignment, NumberTable

__all__ = [
    "ACCOUNT_COLUMNS",
    "BILLING_COLUMNS",
    "CALL_COLUMNS",
    "DEFAULT_TIMEZONE",
    "NUMBER_COLUMNS",
    "AccountRow",
    "CallBlocks",
    "CallTable",
    "NumberAssignment",
    "NumberTable",
    "Rejection",
    "Usage",
    "UsageError",
    "UsageProblem",
    "load_usage",
    "read_accounts",
    "usage_from_frames",
]
