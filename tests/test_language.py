"""Parsing: every construct to a typed AST with spans, and syntax errors in tariff words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from usage_rows import TARIFFS

from tariff.dsl import ast
from tariff.dsl.catalogue import parse_source, read_catalogue


def parse(text: str) -> ast.TariffFile:
    parsed, problems = parse_source(text, "test.tariff")
    assert problems == []
    assert parsed is not None
    return parsed


def syntax_error(text: str):
    parsed, problems = parse_source(text, "test.tariff")
    assert parsed is None
    (problem,) = problems
    assert problem.code == "T001"
    return problem


def test_a_package_parses_into_typed_nodes_with_exact_money():
    file = parse(
        """package professional {
  name "Professional"
  generation previous
  version 2021-04 {
    licence 249.00 GBP, 325.00 USD per month
    call fee 0.08 GBP, 0.10 USD per call not discountable
    chargeable from 1 second
    inclusive calls 250 per month
    minutes from sheet carrier
    fair usage {
      minimum 10 calls per number per month
      numbers fixed, offline
      counting from 1 second
      unit rate 0.10 GBP, 0.15 USD per missing call
      partial months exempt
    }
  }
}"""
    )
    (package,) = of_kinds(file.definitions, ast.Package)
    assert package.name.text == "professional"
    name, generation, version = of_kinds(
        package.statements, ast.DisplayName, ast.Generation, ast.PackageVersion
    )
    assert name.name.value == "Professional"
    assert generation.name.text == "previous"
    assert version.version.value.isoformat() == "2021-04-01"
    licence, call_fee, chargeable, inclusive, minutes, fair_usage = of_kinds(
        version.statements,
        ast.Licence,
        ast.CallFee,
        ast.Chargeable,
        ast.InclusiveCalls,
        ast.Minutes,
        ast.FairUsage,
    )
    assert [(m.amount, m.currency) for m in licence.prices] == [
        (Decimal("249.00"), "GBP"),
        (Decimal("325.00"), "USD"),
    ]
    assert type(licence.prices[0].amount) is Decimal
    assert licence.discountable is True
    assert call_fee.discountable is False
    assert chargeable.seconds.value == 1
    assert inclusive.count.value == 250
    assert minutes.sheet.text == "carrier"
    minimum, kinds, counting, unit_rate, partial = of_kinds(
        fair_usage.statements,
        ast.FairUsageMinimum,
        ast.FairUsageNumbers,
        ast.FairUsageCounting,
        ast.FairUsageUnitRate,
        ast.FairUsagePartialMonths,
    )
    assert minimum.calls.value == 10
    assert [k.text for k in kinds.kinds] == ["fixed", "offline"]
    assert counting.seconds.value == 1
    assert unit_rate.prices[1].amount == Decimal("0.15")
    assert partial.exempt is True


def of_kinds(nodes: Sequence[object], *kinds: type) -> tuple[Any, ...]:
    """The nodes, each checked to be of its kind in turn."""
    assert len(nodes) == len(kinds)
    for node, kind in zip(nodes, kinds, strict=True):
        assert isinstance(node, kind), f"{node!r} is not a {kind.__name__}"
    return tuple(nodes)


def test_every_node_carries_its_span():
    file = parse("package p {\n  generation current\n}\n# trailing comment")
    (package,) = of_kinds(file.definitions, ast.Package)
    assert package.span == ast.Span("test.tariff", 1, 1, 3, 2)
    assert package.name.span == ast.Span("test.tariff", 1, 9, 1, 10)
    assert package.statements[0].span == ast.Span("test.tariff", 2, 3, 2, 21)
    assert [(c.text, c.span.line) for c in file.comments] == [("# trailing comment", 4)]


def test_a_sheet_with_dial_rules_bands_and_barred_prefixes():
    file = parse(
        """sheet carrier {
  version 2021-04-01 {
    rounding half-even per call
    dial "0" as "+44"
    band sip {
      prefixes "sip:"
      rate 0.010 GBP per minute
    }
    barred "+4470", "+449"
  }
}"""
    )
    (sheet,) = of_kinds(file.definitions, ast.Sheet)
    (version,) = of_kinds(sheet.statements, ast.SheetVersion)
    rounding, dial, band, barred = of_kinds(
        version.statements, ast.Rounding, ast.Dial, ast.Band, ast.Barred
    )
    assert rounding.mode.text == "half-even"
    assert (dial.prefix.value, dial.replacement.value) == ("0", "+44")
    assert band.name.text == "sip"
    prefixes, rate = of_kinds(band.statements, ast.Prefixes, ast.BandRate)
    assert prefixes.prefixes[0].value == "sip:"
    assert rate.prices[0].amount == Decimal("0.010")
    assert [p.value for p in barred.prefixes] == ["+4470", "+449"]


def test_an_order_form_with_every_statement():
    file = parse(
        """order form "ACC-001" {
  name "Bright Dental"
  package professional version 2019-01
  currency GBP
  licence 180.00 GBP per month
  call fee 0.07 GBP per call
  inclusive calls 500 per month
  rate uk_mobile 0.030 GBP per minute
  fair usage unit rate 0.05 GBP per missing call
  discount 12.5% on licence, call fee from 2026-01 to 2026-12
  discount 5 %
}"""
    )
    (form,) = of_kinds(file.definitions, ast.OrderForm)
    assert form.account.value == "ACC-001"
    (pin,) = of_kinds(form.statements[1:2], ast.PackagePin)
    assert (pin.package.text, pin.version.text) == ("professional", "2019-01")
    scoped, plain = of_kinds(form.statements[-2:], ast.Discount, ast.Discount)
    assert scoped.percent.value == Decimal("12.5")
    assert [c.text for c in scoped.charges] == ["licence", "call fee"]
    assert (scoped.start.text, scoped.end.text) == ("2026-01", "2026-12")
    assert (plain.percent.value, plain.charges, plain.start, plain.end) == (
        Decimal(5),
        (),
        None,
        None,
    )


def test_a_file_without_a_final_newline_and_with_comments_everywhere_parses():
    file = parse("# top\npackage p { # after brace\n  generation current # trailing\n} # end")
    assert [c.text for c in file.comments] == [
        "# top",
        "# after brace",
        "# trailing",
        "# end",
    ]


def test_every_shipped_tariff_parses():
    catalogue, problems = read_catalogue([TARIFFS])
    assert problems == []
    assert len(catalogue.files) == 8


# ------------------------------------------------------------ syntax errors


def test_misspelt_keyword_gets_expected_words_and_did_you_mean():
    problem = syntax_error("package p {\n  version 2024-01 {\n    licnce 1.00 GBP\n  }\n}\n")
    assert (problem.span.line, problem.span.column) == (3, 5)
    assert problem.message == (
        "unexpected 'licnce'; expected one of 'call', 'chargeable', 'fair', 'inclusive', "
        "'licence', 'minutes', '}'"
    )
    assert problem.hint == "did you mean 'licence'?"


def test_end_of_file_names_the_block_left_open():
    problem = syntax_error("package p {\n  version 2024-01 {\n    licence 1.00 GBP\n")
    assert problem.message == "the file ends inside 'version 2024-01 {' opened at line 2"
    assert problem.hint == "add the missing '}' that closes it"
    assert (problem.span.line, problem.span.column) == (4, 1)


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "package p { version 2024-01 { licence 79.00 per month } }",
            "unexpected 'per'; expected a currency code such as GBP",
            "write every amount with its currency, e.g. 79.00 GBP",
        ),
        (
            "package p { version 2024-01 { licence 79.00 gbp } }",
            "unexpected 'gbp'; expected a currency code such as GBP",
            "did you mean 'GBP'?",
        ),
        (
            "package p { }\n}\n",
            "unexpected '}'; expected one of 'issuer', 'order', 'package', 'sheet', 'tax'",
            "this '}' closes no block: remove it",
        ),
        (
            'sheet s { version 2021-04-01 { band b { prefixes "+44 } } }',
            "this quoted text is not closed",
            'add the closing " on this line',
        ),
        ("package p { version 2024-01 { licence 79.00 GBP @ } }", "unexpected character '@'", None),
        ("package p { generation }", "unexpected '}'; expected a name", None),
    ],
)
def test_syntax_errors_speak_tariff_words(text, message, hint):
    problem = syntax_error(text)
    assert (problem.message, problem.hint) == (message, hint)


@pytest.mark.parametrize(
    "text",
    [
        "package",
        "package p { version }",
        "order form ACC { }",
        "sheet s { version 2021-04-01 { band b { prefixes } } }",
        "package p { version 2024-01 { inclusive calls } }",
        "package p { version 2024-01 { fair usage { partial months } } }",
        'order form "A" { discount 10% on }',
        'order form "A" { discount 10% from 2026 }',
    ],
)
def test_no_syntax_error_leaks_a_grammar_terminal_name(text):
    problem = syntax_error(text)
    assert not re.search(
        r"__ANON|[A-Z]{2,}_|\b(RBRACE|LBRACE|COMMA|NAME|STRING|NUMBER|MONTH|DATE)\b",
        problem.message,
    )
