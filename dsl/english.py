"""How messages put words together: counted nouns and lists of choices."""

from __future__ import annotations

from collections.abc import Iterable


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun, agreeing: '1 call', '2 calls', '1,250 calls'."""
    word = noun if count == 1 else (plural or noun + "s")
    return f"{count:,} {word}"


def alternatives(words: Iterable[str]) -> str:
    """Words as a choice for a message: 'fixed, offline or dynamic'."""
    listed = list(words)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]
