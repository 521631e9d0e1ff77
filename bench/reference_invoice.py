"""The baseline as a process: tests/reference.py, row at a time, on a generated month.

python bench/reference_invoice.py DIRECTORY MONTH > reference.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from reference import reference_run  # noqa: E402

from tariff.engine import load_catalogue  # noqa: E402


def main() -> None:
    directory, month = Path(sys.argv[1]), sys.argv[2]
    plan = load_catalogue(ROOT / "tariffs")
    document = reference_run(
        plan, month, directory / "accounts.csv", directory / "numbers.csv", directory / "calls.csv"
    )
    json.dump(document, sys.stdout, indent=2, default=str)


if __name__ == "__main__":
    main()
