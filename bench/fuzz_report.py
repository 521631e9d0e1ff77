"""The summary a long fuzz run prints, and its exit status: 1 if any input failed."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import NoReturn


def report(inputs: int, seconds: float, outcomes: Mapping[str, int], failures: int) -> NoReturn:
    """Print how many inputs ran, how fast, how each ended, and exit."""
    print(f"{inputs:,} inputs in {seconds:.1f} s ({inputs / seconds:,.0f} a second)")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {outcome:<12} {count:>8,}")
    print(f"failures: {failures}")
    sys.exit(1 if failures else 0)
