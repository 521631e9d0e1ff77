"""Destinations are read into E.164 and must be possible numbers before a band prices them."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import possible_number
from usage_rows import account, calls, lines_of, number

from tariff.engine.rating.phone_numbers import impossible_reason, possible

readings = st.one_of(
    st.builds(
        lambda code, rest: f"+{code}{rest}",
        st.sampled_from(["1", "7", "20", "33", "44", "49", "81", "353", "800", "0", "00", "999"]),
        st.text("0123456789", max_size=16),
    ),
    st.text("+0123456789", max_size=18),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(readings, min_size=1, max_size=50))
def test_the_column_check_agrees_with_the_library_one_number_at_a_time(values):
    column = possible(pl.Series("reading", values, dtype=pl.String))
    for value, fast in zip(values, column.to_list(), strict=True):
        assert fast == possible_number(value), value
        assert (impossible_reason(value) is None) == fast, value


def test_a_london_number_written_with_its_trunk_zero_costs_a_london_rate(rate):
    run = rate(
        [account()],
        [number()],
        calls(1, destination="+44 (0)20 7946 0000", duration_s=60)
        + calls(1, destination="0800 123 4567", duration_s=60, prefix="free"),
    )
    bands = {line["band"]: line["amount"] for line in lines_of(run, kind="minutes")}
    assert bands == {"uk_geographic": "0.02", "uk_freephone": "0.02"}
    assert run.rejected == ()


def test_not_a_number_is_never_priced_at_the_catch_all(rate):
    run = rate(
        [account()],
        [number()],
        [
            *calls(1, destination="0", prefix="zero"),
            *calls(1, destination="00", prefix="zerozero"),
            *calls(1, destination="+44", prefix="uk"),
            *calls(1, destination="+0", prefix="plus0"),
            *calls(1, destination="(0)", prefix="bracket"),
        ],
    )
    assert lines_of(run, kind="minutes") == []
    assert [r.reason.split(":")[0] for r in run.rejected] == [
        "destination '0' is not a phone number",
        "destination '00' is not a phone number",
        "destination '+44' is not a phone number",
        "destination '+0' is not a phone number",
        "destination '(0)' is not a phone number",
    ]
