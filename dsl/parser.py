"""Text to parse tree, with syntax errors turned into diagnostics.

The Lark LALR parser is built once per process from ``grammar/tariff.lark`` and
its analysis is cached in the user's cache directory, so that a command line run
does not pay for grammar analysis. Comments are collected by a lexer callback
(not dropped), because the formatter must put them back.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from tariff.dsl.ast import Span
from tariff.dsl.diagnostics import Diagnostic, did_you_mean, error
from tariff.dsl.vocabulary import MINOR_DIGITS

GRAMMAR_PATH = Path(__file__).parent.parent / "grammar" / "tariff.lark"

# How each named terminal reads in an error message.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": 'a quoted text such as "+441"',
    "CURRENCY": "a currency code such as GBP",
    "MONTH": "a month such as 2026-01",
    "DATE": "a date such as 2026-01-15",
    "_SECONDS": "'second' or 'seconds'",
    "$END": "the end of the file",
}

# Longer lists of expected words read as noise; past this many, none are listed.
_MAX_LISTED = 8
# A definition's first line: `package NAME {`, `sheet NAME {`, `tax NAME {` or `order form "ID" {`.
_HEADER = re.compile(
    r'^[ \t]*(?:(order[ \t]+form)[ \t]+"([^"\n]*)"'
    r"|(package|sheet|tax)[ \t]+([a-z_][A-Za-z0-9_\-]*))",
    re.MULTILINE,
)

_comments = threading.local()


def _collect_comment(token: Token) -> Token:
    _comments.tokens.append(token)
    return token


def _cache_file() -> str | bool:
    """An app-owned cache file for the grammar analysis, or False if unwritable."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    directory = Path(root) / "tariff"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    if not os.access(directory, os.W_OK):
        return False
    return str(directory / "grammar.lark-cache")


@functools.cache
def tariff_parser() -> Lark:
    """The process-wide LALR parser for the tariff language."""
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=_cache_file(),
        lexer_callbacks={"COMMENT": _collect_comment},
    )


@dataclass(frozen=True)
class ParsedText:
    """The parse trees of one file's definitions, its comments and its syntax errors.

    Without errors there is one tree for the whole file. After a syntax error,
    each top-level definition is parsed on its own, so that one run reports a
    syntax error in every broken definition and keeps the trees of the others.
    """

    trees: tuple[Tree[Token], ...]
    comments: tuple[Token, ...]
    diagnostics: tuple[Diagnostic, ...]
    # The (kind, name) of each definition that did not parse, when its header can be read.
    unparsed: tuple[tuple[str, str], ...] = ()


