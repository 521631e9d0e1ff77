"""Problems found in tariff files, as values, and their renderers.

A :class:`Diagnostic` carries its span, a stable code and a message in tariff
words. Nothing here raises: parsing and checking return lists of diagnostics,
and the command line renders them as text, JSON, GitHub annotations or SARIF.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from urllib.parse import quote

from tariff.dsl.about import HOMEPAGE, version
from tariff.dsl.ast import Span
from tariff.dsl.codes import CODES

JSON_FORMAT_VERSION = 1


class Severity(StrEnum):
    """How bad a diagnostic is: errors stop a catalogue from being used."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, with where it is, what it is and what to do about it."""

    severity: Severity
    code: str
    message: str
    span: Span
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        """Whether this diagnostic stops the catalogue from being used."""
        return self.severity is Severity.ERROR


def error(code: str, span: Span, message: str, hint: str | None = None) -> Diagnostic:
    """An error-level diagnostic."""
    return Diagnostic(Severity.ERROR, code, message, span, hint)


def warning(code: str, span: Span, message: str, hint: str | None = None) -> Diagnostic:
    """A warning-level diagnostic."""
    return Diagnostic(Severity.WARNING, code, message, span, hint)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun, agreeing: '1 call', '2 calls', '1,250 calls'."""
    word = noun if count == 1 else (plural or noun + "s")
    return f"{count:,} {word}"


def alternatives(words: Iterable[str]) -> str:
    """Words as a choice for a message: 'fixed, offline or dynamic'."""
    listed = list(words)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``"did you mean 'x'?"`` for the closest candidate, or None if none is close."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def in_source_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics sorted by file, then position, then code."""
    return sorted(
        diagnostics,
        key=lambda d: (d.span.file, d.span.line, d.span.column, d.code, d.message),
    )


def count_errors(diagnostics: Iterable[Diagnostic]) -> int:
    """How many diagnostics are errors."""
    return sum(1 for d in diagnostics if d.is_error)


# ---------------------------------------------------------------- renderers


def _snippet(span: Span, sources: Mapping[str, str]) -> str | None:
    """The span's first line with a caret line under the span, or None."""
    text = sources.get(span.file)
    if text is None:
        return None
    lines = text.split("\n")
    if not 1 <= span.line <= len(lines):
        return None
    line = lines[span.line - 1].rstrip()
    end = span.end_column if span.end_line == span.line else len(line) + 1
    width = max(1, end - span.column)
    gutter = f"{span.line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * (span.column - 1) + "^" * width
    return f"{gutter}{line}\n{caret}"


def render_text(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """Human-readable diagnostics with snippets, then a one-line summary."""
    parts = []
    for diagnostic in diagnostics:
        head = (
            f"{diagnostic.span}: {diagnostic.severity.value} {diagnostic.code}: "
            f"{diagnostic.message}"
        )
        if diagnostic.hint:
            head += f"\n      hint: {diagnostic.hint}"
        snippet = _snippet(diagnostic.span, sources)
        parts.append(f"{head}\n{snippet}" if snippet else head)
    parts.append(_summary_line(diagnostics, len(sources)))
    return "\n".join(parts) + "\n"


def _summary_line(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = count_errors(diagnostics)
    warnings = len(diagnostics) - errors
    checked = f"{counted(files, 'file')} checked"
    if not diagnostics:
        return f"{checked}: no problems found"
    return f"{checked}: {counted(errors, 'error')}, {counted(warnings, 'warning')}"


def render_json(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """A versioned JSON document: ``{"version", "diagnostics", "summary"}``."""
    items = []
    for d in diagnostics:
        item: dict[str, object] = {
            "file": d.span.file,
            "line": d.span.line,
            "column": d.span.column,
            "end_line": d.span.end_line,
            "end_column": d.span.end_column,
            "severity": d.severity.value,
            "code": d.code,
            "rule": CODES[d.code].name,
            "message": d.message,
        }
        if d.hint:
            item["hint"] = d.hint
        snippet = _snippet(d.span, sources)
        if snippet:
            item["snippet"] = snippet
        items.append(item)
    errors = count_errors(diagnostics)
    document = {
        "version": JSON_FORMAT_VERSION,
        "diagnostics": items,
        "summary": {
            "files": len(sources),
            "errors": errors,
            "warnings": len(diagnostics) - errors,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _github_escape(text: str, *, property_value: bool = False) -> str:
    # GitHub workflow commands treat %, CR and LF specially everywhere, and
    # ':' and ',' inside property values.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """GitHub Actions workflow commands, one collapsible group per file.

    Each problem is an ``::error file=…,line=…,col=…::message`` annotation (shown
    on the pull request's diff); the group, titled with the file and its counts,
    keeps a log with many files readable.
    """
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_file.setdefault(d.span.file, []).append(d)
    lines = []
    for file, found in by_file.items():
        errors = count_errors(found)
        counts = f"{counted(errors, 'error')}, {counted(len(found) - errors, 'warning')}"
        lines.append(f"::group::{_github_escape(file)}: {counts}")
        lines.extend(_github_annotation(d) for d in found)
        lines.append("::endgroup::")
    return "".join(line + "\n" for line in lines)


def _github_annotation(d: Diagnostic) -> str:
    message = f"{d.message} ({d.hint})" if d.hint else d.message
    properties = ",".join(
        [
            f"file={_github_escape(d.span.file, property_value=True)}",
            f"line={d.span.line}",
            f"col={d.span.column}",
            f"endLine={d.span.end_line}",
            f"endColumn={d.span.end_column}",
            f"title={d.code} {CODES[d.code].name}",
        ]
    )
    return f"::{d.severity.value} {properties}::{_github_escape(message)}"


def render_sarif(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """A SARIF 2.1.0 log, as code-scanning services read it.

    The driver names the tool, its version and where to learn about it; every
    code is a rule with a description and help text, so that a result explains
    itself. Columns count characters (``unicodeCodePoints``), as ours do.
    """
    rules = [
        {
            "id": code.code,
            "name": code.name,
            "shortDescription": {"text": code.summary},
            "fullDescription": {"text": code.summary},
            "help": {"text": code.help, "markdown": f"**{code.code} {code.name}**: {code.help}"},
        }
        for code in CODES.values()
    ]
    rule_index = {code: index for index, code in enumerate(CODES)}
    results = []
    for d in diagnostics:
        text = f"{d.message} ({d.hint})" if d.hint else d.message
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": rule_index[d.code],
                "level": d.severity.value,
                "message": {"text": text if text.endswith((".", "?", "!")) else text + "."},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri_reference(d.span.file)},
                            "region": {
                                "startLine": d.span.line,
                                "startColumn": d.span.column,
                                "endLine": d.span.end_line,
                                "endColumn": d.span.end_column,
                            },
                        }
                    }
                ],
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tariff",
                        "fullName": f"tariff check {version()}",
                        "version": version(),
                        "semanticVersion": version(),
                        "informationUri": HOMEPAGE,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _uri_reference(path: str) -> str:
    """A file's path as a SARIF URI: relative paths stay relative, with forward slashes."""
    as_posix = PurePath(path).as_posix()
    return PurePath(path).as_uri() if PurePath(path).is_absolute() else quote(as_posix)


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
