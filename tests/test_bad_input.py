"""Bad usage: every problem names file, row and field, and no call is lost."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from usage_rows import ACCOUNT_HEADER, NUMBER_HEADER, account, calls, number, write_csv

from tariff.engine import UsageError, load_usage, rate_month
from tariff.engine.usage import CallTable


def reasons(run):
    return [(r.row, r.call_id, r.field, r.reason) for r in run.rejected]


# ------------------------------------------------------------------- calls


def test_each_bad_call_is_rejected_with_its_row_field_and_reason(rate):
    good = {
        "number": "+441632960001",
        "started_at": "2026-10-05T10:00:00+01:00",
        "duration_s": 60,
        "destination": "+441632961000",
    }
    run = rate(
        [account()],
        [number(), number("+441632960009", released_on="2026-10-01")],
        [
            {**good, "call_id": "ok"},
            {**good, "call_id": None},
            {**good, "call_id": "ok"},
            {**good, "call_id": "no-offset", "started_at": "2026-10-05T10:00:00"},
            {**good, "call_id": "not-a-time", "started_at": "yesterday"},
            {**good, "call_id": "negative", "duration_s": -5},
            {**good, "call_id": "fraction", "duration_s": "1.5"},
            {**good, "call_id": "unknown-number", "number": "+441632969999"},
            {**good, "call_id": "released", "number": "+441632960009"},
            {**good, "call_id": "barred", "destination": "+447012345678"},
            {**good, "call_id": "gibberish", "destination": "call me"},
            {**good, "call_id": "bad-band", "band": "uk_mobil"},
            {**good, "call_id": "no-destination", "destination": None},
        ],
    )

    assert reasons(run) == [
        (2, None, "call_id", "call_id is missing"),
        (3, "ok", "call_id", "repeated call_id 'ok' (first at row 1)"),
        (
            4,
            "no-offset",
            "started_at",
            "started_at '2026-10-05T10:00:00' has no UTC offset; add one, e.g. "
            "2026-10-05T10:00:00+01:00 or 2026-10-05T10:00:00Z",
        ),
        (
            5,
            "not-a-time",
            "started_at",
            "started_at 'yesterday' is not an ISO 8601 time; write it as e.g. "
            "2026-10-01T09:30:00+01:00",
        ),
        (6, "negative", "duration_s", "duration_s -5 is negative"),
        (7, "fraction", "duration_s", "duration_s '1.5' is not a whole number of seconds"),
        (
            8,
            "unknown-number",
            "number",
            "unknown tracking number +441632969999: it is not in the numbers file",
        ),
        (
            9,
            "released",
            "number",
            "tracking number +441632960009 was not assigned to any account when the call started "
            "(2026-10-05 09:00 UTC)",
        ),
        (10, "barred", "destination", "barred destination +447012345678"),
        (
            11,
            "gibberish",
            "destination",
            "destination 'call me' is not a phone number (such as +441632960000) or an address "
            "(such as sip:desk@example.com)",
        ),
        (
            12,
            "bad-band",
            "band",
            "unknown band 'uk_mobil': sheet carrier (version 2021-04-01) has international_a, "
            "international_b, north_america, sip, uk_freephone, uk_geographic, uk_mobile, "
            "uk_non_geographic; "
            "did you mean 'uk_mobile'?",
        ),
        (
            13,
            "no-destination",
            "destination",
            "destination is missing: give a destination or a band",
        ),
    ]
    assert run.summary.model_dump() == {
        "calls_in": 13,
        "calls_rated": 1,
        "calls_other_period": 0,
        "calls_rejected": 12,
    }


def test_rejected_calls_count_toward_nothing(rate):
    # Ten calls, but all to a barred destination: Fair Usage still sees none.
    run = rate([account(package="essentials")], [number()], calls(10, destination="+447012345678"))
    invoice = run.invoices[0]
    assert [line.kind for line in invoice.lines] == ["licence", "tax"]

    run = rate([account()], [number()], calls(10, destination="+447012345678"))
    assert [line.quantity for line in run.invoices[0].lines if line.kind == "fair_usage"] == [10]


def test_the_first_of_repeated_call_ids_is_kept_even_in_another_month(rate):
    run = rate(
        [account(package="essentials")],
        [number()],
        calls(1, started_at="2026-09-05T10:00:00Z", prefix="dup")
        + calls(1, started_at="2026-10-05T10:00:00Z", prefix="dup"),
    )

    assert run.summary.calls_other_period == 1
    assert reasons(run) == [(2, "dup0", "call_id", "repeated call_id 'dup0' (first at row 1)")]


def test_a_ragged_csv_row_is_rejected_and_the_rest_rated(tmp_path, reference_plan):
    accounts = write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, [account()])
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])
    calls_file = tmp_path / "calls.csv"
    calls_file.write_text(
        "call_id,number,started_at,duration_s,destination\r\n"
        "c1,+441632960001,2026-10-05T10:00:00Z,60,+441632961000\r\n"
        "c2,+441632960001,2026-10-05T10:00:00Z,60,+441632961000,surprise\r\n"
        "\r\n"
        "c3,+441632960001,2026-10-05T10:00:00Z,60,+441632961000\r\n",
        encoding="utf-8-sig",
    )

    run = rate_month(reference_plan, "2026-10", load_usage(accounts, numbers, calls_file))

    assert reasons(run) == [(2, None, None, "the row has 6 fields where the header has 5")]
    assert run.summary.calls_in == 3
    assert run.summary.calls_rated == 2


def test_csv_with_bom_and_crlf_reads_like_plain_csv(tmp_path, reference_plan):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "\ufeffaccount_id,package,currency\r\nACC-1, professional ,gbp\r\n", encoding="utf-8"
    )
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])
    calls_file = tmp_path / "calls.csv"
    calls_file.write_text(
        "\ufeffnumber,call_id,duration_s,started_at,destination,extra\r\n"
        "+441632960001,c1,60,2026-10-05T10:00:00Z,+441632961000,ignored\r\n",
        encoding="utf-8",
    )

    run = rate_month(reference_plan, "2026-10", load_usage(accounts, numbers, calls_file))

    assert run.invoices[0].currency == "GBP"
    assert run.summary.calls_rated == 1


def test_padded_values_and_any_header_case_read_like_clean_ones(tmp_path, reference_plan):
    accounts = write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, [account()])
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])
    clean = tmp_path / "clean.csv"
    clean.write_text(
        "call_id,number,started_at,duration_s,destination,band\n"
        "c1,+441632960001,2026-10-05T10:00:00Z,60,+441632961000,\n"
        "c2,+441632960001,2026-10-05T11:00:00Z,61,+447700900123,\n"
        "c3,+441632960001,2026-10-05T12:00:00Z,62,,sip\n",
        encoding="utf-8",
    )
    padded = tmp_path / "padded.csv"
    padded.write_text(
        "Call_ID, NUMBER ,started_at,Duration_S, Destination ,BAND\n"
        " c1 , +441632960001 ,2026-10-05T10:00:00Z,60, +441632961000 ,\n"
        "c2,+441632960001,2026-10-05T11:00:00Z,61,+447700900123 ,  \n"
        "c3,+441632960001 ,2026-10-05T12:00:00Z,62,, sip \n",
        encoding="utf-8",
    )

    runs = [
        rate_month(reference_plan, "2026-10", load_usage(accounts, numbers, path))
        for path in (clean, padded)
    ]

    assert runs[0].to_json() == runs[1].to_json().replace("padded.csv", "clean.csv")
    minutes = {line.band: line.quantity for line in runs[1].invoices[0].lines if line.band}
    assert minutes == {"uk_geographic": 60, "uk_mobile": 61, "sip": 62}
    assert runs[1].rejected == ()


@pytest.mark.parametrize(
    "written",
    [
        ["2026-10-05T09:00:00Z"] * 3,
        ["2026-10-05T14:30:00+05:30"] * 3,
        ["2026-10-05T05:00:00-0400"] * 3,
        ["2026-10-05T09:00:00Z", "2026-10-05T10:00:00+01:00", "2026-10-05T09:00:00.000Z"],
        ["2026-10-05T09:00:00Z", "2026-10-05 09:00:00Z", "2026-10-05T09:00:00z"],
    ],
    ids=["all-Z", "all-plus-0530", "all-minus-0400", "mixed-offsets", "one-odd-layout"],
)
def test_start_times_written_any_iso_way_mean_the_same_instant(tmp_path, written):
    accounts = write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, [account()])
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])
    rows = calls(len(written))
    for row, started_at in zip(rows, written, strict=True):
        row["started_at"] = started_at
    usage = load_usage(accounts, numbers, write_csv(tmp_path / "c.csv", tuple(rows[0]), rows))

    assert isinstance(usage.calls, CallTable)
    started = usage.calls.calls["started_at"].to_list()

    assert started == [dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)] * len(written)
    assert usage.calls.rejections == ()


def test_json_lines_and_parquet_inputs_give_the_same_invoices(tmp_path, reference_plan):
    rows = calls(12, duration_s=75) + calls(3, prefix="m", destination="+447700900123")
    csv_calls = write_csv(tmp_path / "calls.csv", tuple(rows[0]), rows)
    jsonl = tmp_path / "calls.jsonl"
    jsonl.write_text("\n".join(json.dumps(row) for row in rows) + "\n\n", encoding="utf-8")
    parquet = tmp_path / "calls.parquet"
    pl.DataFrame(rows).write_parquet(parquet)
    accounts = write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, [account(package="essentials")])
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])

    runs = [
        rate_month(reference_plan, "2026-10", load_usage(accounts, numbers, path)).to_json()
        for path in (csv_calls, jsonl, parquet)
    ]

    assert (
        runs[0]
        == runs[1].replace("calls.jsonl", "calls.csv")
        == runs[2].replace("calls.parquet", "calls.csv")
    )
    # 59.00 licence + 15 x 0.15 call fees + 12 x 75 s at 0.015 (0.02 each)
    # + 3 x 60 s at 0.040 (0.04 each)
    assert json.loads(runs[0])["invoices"][0]["net"] == "61.61"


def test_a_broken_json_line_is_rejected_with_its_line_number(tmp_path, reference_plan):
    jsonl = tmp_path / "calls.jsonl"
    good = json.dumps(calls(1)[0])
    jsonl.write_text(f"{good}\n\n{{not json\n[1, 2]\n", encoding="utf-8")
    accounts = write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, [account()])
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])

    run = rate_month(reference_plan, "2026-10", load_usage(accounts, numbers, jsonl))

    assert [(r.row, r.reason) for r in run.rejected] == [
        (3, "the row is not valid JSON (Expecting property name enclosed in double quotes)"),
        (4, "the row is not a JSON object"),
    ]


def test_parquet_times_without_a_time_zone_are_rejected(tmp_path, reference_plan):
    import datetime as dt

    parquet = tmp_path / "calls.parquet"
    pl.DataFrame(
        {
            "call_id": ["a"],
            "number": ["+441632960001"],
            "started_at": [dt.datetime(2026, 10, 5, 10)],
            "duration_s": [60],
            "destination": ["+441632961000"],
        }
    ).write_parquet(parquet)
    accounts = write_csv(tmp_path / "a.csv", ACCOUNT_HEADER, [account()])
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [number()])

    run = rate_month(reference_plan, "2026-10", load_usage(accounts, numbers, parquet))

    (rejection,) = run.rejected
    assert rejection.field == "started_at"
    assert "has no UTC offset" in rejection.reason


# ------------------------------------------------------ accounts and numbers


def problems_of(excinfo):
    return [str(problem) for problem in excinfo.value.problems]


def test_every_account_problem_is_listed_with_row_and_field(rate):
    with pytest.raises(UsageError) as excinfo:
        rate(
            [
                account("A", package="profesional"),
                account("B", version="2018-01"),
                account("C", package="growth", version="2024-01", currency="EUR"),
                account("D", discount_percent="lots"),
                account("E", timezone="Europe/Londn"),
                account("A"),
                account(None),
            ]
        )
    problems = [p.split(": ", 1)[1] for p in problems_of(excinfo)]
    fields = [p.split(": ", 1)[0].split(" ", 1)[1] for p in problems_of(excinfo)]

    assert fields == [
        "row 3 field currency",
        "row 4 field discount_percent",
        "row 5 field timezone",
        "row 6 field account_id",
        "row 7 field account_id",
    ]
    assert problems == [
        "'EUR' is not a billing currency (GBP or USD)",
        "'lots' is not a number; write a percentage such as 10 or 12.5",
        "'Europe/Londn' is not an IANA time zone such as Europe/London; "
        "did you mean 'Europe/London'?",
        "'A' is repeated (first at row 1)",
        "is empty; every account needs an id",
    ]


def test_unknown_package_and_version_are_reported_against_the_catalogue(rate):
    with pytest.raises(UsageError) as excinfo:
        rate(
            [
                account("A", package="profesional"),
                account("B", version="2018-01"),
                account("C", package="growth", version="2024-01", currency="GBP"),
            ],
            month="2023-05",
        )

    assert [p.split(": ", 1)[1] for p in problems_of(excinfo)] == [
        "unknown package 'profesional'; did you mean 'professional'?",
        "package professional has no version '2018-01' (it has 2019-01, 2021-04); "
        "did you mean '2019-01'?",
        "version 2024-01 of package growth starts on 2024-01-01, after the start of 2023-05",
    ]
    assert problems_of(excinfo)[0].split(":")[0].rsplit(" ", 4)[1:] == [
        "row",
        "1",
        "field",
        "package",
    ]


def test_an_account_whose_currency_its_package_does_not_offer(rate, tmp_path):
    form = 'order form "ACC-1" { currency USD }'
    catalogue = tmp_path / "cat"
    catalogue.mkdir()
    from usage_rows import TARIFFS

    (catalogue / "carrier.tariff").write_text((TARIFFS / "carrier.tariff").read_text())
    (catalogue / "local.tariff").write_text(
        "package local { generation current version 2024-01 {"
        " licence 10.00 GBP call fee 0.10 GBP minutes from sheet carrier } }"
    )
    with pytest.raises(UsageError) as excinfo:
        rate([account(package="local", currency="GBP")], catalogue=catalogue, order_forms=form)

    assert problems_of(excinfo)[0].endswith(
        "row 1 field currency: package local version 2024-01 has no USD edition (it offers GBP) "
        f"(order form at {tmp_path / 'order-forms.tariff'}:1:1)"
    )


def test_every_numbers_problem_is_listed(rate):
    with pytest.raises(UsageError) as excinfo:
        rate(
            [account()],
            [
                number(kind="fixd"),
                number("+441632960002", "ACC-9"),
                number("+441632960003", assigned_from="2026-10-32"),
                number("+441632960004", assigned_from="2026-10-10", released_on="2026-10-01"),
                number(None),
            ],
        )

    assert [p.split(": ", 1)[1] for p in problems_of(excinfo)] == [
        "'fixd' is not a number kind (fixed, offline or dynamic); did you mean 'fixed'?",
        "'ACC-9' is not in the accounts file; did you mean 'ACC-1'?",
        "'2026-10-32' is not a date; write it as YYYY-MM-DD, e.g. 2026-10-01",
        "2026-10-01 is not after assigned_from 2026-10-10",
        "is empty; give the tracking number, e.g. +441632960001",
    ]


def test_overlapping_assignments_of_a_number_are_refused(rate):
    with pytest.raises(UsageError) as excinfo:
        rate(
            [account("A"), account("B")],
            [number(account_id="A"), number(account_id="B", assigned_from="2026-10-10")],
        )

    assert problems_of(excinfo) == [
        f"{excinfo.value.problems[0].file} row 2 field assigned_from: number +441632960001 is "
        "already assigned to A then (row 1); assignments of a number must not overlap"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "account_id,currency\nA,GBP\n",
            "missing required column package (it has: account_id, currency)",
        ),
        (None, "no such file"),
    ],
)
def test_unusable_files_are_reported_whole(tmp_path, content, message):
    accounts = tmp_path / "accounts.csv"
    if content is not None:
        accounts.write_text(content)
    numbers = write_csv(tmp_path / "n.csv", NUMBER_HEADER, [])
    calls_file = write_csv(
        tmp_path / "c.csv", ("call_id", "number", "started_at", "duration_s"), []
    )

    with pytest.raises(UsageError) as excinfo:
        load_usage(accounts, numbers, calls_file)

    assert problems_of(excinfo)[0].endswith(f"accounts.csv: {message}")


def test_unknown_file_type_is_refused(tmp_path):
    with pytest.raises(UsageError) as excinfo:
        load_usage(tmp_path / "accounts.xlsx", tmp_path / "n.csv", tmp_path / "c.csv")

    assert problems_of(excinfo)[0].endswith(
        "accounts.xlsx: unknown file type '.xlsx'; use .csv, .jsonl or .parquet"
    )


def test_a_month_without_accounts_rejects_every_call(rate):
    run = rate([], [], calls(2))

    assert run.invoices == ()
    assert [r.reason for r in run.rejected] == [
        "unknown tracking number +441632960001: it is not in the numbers file"
    ] * 2
    assert run.summary.calls_rejected == run.summary.calls_in == 2
