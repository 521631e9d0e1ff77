"""Every tariff example in the docs parses and checks against the reference sheet."""

from __future__ import annotations

import re

import pytest
from usage_rows import ROOT, TARIFFS

from tariff.dsl import load_checked

DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "language.md"]
BLOCK = re.compile(r"```\n(.*?)```", re.DOTALL)
DECK = re.compile(r"```csv\n(.*?)```", re.DOTALL)


def tariff_examples():
    for document in DOCUMENTS:
        for index, block in enumerate(BLOCK.findall(document.read_text())):
            first = next((line for line in block.splitlines() if not line.startswith("#")), "")
            if re.match(r"(package|sheet|order form|issuer|tax) ", first) and "..." not in block:
                yield pytest.param(block, id=f"{document.name}-{index}")


@pytest.mark.parametrize("example", list(tariff_examples()))
def test_documented_example_is_a_valid_tariff(example, tmp_path):
    (tmp_path / "example.tariff").write_text(example)
    for deck in re.findall(r'deck "([^"]+)"', example):
        # The document's example deck, under the name the example gives it.
        found = DECK.search((ROOT / "docs" / "language.md").read_text())
        assert found is not None, "language.md shows a rate deck"
        (tmp_path / deck).write_text(found[1])
    sheet = (TARIFFS / "carrier.tariff").read_text()
    if not example.startswith("sheet"):
        (tmp_path / "carrier.tariff").write_text(sheet)
    for name in ("professional", "growth"):
        if not re.search(rf"^package {name} {{", example, re.MULTILINE):
            (tmp_path / f"{name}.tariff").write_text((TARIFFS / f"{name}.tariff").read_text())

    _, diagnostics = load_checked([tmp_path])

    assert [f"{d.code} {d.span.line}: {d.message}" for d in diagnostics] == []


def test_there_are_documented_examples():
    assert len(list(tariff_examples())) >= 4
