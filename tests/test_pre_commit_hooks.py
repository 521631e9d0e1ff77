"""The pre-commit hooks offered to other repositories run real commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
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
        "tariff-check": "tariff check --with-catalogue",
        "tariff-fmt": "tariff fmt",
        "tariff-test": "tariff test",
    }


def test_each_hook_entry_is_a_tariff_command():
    commands = set(cli.list_commands(click.Context(cli)))
    for entry in hooks().values():
        program, command, *_ = entry.split()
        assert program == "tariff" and command in commands
        help_text = CliRunner().invoke(cli, [command, "--help"]).output
        assert help_text.startswith("Usage: ")


ORDER_FORM = 'order form "ACC-001" {\n  package profesional\n}\n'


def _layout(root: Path) -> None:
    """The layout docs/ci.md shows: the catalogue, and order forms in their own folder."""
    shutil.copytree(ROOT / "tariffs", root / "tariffs", ignore=shutil.ignore_patterns("tests"))
    (root / "order-forms").mkdir()
    (root / "order-forms" / "acme.tariff").write_text(ORDER_FORM)


def test_check_with_catalogue_finds_an_order_form_outside_it(tmp_path, monkeypatch):
    _layout(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--with-catalogue", "order-forms/acme.tariff"])
    assert result.exit_code == 1
    assert "order-forms/acme.tariff:2:11: error T102: unknown package 'profesional'" in (
        result.stdout
    )
    assert "9 files checked: 1 error, 0 warnings" in result.stdout
    fixed = ORDER_FORM.replace("profesional", "professional")
    (tmp_path / "order-forms" / "acme.tariff").write_text(fixed)
    result = runner.invoke(cli, ["check", "--with-catalogue", "order-forms/acme.tariff"])
    assert result.exit_code == 0, result.stdout


@pytest.mark.slow
def test_try_repo_runs_the_hooks_on_an_order_form_in_its_own_folder(tmp_path):
    """pre-commit installs the hooks from this repository and runs them where docs/ci.md says."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    assert Path(pre_commit).exists(), "pre-commit is in the development extra"
    repository = tmp_path / "billing"
    _layout(repository)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t"}
    env |= {"GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@example.com"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repository, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), hook, "--files", "order-forms/acme.tariff"],
            cwd=repository,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    failed = try_repo("tariff-check")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "order-forms/acme.tariff:2:11: error T102: unknown package 'profesional'" in (
        failed.stdout
    )
    (repository / "order-forms" / "acme.tariff").write_text(
        ORDER_FORM.replace("profesional", "professional")
    )
    git("add", ".")
    passed = try_repo("tariff-check")
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_hooks_install_the_core_only():
    """pre-commit installs a python hook's repository with ``pip install .`` and nothing else."""
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "additional_dependencies" not in text
    assert re.findall(r"^  language: (\S+)$", text, re.MULTILINE) == ["python"] * 3
