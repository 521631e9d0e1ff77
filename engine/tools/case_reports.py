"""Reports on a run of test cases: which pricing rules they covered, and JUnit XML for CI."""

from __future__ import annotations

from collections.abc import Sequence

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


def junit_xml(outcomes: Sequence[Outcome]) -> str:
    """A JUnit XML report: one test suite per case file, one test case per case."""
    from xml.etree import ElementTree

    suites = ElementTree.Element(
        "testsuites",
        tests=str(len(outcomes)),
        failures=str(sum(not o.passed for o in outcomes)),
    )
    by_file: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_file.setdefault(outcome.case.file, []).append(outcome)
    for file, members in by_file.items():
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=file,
            tests=str(len(members)),
            failures=str(sum(not o.passed for o in members)),
        )
        for outcome in members:
            case = ElementTree.SubElement(suite, "testcase", classname=file, name=outcome.case.name)
            if not outcome.passed:
                failure = ElementTree.SubElement(
                    case, "failure", message=outcome.failures[0].splitlines()[0]
                )
                failure.text = "\n".join(outcome.failures)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
