"""Semantic checks: every problem in one run, in source order, each with code and span."""

from __future__ import annotations

import pytest
from usage_rows import ROOT, TARIFFS

from tariff.dsl import load_checked
from tariff.dsl.codes import CODES

SHEET = """
sheet carrier {
  version 2021-04-01 {
    band uk { prefixes "+44" rate 0.015 GBP, 0.020 USD per minute }
  }
}
"""

PACKAGE = """
package basic {
  generation current
  version 2024-01 {
    licence 10.00 GBP, 12.00 USD
    call fee 0.10 GBP, 0.12 USD
    minutes from sheet carrier
  }
}
"""


def check(tmp_path, *texts: str):
    for index, text in enumerate(texts):
        (tmp_path / f"{index}.tariff").write_text(text, encoding="utf-8")
    _, diagnostics = load_checked([tmp_path])
    return diagnostics


def found(diagnostics):
    return [
        (d.code, d.span.file.rsplit("/", 1)[-1], d.span.line, d.message, d.hint)
        for d in diagnostics
    ]


def test_the_reference_catalogue_is_clean():
    _, diagnostics = load_checked([TARIFFS])
    assert diagnostics == []


def test_a_clean_package_and_sheet_have_no_problems(tmp_path):
    assert check(tmp_path, SHEET, PACKAGE) == []


def test_all_problems_come_back_in_source_order(tmp_path):
    text = """package basic {
  generation curent
  version 2024-01 {
    licence -10.00 GBP, 12.001 USD
    call fee 0.10 GBP
    minutes from sheet carier
  }
}
"""
    assert found(check(tmp_path, SHEET, text)) == [
        (
            "T105",
            "1.tariff",
            2,
            "unknown generation 'curent'; use one of: previous, current",
            "did you mean 'current'?",
        ),
        ("T109", "1.tariff", 4, "licence -10.00 GBP is negative", None),
        (
            "T110",
            "1.tariff",
            4,
            "licence 12.001 USD has 3 decimal places; the engine keeps at most 2 decimal places "
            "(whole minor units of USD)",
            None,
        ),
        (
            "T106",
            "1.tariff",
            5,
            "call fee has no USD price, but the licence has a USD edition",
            "add a USD amount",
        ),
        ("T102", "1.tariff", 6, "unknown sheet 'carier'", "did you mean 'carrier'?"),
    ]


def test_duplicate_definitions_and_versions(tmp_path):
    text = PACKAGE + PACKAGE.replace("version 2024-01", "version 2024-01 { }\n  version 2024-01")
    diagnostics = found(check(tmp_path, SHEET, text))
    assert [d[:3] for d in diagnostics] == [("T101", "1.tariff", 11)]
    assert diagnostics[0][3].startswith("package 'basic' is defined twice; the first is at ")


def test_two_versions_starting_the_same_day(tmp_path):
    text = (
        PACKAGE.replace(
            "  version 2024-01 {",
            "  version 2024-01-01 {\n"
            "    licence 1.00 GBP call fee 1.00 GBP minutes from sheet carrier\n"
            "  }\n"
            "  version 2024-01 {",
        )
        .replace(", 12.00 USD", "")
        .replace(", 0.12 USD", "")
    )
    diagnostics = found(check(tmp_path, SHEET, text))
    assert [(d[0], d[2]) for d in diagnostics] == [("T101", 7)]
    assert (
        diagnostics[0][3]
        == "package basic already has a version starting then ('2024-01-01' at line 4)"
    )


def test_missing_and_repeated_statements(tmp_path):
    text = """package basic {
  generation current
  version 2024-01 {
    licence 10.00 GBP
    licence 11.00 GBP
  }
}
"""
    assert [(d[0], d[2], d[3]) for d in found(check(tmp_path, SHEET, text))] == [
        ("T103", 3, "package basic version 2024-01 has no 'call fee'"),
        ("T103", 3, "package basic version 2024-01 has no 'minutes'"),
        ("T104", 5, "'licence' appears again in package basic version 2024-01; it may appear once"),
    ]


def test_fair_usage_clause_checks(tmp_path):
    text = PACKAGE.replace(
        "    minutes from sheet carrier\n",
        """    minutes from sheet carrier
    fair usage {
      minimum 0 calls
      numbers fixed, ofline
      counting from 1.5 seconds
      unit rate 0.10 GBP
    }
""",
    )
    assert [(d[0], d[3]) for d in found(check(tmp_path, SHEET, text))] == [
        ("T111", "the fair usage minimum must be a whole number of at least 1, not 0"),
        ("T105", "unknown number kind 'ofline'; use one of: fixed, offline, dynamic"),
        ("T111", "the counting threshold in seconds must be a whole number of at least 0, not 1.5"),
        ("T106", "fair usage unit rate has no USD price, but the licence has a USD edition"),
    ]


