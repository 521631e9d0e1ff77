"""JSON Lines read by columns gives exactly what the careful, line-by-line reader gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tariff.engine.usage.json_lines import _read_by_columns, _read_by_line, read_json_lines

KEYS = ["call_id", "number", "started_at", "duration_s", "destination", "a b", 'q"uote']
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6)
VALUES = st.one_of(
    TEXT,
    st.integers(-(2**63), 2**63 - 1),
    st.none(),
    st.sampled_from(["é", "\u2028", "\\", '"', "x\ny", "\U0001f600"]),
)


def _line(pairs, escape_unicode):
    def text(value):
        return json.dumps(value, ensure_ascii=escape_unicode)

    return "{" + ",".join(f"{text(key)}:{text(value)}" for key, value in pairs) + "}"


LINES = st.one_of(
    st.builds(
        _line,
        st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=6),
        st.booleans(),
    ),
    st.sampled_from(["", "   ", "{bad", "[1, 2]", '"text"', '{"a": 1.5}', '{"b": true}']),
)


def _same(path):
    careful = _read_by_line(path, "calls.jsonl")
    read = read_json_lines(path, "calls.jsonl")
    if read.empty:  # nothing but blank space: both see no records
        assert careful.frame.height == 0 and not careful.malformed
        return read
    assert list(read.header) == list(careful.header)
    assert read.malformed == careful.malformed
    assert read.frame.equals(careful.frame), (read.frame, careful.frame)
    return read


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=12))
def test_any_file_reads_the_same_by_columns_and_by_line(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("jsonl") / "calls.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same(path)


def test_a_plain_file_is_read_by_columns_with_careful_lines_in_place(tmp_path):
    path = tmp_path / "calls.jsonl"
    lines = [
        '{"call_id": "c-1", "number": "+441632960001", "duration_s": 61}',
        '{"call_id": "c-2", "number": "+441632960001", "duration_s": 5, "call_id": "c-3"}',
        '{"call_id": "c-4", "destination": null, "duration_s": 7}',
        "",
        '{"call_id": "c-\\u00e9", "duration_s": -3}',
        '{"call_id": "c-6", "band": "sip", "duration_s": 9223372036854775807}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _read_by_columns(path) is not None  # the guards let it through
    read = _same(path)
    assert read.header == ["call_id", "number", "duration_s", "destination", "band"]
    assert [m.row for m in read.malformed] == [2]
    assert 'gives the key "call_id" twice' in read.malformed[0].reason
    assert read.frame.get_column("call_id").to_list() == ["c-1", "c-4", "c-é", "c-6"]
    assert read.frame.get_column("duration_s").to_list() == ["61", "7", "-3", "9223372036854775807"]


def test_floats_are_read_carefully_and_a_carriage_return_sends_the_whole_file(tmp_path):
    floats = tmp_path / "floats.jsonl"
    floats.write_text(
        '{"duration_s": 61.0}\n{"duration_s": 1e2}\n{"duration_s": 7}\n', encoding="utf-8"
    )
    assert _read_by_columns(floats) is not None
    assert _same(floats).frame.get_column("duration_s").to_list() == ["61.0", "1E+2", "7"]
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(b'{"call_id": "c-1"}\r\n{"call_id": "c-2"}\r\n')
    assert _read_by_columns(crlf) is None
    _same(crlf)


def test_a_carriage_return_inside_a_line_is_the_careful_readers(tmp_path):
    path = tmp_path / "cr.jsonl"
    path.write_bytes(b'{"call_id": "c-1", "number": "+44\r1632960001"}\n{"call_id": "c-2"}\n')
    assert _read_by_columns(path) is None
    read = _same(path)
    assert [m.row for m in read.malformed] == [1]


def test_a_generated_month_as_json_lines_bills_as_its_csv(tmp_path):
    """The bench's month (with its bad rows) as CSV and as JSON Lines: the same invoices."""
    import datetime as dt
    import importlib
    import sys

    from usage_rows import ROOT, TARIFFS

    from tariff.engine import load_catalogue, load_usage, rate_month

    sys.path.append(str(ROOT / "bench"))  # after the standard library: bench/profile.py
    try:
        generate = importlib.import_module("generate")
        bench = importlib.import_module("run")
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for name, frame in generate.generate(calls=30_000, accounts=80, numbers=400, seed=3).items():
        frame.write_csv(tmp_path / f"{name}.csv")
    jsonl = bench.json_lines_calls(tmp_path)
    assert _read_by_columns(jsonl, ("number", "destination", "band")) is not None
    plan = load_catalogue(TARIFFS)
    issued = dt.date(2026, 11, 1)
    runs = [
        rate_month(
            plan,
            "2026-10",
            load_usage(tmp_path / "accounts.csv", tmp_path / "numbers.csv", tmp_path / calls),
            issued_on=issued,
        )
        for calls in ("calls.csv", "calls.jsonl")
    ]
    from_csv, from_jsonl = runs
    assert from_jsonl.invoices == from_csv.invoices
    assert from_jsonl.summary == from_csv.summary
    assert from_csv.rejected
    assert [(r.row, r.call_id, r.field, r.reason) for r in from_jsonl.rejected] == [
        (r.row, r.call_id, r.field, r.reason) for r in from_csv.rejected
    ]
