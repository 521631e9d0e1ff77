"""Reports on a run of test cases: which pricing rules they covered, and JUnit XML for CI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from tariff.engine.plan.model import RatingPlan
from tariff.engine.tools.cases import Outcome


def coverage(plan: RatingPlan, outcomes: Sequence[Outcome]) -> tuple[list[str], list[str]]:
    """The pricing rules (statements) that some case used, and those none did.

    A rule is a statement that can price an invoice line: each licence, call
    fee and Fair Usage rate of a package version, each band's rate, and each
    order form's agreed prices and discounts, and each tax. Each comes as
    ``file:line: what``.
    """
    rules: dict[tuple[str, int], str] = {}
    for versions in plan.packages.values():
        for version in versions:
            name = f"package {version.package} version {version.version}"
            for term in ("licence", "call fee"):
                span = version.span_of(term)
                rules[span.file, span.line] = f"{term} of {name}"
            if version.fair_usage is not None:
                span = version.fair_usage.span_of("unit rate")
                rules[span.file, span.line] = f"fair usage of {name}"
    for sheet_versions in plan.sheets.values():
        for sheet in sheet_versions:
            for band in sheet.bands.values():
                rules[band.rate_span.file, band.rate_span.line] = (
                    f"band {band.name} of sheet {sheet.sheet} version {sheet.version}"
                )
    for form in plan.order_forms.values():
        for term in ("licence", "call fee", "fair usage unit rate"):
            if term in form.spans:
                span = form.spans[term]
                rules[span.file, span.line] = f"{term} in order form {form.account_id}"
        for band_name, span in form.band_rate_spans.items():
            rules[span.file, span.line] = f"rate for {band_name} in order form {form.account_id}"
        for discount in form.discounts:
            if discount.span is not None:
                rules[discount.span.file, discount.span.line] = (
                    f"discount in order form {form.account_id}"
                )
    for tax in plan.taxes:
        rules[tax.span.file, tax.span.line] = f"tax {tax.name}"
    # Lines name their files relative to the catalogue; the report, as messages do.
    names = plan.source_names
    used = {
        (line.source.file, line.source.line)
        for outcome in outcomes
        if outcome.run is not None
        for invoice in outcome.run.invoices
        for line in invoice.lines
        if line.source is not None and line.source.line is not None
    }
    covered: list[str] = []
    missed: list[str] = []
    for (file, line), what in sorted(rules.items()):
        exercised = (names.get(file, file), line) in used
        (covered if exercised else missed).append(f"{file}:{line}: {what}")
    return covered, missed


# ------------------------------------------------------------------- JUnit


@dataclass(frozen=True)
class TimedOutcome:
    """A case's outcome, when it started and how long it took (for the report only)."""

    outcome: Outcome
    started: dt.datetime
    seconds: float


def junit_xml(timed: Sequence[TimedOutcome]) -> str:
    """A JUnit XML report: one test suite per case file, one test case per case, with times."""
    suites = ElementTree.Element(
        "testsuites",
        name="tariff test",
        tests=str(len(timed)),
        failures=str(sum(not t.outcome.passed for t in timed)),
        time=_seconds(sum(t.seconds for t in timed)),
    )
    by_file: dict[str, list[TimedOutcome]] = {}
    for each in timed:
        by_file.setdefault(each.outcome.case.file, []).append(each)
    for file, members in by_file.items():
        suite = _suite(suites, file, members[0].started, sum(t.seconds for t in members))
        suite.set("tests", str(len(members)))
        suite.set("failures", str(sum(not t.outcome.passed for t in members)))
        for each in members:
            outcome = each.outcome
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=file,
                name=outcome.case.name,
                time=_seconds(each.seconds),
            )
            if not outcome.passed:
                failure = ElementTree.SubElement(
                    case, "failure", message=outcome.failures[0].splitlines()[0]
                )
                failure.text = "\n".join(outcome.failures)
    return _document(suites)


def junit_failure(suite_name: str, problem: str, details: str, started: dt.datetime) -> str:
    """A JUnit XML report of a run that could not start: one failing test named for the problem.

    CI keeps the report as an artifact and shows its failures; a run stopped by
    catalogue errors or an unreadable case file must leave one too, not nothing.
    """
    suites = ElementTree.Element("testsuites", name="tariff test", tests="1", failures="1")
    suites.set("time", _seconds(0))
    suite = _suite(suites, suite_name, started, 0)
    suite.set("tests", "1")
    suite.set("failures", "1")
    case = ElementTree.SubElement(
        suite, "testcase", classname=suite_name, name=problem, time=_seconds(0)
    )
    failure = ElementTree.SubElement(case, "failure", message=problem)
    failure.text = details
    return _document(suites)


def _suite(
    parent: ElementTree.Element, name: str, started: dt.datetime, seconds: float
) -> ElementTree.Element:
    # JUnit's timestamp is ISO 8601 without a zone; ours is always UTC.
    timestamp = started.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    return ElementTree.SubElement(
        parent,
        "testsuite",
        name=name,
        timestamp=timestamp,
        time=_seconds(seconds),
        hostname="localhost",
    )


def _seconds(seconds: float) -> str:
    return f"{seconds:.3f}"


def _document(suites: ElementTree.Element) -> str:
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
