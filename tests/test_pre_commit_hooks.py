"""The pre-commit hooks offered to other repositories run real commands."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner
from usage_rows import ROOT

from tariff.engine.cli import cli


def hooks() -> dict[str, str]:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    ids = re.findall(r"^- id: (\S+)$", text, re.MULTILINE)
    entries = re.findall(r"^  entry: (.+)$", text, re.MULTILINE)
    assert len(ids) == len(entries)
    return dict(zip(ids, entries, strict=True))


def test_the_three_hooks_are_offered():
    assert hooks() == {
        "tariff-check": "tariff check",
        "tariff-fmt": "tariff fmt",
        "tariff-test": "tariff test",
    }


def test_each_hook_entry_is_a_tariff_command():
    commands = set(cli.list_commands(click.Context(cli)))
    for entry in hooks().values():
        program, command = entry.split()
        assert program == "tariff" and command in commands
        help_text = CliRunner().invoke(cli, [command, "--help"]).output
        assert help_text.startswith("Usage: ")
