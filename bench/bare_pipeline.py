"""The least a rating process has to do, timed against the floor in the same run.

    python bench/bare_pipeline.py bench/data/2000000 --runs 5

The bare pipeline is not an engine: it reads calls.csv with pyarrow (numbers and
destinations coded, timestamps parsed, all while reading), checks that call ids
are unique by hashing them with polars, prices each call from a made-up rate
per destination, sums per number, and writes one JSON object per number. It
skips everything else a real run must do: accounts, the numbers file, the
catalogue, time zones, bands, rejections with their reasons, Fair Usage and
invoices.

A process that rates the file correctly does at least this much, so the bare
pipeline's ratio to the floor (a) shows how much room a target such as
"(c) <= 2 x (a)" leaves on this machine for everything it skips.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from run import FLOOR, medians, python


def bare(calls: Path) -> None:
    """Read, check, price and sum the calls, then write the sums as JSON to standard output."""
    import json

    import numpy as np
    import polars as pl
    import pyarrow as pa
    import pyarrow.csv as csv

    coded = pa.dictionary(pa.int32(), pa.string())
    table = csv.read_csv(
        calls,
        convert_options=csv.ConvertOptions(
            column_types={
                "call_id": pa.string(),
                "number": coded,
                "destination": coded,
                "started_at": pa.timestamp("s", "UTC"),
                "duration_s": pa.int64(),
            }
        ),
    )
    # Hashing is the cheapest check of unique ids there is (as the engine does it);
    # pyarrow has no hash kernel, and coding the ids as a dictionary costs 4x more.
    ids = pl.from_arrow(table.column("call_id"))
    assert isinstance(ids, pl.Series)
    if ids.hash().n_unique() != table.num_rows:
        raise SystemExit("repeated call ids (or a hash collision)")
    number = table.column("number").unify_dictionaries().combine_chunks()
    destination = table.column("destination").unify_dictionaries().combine_chunks()
    duration = table.column("duration_s").to_numpy()
    rates = np.arange(len(destination.dictionary), dtype=np.int64) % 7 * 10_000
    charge = (duration * rates[destination.indices.to_numpy()] + 300_000) // 600_000
    sums = np.zeros(len(number.dictionary), dtype=np.int64)
    np.add.at(sums, number.indices.to_numpy(), charge)
    numbers = number.dictionary.to_pylist()
    document = [{"number": n, "amount": str(int(a))} for n, a in zip(numbers, sums, strict=True)]
    sys.stdout.write(json.dumps(document))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("month", type=Path, help="a directory from bench/generate.py")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--run-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    calls = args.month / "calls.csv"
    if args.run_bare:
        bare(calls)
        return
    measured = medians(
        {
            "floor": python(FLOOR, calls),
            "bare": [sys.executable, __file__, str(args.month), "--run-bare"],
        },
        args.runs,
        {},
    )
    floor, bare_time = measured["floor"].seconds, measured["bare"].seconds
    print(
        f"median of {args.runs}: (a) floor {floor:.2f} s   bare pipeline {bare_time:.2f} s   "
        f"bare/a {bare_time / floor:.2f}x"
    )


if __name__ == "__main__":
    main()
