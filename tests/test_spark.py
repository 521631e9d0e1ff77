"""The month rated by Apache Spark in local mode equals one machine's run, byte for byte."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys

import polars as pl
import pytest
from usage_rows import EXAMPLES, TARIFFS, generated_month_files, single_run_of

from tariff.engine import load_catalogue
from tariff.engine.partition import group_keys

pytestmark = pytest.mark.slow
ISSUED = dt.date(2026, 11, 1)
SEED = 11


@pytest.fixture(scope="module")
def spark():
    from system import require

    require(shutil.which("java") is not None, "Java", "apt-get install openjdk-17-jre-headless")
    from pyspark.sql import SparkSession

    # The executors' Python must be this one, where tariff-lang is installed.
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .appName("tariff-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def generated_month(tmp_path_factory):
    return generated_month_files(
        tmp_path_factory.mktemp("month"), calls=20_000, accounts=60, numbers=300, seed=SEED
    )


def spark_frame(spark, path):
    """A file as Spark reads text: every column a string, plus each record's row number."""
    frame = pl.read_csv(path, infer_schema=False).with_row_index("row", offset=1)
    arrow = frame.with_columns(pl.col("row").cast(pl.Int64)).to_arrow()
    import pyarrow as pa

    schema = pa.schema(
        [pa.field(f.name, pa.int64() if f.name == "row" else pa.string()) for f in arrow.schema]
    )
    return spark.createDataFrame(arrow.cast(schema))


@pytest.mark.parametrize("month_dir", ["examples", "generated"])
def test_spark_rates_the_month_exactly_as_one_machine(spark, month_dir, generated_month):
    from tariff.engine.spark import rate_month_on_spark

    directory = EXAMPLES if month_dir == "examples" else generated_month
    files, plan, single, names = single_run_of(directory, ISSUED)
    frames = [spark_frame(spark, path) for path in files]

    on_spark = rate_month_on_spark(plan, "2026-10", *frames, issued_on=ISSUED, parts=3, names=names)

    assert on_spark.to_json() == single.to_json()
    assert single.summary.calls_other_period  # calls of other months travel too
    if month_dir == "generated":
        assert single.rejected  # and rejections, by row
        numbers = pl.read_csv(files[1], infer_schema=False)
        recycled = (
            numbers.group_by("number")
            .agg(pl.col("account_id").n_unique())
            .filter(pl.col("account_id") > 1)
        )
        assert recycled.height > 0, "the generated month recycles numbers"
        assert len(set(group_keys(numbers, 3).values())) == 3


def test_a_mistyped_order_form_stops_the_run_on_the_driver(spark, tmp_path):
    from tariff.engine.spark import rate_month_on_spark
    from tariff.engine.usage import UsageError

    (tmp_path / "typo.tariff").write_text('order form "ACC-0001" {\n  package growth\n}\n')
    plan = load_catalogue(TARIFFS, [tmp_path / "typo.tariff"])
    files = [EXAMPLES / f"{name}.csv" for name in ("accounts", "numbers", "calls")]
    frames = [spark_frame(spark, path) for path in files]
    with pytest.raises(UsageError) as stopped:
        rate_month_on_spark(plan, "2026-10", *frames, issued_on=ISSUED)
    (problem,) = stopped.value.problems
    assert "order form 'ACC-0001' is for an account that is not in" in str(problem)
    assert "did you mean 'ACC-001'?" in str(problem)


def test_every_frame_needs_its_row_numbers(spark):
    from tariff.engine.spark import rate_month_on_spark

    plan = load_catalogue(TARIFFS)
    files = [EXAMPLES / f"{name}.csv" for name in ("accounts", "numbers", "calls")]
    frames = [spark_frame(spark, path) for path in files]
    frames[2] = frames[2].drop("row")
    with pytest.raises(ValueError, match="calls: add a 'row' column"):
        rate_month_on_spark(plan, "2026-10", *frames, issued_on=ISSUED)
