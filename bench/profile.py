"""A pyinstrument profile of ``tariff invoice --format json`` on a generated month.

    python bench/profile.py bench/data/2000000 > docs/profile-2m.txt

The command runs in this process as it does from the shell (garbage collector
off), from its first import to its last byte of JSON, and the call tree of
where the time went is printed: start-up, reading, checking, rating, invoices,
output (reading and rating, which overlap on two threads in a real run, one
after the other, block by block). Only teardown is left out: the command skips it (it exits through
``os._exit``), and so does the profile.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def _reading_in_line(files: Any, block_bytes: int | None = None) -> Iterator[Future[Any]]:
    """What ``reading_ahead`` gives, read here and now (so the profile shows it)."""
    from tariff.engine.usage import load_usage

    done: Future[Any] = Future()
    try:
        done.set_result(
            load_usage(files.accounts, files.numbers, files.calls, block_bytes=block_bytes)
        )
    except Exception as problem:  # handed on as the real future would
        done.set_exception(problem)
    yield done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("month", type=Path, help="a directory from bench/generate.py")
    parser.add_argument("--calls", default="calls.csv", help="calls.csv or calls.parquet")
    parser.add_argument("--month-name", default="2026-10")
    parser.add_argument(
        "--catalog", type=Path, default=ROOT / "tariffs", help="the catalogue to rate with"
    )
    args = parser.parse_args()
    gc.disable()
    with tempfile.TemporaryDirectory() as out, Profiler(interval=0.001) as profiler:
        from tariff.engine.cli import cli, invoice
        from tariff.engine.stream import month

        # The profiler samples one thread: read the usage and the blocks of
        # calls on it, not ahead on another.
        setattr(invoice, "reading_ahead", _reading_in_line)  # noqa: B010 (a patch, not an API)
        setattr(month, "read_ahead", lambda blocks: blocks)  # noqa: B010

        with contextlib.suppress(SystemExit):
            cli.main(
                [
                    "invoice",
                    "--month",
                    args.month_name,
                    "--catalog",
                    str(args.catalog),
                    "--accounts",
                    str(args.month / "accounts.csv"),
                    "--numbers",
                    str(args.month / "numbers.csv"),
                    "--calls",
                    str(args.month / args.calls),
                    "--format",
                    "json",
                    "--out",
                    out,
                    "--quiet",
                    "--accept-rejections",
                ],
                standalone_mode=False,
            )
    # Installed as a package, tariff lives among the libraries, whose frames
    # pyinstrument folds away: keep its own frames in view.
    shown = {"show_regex": r".*/tariff/(dsl|engine)/"}
    sys.stdout.write(profiler.output_text(unicode=True, processor_options=shown))


if __name__ == "__main__":
    main()