def test_sheet_checks(tmp_path):
    text = """sheet carrier {
  version 2021-04-01 {
    rounding halfup
    dial "0" as "+44"
    band a { prefixes "+44", "01" rate 0.015 GBP, 0.020 USD per minute }
    band b { prefixes "+44", "44" rate 0.0000001 GBP per minute }
    band c { prefixes "+1" }
    barred "+4470"
  }
}
"""
    assert [(d[0], d[2], d[3]) for d in found(check(tmp_path, text, PACKAGE))] == [
        ("T105", 3, "unknown rounding mode 'halfup'; use one of: half-up, half-even, up, down"),
        (
            "T108",
            5,
            'prefix "01" can never match: destinations dialled with "0" are read as '
            '"+44…" before bands are matched',
        ),
        (
            "T107",
            6,
            "band 'b' has no USD rate, but other bands of sheet carrier version 2021-04-01 do",
        ),
        ("T108", 6, 'prefix "+44" can never select band b: it is already in band a'),
        (
            "T108",
            6,
            'prefix "44" can never match: destinations are numbers in E.164 form ("+" and '
            'digits) or addresses such as "sip:"',
        ),
        (
            "T110",
            6,
            "rate of band b 0.0000001 GBP has 7 decimal places; the engine keeps at most "
            "6 decimal places",
        ),
        ("T103", 7, "band c of sheet carrier version 2021-04-01 has no 'rate'"),
    ]


def test_order_form_checks(tmp_path):
    form = """order form "ACC-1" {
  package basik
  rate uk_mobile 0.03 GBP per minute
  discount 120% on licence, fair usage
  discount 10% on lisence from 2026-06 to 2026-01
}
order form "ACC-2" {
  package basic version 2023-01
  currency USD
  licence 9.00 GBP
  discount 10% on licence from 2026-01 to 2026-06
  discount 5% from 2026-03
}
"""
    assert [(d[0], d[2], d[3], d[4]) for d in found(check(tmp_path, SHEET, PACKAGE, form))] == [
        ("T102", 2, "unknown package 'basik'", "did you mean 'basic'?"),
        ("T102", 3, "unknown band 'uk_mobile'", None),
        ("T118", 4, "a discount is a percentage above 0 and at most 100, not 120", None),
        ("T112", 4, "fair usage is never discountable", "remove it from the discount"),
        (
            "T105",
            5,
            "unknown charge 'lisence'; a discount may name: licence, call fee, minutes",
            "did you mean 'licence'?",
        ),
        ("T119", 5, "the discount ends (2026-01) before it starts (2026-06)", None),
        (
            "T102",
            8,
            "unknown version '2023-01' of package basic; it has 2024-01",
            "did you mean '2024-01'?",
        ),
        (
            "T114",
            10,
            "this order form bills in USD, but this amount is in GBP",
            "an account is billed in one currency",
        ),
        (
            "T113",
            12,
            "this discount and the one at line 11 both cover licence in the same months",
            "limit them to different charges or to months that do not overlap",
        ),
    ]


def test_a_syntax_error_in_one_file_does_not_hide_problems_in_others(tmp_path):
    diagnostics = check(tmp_path, SHEET, "package broken {", PACKAGE.replace("carrier", "nowhere"))
    assert [(d.code, d.span.file.rsplit("/", 1)[-1]) for d in diagnostics] == [
        ("T001", "1.tariff"),
        ("T102", "2.tariff"),
    ]


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_rule_code_is_documented(code):
    assert f"`{code}`" in (ROOT / "docs" / "diagnostics.md").read_text()


def test_an_order_form_pinning_a_version_before_it_starts(tmp_path):
    form = """order form "ACC-1" {
  package basic version 2024-01
  discount 10% from 2023-06 to 2024-03
}
"""
    assert [(d[0], d[2], d[3]) for d in found(check(tmp_path, SHEET, PACKAGE, form))] == [
        (
            "T115",
            3,
            "this order form pins version 2024-01 of package basic, which is not in effect in "
            "2023-06 (it starts on 2024-01-01)",
        )
    ]


def test_each_broken_definition_reports_its_syntax_error_and_the_others_are_checked(tmp_path):
    text = """package a {
  generation current
  version 2024-01 {
    licnce 1.00 GBP
  }
}

package b {
  generation current
  version 2024-01 {
    licence 1.00 GBP
    call fee 0.10 GBP
    minutes from sheet nowhere
  }
}

package c {
  version 2024-01 { licence 1.00 GBP per month per month }
}
"""
    assert [(d[0], d[2]) for d in found(check(tmp_path, SHEET, text))] == [
        ("T001", 4),
        ("T102", 13),
        ("T001", 18),
    ]


def test_the_issuer_and_taxes_are_checked_like_every_definition(tmp_path):
    first = """issuer {
  address "1 Street"
  payment terms 14.5 days
  payment terms 30 days
  default country "GB" for GBX
}
tax uk_vat {
  rate 20%
}
"""
    second = """issuer { name "Another Ltd" }
tax uk_vat { countries "GB" rate 5% }
tax eu { countries "FR" rate -1% note "a" note "b" }
"""
    where = tmp_path / "0.tariff"
    assert [d[:4] for d in found(check(tmp_path, first, second))] == [
        ("T103", "0.tariff", 1, "the issuer has no 'name'"),
        (
            "T111",
            "0.tariff",
            3,
            "the payment terms in days must be a whole number of at least 0, not 14.5",
        ),
        ("T104", "0.tariff", 4, "'payment terms' appears again in the issuer; it may appear once"),
        ("T105", "0.tariff", 5, "unknown currency 'GBX'; use one of: GBP, USD"),
        ("T103", "0.tariff", 7, "tax uk_vat has no 'countries'"),
        ("T101", "1.tariff", 1, f"the catalogue has a second issuer; the first is at {where}:1:1"),
        ("T101", "1.tariff", 2, f"tax 'uk_vat' is defined twice; the first is at {where}:7:1"),
        (
            "T125",
            "1.tariff",
            3,
            "tax eu has a rate of -1%; a tax rate is a percentage from 0 to 100",
        ),
        ("T104", "1.tariff", 3, "'note' appears again in tax eu; it may appear once"),
    ]
