"""Developer tasks: ``nox -s lint``, ``types``, ``fast``, ``tests`` (``nox -l`` lists them).

Each session installs the project with its development extras into its own
environment; ``nox --no-venv -s NAME`` runs one in the current environment
instead (as .ci/run does, after installing ``.[dev]``).
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "types", "fast"]
PACKAGE = ["-p", "tariff.dsl", "-p", "tariff.engine"]
# The tests are type-checked inside their bodies, without annotating every test.
TESTS_TYPES = [
    "--allow-untyped-defs",
    "--allow-incomplete-defs",
    "--allow-untyped-calls",
    "--allow-untyped-decorators",
    "--check-untyped-defs",
    "--no-warn-return-any",
]


def _install(session: nox.Session) -> None:
    if session.venv_backend != "none":
        session.install("-e", ".[dev]", "--config-settings", "editable_mode=strict")


@nox.session
def lint(session: nox.Session) -> None:
    """Lint: ruff check, ruff format --check, and the shipped tariffs checked and formatted."""
    _install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("tariff", "check", "tariffs", "examples/order-forms")
    session.run("tariff", "fmt", "--check", "tariffs", "examples/order-forms")


@nox.session
def types(session: nox.Session) -> None:
    """Types: mypy --strict on the package, --check-untyped-defs on the tests."""
    _install(session)
    session.run("mypy", *PACKAGE)
    session.run("mypy", *TESTS_TYPES, "tests", env={"MYPYPATH": "tests:bench"})


@nox.session
def fast(session: nox.Session) -> None:
    """The tests that need no browser, no PostgreSQL and no long run."""
    _install(session)
    session.run("pytest", "-q", "-m", "not slow and not browser and not postgres", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Every test, as CI runs them (CI=true makes a missing Chromium or initdb a failure)."""
    _install(session)
    session.run("pytest", "-q", *session.posargs)
