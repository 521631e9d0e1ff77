"""The VS Code extension packages as the Marketplace's own tool packages it."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest
from system import require
from usage_rows import ROOT

VSCODE = ROOT / "grammar" / "vscode"
# The packaging tool, pinned to the version this test was written against.
VSCE = "@vscode/vsce@3.9.2"


def test_the_manifest_names_the_language_server_and_formats_on_save():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((VSCODE / "package-lock.json").read_text(encoding="utf-8"))
    assert manifest["version"] == lock["version"] == lock["packages"][""]["version"]
    assert "vscode-languageclient" in manifest["dependencies"]
    setting = manifest["contributes"]["configuration"]["properties"]["tariff.command"]
    assert setting["default"] == ["tariff", "lsp"]
    assert manifest["contributes"]["configurationDefaults"]["[tariff]"] == {
        "editor.formatOnSave": True
    }
    assert (VSCODE / manifest["main"]).is_file()


@pytest.mark.slow
def test_vsce_packages_the_extension(tmp_path):
    require(shutil.which("npx") is not None, "npx", "apt-get install nodejs npm")
    work = tmp_path / "vscode"
    shutil.copytree(VSCODE, work, ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    shutil.copy(ROOT / "LICENSE", work / "LICENSE")
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    vsix = tmp_path / "tariff.vsix"
    packaged = subprocess.run(
        ["npx", "--yes", VSCE, "package", "--allow-missing-repository", "--out", str(vsix)],
        cwd=work,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert packaged.returncode == 0, packaged.stdout + packaged.stderr
    assert "LICENSE" not in packaged.stdout.split("INFO")[0], packaged.stdout
    names = set(zipfile.ZipFile(vsix).namelist())
    assert {
        "extension/package.json",
        "extension/extension.js",
        "extension/language-configuration.json",
        "extension/syntaxes/tariff.tmLanguage.json",
        "extension/LICENSE.txt",
        "extension/node_modules/vscode-languageclient/package.json",
    } <= names, sorted(names)
