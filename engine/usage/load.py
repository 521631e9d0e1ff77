"""Reading a month's usage: the three files, or frames already in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tariff.engine.usage.accounts import (
    ACCOUNT_COLUMNS,
    REQUIRED_ACCOUNT_COLUMNS,
    AccountRow,
    accounts_from,
)
from tariff.engine.usage.calls import (
    CALL_COLUMNS,
    CODED_CALL_COLUMNS,
    REQUIRED_CALL_COLUMNS,
    CallTable,
    calls_from,
)
from tariff.engine.usage.errors import UsageError, UsageProblem
from tariff.engine.usage.numbers import (
    NUMBER_COLUMNS,
    REQUIRED_NUMBER_COLUMNS,
    NumberTable,
    numbers_from,
)
from tariff.engine.usage.reading import TableError
from tariff.engine.usage.records import records, text_of
from tariff.engine.usage.tables import Table, read_table, table_from_frame


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


def read_accounts(path: Path | str) -> tuple[AccountRow, ...]:
    """Read and validate an accounts file alone; raise UsageError listing every problem."""
    return accounts_from(_table(Path(path), ACCOUNT_COLUMNS, REQUIRED_ACCOUNT_COLUMNS))


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
    # Every problem of the accounts and numbers files is reported at once.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tariff-calls") as reader:
        calls_read = reader.submit(calls)
        problems: list[UsageProblem] = []
        account_table = accounts()
        try:
            account_rows = accounts_from(account_table)
        except UsageError as bad:
            problems += bad.problems
            account_rows = bad.accounts
        # A number held by an account whose row has a problem is not itself wrong.
        account_ids = {
            text
            for record in [
                *records(account_table),
                *(bad.fields for bad in account_table.malformed),
            ]
            if (text := text_of(_account_id(record)))
        }
        try:
            number_table = numbers_from(numbers(), account_ids)
        except UsageError as bad:
            problems += bad.problems
        if problems:
            raise UsageError(problems, account_rows)
        try:
            call_table = calls_from(calls_read.result())
        except TableError as problem:
            raise _whole_file(problem) from None
    return Usage(account_rows, number_table, call_table)


def _frame_table(
    frame: pl.DataFrame, name: str, columns: Sequence[str], required: Sequence[str]
) -> Table:
    try:
        return table_from_frame(frame, name, columns, required)
    except TableError as problem:
        raise _whole_file(problem) from None


def _table(path: Path, columns: Sequence[str], required: Sequence[str]) -> Table:
    try:
        return read_table(path, columns, required)
    except TableError as problem:
        raise _whole_file(problem) from None


def _whole_file(problem: TableError) -> UsageError:
    """A file that cannot be used at all, as a usage problem with no row or field."""
    return UsageError([UsageProblem(problem.file, None, None, problem.message)])


def _account_id(record: Mapping[str, object]) -> object:
    """A record's account id, whatever the case and spacing of its column's name."""
    return next((v for k, v in record.items() if k.strip().lower() == "account_id"), None)
