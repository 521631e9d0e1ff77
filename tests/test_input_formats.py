"""One month, written as spreadsheets and systems write it, reads the same in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from usage_rows import EXAMPLES, TARIFFS

from tariff.engine import load_catalogue, load_usage, rate_month

COLUMNS = ["call_id", "number", "started_at", "duration_s", "destination"]
NUMBERS = ["+441632960101", "+441632960102", "+441632960201", "+441632960401"]
DESTINATIONS = ["+441632961000", "+447700900123", "+33140000600", "sip:desk@example.com"]
EXTRA_COLUMNS = ["row", "notes", "Row ", "ROW", "agent", "call_ID_copy"]
PLAN = load_catalogue(TARIFFS, [EXAMPLES / "order-forms"])

calls = st.lists(
    st.tuples(
        st.sampled_from(NUMBERS),
        st.integers(1, 31),
        st.integers(0, 23),
        st.sampled_from(["Z", "+01:00", "-05:00", "+00:00"]),
        st.integers(0, 4000),
        st.sampled_from(DESTINATIONS),
    ),
    min_size=1,
    max_size=40,
)
layouts = st.fixed_dictionaries(
    {
        "line_ending": st.sampled_from(["\n", "\r\n", "\r"]),
        "quote_all": st.booleans(),
        "bom": st.booleans(),
        "order": st.permutations(COLUMNS),
        "extra": st.lists(st.sampled_from(EXTRA_COLUMNS), unique=True, max_size=3),
        "header_case": st.sampled_from([str, str.upper, lambda name: f" {name.title()} "]),
        "extra_value": st.sampled_from(["7", "", 'a "quoted", value', "12.5"]),
    }
)


def records(drawn):
    return [
        {
            "call_id": f"c{index}",
            "number": number,
            "started_at": f"2026-10-{day:02d}T{hour:02d}:15:00{offset}",
            "duration_s": duration,
            "destination": destination,
        }
        for index, (number, day, hour, offset, duration, destination) in enumerate(drawn)
    ]


def write_csv(path: Path, rows, layout) -> None:
    names = [*layout["order"], *layout["extra"]]
    buffer = io.StringIO()
    if layout["quote_all"]:
        writer = csv.writer(buffer, lineterminator=layout["line_ending"], quoting=csv.QUOTE_ALL)
    else:
        writer = csv.writer(buffer, lineterminator=layout["line_ending"])
    writer.writerow([layout["header_case"](name) for name in names])
    for row in rows:
        writer.writerow([row.get(name, layout["extra_value"]) for name in names])
    text = ("\ufeff" if layout["bom"] else "") + buffer.getvalue()
    path.write_bytes(text.encode("utf-8"))


def write_json_lines(path: Path, rows, layout) -> None:
    lines = []
    for row in rows:
        record = {name: row[name] for name in layout["order"]}
        record |= {name: layout["extra_value"] for name in layout["extra"]}
        lines.append(json.dumps(record, ensure_ascii=False))
    ending = "\r\n" if layout["line_ending"] == "\r\n" else "\n"
    path.write_text(ending.join(lines) + ending, encoding="utf-8")


def write_parquet(path: Path, rows, layout) -> None:
    frame = pl.DataFrame(rows).select(layout["order"])
    frame = frame.with_columns(pl.lit(layout["extra_value"]).alias(n) for n in layout["extra"])
    frame.write_parquet(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(calls, layouts)
def test_csv_json_lines_and_parquet_give_the_same_invoices(tmp_path_factory, drawn, layout):
    directory = tmp_path_factory.mktemp("month")
    rows = records(drawn)
    invoices = []
    for name, write in (
        ("calls.csv", write_csv),
        ("calls.jsonl", write_json_lines),
        ("calls.parquet", write_parquet),
    ):
        path = directory / name
        write(path, rows, layout)
        usage = load_usage(EXAMPLES / "accounts.csv", EXAMPLES / "numbers.csv", path)
        run = rate_month(PLAN, "2026-10", usage)
        assert run.summary.calls_in == len(rows)
        assert run.rejected == ()
        invoices.append([invoice.model_dump_json() for invoice in run.invoices])
    assert invoices[0] == invoices[1] == invoices[2]
