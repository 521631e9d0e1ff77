"""Reading and validating a month's usage: accounts, tracking numbers and calls.

Accounts and numbers are small and describe the customer base: any problem in
them is fatal (:class:`UsageError`, listing every problem with file, row and
field). Calls are many and independent: each bad call becomes a
:class:`~tariff.engine.models.Rejection` and the rest go on to be rated.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from tariff.dsl.ast import Month
from tariff.dsl.currencies import MINOR_DIGITS
from tariff.dsl.diagnostics import did_you_mean
from tariff.dsl.vocabulary import NUMBER_KINDS
from tariff.engine.calls import (
    CALL_COLUMNS,
    CODED_CALL_COLUMNS,
    REQUIRED_CALL_COLUMNS,
    CallTable,
    calls_from,
)
from tariff.engine.tables import Table, TableError, read_table, table_from_frame

DEFAULT_TIMEZONE = "Europe/London"

ACCOUNT_COLUMNS = (
    "account_id",
    "name",
    "package",
    "version",
    "currency",
    "discount_percent",
    "timezone",
)
REQUIRED_ACCOUNT_COLUMNS = ("account_id", "package", "currency")
NUMBER_COLUMNS = ("number", "account_id", "kind", "assigned_from", "released_on")
REQUIRED_NUMBER_COLUMNS = ("number", "account_id", "kind")
# Reports a problem with a field of the row being read.
_Reporter = Callable[[str, str], None]


@dataclass(frozen=True)
class UsageProblem:
    """A problem in an input file, located by file, row and field."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.field is not None:
            where += f" field {self.field}"
        return f"{where}: {self.message}"


