"""Why a call could not be rated: an unheld number, or a band or destination that prices nothing."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from tariff.dsl.diagnostics import did_you_mean
from tariff.engine.plan.model import SheetVersionTerms
from tariff.engine.rating.accounts import RatingAccounts
from tariff.engine.rating.bands import BARRED, read_destination
from tariff.engine.rating.phone_numbers import impossible_reason
from tariff.engine.usage.errors import Rejection, quoted, rejection
from tariff.engine.usage.numbers import NumberTable


def unheld_rejections(
    file: str,
    unheld: pl.DataFrame,
    numbers: NumberTable,
    dial: Mapping[str, str] | None = None,
) -> list[Rejection]:
    """The calls to numbers nobody held when they started: unknown, or not assigned then.

    An unknown number that is a known one written another way (a spreadsheet
    dropped its ``+``, or it is written with a national prefix that ``dial``
    rules read) is suggested.
    """
    known = {assignment.number for assignment in numbers.assignments}
    suggestions: dict[str, str | None] = {}
    rejections: list[Rejection] = []
    for row, call_id, number, started_at in unheld.iter_rows():
        if number in known:
            reason = (
                f"tracking number {number} was not assigned to any account when the call "
                f"started ({started_at:%Y-%m-%d %H:%M} UTC)"
            )
        else:
            reason = f"unknown tracking number {number}: it is not in the numbers file"
            if number not in suggestions:
                suggestions[number] = _written_otherwise(str(number), known, dial or {})
            if suggested := suggestions[number]:
                reason += f"; did you mean {suggested}, as the numbers file writes it?"
        rejections.append(rejection(file, row, call_id, "number", reason))
    return rejections


def _written_otherwise(number: str, known: set[str], dial: Mapping[str, str]) -> str | None:
    """The known number this one is, once a ``+`` is added or a dial rule read."""
    candidates = ["+" + number]
    candidates += [
        dial[prefix] + number[len(prefix) :] for prefix in dial if number.startswith(prefix)
    ]
    return next((candidate for candidate in candidates if candidate in known), None)


def band_rejections(file: str, unpriced: pl.DataFrame, accounts: RatingAccounts) -> list[Rejection]:
    """The calls whose band or destination prices nothing on their account's sheet."""
    # Many calls share a destination: explain each distinct problem once.
    reasons: dict[tuple[int, str | None, str | None, int], tuple[str, str]] = {}
    rejections: list[Rejection] = []
    rows = unpriced.select("row", "call_id", "account", "band", "destination", "band_index")
    sheet_of = accounts.sheet_of.tolist()
    for row, call_id, position, band, destination, code in rows.iter_rows():
        key = (sheet_of[position], band, destination, code)
        if key not in reasons:
            reasons[key] = _band_problem(band, destination, code, accounts.sheets[key[0]])
        field_name, reason = reasons[key]
        rejections.append(rejection(file, row, call_id, field_name, reason))
    return rejections


def _band_problem(
    band: str | None, destination: str | None, code: int, sheet: SheetVersionTerms
) -> tuple[str, str]:
    """The field at fault and the reason a call's band or destination cannot be priced."""
    sheet_name = f"sheet {sheet.sheet} (version {sheet.version})"
    if band is not None:
        hint = did_you_mean(band, sheet.bands)
        reason = f"unknown band {quoted(band)}: {sheet_name} has " + ", ".join(sorted(sheet.bands))
        return "band", reason + (f"; {hint}" if hint else "")
    reading = read_destination(str(destination), sheet)
    if reading is None:
        return "destination", (
            f"destination {quoted(destination)} is not a phone number (such as +441632960000) "
            "or an address (such as sip:desk@example.com)"
        )
    if ":" not in reading and (why := impossible_reason(reading)) is not None:
        return "destination", f"destination {quoted(destination)} is not a phone number: {why}"
    if code == BARRED:
        return "destination", f"barred destination {reading}"
    return "destination", f"unknown destination {reading}: no band of {sheet_name} matches it"
