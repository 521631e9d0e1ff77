"""A long fuzz run over the parser, checker and formatter.

    python bench/fuzz_language.py [--inputs 100000] [--seed 1]

A third of the inputs are random text, a third the shipped tariff files with
random slices deleted, replaced or duplicated, and a third the shipped files
with words swapped for other words of the language. For every input, parsing must return a
file or diagnostics (never raise), checking a parsed file must return
diagnostics, and formatting must keep the meaning and be idempotent. Prints
the counts, the time and any failure; exits 1 if there was one.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

# The same inputs and the same checks as the test suite's short run.
from fuzz_report import report  # noqa: E402
from test_fuzz import FRAGMENTS, SOURCES, exercise  # noqa: E402

ALPHABET = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789{}",.%#-+:\n\t_é€'


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 200)))


def mutated(rng: random.Random) -> str:
    text = rng.choice(SOURCES)
    for _ in range(rng.randint(1, 4)):
        start = rng.randint(0, len(text))
        end = min(len(text), start + rng.randint(0, 30))
        choice = rng.random()
        if choice < 0.4:
            text = text[:start] + text[end:]
        elif choice < 0.8:
            text = text[:start] + rng.choice(FRAGMENTS) + text[end:]
        else:
            text = text[:start] + text[start:end] * 2 + text[end:]
    return text


WORDS = sorted({w for source in SOURCES for w in re.findall(r"[A-Za-z0-9_.+:-]+", source)})


def reworded(rng: random.Random) -> str:
    """A shipped file with some words swapped for others: usually still parses."""
    text = rng.choice(SOURCES)
    spans = [m.span() for m in re.finditer(r"[A-Za-z0-9_.+:-]+", text)]
    for start, end in sorted(rng.sample(spans, rng.randint(1, 5)), reverse=True):
        kind = _kind(text[start])
        text = text[:start] + rng.choice([w for w in WORDS if _kind(w[0]) == kind]) + text[end:]
    return text


def _kind(first: str) -> str:
    """Words swap within their kind (number, name, code), so most files still parse."""
    return "digit" if first.isdigit() else "upper" if first.isupper() else "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    outcomes: dict[str, int] = {}
    failures = 0
    started = time.perf_counter()
    for index in range(args.inputs):
        text = (random_text, mutated, reworded)[index % 3](rng)
        try:
            outcome = exercise(text)
        except Exception:  # a fuzz run reports every failure, whatever it is
            failures += 1
            outcome = "FAILURE"
            if failures <= 5:
                print(f"input {index} failed:\n{text!r}\n{traceback.format_exc()}")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    report(args.inputs, time.perf_counter() - started, outcomes, failures)


if __name__ == "__main__":
    main()