class UsageError(Exception):
    """The usage files cannot be rated; every problem found is listed."""

    def __init__(self, problems: Sequence[UsageProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class AccountRow:
    """One row of the accounts file, validated."""

    file: str
    row: int
    account_id: str
    name: str | None
    package: str
    version: str | None
    currency: str
    discount_percent: Decimal
    timezone: str


@dataclass(frozen=True)
class Usage:
    """A month of usage, validated: the input to :func:`tariff.engine.rate_month`."""

    accounts: tuple[AccountRow, ...]
    numbers: NumberTable
    calls: CallTable


def load_usage(accounts: Path | str, numbers: Path | str, calls: Path | str) -> Usage:
    """Read and validate the three usage files; raise UsageError on fatal problems."""
    return _usage(
        lambda: _table(Path(accounts), ACCOUNT_COLUMNS, REQUIRED_ACCOUNT_COLUMNS),
        lambda: _table(Path(numbers), NUMBER_COLUMNS, REQUIRED_NUMBER_COLUMNS),
        lambda: read_table(Path(calls), CALL_COLUMNS, REQUIRED_CALL_COLUMNS, CODED_CALL_COLUMNS),
    )


def usage_from_frames(
    accounts: pl.DataFrame,
    numbers: pl.DataFrame,
    calls: pl.DataFrame,
    names: tuple[str, str, str] = ("accounts", "numbers", "calls"),
) -> Usage:
    """Validate usage already in memory (e.g. one partition, from Arrow tables).

    ``names`` stand for the files in messages; a ``row`` column keeps each
    record's row number in its original file.
    """
    return _usage(
        lambda: _frame_table(accounts, names[0], ACCOUNT_COLUMNS, REQUIRED_ACCOUNT_COLUMNS),
        lambda: _frame_table(numbers, names[1], NUMBER_COLUMNS, REQUIRED_NUMBER_COLUMNS),
        lambda: table_from_frame(calls, names[2], CALL_COLUMNS, REQUIRED_CALL_COLUMNS),
    )


def _usage(
    accounts: Callable[[], Table], numbers: Callable[[], Table], calls: Callable[[], Table]
) -> Usage:
    # The calls file is by far the biggest: it is read on a worker thread (polars
    # parses without holding the interpreter) while the accounts and numbers
    # are checked here.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tariff-calls") as reader:
        calls_read = reader.submit(calls)
        account_rows = accounts_from(accounts())
        number_table = numbers_from(numbers(), {a.account_id for a in account_rows})
        try:
            call_table = calls_from(calls_read.result())
        except TableError as problem:
            raise UsageError([UsageProblem(problem.file, None, None, problem.message)]) from None
    return Usage(account_rows, number_table, call_table)


def _frame_table(
    frame: pl.DataFrame, name: str, columns: Sequence[str], required: Sequence[str]
) -> Table:
    try:
        return table_from_frame(frame, name, columns, required)
    except TableError as problem:
        raise UsageError([UsageProblem(problem.file, None, None, problem.message)]) from None


def _table(path: Path, columns: Sequence[str], required: Sequence[str]) -> Table:
    try:
        table = read_table(path, columns, required)
    except TableError as problem:
        raise UsageError([UsageProblem(problem.file, None, None, problem.message)]) from None
    if table.malformed:
        raise UsageError(
            [
                UsageProblem(table.file, bad.row, None, f"the row {bad.reason}")
                for bad in table.malformed
            ]
        )
    return table


def _records(table: Table) -> Iterable[dict[str, object]]:
    return table.frame.iter_rows(named=True)


def row_of(record: dict[str, object]) -> int:
    """The ``row`` field of a record read from a table."""
    row = record["row"]
    assert isinstance(row, int)
    return row


# ------------------------------------------------------------------ accounts


def accounts_from(table: Table) -> tuple[AccountRow, ...]:
    """Every account of an accounts table; raise UsageError listing all problems."""
    problems: list[UsageProblem] = []
    accounts: list[AccountRow] = []
    first_row: dict[str, int] = {}
    for record in _records(table):
        row = row_of(record)

        def problem(field: str, message: str, row: int = row) -> None:
            problems.append(UsageProblem(table.file, row, field, message))

        account_id = _text(record["account_id"])
        package = _text(record["package"])
        currency = _text(record["currency"])
        if account_id is None:
            problem("account_id", "is empty; every account needs an id")
        elif account_id in first_row:
            problem(
                "account_id", f"'{account_id}' is repeated (first at row {first_row[account_id]})"
            )
            continue
        else:
            first_row[account_id] = row
        if package is None:
            problem("package", "is empty; name the account's package, e.g. professional")
        if currency is None:
            problem("currency", "is empty; give GBP or USD")
        elif currency.upper() not in MINOR_DIGITS:
            hint = did_you_mean(currency.upper(), MINOR_DIGITS)
            problem(
                "currency",
                f"'{currency}' is not a billing currency (GBP or USD)"
                + (f"; {hint}" if hint else ""),
            )
        discount = _discount_percent(record["discount_percent"], problem)
        timezone = _timezone(record["timezone"], problem)
        if (
            account_id
            and package
            and currency
            and currency.upper() in MINOR_DIGITS
            and discount is not None
            and timezone
        ):
            accounts.append(
                AccountRow(
                    file=table.file,
                    row=row,
                    account_id=account_id,
                    name=_text(record["name"]),
                    package=package,
                    version=_text(record["version"]),
                    currency=currency.upper(),
                    discount_percent=discount,
                    timezone=timezone,
                )
            )
    if problems:
        raise UsageError(problems)
    return tuple(accounts)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _discount_percent(value: object, problem: _Reporter) -> Decimal | None:
    text = _text(value)
    if text is None:
        return Decimal(0)
    try:
        percent = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        problem(
            "discount_percent", f"'{text}' is not a number; write a percentage such as 10 or 12.5"
        )
        return None
    if not percent.is_finite() or not 0 <= percent <= 100:
        problem("discount_percent", f"{text} is not a percentage from 0 to 100")
        return None
    return percent


def _timezone(value: object, problem: _Reporter) -> str | None:
    name = _text(value) or DEFAULT_TIMEZONE
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(name, zoneinfo.available_timezones())
        problem(
            "timezone",
            f"'{name}' is not an IANA time zone such as Europe/London"
            + (f"; {hint}" if hint else ""),
        )
        return None
    return name


# ------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberAssignment:
    """One row of the numbers file: who held a tracking number, and when.

    ``assigned_from`` is inclusive (None: always); ``released_on`` is exclusive
    (None: never).
    """

    row: int
    number: str
    account_id: str
    kind: str
    assigned_from: dt.date | None
    released_on: dt.date | None

    def held_during(self, month: Month) -> bool:
        """Whether the number was held on any day of ``month``."""
        starts_in_time = self.assigned_from is None or self.assigned_from <= month.last_day
        ends_in_time = self.released_on is None or self.released_on > month.first_day
        return starts_in_time and ends_in_time


@dataclass(frozen=True)
class NumberTable:
    """Tracking number assignments, as records and as a frame for joins."""

    file: str
    assignments: tuple[NumberAssignment, ...]

    @property
    def frame(self) -> pl.DataFrame:
        """Columns row, number, account_id, kind, assigned_from, released_on."""
        return pl.DataFrame(
            [vars(a) for a in self.assignments],
            schema={
                "row": pl.Int64,
                "number": pl.String,
                "account_id": pl.String,
                "kind": pl.String,
                "assigned_from": pl.Date,
                "released_on": pl.Date,
            },
        )


def numbers_from(table: Table, account_ids: set[str]) -> NumberTable:
    """Every number assignment of a numbers table; raise UsageError listing all problems."""
    problems: list[UsageProblem] = []
    assignments: list[NumberAssignment] = []
    for record in _records(table):
        row = row_of(record)

        def problem(field: str, message: str, row: int = row) -> None:
            problems.append(UsageProblem(table.file, row, field, message))

        number = _text(record["number"])
        account_id = _text(record["account_id"])
        kind = _text(record["kind"])
        if number is None:
            problem("number", "is empty; give the tracking number, e.g. +441632960001")
        if account_id is None:
            problem("account_id", "is empty; name the account that holds the number")
        elif account_id not in account_ids:
            hint = did_you_mean(account_id, account_ids)
            problem(
                "account_id",
                f"'{account_id}' is not in the accounts file" + (f"; {hint}" if hint else ""),
            )
        if kind is None:
            problem("kind", "is empty; give fixed, offline or dynamic")
        elif kind.lower() not in NUMBER_KINDS:
            hint = did_you_mean(kind.lower(), NUMBER_KINDS)
            problem(
                "kind",
                f"'{kind}' is not a number kind (fixed, offline or dynamic)"
                + (f"; {hint}" if hint else ""),
            )
        assigned_from = _date(record["assigned_from"], "assigned_from", problem)
        released_on = _date(record["released_on"], "released_on", problem)
        if assigned_from and released_on and released_on <= assigned_from:
            problem("released_on", f"{released_on} is not after assigned_from {assigned_from}")
        if number and account_id and kind:
            assignments.append(
                NumberAssignment(row, number, account_id, kind.lower(), assigned_from, released_on)
            )
    if not problems:
        problems += _overlapping_assignments(table.file, assignments)
    if problems:
        raise UsageError(problems)
    return NumberTable(table.file, tuple(assignments))


def _date(value: object, field: str, problem: _Reporter) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problem(field, f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-10-01")
        return None


def _overlapping_assignments(
    file: str, assignments: Sequence[NumberAssignment]
) -> list[UsageProblem]:
    problems = []
    by_number: dict[str, list[NumberAssignment]] = {}
    for assignment in assignments:
        by_number.setdefault(assignment.number, []).append(assignment)
    for number, windows in by_number.items():
        ordered = sorted(windows, key=lambda w: w.assigned_from or dt.date.min)
        for earlier, later in itertools.pairwise(ordered):
            end = earlier.released_on
            if end is None or end > (later.assigned_from or dt.date.min):
                problems.append(
                    UsageProblem(
                        file,
                        later.row,
                        "assigned_from",
                        f"number {number} is already assigned to {earlier.account_id} then "
                        f"(row {earlier.row}); assignments of a number must not overlap",
                    )
                )
    return problems
