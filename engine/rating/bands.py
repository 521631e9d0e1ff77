"""Destination bands: reading a destination with a sheet's dial rules, and its longest prefix.

A destination is read into E.164: spaces, dashes, dots and parentheses go,
a trunk ``(0)`` after a country code goes (``+44 (0)20 7946 0000`` is
``+442079460000``), and the sheet's dial rules decide what a national prefix
means. A reading that is not a possible number (:mod:`.phone_numbers`) is
not a destination, never a catch-all band's. Addresses (``sip:…``) are read as
written, their scheme in lower case. Each distinct destination is read and
matched once per sheet; a call then looks its band up by its destination's code.
"""

from __future__ import annotations

import re

import polars as pl

from tariff.engine.plan.model import SheetVersionTerms
from tariff.engine.rating.phone_numbers import possible

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
# A country code, then the UK-style trunk zero in brackets: "+44 (0)20 …".
_TRUNK_AFTER_CODE = re.compile(r"^(\+[0-9]{1,3})[\s\-.]*\(0\)")
_PHONE = re.compile(r"\+?[0-9]+")
# Band codes for calls that select no band.
BARRED, NO_BAND, NOT_A_DESTINATION = -1, -2, -3


def band_position(name: str | None, sheet: SheetVersionTerms) -> int:
    """A band name's position in the sheet, or NO_BAND for a name the sheet lacks."""
    return list(sheet.bands).index(name) if name is not None and name in sheet.bands else NO_BAND


def read_destination(destination: str, sheet: SheetVersionTerms) -> str | None:
    """How the sheet reads a destination: an address (scheme in lower case), or E.164.

    None for text that is neither; a number the dial rules leave without a
    country code comes back without its ``+``, and is not a possible number.
    """
    if scheme := _SCHEME.match(destination):
        return destination[: scheme.end()].lower() + destination[scheme.end() :]
    phone = _PHONE_PUNCTUATION.sub("", _TRUNK_AFTER_CODE.sub(r"\1", destination.strip()))
    if not _PHONE.fullmatch(phone):
        return None
    for prefix in sorted(sheet.dial, key=len, reverse=True):
        if phone.startswith(prefix):
            return sheet.dial[prefix] + phone[len(prefix) :]
    return phone


def _tables_by_length(sheet: SheetVersionTerms) -> dict[int, tuple[pl.Series, pl.Series]]:
    """For each prefix length: its prefixes, and their band positions (BARRED when barred)."""
    bands = {name: position for position, name in enumerate(sheet.bands)}
    by_length: dict[int, dict[str, int]] = {}
    for prefix, band in sheet.prefix_bands().items():
        position = bands[band] if band is not None else BARRED
        by_length.setdefault(len(prefix), {})[prefix] = position
    return {
        length: (
            pl.Series(list(table), dtype=pl.String),
            pl.Series(list(table.values()), dtype=pl.Int64),
        )
        for length, table in by_length.items()
    }


def destination_bands(destinations: pl.Series, sheet: SheetVersionTerms) -> pl.Series:
    """The band position (or a negative code) of each distinct destination on one sheet.

    Plain phone numbers (ASCII digits, maybe a leading +), nearly all of them,
    are read and matched over the whole column; anything else is read by
    :func:`read_destination` one at a time.
    """
    text = pl.col("destination")
    plain = text.str.contains(r"^\+?[0-9]+$")
    dialled: pl.Expr = text
    for prefix in sorted(sheet.dial, key=len):
        replaced = pl.lit(sheet.dial[prefix]) + text.str.slice(len(prefix))
        dialled = pl.when(text.str.starts_with(prefix)).then(replaced).otherwise(dialled)
    frame = destinations.to_frame("destination")
    readings = frame.select(pl.when(plain).then(dialled).alias("reading"))["reading"]
    others = frame.with_row_index().filter(text.is_not_null() & ~plain)
    if others.height:
        careful = [read_destination(d, sheet) for d in others["destination"]]
        readings = readings.scatter(others["index"], pl.Series(careful, dtype=pl.String))
    reading = pl.col("reading")
    # Longest prefix first: the first that matches decides. Each length looks
    # its prefixes up in a table of its own, so that a destination costs one
    # lookup per prefix length, however many prefixes a deck has.
    matches = [
        reading.str.slice(0, length).replace_strict(
            prefixes, positions, default=None, return_dtype=pl.Int64
        )
        for length, (prefixes, positions) in sorted(_tables_by_length(sheet).items(), reverse=True)
    ]
    # An address has a scheme; anything else must be a possible phone number.
    impossible = reading.str.contains(":", literal=True).not_() & pl.col("possible").not_()
    return (
        readings.to_frame()
        .with_columns(possible(readings))
        .select(
            pl.when(reading.is_null() | impossible)
            .then(NOT_A_DESTINATION)
            .otherwise(pl.coalesce(*matches, pl.lit(NO_BAND)))
        )
        .to_series()
    )


class KnownBands:
    """Each sheet's band of each destination met so far, for a month rated block by block.

    Blocks of one month meet mostly the same destinations: each is read and
    matched once, not once a block. Past ``limit`` destinations (a month of
    nearly all distinct ones), new ones are matched without being kept.
    """

    def __init__(self, sheets: tuple[SheetVersionTerms, ...], limit: int = 1_000_000) -> None:
        self.sheets = sheets
        self.limit = limit
        # A missing destination is known from the start (it is in every block).
        missing = pl.Series("destination", [None], pl.String)
        self.known = [
            pl.DataFrame({"destination": missing, "band": destination_bands(missing, sheet)})
            for sheet in sheets
        ]

    def of(self, destinations: pl.Series) -> list[pl.Series]:
        """Per sheet, :func:`destination_bands` of these distinct destinations."""
        values = destinations.cast(pl.String).rename("destination").to_frame()
        bands = []
        for position, sheet in enumerate(self.sheets):
            known = self.known[position]
            looked_up = values.join(
                known, on="destination", how="left", maintain_order="left", nulls_equal=True
            )
            new = looked_up.filter(pl.col("band").is_null())["destination"].unique()
            if new.len():
                matched = pl.DataFrame({"destination": new, "band": destination_bands(new, sheet)})
                known = pl.concat([known, matched])
                if known.height <= self.limit:
                    self.known[position] = known
                looked_up = values.join(
                    known, on="destination", how="left", maintain_order="left", nulls_equal=True
                )
            bands.append(looked_up["band"])
        return bands
