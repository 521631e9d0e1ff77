"""How far rating a month has got: what a progress line needs, and nothing it must compute."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RatingStatus:
    """The calls of a month read, rated and rejected so far, and how many there are in all.

    ``total`` is exact once the calls file has been read whole; while it is
    read block by block, it is estimated from the share of the file read
    (``estimated`` says so), and ``read`` counts every call met so far.
    """

    read: int
    rated: int
    rejected: int
    total: int
    estimated: bool = False

    @property
    def finished(self) -> bool:
        """Whether every call has been read and rated."""
        return not self.estimated and self.read >= self.total
