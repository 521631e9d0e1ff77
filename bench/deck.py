"""A carrier's rate deck of 100,000 prefixes, checked and used, against the sheet of today.

    python bench/deck.py                     # 100,000 prefixes, 2,000,000 calls
    python bench/deck.py --prefixes 20000 --calls 200000 --runs 1

It writes a catalogue whose carrier sheet takes its bands from a generated
deck (``carrier-deck.csv``): the reference sheet's bands and barred ranges,
each of its prefixes refined into many longer ones at the same terms, so that
every call is priced exactly as by the reference sheet. Then it times, each
process after an untimed run of its own kind:

  (k) ``tariff check`` of the deck catalogue;
  (s) ``tariff invoice --format json`` with today's sheet (the baseline);
  (d) the same with the deck.

and checks that (s) and (d) give the same invoices, apart from where each
line's price was set.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from run import MONTH, ROOT, TARIFF, medians, month_files

HERE = Path(__file__).resolve().parent
SHEET_WITH_DECK = """# The carrier's sheet, its bands from the deck beside it.
sheet carrier {
  name "Infinity Tracking call tariff sheet"

  version 2021-04-01 {
    rounding half-up per call
    dial "00" as "+"
    dial "0" as "+44"
    deck "carrier-deck.csv"
  }
}
"""


def write_deck(path: Path, prefixes: int, seed: int = 7) -> int:
    """A deck of about ``prefixes`` rows pricing as the reference sheet does; its row count."""
    sys.path.insert(0, str(ROOT))
    from tariff.engine import load_catalogue

    (sheet,) = load_catalogue(ROOT / "tariffs").sheets["carrier"]
    rng = np.random.default_rng(seed)
    rows = ["prefix,band,currency,rate_per_minute,name"]
    seen: set[str] = set()

    def add(prefix: str, band: str | None) -> None:
        if prefix in seen:
            return
        seen.add(prefix)
        if band is None:
            rows.append(f"{prefix},,GBP,barred,")
            return
        terms = sheet.bands[band]
        for currency, rate in terms.rates.items():
            rows.append(f"{prefix},{band},{currency},{rate},{terms.title}")

    table = sheet.prefix_bands()
    for prefix, band in table.items():
        add(prefix, band)
    # Refine phone prefixes into longer ones of the same band: a carrier's deck
    # lists ranges by their own prefixes, though most share a handful of rates.
    phone = [p for p in table if p.startswith("+")]
    while len(rows) < prefixes:
        base = phone[int(rng.integers(len(phone)))]
        longer = base + "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(1, 5))))
        # The longest prefix of the sheet decides the band of the longer one.
        owner = max((p for p in table if longer.startswith(p)), key=len)
        add(longer, table[owner])
    path.write_text("\n".join(rows) + "\n")
    return len(rows) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefixes", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    args = parser.parse_args()
    directory = month_files(args.calls, args.data)
    with tempfile.TemporaryDirectory() as scratch:
        catalogue = Path(scratch) / "tariffs"
        shutil.copytree(ROOT / "tariffs", catalogue, ignore=shutil.ignore_patterns("tests"))
        (catalogue / "carrier.tariff").write_text(SHEET_WITH_DECK)
        rows = write_deck(catalogue / "carrier-deck.csv", args.prefixes)

        def invoice(tariffs: Path, out: Path) -> list[str]:
            return [
                *TARIFF,
                "invoice",
                "--month",
                MONTH,
                "--catalog",
                str(tariffs),
                *(f"--{n}={directory / f'{n}.csv'}" for n in ("accounts", "numbers", "calls")),
                "--format",
                "json",
                "--quiet",
                "--accept-rejections",
                "--issue-date",
                "2026-11-01",
            ]

        sheet_out, deck_out = Path(scratch) / "sheet.json", Path(scratch) / "deck.json"
        measured = medians(
            {
                "check": [*TARIFF, "check", str(catalogue)],
                "sheet": invoice(ROOT / "tariffs", sheet_out),
                "deck": invoice(catalogue, deck_out),
            },
            args.runs,
            {"sheet": sheet_out, "deck": deck_out},
        )
        same = _comparable(sheet_out) == _comparable(deck_out)
    check, sheet, deck = measured["check"], measured["sheet"], measured["deck"]
    print(f"{rows:,} deck rows, {args.calls:,} calls, {os.cpu_count()} cores")
    print(f"  (k) tariff check, deck          {check.seconds:6.2f} s  {check.peak_mb:6.0f} MB")
    print(f"  (s) tariff invoice, sheet       {sheet.seconds:6.2f} s  {sheet.peak_mb:6.0f} MB")
    print(
        f"  (d) tariff invoice, deck        {deck.seconds:6.2f} s  {deck.peak_mb:6.0f} MB"
        f"   d/s {deck.seconds / sheet.seconds:4.2f}x"
    )
    print(f"  same invoices: {'yes' if same else 'NO'}")


def _comparable(path: Path) -> object:
    """The invoices without where their prices were set (a deck's row, a sheet's line)."""
    document = json.loads(path.read_text())
    for invoice in document["invoices"]:
        for line in invoice["lines"]:
            line.pop("source", None)
    return document


if __name__ == "__main__":
    main()
