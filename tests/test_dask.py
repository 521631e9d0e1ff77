"""The month rated by Dask, one task per group, equals one machine's run byte for byte."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from usage_rows import EXAMPLES, TARIFFS, generated_month_files, single_run_of

from tariff.engine import load_catalogue
from tariff.engine.dask import rate_month_on_dask
from tariff.engine.usage import UsageError

ISSUED = dt.date(2026, 11, 1)
SEED = 13


@pytest.fixture(scope="module")
def generated_month(tmp_path_factory):
    return generated_month_files(
        tmp_path_factory.mktemp("month"), calls=20_000, accounts=60, numbers=300, seed=SEED
    )


@pytest.mark.parametrize(
    ("month_dir", "scheduler"),
    [("examples", "threads"), ("generated", "threads"), ("generated", "processes")],
)
def test_dask_rates_the_month_exactly_as_one_machine(month_dir, scheduler, generated_month):
    directory = EXAMPLES if month_dir == "examples" else generated_month
    files, plan, single, names = single_run_of(directory, ISSUED)
    frames = [pl.read_csv(path, infer_schema=False) for path in files]

    on_dask = rate_month_on_dask(
        plan,
        "2026-10",
        *frames,
        issued_on=ISSUED,
        parts=4,
        names=names,
        scheduler=scheduler,
    )

    assert on_dask.to_json() == single.to_json()
    if month_dir == "generated":
        assert single.rejected


def test_a_mistyped_order_form_stops_the_dask_run_before_any_task(tmp_path):
    (tmp_path / "typo.tariff").write_text('order form "ACC-0001" {\n  package growth\n}\n')
    plan = load_catalogue(TARIFFS, [tmp_path / "typo.tariff"])
    frames = [
        pl.read_csv(EXAMPLES / f"{name}.csv", infer_schema=False)
        for name in ("accounts", "numbers", "calls")
    ]
    with pytest.raises(UsageError) as stopped:
        rate_month_on_dask(plan, "2026-10", *frames, issued_on=ISSUED, parts=2)
    (problem,) = stopped.value.problems
    assert "did you mean 'ACC-001'?" in str(problem)
