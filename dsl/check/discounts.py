"""Rules about an order form's discounts: a real percentage, of charges that may be discounted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tariff.dsl import ast
from tariff.dsl.check.index import Definitions, every
from tariff.dsl.check.rule import Finding
from tariff.dsl.vocabulary import (
    CHARGE_WORDS,
    DISCOUNTABLE_CHARGES,
    Charge,
    charge_kind,
    charge_words,
    is_never_discountable,
)


def _discounts(definitions: Definitions) -> Iterator[list[ast.Discount]]:
    for form, _ in definitions.forms():
        yield every(form.statements, ast.Discount)


def charges_never_discountable(definitions: Definitions) -> Iterator[Finding]:
    """T112: a discount that names Fair Usage, which is never discountable."""
    for discounts in _discounts(definitions):
        for discount in discounts:
            for charge in discount.charges:
                if is_never_discountable(charge.text):
                    yield Finding(
                        charge.span,
                        f"{charge_words(charge.text)} is never discountable",
                        "remove it from the discount",
                    )


def overlapping_discounts(definitions: Definitions) -> Iterator[Finding]:
    """T113: two discounts of one order form that cover one charge in the same month."""
    for discounts in _discounts(definitions):
        for index, later in enumerate(discounts):
            for earlier in discounts[:index]:
                shared = [CHARGE_WORDS[k] for k in sorted(_charges(earlier) & _charges(later))]
                if shared and _months_overlap(earlier, later):
                    yield Finding(
                        later.span,
                        f"this discount and the one at line {earlier.span.line} both "
                        f"cover {', '.join(shared)} in the same months",
                        "limit them to different charges or to months that do not overlap",
                    )


def percents_out_of_range(definitions: Definitions) -> Iterator[Finding]:
    """T118: a discount that is not above 0 % and at most 100 %."""
    for discounts in _discounts(definitions):
        for discount in discounts:
            percent = discount.percent.value
            if not 0 < percent <= 100:
                yield Finding(
                    discount.percent.span,
                    f"a discount is a percentage above 0 and at most 100, not {percent:f}",
                )


def reversed_ranges(definitions: Definitions) -> Iterator[Finding]:
    """T119: a discount that ends before it starts."""
    for discounts in _discounts(definitions):
        for discount in discounts:
            start, end = discount.start, discount.end
            starts = start.value if start is not None else None
            ends = end.value if end is not None else None
            if start is not None and end is not None and starts and ends and starts > ends:
                yield Finding(
                    end.span, f"the discount ends ({end.text}) before it starts ({start.text})"
                )


def _charges(discount: ast.Discount) -> set[Charge]:
    if not discount.charges:
        return set(DISCOUNTABLE_CHARGES)
    return {kind for charge in discount.charges if (kind := charge_kind(charge.text))}


def _months_overlap(a: ast.Discount, b: ast.Discount) -> bool:
    a_start, a_end = _bounds(a)
    b_start, b_end = _bounds(b)
    return a_start <= b_end and b_start <= a_end


def _bounds(discount: ast.Discount) -> tuple[dt.date, dt.date]:
    start = discount.start.value if discount.start is not None else None
    end = discount.end.value if discount.end is not None else None
    return start or dt.date.min, end or dt.date.max
