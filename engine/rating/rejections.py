"""Why a call could not be rated: an unheld number, or a band or destination that prices nothing."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from tariff.dsl.diagnostics import did_you_mean
from tariff.engine.plan.model import SheetVersionTerms
from tariff.engine.rating.accounts import RatingAccounts
from tariff.engine.rating.bands import BARRED, read_destination
from tariff.engine.rating.phone_numbers import impossible_reason
from tariff.engine.usage.errors import REJECTION_SCHEMA, quoted
from tariff.engine.usage.numbers import NumberTable


class RejectionReasons:
    """Why calls could not be rated, as columns, each distinct reason worded once a month.

    Calls are rejected by the hundred thousand in a bad month, but for few
    reasons: one per unknown number, per band or destination and sheet. Each
    is worded once, here, and given to all the calls it concerns at once.
    """

    def __init__(
        self,
        numbers: NumberTable,
        accounts: RatingAccounts | None,
        dial: Mapping[str, str] | None = None,
    ) -> None:
        self.known = frozenset(assignment.number for assignment in numbers.assignments)
        self.accounts = accounts
        # The dial rules that suggest how an unknown number was meant (default: every sheet's).
        self.dial = (
            dial
            if dial is not None
            else {
                prefix: to
                for sheet in (accounts.sheets if accounts else ())
                for prefix, to in sheet.dial.items()
            }
        )
        self._unknown: dict[str, str] = {}
        self._unpriced: dict[tuple[int, str | None, str | None, int], tuple[str, str]] = {}

    def unheld(self, file: str, unheld: pl.DataFrame) -> pl.DataFrame:
        """The calls to numbers nobody held when they started: unknown, or not assigned then.

        ``unheld`` has the calls' row, call_id, number and started_at. An
        unknown number that is a known one written another way (a spreadsheet
        dropped its ``+``, or it is written with a national prefix that the
        sheets' dial rules read) is suggested.
        """
        unheld = unheld.with_columns(pl.col("number").cast(pl.String))
        numbers = unheld["number"].unique().to_list()
        for number in numbers:
            if number not in self.known and number not in self._unknown:
                self._unknown[number] = self._unknown_reason(number)
        unknown = {number: self._unknown[number] for number in numbers if number in self._unknown}
        not_assigned = pl.format(
            "tracking number {} was not assigned to any account when the call started ({} UTC)",
            pl.col("number"),
            pl.lit(_minutes(unheld["started_at"])),
        )
        reason = (
            pl.col("number")
            .replace_strict(unknown, default=None, return_dtype=pl.String)
            .fill_null(not_assigned)
        )
        return _frame(file, unheld, pl.lit("number"), reason)

    def _unknown_reason(self, number: str) -> str:
        reason = f"unknown tracking number {number}: it is not in the numbers file"
        if suggested := _written_otherwise(number, self.known, self.dial):
            reason += f"; did you mean {suggested}, as the numbers file writes it?"
        return reason

    def unpriced(self, file: str, unpriced: pl.DataFrame) -> pl.DataFrame:
        """The calls whose band or destination prices nothing on their account's sheet.

        ``unpriced`` has the calls' row, call_id, account (a position), band,
        destination and band_index (the negative code rating gave them).
        """
        accounts = self.accounts
        assert accounts is not None, "calls are priced only where accounts hold numbers"
        keyed = unpriced.with_columns(
            pl.Series("sheet", accounts.sheet_of[unpriced["account"].to_numpy()])
        )
        keys = ["sheet", "band", "destination", "band_index"]
        distinct = keyed.select(keys).unique(maintain_order=True)
        problems = []
        for key in distinct.iter_rows():
            if key not in self._unpriced:
                sheet, band, destination, code = key
                self._unpriced[key] = _band_problem(band, destination, code, accounts.sheets[sheet])
            problems.append(self._unpriced[key])
        worded = distinct.with_columns(
            pl.Series("field", [field for field, _ in problems], pl.String),
            pl.Series("reason", [reason for _, reason in problems], pl.String),
        )
        joined = keyed.join(worded, on=keys, how="left", maintain_order="left", nulls_equal=True)
        return _frame(file, joined, pl.col("field"), pl.col("reason"))


def _minutes(started: pl.Series) -> pl.Series:
    """Starts as reasons show them, to the minute in UTC (as Python's ``%Y-%m-%d %H:%M``)."""
    shown = started.dt.strftime("%Y-%m-%d %H:%M")
    # Python writes years before 1000 without leading zeros: those few are left to it.
    odd = ~started.dt.year().is_between(1000, 9999)
    if odd.any():
        at = odd.arg_true()
        shown = shown.scatter(at, [f"{start:%Y-%m-%d %H:%M}" for start in started.gather(at)])
    return shown


def _frame(file: str, calls: pl.DataFrame, field: pl.Expr, reason: pl.Expr) -> pl.DataFrame:
    """The rejections of ``calls`` (with row and call_id) as REJECTION_SCHEMA's columns."""
    return calls.select(
        pl.lit(file).alias("file"),
        "row",
        "call_id",
        field.alias("field"),
        reason.alias("reason"),
    ).cast(REJECTION_SCHEMA)


def _written_otherwise(number: str, known: frozenset[str], dial: Mapping[str, str]) -> str | None:
    """The known number this one is, once a ``+`` is added or a dial rule read."""
    candidates = ["+" + number]
    candidates += [
        dial[prefix] + number[len(prefix) :] for prefix in dial if number.startswith(prefix)
    ]
    return next((candidate for candidate in candidates if candidate in known), None)


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
