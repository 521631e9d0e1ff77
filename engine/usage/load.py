"""Reading a month's usage: the three files, or frames already in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tariff.dsl.catalogue import display_path
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
    CallBlocks,
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
from tariff.engine.usage.tables import Table, read_table, table_blocks, table_from_frame


@dataclass(frozen=True)
class Usage:
    """A month of usage, validated: the input to :func:`tariff.engine.rate_month`."""

    accounts: tuple[AccountRow, ...]
    numbers: NumberTable
    # The calls, read; or, loaded with block_bytes, to be read as they are rated.
    calls: CallTable | CallBlocks


def load_usage(
    accounts: Path | str,
    numbers: Path | str,
    calls: Path | str,
    *,
    block_bytes: int | None = None,
) -> Usage:
    """Read and validate the three usage files; raise UsageError on fatal problems.

    With ``block_bytes``, the calls are left to be read as they are rated, in
    blocks of about that many bytes (:class:`CallBlocks`), so that memory does
    not grow with the month; a file that cannot be read so is read now.
    """
    calls_path = Path(calls)

    def whole_calls() -> Table:
        return read_table(calls_path, CALL_COLUMNS, REQUIRED_CALL_COLUMNS, CODED_CALL_COLUMNS)

    blocks = None
    if block_bytes is not None:
        blocks = table_blocks(calls_path, CALL_COLUMNS, REQUIRED_CALL_COLUMNS, block_bytes)
    usage = _usage(
        lambda: _table(Path(accounts), ACCOUNT_COLUMNS, REQUIRED_ACCOUNT_COLUMNS),
        lambda: _table(Path(numbers), NUMBER_COLUMNS, REQUIRED_NUMBER_COLUMNS),
        whole_calls if blocks is None else None,
    )
    if blocks is None:
        return usage

    def whole() -> CallTable:
        try:
            return calls_from(whole_calls())
        except TableError as problem:
            raise _whole_file(problem) from None

    return dataclasses.replace(usage, calls=CallBlocks(display_path(calls_path), blocks, whole))


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
    accounts: Callable[[], Table], numbers: Callable[[], Table], calls: Callable[[], Table] | None
) -> Usage:
    # The calls file is by far the biggest: it is read on a worker thread (polars
    # parses without holding the interpreter) while the accounts and numbers
    # are checked here.
    # Every problem of the accounts and numbers files is reported at once.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tariff-calls") as reader:
        calls_read = reader.submit(calls if calls is not None else _no_calls)
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


def _no_calls() -> Table:
    """No calls, for usage whose calls are read later, block by block."""
    frame = pl.DataFrame({"row": []}, schema={"row": pl.Int64}).with_columns(
        pl.lit(None, pl.String).alias(name) for name in CALL_COLUMNS
    )
    return Table("calls", frame, ())


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
