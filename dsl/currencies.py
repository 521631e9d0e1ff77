"""The currencies tariffs may price in, and how many minor digits each keeps."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

# ISO 4217 code -> digits of the minor unit (pence, cents).
MINOR_DIGITS: Mapping[str, int] = {"GBP": 2, "USD": 2}

# Per-minute rates may be finer than a penny; the engine keeps this many
# decimal places of the major unit exactly (integer micro-units).
RATE_DECIMALS = 6

SYMBOLS: Mapping[str, str] = {"GBP": "£", "USD": "$"}

# Every price and rate is below this many major units (a trillion pounds or
# dollars), and every count below LARGEST_COUNT: the checker refuses larger
# literals, so that rates fit 64-bit integers of micro-units and every sum the
# engine makes is exact (docs/decisions.md has the arithmetic).
LARGEST_AMOUNT = Decimal(10) ** 12
LARGEST_COUNT = 10**9


def decimal_places(value: Decimal) -> int:
    """How many digits a decimal has after the point, as written."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
