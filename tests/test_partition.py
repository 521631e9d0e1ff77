"""Rating in partitions of accounts and merging gives exactly the single run."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl
import pytest
from usage_rows import EXAMPLES, ROOT, TARIFFS

from tariff.dsl.catalogue import display_path
from tariff.engine import load_catalogue, load_usage, rate_month
from tariff.engine.partition import group_keys, merge_runs, rate_group, split_usage
from tariff.engine.rating import blocks
from tariff.engine.usage import CallTable


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def generated_month(tmp_path_factory):
    sys.path.append(str(ROOT / "bench"))  # after the standard library: bench/profile.py
    from generate import generate

    directory = tmp_path_factory.mktemp("month")
    for name, frame in generate(calls=30_000, accounts=60, numbers=300, seed=5).items():
        frame.write_csv(directory / f"{name}.csv")
    return directory


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
@pytest.mark.parametrize("month_dir", ["examples", "generated"])
def test_partitioned_runs_merge_into_the_single_run(parts, month_dir, generated_month):
    directory = EXAMPLES if month_dir == "examples" else generated_month
    files = [directory / f"{name}.csv" for name in ("accounts", "numbers", "calls")]
    # The example order forms are for the example month's accounts.
    forms = [EXAMPLES / "order-forms"] if month_dir == "examples" else []
    plan = load_catalogue(TARIFFS, forms)
    issued = dt.date(2026, 11, 1)
    single = rate_month(plan, "2026-10", load_usage(*files), issued_on=issued)
    accounts_name, numbers_name, calls_name = (display_path(path) for path in files)
    names = (accounts_name, numbers_name, calls_name)

    accounts_file, numbers_file, calls_file = files
    groups = split_usage(read(accounts_file), read(numbers_file), read(calls_file), parts)
    runs = [
        rate_group(
            plan,
            "2026-10",
            accounts.to_arrow(),
            numbers.to_arrow(),
            calls.to_arrow(),
            names=names,
            issued_on=issued,
        )
        for accounts, numbers, calls in groups
    ]

    merged = merge_runs(runs)
    assert merged.to_json() == single.to_json()
    assert sum(len(run.invoices) for run in runs) == len(single.invoices)


@pytest.mark.parametrize("block", [1, 7, 4096])
def test_rating_in_blocks_of_calls_gives_the_single_block(block, generated_month, monkeypatch):
    files = [generated_month / f"{name}.csv" for name in ("accounts", "numbers", "calls")]
    plan = load_catalogue(TARIFFS)
    usage = load_usage(*files)
    whole = rate_month(plan, "2026-10", usage)
    monkeypatch.setattr(blocks, "_BLOCK", block)
    in_blocks = rate_month(plan, "2026-10", usage)
    assert in_blocks.to_json() == whole.to_json()
    assert isinstance(usage.calls, CallTable)
    assert usage.calls.count > 2 * block
    assert whole.summary.calls_other_period and whole.rejected  # edges in every block


def test_accounts_sharing_a_recycled_number_stay_together():
    numbers = pl.DataFrame(
        {
            "number": ["+1", "+1", "+2", "+3"],
            "account_id": ["A", "B", "C", "D"],
        }
    )
    keys = group_keys(numbers, 3)
    assert keys["A"] == keys["B"]
    assert len({keys["A"], keys["C"], keys["D"]}) == 3


def test_the_plan_travels_to_workers_by_pickle():
    import pickle

    plan = load_catalogue(TARIFFS)
    files = [EXAMPLES / f"{name}.csv" for name in ("accounts", "numbers", "calls")]
    copied = pickle.loads(pickle.dumps(plan))
    accounts, numbers, calls = (read(path) for path in files)
    forms = load_catalogue(TARIFFS, [EXAMPLES / "order-forms"])
    assert (
        rate_group(copied, "2026-10", accounts, numbers, calls).to_json()
        == rate_group(plan, "2026-10", accounts, numbers, calls).to_json()
    )
    assert pickle.loads(pickle.dumps(forms)) == forms
