"""Fuzzing the language tools: any text gives diagnostics, never a traceback.

A short run here; bench/fuzz_language.py runs the same ``exercise`` for longer.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from usage_rows import EXAMPLES, TARIFFS

from tariff.dsl.catalogue import Catalogue, parse_source
from tariff.dsl.check import check_catalogue
from tariff.dsl.format import format_source

pytestmark = pytest.mark.slow

SOURCES = [p.read_text() for p in [*TARIFFS.glob("*.tariff"), *EXAMPLES.glob("order-forms/*")]]
FRAGMENTS = [
    "{",
    "}",
    "\n",
    " ",
    ",",
    "#",
    '"',
    "%",
    "package",
    "version",
    "2024-01",
    "2021-04-01",
    "licence",
    "call fee",
    "10.00 GBP",
    "-1 USD",
    "0.0000001 GBP",
    "fair usage",
    "band x",
    "prefixes",
    '"+44"',
    "discount 10%",
    "on licence",
    "from 2026-13",
    "order form",
    "sheet carrier",
    "minutes from sheet",
    "numbers fixed",
    "partial months exempt",
    "é",
    "\t",
    # Line breaks the tools must read alike: CR, and characters splitlines breaks on.
    "\r",
    "\r\n",
    "\u2028",
    "\x85",
    "# comment\r",
]


def exercise(text: str) -> str:
    """Parse, check and format; all must return values, not raise. Returns the outcome."""
    parsed, problems = parse_source(text, "fuzz.tariff")
    assert (parsed is None) == bool(problems)
    if parsed is None:
        assert all(p.code == "T001" and p.span.line >= 1 for p in problems)
        return "syntax error"
    diagnostics = check_catalogue(Catalogue((parsed,), {"fuzz.tariff": text}))
    # format_source re-parses its result and raises if the meaning changed.
    once, _ = format_source(text, "fuzz.tariff")
    assert once is not None
    assert format_source(once, "fuzz.tariff")[0] == once
    return "diagnostics" if diagnostics else "clean"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    exercise(text)


@st.composite
def mutated_sources(draw):
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 30)))
        replacement = draw(st.one_of(st.just(""), st.sampled_from(FRAGMENTS)))
        text = text[:start] + replacement + text[end:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sources())
def test_mutated_shipped_files_never_raise(text):
    exercise(text)