def source_text(text: str) -> str:
    """A tariff file's text as every tool reads it: line breaks CRLF and CR both become LF.

    ``check``, ``fmt`` and the language server read the same text, so that a
    lone CR (a classic Mac editor's line break) means one thing to all of them,
    as it does to editors.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_text(text: str, path: str) -> ParsedText:
    """Parse one file's text; syntax errors become T001 diagnostics, never exceptions.

    CRLF and CR line breaks are read as LF (:func:`source_text`).
    """
    text = source_text(text)
    tree, comments, problem = _parse(text, path)
    if problem is None:
        assert tree is not None
        return ParsedText((tree,), comments, ())
    chunks = _definition_chunks(text)
    if chunks is None or len(chunks) < 2:
        return ParsedText((), (), (problem,), _headers(text))
    trees: list[Tree[Token]] = []
    all_comments: list[Token] = []
    problems: list[Diagnostic] = []
    unparsed: list[tuple[str, str]] = []
    for start, end in chunks:
        # Blank out the other definitions but keep every line break, so that
        # positions in the error messages stay those of the whole file.
        masked = "".join(
            char if start <= index < end or char == "\n" else " " for index, char in enumerate(text)
        )
        tree, comments, problem = _parse(masked, path)
        if tree is not None:
            trees.append(tree)
            all_comments += comments
        if problem is not None:
            problems.append(problem)
            unparsed += _headers(text[start:end])
    return ParsedText(tuple(trees), tuple(all_comments), tuple(problems), tuple(unparsed))


def _headers(text: str) -> tuple[tuple[str, str], ...]:
    """The kind and name of each definition a text begins, read from its first line."""
    return tuple(
        ("order form", match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        for match in _HEADER.finditer(text)
    )


def _parse(text: str, path: str) -> tuple[Tree[Token] | None, tuple[Token, ...], Diagnostic | None]:
    _comments.tokens = []
    try:
        tree = tariff_parser().parse(text)
    except UnexpectedInput as problem:
        return None, (), _syntax_diagnostic(problem, text, path)
    finally:
        comments = tuple(_comments.tokens)
        _comments.tokens = []
    return tree, comments, None


def _definition_chunks(text: str) -> list[tuple[int, int]] | None:
    """Where each top-level definition (with the text before it) starts and ends.

    None when the braces do not balance in a way that separates definitions.
    """
    chunks: list[tuple[int, int]] = []
    depth, start, index = 0, 0, 0
    in_string = in_comment = escaped = False
    for index, char in enumerate(text):
        if in_comment:
            in_comment = char != "\n"
        elif in_string:
            escaped = char == "\\" and not escaped
            in_string = not (char == '"' and not escaped) and char != "\n"
        elif char == "#":
            in_comment = True
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                chunks.append((start, index + 1))
                start = index + 1
    if start < len(text):
        if chunks and depth == 0:
            chunks[-1] = (chunks[-1][0], len(text))
        else:
            chunks.append((start, len(text)))
    return chunks


# ---------------------------------------------------------- syntax errors


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for terminal in tariff_parser().terminals:
        if terminal.name == name and isinstance(terminal.pattern, PatternStr):
            return f"'{terminal.pattern.value}'"
    return name.lower()


def _expected_words(expected: set[str]) -> list[str]:
    words = {_describe_terminal(name) for name in expected}
    return sorted(words, key=lambda w: (not w.startswith("'"), w))


def _keywords(expected: set[str]) -> list[str]:
    return [
        terminal.pattern.value
        for terminal in tariff_parser().terminals
        if terminal.name in expected and isinstance(terminal.pattern, PatternStr)
    ]


def _end_of_text(text: str, path: str) -> Span:
    lines = text.split("\n")
    line = len(lines)
    column = len(lines[-1]) + 1
    return Span(path, line, column, line, column)


def _innermost_open_block(text: str) -> tuple[int, str] | None:
    """The line and opening words of the innermost block left open, if any."""
    blocks = open_blocks(text)
    return blocks[-1] if blocks else None


def open_blocks(text: str) -> list[tuple[int, str]]:
    """The blocks left open at the end of ``text``, outermost first: line and opening words."""
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        in_string = False
        escaped = False
        for index, char in enumerate(line):
            if in_string:
                escaped = char == "\\" and not escaped
                in_string = not (char == '"' and not escaped)
            elif char == '"':
                in_string = True
            elif char == "#":
                break
            elif char == "{":
                stack.append((number, line[:index].strip().split("}")[-1].strip()))
            elif char == "}" and stack:
                stack.pop()
    return stack


def _syntax_diagnostic(problem: UnexpectedInput, text: str, path: str) -> Diagnostic:
    if isinstance(problem, UnexpectedToken) and problem.token.type == "$END":
        span = _end_of_text(text, path)
        block = _innermost_open_block(text)
        if block:
            line, opener = block
            return error(
                "T001",
                span,
                f"the file ends inside '{opener} {{' opened at line {line}",
                hint="add the missing '}' that closes it",
            )
        expected = ", ".join(_expected_words(set(problem.expected)))
        return error("T001", span, f"the file ends too early; expected {expected}")
    if isinstance(problem, UnexpectedToken):
        return _unexpected_token(problem, text, path)
    if isinstance(problem, UnexpectedCharacters):
        line, column = problem.line, problem.column
        # lark declares pos_in_stream as None on the base class; here it is an int.
        position: object = problem.pos_in_stream
        char = text[position] if isinstance(position, int) and position < len(text) else ""
        span = Span(path, line, column, line, column + 1)
        if char == '"':
            return error(
                "T001",
                span,
                "this quoted text is not closed",
                hint='add the closing " on this line',
            )
        allowed = _expected_words(set(problem.allowed or ()))
        message = f"unexpected character {char!r}"
        if 0 < len(allowed) <= _MAX_LISTED:
            message += f"; expected {_one_of(allowed)}"
        return error("T001", span, message)
    line, column = problem.line, problem.column
    return error("T001", Span(path, line, column, line, column + 1), "the text cannot be read here")


def _one_of(words: list[str]) -> str:
    return words[0] if len(words) == 1 else "one of " + ", ".join(words)


def _unexpected_token(problem: UnexpectedToken, text: str, path: str) -> Diagnostic:
    token = problem.token
    line = token.line or problem.line
    column = token.column or problem.column
    end_line = token.end_line or line
    end_column = token.end_column or column + max(1, len(str(token)))
    span = Span(path, line, column, end_line, end_column)
    expected = set(problem.expected)
    message = f"unexpected '{token}'; expected {_one_of(_expected_words(expected))}"
    hint = did_you_mean(str(token), _keywords(expected))
    before = text[: token.start_pos] if token.start_pos is not None else text
    if token.type == "RBRACE" and _innermost_open_block(before) is None:
        hint = "this '}' closes no block: remove it"
    if "CURRENCY" in expected:
        upper = str(token).upper()
        hint = (
            f"did you mean '{upper}'?"
            if upper in MINOR_DIGITS
            else "write every amount with its currency, e.g. 79.00 GBP"
        )
    return error("T001", span, message, hint)
