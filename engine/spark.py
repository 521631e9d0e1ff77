"""Rating a month on Apache Spark: the partition function, on the executors, one group each.

:func:`rate_month_on_spark` takes Spark DataFrames of accounts, numbers and
calls and returns the month's :class:`InvoiceRun`, the same, byte for byte, as
one machine's ``rate_month``. The driver does what needs the whole month and
is small: it validates the accounts and numbers, matches every order form to
an account (a mistyped id must never bill the list price), and computes the
groups (:func:`~tariff.engine.partition.group_keys`: accounts that ever shared
a number stay together). Spark then tags every row with its group and hands
each group's rows to :func:`~tariff.engine.partition.rate_group` with
``groupBy("group").applyInArrow``; the groups' runs come back as JSON and are
merged (:func:`~tariff.engine.partition.merge_runs`).

Needs the optional part: ``pip install 'tariff-lang[spark]'`` (pyspark, with
a Java 17 runtime).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tariff.dsl.months import Month
from tariff.engine.invoice.models import InvoiceRun
from tariff.engine.partition import (
    UNHELD_GROUP,
    check_whole_month,
    group_keys,
    merge_runs,
    no_calls,
    rate_group,
)
from tariff.engine.plan.model import RatingPlan

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

# The inputs, in the order rate_group takes them, as the ``table`` column names them.
INPUTS = ("accounts", "numbers", "calls")
# Each record's row number in its file: messages and rejections point at it.
ROW = "row"


def rate_month_on_spark(
    plan: RatingPlan,
    month: Month | str,
    accounts: DataFrame,
    numbers: DataFrame,
    calls: DataFrame,
    *,
    issued_on: dt.date,
    parts: int | None = None,
    names: tuple[str, str, str] = INPUTS,
) -> InvoiceRun:
    """The month's invoices, rated by Spark's executors in ``parts`` groups of accounts.

    Each DataFrame has the columns of its file (as text, as the files are read)
    and ``row``, the record's row number in its file (1 for the first record),
    so that rejections point at the same rows as a single run's; ``names``
    stand for the files in messages. ``parts`` defaults to Spark's default
    parallelism. Raises UsageError for the problems a single run would raise.
    """
    for frame, name in zip((accounts, numbers, calls), names, strict=True):
        if ROW not in frame.columns:
            raise ValueError(
                f"{name}: add a '{ROW}' column with each record's row number in its file "
                "(1 for the first), so that messages point at the rows a single run would"
            )
    period = month if isinstance(month, Month) else Month.parse(month)
    account_table, number_table = accounts.toArrow(), numbers.toArrow()
    check_whole_month(plan, period, account_table, number_table, names)
    spark = accounts.sparkSession
    keys = group_keys(number_table, parts or spark.sparkContext.defaultParallelism)
    keyed = spark.createDataFrame(
        [(account, group) for account, group in keys.items()], "account_id string, group int"
    )
    tagged = _tagged(accounts, numbers, calls, keyed)
    columns = {
        name: frame.columns for name, frame in zip(INPUTS, (accounts, numbers, calls), strict=True)
    }
    shared_plan = spark.sparkContext.broadcast(plan)

    def rate(group: pa.Table) -> pa.Table:
        # On an executor: split the group's rows back into its three inputs.
        import pyarrow as pa
        import pyarrow.compute as pc

        own, held, made = (
            group.filter(pc.equal(group["table"], name)).select(columns[name]) for name in INPUTS
        )
        run = rate_group(shared_plan.value, period, own, held, made, names, issued_on=issued_on)
        return pa.table({"document": [run.to_json()]})

    documents = tagged.groupBy("group").applyInArrow(rate, "document string").collect()
    runs = [InvoiceRun.model_validate_json(row["document"]) for row in documents]
    if not runs:  # no accounts and no calls: the empty month, as one machine rates it
        no_group = (account_table, number_table, no_calls(), names)
        runs = [rate_group(plan, period, *no_group, issued_on=issued_on)]
    return merge_runs(runs)


def _tagged(
    accounts: DataFrame, numbers: DataFrame, calls: DataFrame, keyed: DataFrame
) -> DataFrame:
    """The three inputs as one DataFrame: each row with its ``group`` and the ``table`` it is from.

    Accounts that hold no number, and calls to numbers nobody holds, go to the
    unheld group, so that each is invoiced or rejected exactly once.
    """
    from pyspark.sql import functions as F

    number_group = numbers.join(keyed, "account_id").select("number", "group").distinct()

    def tag(frame: DataFrame, name: str) -> DataFrame:
        return frame.fillna({"group": UNHELD_GROUP}).withColumn("table", F.lit(name))

    # Columns another input lacks are null in the union; each keeps its own after the split.
    return (
        tag(accounts.join(keyed, "account_id", "left"), "accounts")
        .unionByName(tag(numbers.join(keyed, "account_id", "left"), "numbers"), True)
        .unionByName(tag(calls.join(number_group, "number", "left"), "calls"), True)
    )
