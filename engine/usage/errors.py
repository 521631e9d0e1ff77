"""What can be wrong with usage: fatal problems, and rejected calls.

Accounts and numbers describe the customer base, so any problem in them is
fatal: a :class:`UsageError` lists every :class:`UsageProblem` with its file,
row and field. Calls are many and independent: each bad call becomes a
:class:`Rejection` and the rest go on to be rated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from tariff.engine.usage.accounts import AccountRow


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


def by_row(problem: UsageProblem) -> int:
    """Problems in row order (those of the whole file first)."""
    return problem.row or 0


class UsageError(Exception):
    """The usage files cannot be rated; every problem found is listed.

    ``accounts`` are the accounts file's rows that are valid, when it was read:
    a caller with a catalogue can report their pricing problems in the same
    breath (see ``tariff.engine.cli.options.rated_or_fail``).
    """

    def __init__(
        self, problems: Sequence[UsageProblem], accounts: Sequence[AccountRow] = ()
    ) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)
        self.accounts = tuple(accounts)


# A message quotes at most this much of a field: a field can be a whole file long.
_EXCERPT = 60


def quoted(value: object) -> str:
    """A field's value as a message quotes it: ``'+44 20…'``, cut short if it is long."""
    text = str(value)
    if len(text) > _EXCERPT:
        text = f"{text[:_EXCERPT]}… ({len(text):,} characters)"
    return f"'{text}'"


class Rejection(BaseModel):
    """A call that was not rated, with its source row and the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    row: int
    call_id: str | None = None
    field: str | None = None
    reason: str


# Every rejection is built with all its fields: one set of their names serves
# them all (a set of its own is two thirds of a rejection's memory). Nothing
# changes it: a Rejection is frozen, and pydantic copies the set to copy one.
_EVERY_FIELD = set(Rejection.model_fields)


def rejection(
    file: str, row: int, call_id: str | None, field: str | None, reason: str
) -> Rejection:
    """A rejection of values the readers already made valid: text, and the row's number.

    Built without validating them again: a month can reject hundreds of
    thousands of calls, and validation would cost more than finding them.
    """
    return Rejection.model_construct(
        _fields_set=_EVERY_FIELD, file=file, row=row, call_id=call_id, field=field, reason=reason
    )


# Rejections as columns, for months that reject many calls: text that repeats
# (the file, the field, the reasons, which many calls share) is categorical.
REJECTION_SCHEMA = pl.Schema(
    {
        "file": pl.Categorical(),
        "row": pl.Int64(),
        "call_id": pl.String(),
        "field": pl.Categorical(),
        "reason": pl.Categorical(),
    }
)


def rejection_frame(rejections: Sequence[Rejection]) -> pl.DataFrame:
    """Rejections as columns (:data:`REJECTION_SCHEMA`), in the order given."""
    return pl.DataFrame(
        [(r.file, r.row, r.call_id, r.field, r.reason) for r in rejections],
        schema=REJECTION_SCHEMA,
        orient="row",
    )
