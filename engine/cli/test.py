"""``tariff test``: run the test cases kept beside the tariffs."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from tariff.dsl import CatalogueNotFound
from tariff.engine.cli.options import catalogue_option, fail, fail_with_catalogue_errors

PASSED, FAILED, USAGE_ERROR = 0, 1, 2


@click.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@catalogue_option
@click.option(
    "--junit-xml",
    "junit",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a JUnit XML report (also when the run cannot start: one failing test).",
)
@click.option("--coverage", is_flag=True, help="Report the pricing rules no case exercised.")
def test_command(
    paths: tuple[Path, ...], catalogue: str | None, junit: Path | None, coverage: bool
) -> None:
    """Run the *.test.toml cases under PATHS (default: the catalogue in use).

    Each case rates its month with the catalogue in use (plus the case's own
    order forms) and compares the invoices it expects. Exits 0 when every case
    passes, 1 when one fails, 2 on a usage error or an unreadable case file.
    """
    from tariff.dsl.catalogue import display_path
    from tariff.dsl.diagnostics import count_errors, counted, render_text
    from tariff.engine.plan.catalogue import CatalogueError, catalogue_in_use, load_catalogue
    from tariff.engine.tools.case_reports import TimedOutcome, junit_failure, junit_xml
    from tariff.engine.tools.case_reports import coverage as rule_coverage
    from tariff.engine.tools.cases import CaseFileError, find_case_files, read_cases, run_case

    started = dt.datetime.now(dt.UTC)

    def report_failure(suite: str, problem: str, details: str) -> None:
        if junit is not None:
            junit.write_text(junit_failure(suite, problem, details, started), encoding="utf-8")

    catalogue_path = catalogue_in_use(catalogue)
    try:
        plan = load_catalogue(catalogue_path)
        files = find_case_files(list(paths) or [catalogue_path])
        cases = [case for path in files for case in read_cases(path, display_path(path))]
    except CatalogueNotFound as problem:
        report_failure("catalogue", str(problem), str(problem))
        fail([f"tariff test: {problem}"], USAGE_ERROR)
    except CatalogueError as problem:
        first = next(d for d in problem.diagnostics if d.is_error)
        errors = counted(count_errors(problem.diagnostics), "error")
        report_failure(
            str(catalogue_path),
            f"the catalogue has {errors}: {first.span}: {first.code} {first.message}",
            render_text(problem.diagnostics, problem.sources),
        )
        fail_with_catalogue_errors(problem)
    except CaseFileError as problem:
        report_failure("test cases", str(problem), str(problem))
        fail([f"tariff test: {problem}"], USAGE_ERROR)
    if not cases:
        where = ", ".join(str(path) for path in paths or (catalogue_path,))
        report_failure("test cases", f"no *.test.toml cases under {where}", where)
        fail([f"tariff test: no *.test.toml cases under {where}"], USAGE_ERROR)
    timed = []
    current_file = None
    for case in cases:
        if case.file != current_file:
            click.echo(case.file)
            current_file = case.file
        began, clock = dt.datetime.now(dt.UTC), time.perf_counter()
        outcome = run_case(case, plan, catalogue_path)
        timed.append(TimedOutcome(outcome, began, time.perf_counter() - clock))
        click.echo(f"  {'✓' if outcome.passed else '✗'} {case.name}")
        for failure in outcome.failures:
            click.echo("      " + failure.replace("\n", "\n      "))
    outcomes = [each.outcome for each in timed]
    failed = sum(not o.passed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    if junit is not None:
        junit.write_text(junit_xml(timed), encoding="utf-8")
    if coverage:
        covered, missed = rule_coverage(plan, outcomes)
        total = len(covered) + len(missed)
        percent = 100 * len(covered) // total if total else 100
        click.echo(f"coverage: {len(covered)} of {total} pricing rules exercised ({percent}%)")
        for rule in missed:
            click.echo(f"  not exercised: {rule}")
    raise SystemExit(FAILED if failed else PASSED)
