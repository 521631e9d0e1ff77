"""A deterministic, realistic month of usage at any size, for benchmarks.

    python bench/generate.py --calls 2000000 --out bench/data/2m

writes accounts.csv, numbers.csv and calls.csv (and calls.parquet, with
typed columns, with --parquet): accounts across every reference package and both currencies,
numbers of all three kinds (a few recycled mid-month), and calls with
lognormal durations, missed calls, and destinations across every band
(barred ones included, rarely).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from tariff.engine.usage import BILLING_COLUMNS, NUMBER_COLUMNS

PACKAGES = [
    ("standard", "2019-01"),
    ("standard", None),
    ("professional", "2019-01"),
    ("professional", None),
    ("enterprise", "2019-01"),
    ("enterprise", None),
    ("essentials", None),
    ("growth", None),
    ("scale", None),
]
DESTINATION_PREFIXES = [
    ("+441632", 0.45),
    ("+442079", 0.15),
    ("+4430", 0.05),
    ("+447700", 0.15),
    ("sip:", 0.04),
    ("+1212", 0.06),
    ("+3314", 0.05),
    ("+8190", 0.04),
    ("+4470", 0.01),
]


RECYCLED_ON = "2026-10-16"


# Digits after the "+" of a whole number in each country: possible numbers only.
_E164_DIGITS = {"+44": 12, "+1": 11, "+33": 11, "+81": 12}


def _destination(prefix: str, tail: int) -> str:
    if prefix == "sip:":
        return f"sip:desk{tail}@example.com"
    digits = next(n for code, n in _E164_DIGITS.items() if prefix.startswith(code))
    return f"{prefix}{tail:0{digits - len(prefix) + 1}d}"


def generate(calls: int, accounts: int, numbers: int, seed: int) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"ACC-{i:05d}" for i in range(accounts)]
    package_index = rng.integers(0, len(PACKAGES), accounts)
    account_frame = pl.DataFrame(
        {
            "account_id": ids,
            "name": [f"Customer {i}" for i in range(accounts)],
            "package": [PACKAGES[i][0] for i in package_index],
            "version": [PACKAGES[i][1] for i in package_index],
            "currency": ["GBP" if r < 0.7 else "USD" for r in rng.random(accounts)],
            "discount_percent": ["10" if r < 0.15 else None for r in rng.random(accounts)],
            "timezone": [
                "Europe/London" if r < 0.9 else "America/New_York" for r in rng.random(accounts)
            ],
        },
        schema={name: pl.String for name in BILLING_COLUMNS},
    )
    holder = rng.integers(0, accounts, numbers)
    kinds = rng.choice(["fixed", "offline", "dynamic"], numbers, p=[0.5, 0.2, 0.3])
    number_values = [f"+4416329{i:05d}" for i in range(numbers)]
    # One number in a hundred is recycled on the 16th: released by one account
    # and assigned to another.
    recycled = max(1, numbers // 100)
    rows = [
        {
            "number": number_values[i],
            "account_id": ids[holder[i]],
            "kind": str(kinds[i]),
            "assigned_from": None,
            "released_on": RECYCLED_ON if i < recycled else None,
        }
        for i in range(numbers)
    ] + [
        {
            "number": number_values[i],
            "account_id": ids[(holder[i] + 1) % accounts],
            "kind": str(kinds[i]),
            "assigned_from": RECYCLED_ON,
            "released_on": None,
        }
        for i in range(recycled)
    ]
    number_frame = pl.DataFrame(rows, schema={name: pl.String for name in NUMBER_COLUMNS})
    # Calls per number are skewed: many numbers get a handful, a few get thousands.
    weights = rng.pareto(1.2, numbers) + 0.05
    weights /= weights.sum()
    which = rng.choice(numbers, calls, p=weights)
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC).timestamp() - 3600
    seconds = rng.integers(0, 31 * 86400, calls) + int(start)
    durations = np.where(
        rng.random(calls) < 0.06, 0, rng.lognormal(4.3, 1.1, calls).astype(int) + 1
    )
    # Each number forwards to its customer's own line; about one call in ten
    # goes elsewhere (a mobile, another office, abroad, now and then a barred one).
    prefix_names = [p for p, _ in DESTINATION_PREFIXES]
    prefix_weights = np.array([w for _, w in DESTINATION_PREFIXES])
    prefix_weights = prefix_weights / prefix_weights.sum()
    forwarding = [
        _destination(prefix_names[p], t)
        for p, t in zip(
            rng.choice(len(prefix_names), numbers, p=prefix_weights),
            rng.integers(0, 100_000, numbers),
            strict=True,
        )
    ]
    elsewhere = [
        _destination(prefix_names[p], t)
        for p, t in zip(
            rng.choice(len(prefix_names), 20_000, p=prefix_weights),
            rng.integers(0, 100_000, 20_000),
            strict=True,
        )
    ]
    destination = pl.Series(forwarding)[which]
    other = rng.random(calls) < 0.1
    destination = destination.scatter(
        np.flatnonzero(other), pl.Series(elsewhere)[rng.integers(0, len(elsewhere), other.sum())]
    )
    call_frame = pl.DataFrame(
        {
            "call_id": "c" + pl.int_range(0, calls, eager=True).cast(pl.String).str.zfill(9),
            "number": pl.Series(number_values)[which],
            "started_at": pl.from_epoch(pl.Series(seconds), time_unit="s")
            .dt.replace_time_zone("UTC")
            .dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_s": durations,
            "destination": destination,
        }
    )
    return {"accounts": account_frame, "numbers": number_frame, "calls": call_frame}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2_000_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--parquet", action="store_true", help="also write calls.parquet")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    frames = generate(args.calls, args.accounts, args.numbers, args.seed)
    for name, frame in frames.items():
        frame.write_csv(args.out / f"{name}.csv")
    if args.parquet:
        # Parquet keeps types, as the systems that write it do: start times as
        # UTC instants and durations as integers.
        frames["calls"].with_columns(
            pl.col("started_at").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC")
        ).write_parquet(args.out / "calls.parquet")
    print(f"wrote {args.calls:,} calls to {args.out}")


if __name__ == "__main__":
    main()
