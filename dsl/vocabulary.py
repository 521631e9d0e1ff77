"""The closed sets of words the language knows (currencies too), and the defaults it assumes.

Each set is defined here once and derived everywhere else: the checker
validates against it (with "did you mean"), the compiler fills in the
defaults, the engine's models, documents, explanations and usage messages take
their words from it, and docs/language.md documents it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

# ------------------------------------------------------------- currencies
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


# ---------------------------------------------------------------- charges


class Charge(StrEnum):
    """The kinds of invoice line, in the order an invoice lists them."""

    LICENCE = "licence"
    CALL_FEE = "call_fee"
    MINUTES = "minutes"
    FAIR_USAGE = "fair_usage"
    DISCOUNT = "discount"
    TAX = "tax"


# Each charge in words, as tariffs, documents and messages name it.
CHARGE_WORDS: Mapping[Charge, str] = {
    Charge.LICENCE: "licence",
    Charge.CALL_FEE: "call fee",
    Charge.MINUTES: "minutes",
    Charge.FAIR_USAGE: "fair usage",
    Charge.DISCOUNT: "discount",
    Charge.TAX: "tax",
}
# The charges a discount may name, and the words (singular and plural) for each.
DISCOUNTABLE_CHARGES = (Charge.LICENCE, Charge.CALL_FEE, Charge.MINUTES)
DISCOUNT_CHARGE_WORDS = tuple(CHARGE_WORDS[charge] for charge in DISCOUNTABLE_CHARGES)
CHARGE_PLURALS: Mapping[Charge, str] = {
    Charge.LICENCE: "licence",
    Charge.CALL_FEE: "call fees",
    Charge.MINUTES: "minutes",
}
_SCOPE_WORDS: Mapping[str, Charge] = {
    **{CHARGE_WORDS[charge]: charge for charge in DISCOUNTABLE_CHARGES},
    **{CHARGE_PLURALS[charge]: charge for charge in DISCOUNTABLE_CHARGES},
    "minute charges": Charge.MINUTES,
}
NEVER_DISCOUNTABLE = (Charge.FAIR_USAGE,)


def charge_words(text: str) -> str:
    """A discount scope as written, in plain lower-case words ('Call_Fee': 'call fee')."""
    return " ".join(text.lower().replace("_", " ").split())


def charge_kind(text: str) -> Charge | None:
    """The discountable charge a discount scope names, e.g. 'call fees' -> Charge.CALL_FEE."""
    return _SCOPE_WORDS.get(charge_words(text))


def is_never_discountable(text: str) -> bool:
    """Whether a discount scope names a charge that is never discountable (fair usage)."""
    return charge_words(text) in {CHARGE_WORDS[charge] for charge in NEVER_DISCOUNTABLE}


class Rounding(StrEnum):
    """How a call's price is rounded to the minor unit."""

    HALF_UP = "half-up"
    HALF_EVEN = "half-even"
    UP = "up"
    DOWN = "down"


ROUNDING_MODES = tuple(Rounding)


class NumberKind(StrEnum):
    """The kinds of tracking number."""

    FIXED = "fixed"
    OFFLINE = "offline"
    DYNAMIC = "dynamic"


NUMBER_KINDS = tuple(NumberKind)

GENERATIONS = ("previous", "current")


# Defaults for statements a tariff may leave out.
DEFAULT_CHARGEABLE_FROM_SECONDS = 1
DEFAULT_INCLUSIVE_CALLS = 0
DEFAULT_FAIR_USAGE_MINIMUM = 10
DEFAULT_FAIR_USAGE_NUMBER_KINDS = (NumberKind.FIXED, NumberKind.OFFLINE)
DEFAULT_FAIR_USAGE_COUNTING_FROM_SECONDS = 1
DEFAULT_PARTIAL_MONTHS_EXEMPT = False
DEFAULT_ROUNDING = Rounding.HALF_UP


@functools.cache
def countries() -> frozenset[str]:
    """The countries an account or a tax may name: ISO 3166-1 alpha-2 codes.

    The set is libphonenumber's regions (the ``phonenumbers`` package, which the
    engine uses for destinations too): each country and territory with its own
    numbering, by its two-letter code. It is loaded when first asked for, so
    that commands that name no country do not pay for it.
    """
    import phonenumbers

    return frozenset(
        region for region in phonenumbers.SUPPORTED_REGIONS if len(region) == 2 and region.isalpha()
    )
