"""The TextMate grammar for editors and linguist keeps up with the Lark grammar."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from usage_rows import ROOT, TARIFFS

VSCODE = ROOT / "grammar" / "vscode"
TEXTMATE = json.loads((VSCODE / "syntaxes" / "tariff.tmLanguage.json").read_text())


def keywords_of_the_lark_grammar() -> set[str]:
    text = (ROOT / "grammar" / "tariff.lark").read_text()
    return {word for word in re.findall(r'"([a-z]+)"', text)}


def scopes(line: str) -> list[tuple[str, str]]:
    """(text, scope) for each token the grammar's top-level patterns find in a line."""
    repository = TEXTMATE["repository"]
    patterns: list[dict[str, Any]] = []
    for include in TEXTMATE["patterns"]:
        rule = repository[include["include"][1:]]
        # A rule with neither match nor begin only groups other patterns.
        grouped = "match" not in rule and "begin" not in rule
        patterns += rule["patterns"] if grouped else [rule]
    found, position = [], 0
    while position < len(line):
        for rule in patterns:
            regex = rule.get("match") or rule["begin"] + ".*?(?:" + rule["end"] + ")"
            match = re.compile(regex).match(line, position)
            if match and match.end() > position:
                if "captures" in rule:
                    for group, capture in rule["captures"].items():
                        found.append((match.group(int(group)), capture["name"]))
                else:
                    found.append((match.group(0), rule["name"]))
                position = match.end()
                break
        else:
            position += 1
    return found


def test_every_keyword_of_the_language_is_highlighted():
    highlighted = set()
    for token in keywords_of_the_lark_grammar():
        kinds = {scope for _, scope in scopes(token)}
        if kinds & {"keyword.other.tariff", "storage.type.tariff"}:
            highlighted.add(token)
    missing = keywords_of_the_lark_grammar() - highlighted - {"package", "sheet", "band", "tax"}
    assert missing == set()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "    licence 249.00 GBP, 325.00 USD per month  # latest",
            [
                ("licence", "keyword.other.tariff"),
                ("249.00", "constant.numeric.decimal.tariff"),
                ("GBP", "support.constant.currency.tariff"),
                (",", "punctuation.separator.comma.tariff"),
                ("325.00", "constant.numeric.decimal.tariff"),
                ("USD", "support.constant.currency.tariff"),
                ("per", "keyword.other.tariff"),
                ("month", "keyword.other.tariff"),
                ("# latest", "comment.line.number-sign.tariff"),
            ],
        ),
        (
            "package professional {",
            [
                ("package", "storage.type.tariff"),
                ("professional", "entity.name.type.tariff"),
                ("{", "punctuation.section.block.begin.tariff"),
            ],
        ),
        (
            "  discount 10% on licence from 2026-07 to 2027-06",
            [
                ("discount", "keyword.other.tariff"),
                ("10%", "constant.numeric.percent.tariff"),
                ("on", "keyword.other.tariff"),
                ("licence", "keyword.other.tariff"),
                ("from", "keyword.other.tariff"),
                ("2026-07", "constant.other.date.tariff"),
                ("to", "keyword.other.tariff"),
                ("2027-06", "constant.other.date.tariff"),
            ],
        ),
        (
            '      prefixes "+4471", "sip:"',
            [
                ("prefixes", "keyword.other.tariff"),
                ('"+4471"', "string.quoted.double.tariff"),
                (",", "punctuation.separator.comma.tariff"),
                ('"sip:"', "string.quoted.double.tariff"),
            ],
        ),
    ],
)
def test_lines_are_tokenised_into_the_expected_scopes(line, expected):
    assert scopes(line) == expected


def test_every_shipped_line_is_fully_highlighted():
    for path in TARIFFS.glob("*.tariff"):
        for line in path.read_text().splitlines():
            covered = "".join(text for text, _ in scopes(line))
            assert covered.replace(" ", "") == line.replace(" ", ""), (path.name, line)


def test_the_vscode_extension_points_at_its_files():
    manifest = json.loads((VSCODE / "package.json").read_text())
    (grammar,) = manifest["contributes"]["grammars"]
    (language,) = manifest["contributes"]["languages"]
    assert grammar["scopeName"] == TEXTMATE["scopeName"] == "source.tariff"
    assert (VSCODE / grammar["path"]).is_file()
    assert (VSCODE / language["configuration"]).is_file()
    assert language["extensions"] == [".tariff"]
    assert (VSCODE / manifest["main"]).is_file()
