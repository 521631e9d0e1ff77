"""Text turned into integer codes, and the numpy arrays rating works on.

One code per distinct tracking number, destination and band name (polars
categoricals): everything per call is then arithmetic on codes, with tables
built once per distinct value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

Ints = npt.NDArray[np.int64]
# Codes of distinct values, as polars numbers them (half the memory of Ints).
Codes = npt.NDArray[np.uint32]
Flags = npt.NDArray[np.bool_]


def joined(parts: Sequence[Ints]) -> Ints:
    """The blocks' positions or codes as one array (empty when there are none)."""
    return np.concatenate([np.empty(0, dtype=np.int64), *parts])


def integers(values: Sequence[int]) -> Ints:
    """Integers as an array, e.g. one per account by position."""
    return np.array(values, dtype=np.int64)


def lookup(table: Ints, key: Ints) -> Ints | np.int64:
    """``table[key]`` for every call, or the one value when the table holds only one.

    Most months have one time zone, one sheet and one currency: a single value
    spares a gather over every call.
    """
    if table.size and bool((table == table[0]).all()):
        return np.int64(table[0])
    return table[key]


def codes_of(column: pl.Series) -> tuple[Codes, pl.Series]:
    """Each value's code and the distinct values by code; a missing value gets the last code."""
    categorical = column
    if not isinstance(column.dtype, pl.Categorical):
        categorical = column.cast(pl.Categorical(pl.Categories.random()))
    physical = categorical.to_physical()
    largest = physical.max()
    size = largest + 1 if isinstance(largest, int) else 0  # None: no value at all
    codes = physical.fill_null(size).to_numpy()
    # The values present, by their codes, each read from one of its rows: a
    # numpy pass, where polars' unique hashes every value (and listing the
    # categories is a Python loop, and may list values no call of the column has).
    row_of = np.full(size + 1, -1, dtype=np.int64)
    row_of[codes] = np.arange(codes.size)
    present = np.flatnonzero(row_of[:size] >= 0)
    distinct = pl.repeat(None, size, dtype=pl.String, eager=True)
    if present.size:
        values = categorical.gather(row_of[present]).cast(pl.String)
        distinct = distinct.scatter(present, values)
    return codes, distinct.extend_constant(None, 1)
