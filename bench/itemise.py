"""Itemising one big account: its month of calls as CSV, as a document and from the ledger.

    python bench/itemise.py                 # one account, 200,000 calls
    python bench/itemise.py --calls 500000

Each figure is a whole process, the median of ``--runs`` rounds, each timed run
after an untimed run of the same command (see run.py's ``medians``):

  (j) ``tariff invoice --format json``: rating alone, the baseline;
  (i) ``tariff invoice --format calls --out DIR``: rating and the CSV;
  (l) reading the CSV back from a ledger issued by ``tariff bill``, piece by
      piece as the portal streams it, with its peak memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from run import MONTH, ROOT, TARIFF, medians

HERE = Path(__file__).resolve().parent
READ_BACK = (
    "import sys; from tariff.engine.billing.ledger import open_ledger; "
    "from tariff.engine.billing.kept_calls import kept_calls; "
    "print(sum(len(p) for p in kept_calls(open_ledger(sys.argv[1]), 'INV-000001')))"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        month = root / "month"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--calls",
                str(args.calls),
                "--accounts",
                "1",
                "--numbers",
                "20",
                "--out",
                str(month),
            ],
            check=True,
        )
        usage = [
            "--month",
            MONTH,
            "--catalog",
            str(ROOT / "tariffs"),
            *(f"--{name}={month / f'{name}.csv'}" for name in ("accounts", "numbers", "calls")),
        ]
        invoice = [*TARIFF, "invoice", *usage, "--accept-rejections", "--quiet"]
        ledger = root / "ledger.sqlite"
        subprocess.run(
            [*TARIFF, "bill", *usage, "--db", str(ledger), "--accept-rejections"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        measured = medians(
            {
                "json": [*invoice, "--format", "json"],
                "calls": [*invoice, "--format", "calls", "--out", str(root / "calls")],
                "read back": [sys.executable, "-c", READ_BACK, str(ledger)],
            },
            args.runs,
            {},
        )
        (written,) = (root / "calls").iterdir()
        size = written.stat().st_size
    json_s, calls_s = measured["json"].seconds, measured["calls"].seconds
    print(f"{args.calls:,} calls of one account on {os.cpu_count()} cores; CSV {size / 1e6:.1f} MB")
    print(f"  (j) invoice --format json   {json_s:6.2f} s  {measured['json'].peak_mb:6.0f} MB")
    print(
        f"  (i) invoice --format calls  {calls_s:6.2f} s  {measured['calls'].peak_mb:6.0f} MB"
        f"   i/j {calls_s / json_s:4.2f}x"
    )
    back = measured["read back"]
    print(f"  (l) read back from ledger   {back.seconds:6.2f} s  {back.peak_mb:6.0f} MB")


if __name__ == "__main__":
    main()
