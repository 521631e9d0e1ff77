"""The closed sets of words the language knows, and the defaults it assumes.

The checker validates against these sets (with "did you mean"), the compiler
fills in these defaults, and docs/language.md documents both.
"""

from __future__ import annotations

from collections.abc import Mapping

GENERATIONS = ("previous", "current")

NUMBER_KINDS = ("fixed", "offline", "dynamic")

# Rounding mode as written -> Python decimal rounding constant name.
ROUNDING_MODES: Mapping[str, str] = {
    "half-up": "ROUND_HALF_UP",
    "half-even": "ROUND_HALF_EVEN",
    "up": "ROUND_UP",
    "down": "ROUND_DOWN",
}

# Charge as written in a discount scope -> invoice line kind.
CHARGES: Mapping[str, str] = {
    "licence": "licence",
    "call fee": "call_fee",
    "call fees": "call_fee",
    "minutes": "minutes",
    "minute charges": "minutes",
}
NEVER_DISCOUNTABLE = ("fair usage",)

# Defaults for statements a tariff may leave out.
DEFAULT_CHARGEABLE_FROM_SECONDS = 1
DEFAULT_INCLUSIVE_CALLS = 0
DEFAULT_FAIR_USAGE_MINIMUM = 10
DEFAULT_FAIR_USAGE_NUMBER_KINDS = ("fixed", "offline")
DEFAULT_FAIR_USAGE_COUNTING_FROM_SECONDS = 1
DEFAULT_PARTIAL_MONTHS_EXEMPT = False
DEFAULT_ROUNDING = "half-up"
