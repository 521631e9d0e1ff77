"""The leaves of the syntax tree: source spans, and literals as written.

Every node of :mod:`tariff.dsl.ast` carries a :class:`Span`; names, texts,
numbers, dates and amounts keep exactly what the file says (numbers as exact
``Decimal``), for the checker to judge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tariff.dsl.months import Month


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file; lines and columns count from 1."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# ------------------------------------------------------------------ literals


@dataclass(frozen=True, slots=True)
class Name:
    """An identifier as written, e.g. a package, band or currency name."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Text:
    """A quoted string, with escapes resolved."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Number:
    """A decimal number as written (kept exact)."""

    value: Decimal
    span: Span


@dataclass(frozen=True, slots=True)
class DateText:
    """A month (``2026-01``) or a date (``2026-01-15``) as written.

    ``value`` is the day it starts on, or None when the text names no real day
    (the checker reports that).
    """

    text: str
    span: Span

    @property
    def value(self) -> dt.date | None:
        """The first day this text denotes, or None if it is not a real date."""
        try:
            if len(self.text) == 7:
                return Month.parse(self.text).first_day
            return dt.date.fromisoformat(self.text)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount with its currency, e.g. ``79.00 GBP``."""

    amount: Decimal
    currency: str
    span: Span
    currency_span: Span


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``#`` comment; the formatter puts it back where it was."""

    text: str
    span: Span
