"""The numbers file: which account held each tracking number, and when."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from tariff.dsl.diagnostics import alternatives, did_you_mean
from tariff.dsl.months import Month
from tariff.dsl.vocabulary import NUMBER_KINDS
from tariff.engine.usage.errors import UsageError, UsageProblem, by_row, quoted
from tariff.engine.usage.records import Reporter, malformed_rows, records, row_of, text_of
from tariff.engine.usage.tables import Table

NUMBER_COLUMNS = ("number", "account_id", "kind", "assigned_from", "released_on")
REQUIRED_NUMBER_COLUMNS = ("number", "account_id", "kind")


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
    """Tracking number assignments, in file order."""

    file: str
    assignments: tuple[NumberAssignment, ...]


def numbers_from(table: Table, account_ids: set[str]) -> NumberTable:
    """Every number assignment of a numbers table; raise UsageError listing all problems."""
    problems: list[UsageProblem] = []
    assignments: list[NumberAssignment] = []
    for record in records(table):
        row = row_of(record)

        def problem(field: str, message: str, row: int = row) -> None:
            problems.append(UsageProblem(table.file, row, field, message))

        number = text_of(record["number"])
        account_id = text_of(record["account_id"])
        kind = text_of(record["kind"])
        if number is None:
            problem("number", "is empty; give the tracking number, e.g. +441632960001")
        if account_id is None:
            problem("account_id", "is empty; name the account that holds the number")
        elif account_id not in account_ids:
            hint = did_you_mean(account_id, account_ids)
            problem(
                "account_id",
                f"{quoted(account_id)} is not in the accounts file" + (f"; {hint}" if hint else ""),
            )
        if kind is None:
            problem("kind", f"is empty; give {alternatives(NUMBER_KINDS)}")
        elif kind.lower() not in NUMBER_KINDS:
            hint = did_you_mean(kind.lower(), NUMBER_KINDS)
            problem(
                "kind",
                f"{quoted(kind)} is not a number kind ({alternatives(NUMBER_KINDS)})"
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
    problems += malformed_rows(table)
    if not problems:
        problems += _overlapping_assignments(table.file, assignments)
    if problems:
        raise UsageError(sorted(problems, key=by_row))
    return NumberTable(table.file, tuple(assignments))


def _date(value: object, field: str, problem: Reporter) -> dt.date | None:
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
        problem(field, f"{quoted(text)} is not a date; write it as YYYY-MM-DD, e.g. 2026-10-01")
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
