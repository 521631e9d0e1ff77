"""The house rules: which layer may import which, and the packages that are installed."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from usage_rows import ROOT

# Lower layers never import higher ones. Within a layer, modules may import
# each other; ``usage`` and ``plan`` share a layer, but only ``plan.terms``
# (an account's terms) may read ``usage``, never the other way round.
LAYERS = (
    ("tariff.dsl",),
    ("tariff.engine.money",),
    ("tariff.engine.usage", "tariff.engine.plan"),
    ("tariff.engine.rating",),
    ("tariff.engine.invoice",),
    ("tariff.engine.api", "tariff.engine.partition", "tariff.engine.stream", "tariff.engine"),
    ("tariff.engine.tools",),
    ("tariff.engine.billing",),
    ("tariff.engine.cli",),
)
# Billing works on finished invoices: it never reaches into how they were rated.
BILLING_NEVER_IMPORTS = ("tariff.engine.rating", "tariff.engine.usage", "tariff.engine.plan.terms")
FOLDERS = {"tariff.dsl": ROOT / "dsl", "tariff.engine": ROOT / "engine"}


def _module_name(path: Path) -> str:
    for package, folder in FOLDERS.items():
        if path.is_relative_to(folder):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            return ".".join((package, *parts))
    raise AssertionError(path)


def _layer(module: str) -> int:
    best = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[1]


def _imports(path: Path) -> set[str]:
    """Every tariff module the file imports, at the top, in functions or for type checking."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("tariff.")}


def _real(name: str) -> str:
    """The module an imported name lives in (``tariff.engine.plan.RatingPlan`` → the package)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        for package, folder in FOLDERS.items():
            if candidate == package or candidate.startswith(package + "."):
                relative = candidate.removeprefix(package).lstrip(".").replace(".", "/")
                base = folder / relative if relative else folder
                if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
                    return candidate
        parts.pop()
    return name


SOURCES = sorted(p for folder in FOLDERS.values() for p in folder.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_down_the_layers(path: Path) -> None:
    module = _module_name(path)
    own = _layer(module)
    upward = sorted(
        imported
        for imported in {_real(name) for name in _imports(path)}
        if imported.startswith(("tariff.dsl", "tariff.engine")) and _layer(imported) > own
    )
    assert not upward, f"{module} (layer {own}) imports higher layers: {upward}"
    if module.startswith("tariff.engine.usage"):
        assert not [m for m in _imports(path) if m.startswith("tariff.engine.plan")]
    if module.startswith("tariff.engine.billing"):
        reached = sorted(m for m in _imports(path) if m.startswith(BILLING_NEVER_IMPORTS))
        assert not reached, f"{module} reaches into rating: {reached}"


def test_the_language_never_imports_the_engine() -> None:
    for path in (ROOT / "dsl").rglob("*.py"):
        engine = [m for m in _imports(path) if m.startswith("tariff.engine")]
        assert not engine, f"{path.name} imports {engine}"


def test_every_package_folder_is_installed_and_every_installed_package_exists() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {
        _module_name(init) for folder in FOLDERS.values() for init in folder.rglob("__init__.py")
    }
    assert folders <= listed, f"folders missing from pyproject's packages: {folders - listed}"
    for package in listed - folders:
        directory = config["tool"]["setuptools"]["package-dir"].get(package)
        assert directory and (ROOT / directory).is_dir(), f"{package} has no folder"


def test_no_folder_is_crowded_and_no_module_is_long() -> None:
    for folder in FOLDERS.values():
        for directory in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
            modules = [p for p in directory.glob("*.py") if not p.name.startswith("__")]
            assert len(modules) <= 12, f"{directory} holds {len(modules)} modules"
    for path in SOURCES:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 500, f"{path.relative_to(ROOT)} has {lines} lines"
