"""Which columnar library rates fastest? The engine's core, three ways, one run.

    python bench/choose_library.py [--calls 2000000]

Each candidate computes every call's minute charge in integer minor units
(half-up, per call) and sums it per (account, band), from the same columns.
The figures chose polars for the engine; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

DIVISOR = 600_000  # 60 s x 10^(6 - 2): micro-units of the rate to pence


def columns(calls: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {
        "account": rng.integers(0, 2000, calls),
        "band": rng.integers(0, 7, calls),
        "duration": rng.lognormal(4.3, 1.1, calls).astype(np.int64),
        "rate": rng.choice([10_000, 15_000, 20_000, 40_000, 150_000], calls),
    }


def with_polars(frame: pl.DataFrame) -> int:
    charged = frame.with_columns(
        amount=(2 * pl.col("duration") * pl.col("rate") + DIVISOR) // (2 * DIVISOR)
    )
    totals = charged.group_by("account", "band").agg(pl.col("amount").sum())
    return int(totals["amount"].sum())


def with_pyarrow(table: pa.Table) -> int:
    numerator = pc.add(pc.multiply(pc.multiply(table["duration"], 2), table["rate"]), DIVISOR)
    amount = pc.divide(numerator, 2 * DIVISOR)  # integer division for integer inputs
    totals = (
        table.append_column("amount", amount)
        .group_by(["account", "band"])
        .aggregate([("amount", "sum")])
    )
    return int(pc.sum(totals["amount_sum"]).as_py())


def with_numpy(data: dict[str, np.ndarray]) -> int:
    amount = (2 * data["duration"] * data["rate"] + DIVISOR) // (2 * DIVISOR)
    key = data["account"] * 7 + data["band"]
    sums = np.zeros(2000 * 7, dtype=np.int64)
    np.add.at(sums, key, amount)
    return int(sums.sum())


def timed(
    candidate: Callable[[object], object], data: object, runs: int = 5
) -> tuple[float, object]:
    durations = []
    result: object = None
    for _ in range(runs):
        started = time.perf_counter()
        result = candidate(data)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def compare_stages(usage: Path) -> None:
    """The stages around the core, on a generated month (bench/generate.py)."""
    text = {
        c: pa.string() for c in ("call_id", "number", "started_at", "duration_s", "destination")
    }
    stages: list[tuple[str, Callable[[], object], Callable[[], object]]] = []
    frame = pl.read_csv(usage / "calls.csv", infer_schema=False)
    table = pa_csv.read_csv(
        usage / "calls.csv", convert_options=pa_csv.ConvertOptions(column_types=text)
    )
    numbers = pl.read_csv(usage / "numbers.csv", infer_schema=False).select("number", "account_id")
    number_table = numbers.to_arrow().cast(
        pa.schema([("number", pa.string()), ("account_id", pa.string())])
    )
    stages.append(
        (
            "read calls.csv",
            lambda: pl.read_csv(usage / "calls.csv", infer_schema=False),
            lambda: pa_csv.read_csv(
                usage / "calls.csv", convert_options=pa_csv.ConvertOptions(column_types=text)
            ),
        )
    )
    stages.append(
        (
            "parse started_at",
            lambda: frame["started_at"].str.to_datetime(
                format="%Y-%m-%dT%H:%M:%S%#z", strict=False, time_zone="UTC"
            ),
            lambda: pc.strptime(
                table["started_at"], format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True
            ),
        )
    )
    stages.append(
        (
            "join calls to numbers",
            lambda: frame.join(numbers, on="number", how="inner"),
            lambda: table.join(number_table, keys="number", join_type="inner"),
        )
    )
    print(f"stages on {usage}: median of 3 runs")
    for name, with_polars_stage, with_arrow_stage in stages:
        polars_seconds, _ = timed(lambda _, stage=with_polars_stage: stage(), None, runs=3)
        arrow_seconds, _ = timed(lambda _, stage=with_arrow_stage: stage(), None, runs=3)
        print(
            f"  {name:<24} polars {polars_seconds * 1000:7.1f} ms   "
            f"pyarrow {arrow_seconds * 1000:7.1f} ms"
        )
    impossible = pa.array(["2026-02-30T10:00:00Z"])
    parsed = pc.strptime(impossible, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    polars_parsed = pl.Series(["2026-02-30T10:00:00Z"]).str.to_datetime(
        format="%Y-%m-%dT%H:%M:%S%#z", strict=False
    )
    print(
        f"  2026-02-30T10:00:00Z reads as: pyarrow {parsed[0].as_py()}, polars {polars_parsed[0]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2_000_000)
    parser.add_argument("--usage", type=Path, help="a generated month, to compare the stages too")
    args = parser.parse_args()
    data = columns(args.calls)
    print(f"{args.calls:,} calls, {os.cpu_count()} cores; median of 5 runs")
    results = {}
    baseline = None
    # Each library gets its own native columns, built outside the timing.
    candidates = (
        ("polars", with_polars, pl.DataFrame(data)),
        ("pyarrow.compute", with_pyarrow, pa.table(data)),
        ("numpy", with_numpy, data),
    )
    for name, candidate, native in candidates:
        seconds, total = timed(candidate, native)
        results[name] = total
        baseline = baseline or seconds
        print(f"  {name:<16} {seconds * 1000:8.1f} ms   {seconds / baseline:5.2f}x polars")
    assert len(set(results.values())) == 1, f"candidates disagree: {results}"
    if args.usage:
        compare_stages(args.usage)


if __name__ == "__main__":
    main()
