"""A long fuzz run of the usage readers: mutated months in, invoices or located problems out.

    python bench/fuzz_usage.py --inputs 20000

Each input is the example month with its calls, numbers or accounts file
mutated byte by byte (quotes, delimiters, line breaks, NUL, byte-order marks,
invalid UTF-8, huge numbers, odd offsets), sometimes rewritten as JSON Lines.
Every input must end in a run (counts adding up) or a UsageError listing its
problems; anything else is a failure, printed with its input.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT / "bench"))

from fuzz_report import report  # noqa: E402

from tariff.engine import UsageError, load_catalogue, load_usage, rate_month  # noqa: E402

PIECES = [
    b'"', b",", b";", b"\t", b"\r", b"\n", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe",
    b"\xc3\x28", b"\xe2\x80\xa8", b"99999999999999999999999", b"-1", b"1e300", b"NaN",
    b"+99:99", b"+23:59", b"Z", b"T", b" ", b"(0)", b"+44", b"0", b"row", b"CALL_ID",
    b"2026-10-31T23:59:59+00:00", b"sip:", b"", b"\\",
]  # fmt: skip


def mutated(data: bytes, rng: random.Random) -> bytes:
    """The bytes with a few pieces inserted, deleted or replaced at random places."""
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(data) + 1)
        action = rng.random()
        if action < 0.4:
            data = data[:at] + rng.choice(PIECES) + data[at:]
        elif action < 0.7:
            data = data[:at] + data[at + rng.randint(1, 20) :]
        else:
            data = data[:at] + rng.choice(PIECES) + data[at + rng.randint(1, 8) :]
    return data


def as_json_lines(data: bytes) -> bytes:
    """A CSV's bytes as JSON Lines, as far as it splits into fields (garbage in stays)."""
    import json

    lines = data.split(b"\n")
    header = lines[0].decode("utf-8", "replace").strip().split(",")
    out = []
    for line in lines[1:]:
        fields = line.decode("utf-8", "replace").rstrip("\r").split(",")
        out.append(json.dumps(dict(zip(header, fields, strict=False)), ensure_ascii=False))
    return "\n".join(out).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    plan = load_catalogue(ROOT / "tariffs", [EXAMPLES / "order-forms"])
    originals = {name: (EXAMPLES / f"{name}.csv").read_bytes() for name in ("accounts", "numbers")}
    # A short month keeps each run quick: the first 200 calls.
    calls = b"\n".join((EXAMPLES / "calls.csv").read_bytes().split(b"\n")[:201]) + b"\n"
    outcomes: dict[str, int] = {}
    failures = 0
    started = time.perf_counter()
    directory = Path(tempfile.mkdtemp(prefix="tariff-fuzz-"))
    try:
        for index in range(args.inputs):
            files = {**originals, "calls": calls}
            target = rng.choice(["calls", "calls", "calls", "numbers", "accounts"])
            files[target] = mutated(files[target], rng)
            suffix = ".jsonl" if target == "calls" and rng.random() < 0.2 else ".csv"
            paths = {}
            for name, data in files.items():
                path = directory / f"{name}{suffix if name == 'calls' else '.csv'}"
                path.write_bytes(as_json_lines(data) if path.suffix == ".jsonl" else data)
                paths[name] = path
            try:
                usage = load_usage(paths["accounts"], paths["numbers"], paths["calls"])
                run = rate_month(plan, "2026-10", usage)
                s = run.summary
                assert s.calls_rated + s.calls_other_period + s.calls_rejected == s.calls_in
                outcome = "rejections" if run.rejected else "clean"
            except UsageError as problem:
                assert problem.problems, "a UsageError lists its problems"
                outcome = "usage error"
            except Exception:  # a fuzz run reports every failure, whatever it is
                failures += 1
                outcome = "FAILURE"
                if failures <= 5:
                    print(f"input {index} ({target}) failed:\n{traceback.format_exc()}")
                    shutil.copytree(directory, directory.with_name(f"failure-{index}"))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    report(args.inputs, time.perf_counter() - started, outcomes, failures)


if __name__ == "__main__":
    main()
