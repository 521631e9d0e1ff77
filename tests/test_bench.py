"""The benchmark scripts run, on a small generated month, and agree with the baseline.

bench/ is how performance is measured and reported; a script that broke would
go unnoticed until someone next wanted figures.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from usage_rows import ROOT

pytestmark = pytest.mark.slow

BENCH = ROOT / "bench"


@pytest.fixture(scope="module")
def small_month(tmp_path_factory):
    data = tmp_path_factory.mktemp("bench-data")
    figures = data / "figures.json"
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "3000",
            "--runs",
            "1",
            "--data",
            str(data),
            "--json",
            str(figures),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return data, run.stdout, json.loads(figures.read_text())


def test_the_bulk_run_times_every_process_and_matches_the_baseline(small_month):
    _, printed, figures = small_month
    (size,) = figures
    assert size["calls"] == 3000
    assert size["same"] is True  # (b) and (c) gave identical invoices
    assert size["peer_same"] is True  # and so did (d), the DuckDB SQL month
    assert size["peer_s"] > 0
    for timed in ("floor_s", "parquet_floor_s", "libraries_floor_s", "engine_s", "parquet_s"):
        assert size[timed] > 0
    assert "identical invoices: yes" in printed
    assert "(a') floor on Parquet" in printed
    assert "(d) DuckDB SQL" in printed


def test_the_bare_pipeline_runs_against_the_floor(small_month):
    data, _, _ = small_month
    done = subprocess.run(
        [sys.executable, str(BENCH / "bare_pipeline.py"), str(data / "3000"), "--runs", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "bare/a" in done.stdout


def test_the_profile_shows_where_tariff_invoice_spends_its_time(small_month):
    data, _, _ = small_month
    done = subprocess.run(
        [sys.executable, str(BENCH / "profile.py"), str(data / "3000")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for stage in ("load_usage", "rate_blocks", "MonthRating.add", "build_invoice", "json_text"):
        assert stage in done.stdout


def test_the_usage_fuzz_run_ends_every_input_in_a_run_or_a_located_problem():
    run = subprocess.run(
        [sys.executable, str(BENCH / "fuzz_usage.py"), "--inputs", "60", "--seed", "7"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith("failures: 0")
    assert "usage error" in run.stdout and "rejections" in run.stdout


def test_the_itemising_bench_times_json_calls_and_the_ledger_read_back():
    run = subprocess.run(
        [sys.executable, str(BENCH / "itemise.py"), "--calls", "2000", "--runs", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "2,000 calls of one account" in run.stdout
    assert "(i) invoice --format calls" in run.stdout and "(l) read back from ledger" in run.stdout


def test_the_deck_bench_checks_and_prices_as_the_sheet_does(tmp_path):
    sizes = ["--prefixes", "3000", "--calls", "3000", "--runs", "1"]
    run = subprocess.run(
        [sys.executable, str(BENCH / "deck.py"), *sizes, "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "3,000 calls" in run.stdout
    assert "same invoices: yes" in run.stdout
