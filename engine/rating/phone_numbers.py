"""Whether a destination is a possible phone number: its length fits its country.

A number in E.164 (``+`` and digits) is possible when its country calling code
exists and the digits after it have a length that country's numbers can have,
as Google's libphonenumber metadata (the ``phonenumbers`` package) says:
``is_possible_number``, not the stricter ``is_valid_number``, so that ranges the
library does not know yet (Ofcom's drama ranges, a carrier's new ranges) are
still numbers. The digits are taken as written; E.164 has no trunk prefix, so
``+4402079460000`` is not a possible number (``+44 (0)20…`` is read without its
``(0)`` before this). The lengths come from the library once per country
code, and a whole column of numbers is then checked in one polars expression.
"""

from __future__ import annotations

import functools

import phonenumbers
import polars as pl

from tariff.dsl.diagnostics import alternatives

# Country calling codes have one to three digits; national numbers at most 17.
_CODE_DIGITS = (1, 2, 3)
_LONGEST_NATIONAL = 17


# Every country calling code there is (1 to 3 digits).
_CODES = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


@functools.cache
def possible_lengths(code: int) -> frozenset[int]:
    """The lengths that national numbers of a country calling code may have."""
    return frozenset(
        length
        for length in range(1, _LONGEST_NATIONAL + 1)
        if phonenumbers.is_possible_number(
            phonenumbers.PhoneNumber(country_code=code, national_number=int("5" * length))
        )
    )


def country_code(number: str) -> int | None:
    """The calling code an E.164 number starts with (the shortest that exists), or None."""
    digits = number.removeprefix("+")
    for width in _CODE_DIGITS:
        head = digits[:width]
        # A code is written without leading zeros: "+0…" and "+00…" have none.
        if len(head) == width and not head.startswith("0") and int(head) in _CODES:
            return int(head)
    return None


def impossible_reason(number: str) -> str | None:
    """Why an E.164 reading is not a possible phone number, or None when it is one."""
    if not number.startswith("+") or not number[1:].isdigit():
        return "it has no country code: write it as +44… or with a national prefix such as 0"
    code = country_code(number)
    if code is None:
        return f"no country has the calling code {number[:4]}…"
    national = len(number) - 1 - len(str(code))
    lengths = sorted(possible_lengths(code))
    if national in lengths:
        return None
    return (
        f"+{code} numbers have {alternatives(map(str, lengths))} digits after the country "
        f"code, not {national}"
    )


def possible(readings: pl.Series) -> pl.Series:
    """Whether each E.164 reading is a possible number (null stays null).

    The lengths are asked of the library once for each country code present.
    """
    reading = pl.col("reading")
    digits = reading.str.strip_prefix("+")
    codes = pl.lit(None, dtype=pl.Int64)
    for width in reversed(_CODE_DIGITS):
        head = digits.str.slice(0, width)
        # A code is written without leading zeros: "+0…" and "+00…" have none.
        known = head.str.starts_with("0").not_() & head.cast(pl.Int64, strict=False).is_in(
            list(_CODES)
        )
        codes = (
            pl.when(known & (digits.str.len_chars() >= width))
            .then(head.cast(pl.Int64, strict=False))
            .otherwise(codes)
        )
    frame = readings.to_frame("reading").with_columns(code=codes)
    present = frame["code"].drop_nulls().unique().to_list()
    fitting = [f"{code}:{length}" for code in present for length in possible_lengths(code)]
    national = (
        digits.str.len_chars().cast(pl.Int64) - pl.col("code").cast(pl.String).str.len_chars()
    )
    fits = pl.concat_str(pl.col("code").cast(pl.String), pl.lit(":"), national.cast(pl.String))
    is_number = reading.str.contains(r"^\+[0-9]+$")
    return frame.select(
        pl.when(reading.is_null())
        .then(None)
        .otherwise(is_number & fits.is_in(fitting).fill_null(False))
        .alias("possible")
    )["possible"]
