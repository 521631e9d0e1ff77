"""The month rated by Dask, one task per group, equals one machine's run byte for byte."""

from __future__ import annotations

import datetime as dt
import importlib
import sys

import polars as pl
import pytest
from usage_rows import EXAMPLES, ROOT, TARIFFS

from tariff.dsl.catalogue import display_path
from tariff.engine import load_catalogue, load_usage, rate_month
from tariff.engine.dask import rate_month_on_dask
from tariff.engine.usage import UsageError

ISSUED = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def generated_month(tmp_path_factory):
    sys.path.append(str(ROOT / "bench"))  # after the standard library: bench/profile.py
    try:
        generate = importlib.import_module("generate")
    finally:
        sys.path.remove(str(ROOT / "bench"))
    directory = tmp_path_factory.mktemp("month")
    for name, frame in generate.generate(calls=20_000, accounts=60, numbers=300, seed=13).items():
        frame.write_csv(directory / f"{name}.csv")
    return directory


@pytest.mark.parametrize(
    ("month_dir", "scheduler"),
    [("examples", "threads"), ("generated", "threads"), ("generated", "processes")],
)
def test_dask_rates_the_month_exactly_as_one_machine(month_dir, scheduler, generated_month):
    directory = EXAMPLES if month_dir == "examples" else generated_month
    files = [directory / f"{name}.csv" for name in ("accounts", "numbers", "calls")]
    forms = [EXAMPLES / "order-forms"] if month_dir == "examples" else []
    plan = load_catalogue(TARIFFS, forms)
    single = rate_month(plan, "2026-10", load_usage(*files), issued_on=ISSUED)
    accounts_name, numbers_name, calls_name = (display_path(path) for path in files)
    frames = [pl.read_csv(path, infer_schema=False) for path in files]

    on_dask = rate_month_on_dask(
        plan,
        "2026-10",
        *frames,
        issued_on=ISSUED,
        parts=4,
        names=(accounts_name, numbers_name, calls_name),
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
