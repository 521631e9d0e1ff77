"""Every diagnostic code the toolchain reports: its stable code, short name and meaning.

Codes never change meaning and are never renumbered: CI configurations and
suppressions refer to them. A new check gets a new code here, a rule in
:data:`tariff.dsl.check.RULES`, a golden case under ``tests/golden/`` and a row
in docs/diagnostics.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A diagnostic code: ``T102``, its short name and what it means."""

    code: str
    name: str
    summary: str

    @property
    def help(self) -> str:
        """What the code means and what to do about it, for SARIF's rule help and editors."""
        return f"{self.summary} {HOW_TO_FIX[self.code]}"


SYNTAX = Code("T001", "syntax", "The text does not follow the tariff language's grammar.")
UNREADABLE_FILE = Code("T002", "unreadable-file", "The file cannot be read as UTF-8 text.")
DUPLICATE_DEFINITION = Code("T101", "duplicate-definition", "Something is defined twice.")
UNKNOWN_REFERENCE = Code("T102", "unknown-reference", "A name refers to nothing that is defined.")
MISSING_STATEMENT = Code("T103", "missing-statement", "A required statement is missing.")
REPEATED_STATEMENT = Code(
    "T104", "repeated-statement", "A statement that may appear once appears again."
)
UNKNOWN_WORD = Code(
    "T105", "unknown-word", "A currency, kind, mode or charge is not one the language knows."
)
MISSING_EDITION_PRICE = Code(
    "T106", "missing-edition-price", "A currency edition lacks a price that it needs."
)
BAND_MISSING_RATE = Code(
    "T107",
    "band-missing-rate",
    "A band has no rate (or fee, or minimum) in a currency that the sheet prices.",
)
UNREACHABLE_PREFIX = Code("T108", "unreachable-prefix", "A prefix can never match a destination.")
NEGATIVE_AMOUNT = Code("T109", "negative-amount", "A price or rate is negative.")
TOO_PRECISE = Code(
    "T110", "too-precise", "An amount has more decimal places than the engine keeps exactly."
)
INVALID_COUNT = Code(
    "T111", "invalid-count", "A count of calls or seconds is not whole or below its minimum."
)
NOT_DISCOUNTABLE = Code(
    "T112", "not-discountable", "A discount names a charge that is never discountable."
)
OVERLAPPING_DISCOUNTS = Code(
    "T113", "overlapping-discounts", "Two discounts cover the same charge in the same month."
)
CURRENCY_MISMATCH = Code(
    "T114", "currency-mismatch", "An amount's currency does not fit where it is used."
)
VERSION_NOT_IN_EFFECT = Code(
    "T115",
    "version-not-in-effect",
    "An order form pins a package version in months before that version starts.",
)
INVALID_DATE = Code("T116", "invalid-date", "A version date or a month is not a real date.")
EMPTY_VALUE = Code("T117", "empty-value", "A dial prefix or an order form's account id is empty.")
PERCENT_OUT_OF_RANGE = Code(
    "T118", "percent-out-of-range", "A discount is not a percentage above 0 and at most 100."
)
REVERSED_RANGE = Code("T119", "reversed-range", "A range of months ends before it starts.")
RATE_NEVER_APPLIES = Code(
    "T120", "rate-never-applies", "An order form sets a rate that its package never charges."
)
UNKNOWN_ACCOUNT = Code(
    "T121", "unknown-account", "An order form is for an account the accounts file does not have."
)
TOO_LARGE = Code(
    "T122", "too-large", "An amount or a count is larger than the engine keeps exactly."
)
UNKNOWN_COUNTRY = Code(
    "T123", "unknown-country", "A country is not an ISO 3166-1 alpha-2 code such as GB."
)
OVERLAPPING_TAXES = Code(
    "T124",
    "overlapping-taxes",
    "Two tax rules tax one country, or two rates of a tax start on the same day.",
)
TAX_RATE_OUT_OF_RANGE = Code(
    "T125", "tax-rate-out-of-range", "A tax rate is not a percentage from 0 to 100."
)
MINIMUM_BELOW_FEE = Code(
    "T126",
    "minimum-below-fee",
    "A minimum charge at or below the connection fee, which it can never raise.",
)
DECK_PROBLEM = Code(
    "T127",
    "deck-problem",
    "A rate deck cannot be read, or a row of it cannot be used or clashes with another.",
)

CODES: Mapping[str, Code] = {
    code.code: code
    for code in (
        SYNTAX,
        UNREADABLE_FILE,
        DUPLICATE_DEFINITION,
        UNKNOWN_REFERENCE,
        MISSING_STATEMENT,
        REPEATED_STATEMENT,
        UNKNOWN_WORD,
        MISSING_EDITION_PRICE,
        BAND_MISSING_RATE,
        UNREACHABLE_PREFIX,
        NEGATIVE_AMOUNT,
        TOO_PRECISE,
        INVALID_COUNT,
        NOT_DISCOUNTABLE,
        OVERLAPPING_DISCOUNTS,
        CURRENCY_MISMATCH,
        VERSION_NOT_IN_EFFECT,
        INVALID_DATE,
        EMPTY_VALUE,
        PERCENT_OUT_OF_RANGE,
        REVERSED_RANGE,
        RATE_NEVER_APPLIES,
        UNKNOWN_ACCOUNT,
        TOO_LARGE,
        UNKNOWN_COUNTRY,
        OVERLAPPING_TAXES,
        TAX_RATE_OUT_OF_RANGE,
        MINIMUM_BELOW_FEE,
        DECK_PROBLEM,
    )
}

# What to do about each code, in general; each diagnostic's own hint is more precise.
HOW_TO_FIX: Mapping[str, str] = {
    "T001": "Correct the text at the position shown; the message lists what may come there.",
    "T002": "Save the file as UTF-8 text.",
    "T101": "Keep one definition of the name: rename or remove the other.",
    "T102": "Correct the name, or define what it refers to (the hint names the closest).",
    "T103": "Add the statement the message names.",
    "T104": "Keep one of the statements (or one amount per currency).",
    "T105": "Use one of the words the message lists.",
    "T106": "Give the price in every currency the licence offers, or drop the edition.",
    "T107": "Give the band a rate (fee, minimum) in every currency the sheet prices.",
    "T108": "Remove the prefix, or take it out of the band, barred list or dial that hides it.",
    "T109": "Write the amount as zero or more.",
    "T110": "Round the amount to at most the decimal places the message names.",
    "T111": "Write a whole count at or above the least the message names.",
    "T112": "Remove the charge from the discount: Fair Usage is never discounted.",
    "T113": "Change the months or charges so that each charge has one discount a month.",
    "T114": "Write the amount in the currency the message names.",
    "T115": "Pin a version in effect in those months, or end the contract before them.",
    "T116": "Write a real date: YYYY-MM for a month, YYYY-MM-DD for a day.",
    "T117": "Write the prefix or the account id.",
    "T118": "Write a percentage above 0 and at most 100.",
    "T119": "Swap the months, or correct the one that is wrong.",
    "T120": "Remove the rate, or pin a package whose sheet prices that band.",
    "T121": "Correct the account id, or add the account to the accounts file.",
    "T122": "Write a smaller amount or count; the message names the largest kept exactly.",
    "T123": "Write the country's ISO 3166-1 alpha-2 code, such as GB, US or FR.",
    "T124": "Tax each country by one rule, and start each rate on its own day.",
    "T125": "Write a percentage from 0 to 100.",
    "T126": "Raise the minimum above the connection fee, or remove it.",
    "T127": "Correct the deck row or column the message names.",
}
