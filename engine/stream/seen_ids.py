"""The call ids met so far in a month read block by block, as 64-bit hashes, in bounded memory.

A month's ids must be unique across the whole file, but only their hashes are
kept: 8 bytes a call. A hash met again is only a candidate repeat; the caller
checks it exactly against the ids themselves (see :mod:`tariff.engine.stream.month`).

The hashes live in 64 buckets (by their top bits), each a few sorted runs
merged as they grow, as a log-structured merge tree does: adding a block
costs a sort of the block and, now and then, a merge of one bucket's runs. No
step needs memory beyond one bucket's runs. In front of them, a bitmap of 16
bits a hash (a one-hash Bloom filter, a byte a call) answers "never seen"
for all but about one hash in eight, so that only those few are searched for.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Hashes = npt.NDArray[np.uint64]

_BUCKET_BITS = 6
_SHIFT = np.uint64(64 - _BUCKET_BITS)
_BUCKETS = 1 << _BUCKET_BITS
# The least hash of each bucket.
_BUCKET_STARTS = np.arange(_BUCKETS, dtype=np.uint64) << _SHIFT


class SeenIds:
    """A set of 64-bit hashes: add blocks of them, ask which of a block are in it."""

    def __init__(self) -> None:
        self.runs: list[list[Hashes]] = [[] for _ in range(_BUCKETS)]
        self.size = 0
        self.filter = _Bitmap(_FIRST_BITMAP_BITS)

    def contains(self, hashes: Hashes) -> npt.NDArray[np.bool_]:
        """For each hash, whether it was added before."""
        found = np.zeros(hashes.size, dtype=bool)
        if not self.size:
            return found
        maybe = np.flatnonzero(self.filter.holds(hashes))
        found[maybe] = self._in_runs(hashes[maybe])
        return found

    def _in_runs(self, hashes: Hashes) -> npt.NDArray[np.bool_]:
        found = np.zeros(hashes.size, dtype=bool)
        for bucket, positions in _by_bucket(hashes):
            wanted = hashes[positions]
            hit = np.zeros(positions.size, dtype=bool)
            for run in self.runs[bucket]:
                at = np.minimum(np.searchsorted(run, wanted), run.size - 1)
                hit |= run[at] == wanted
            found[positions] = hit
        return found

    def expect(self, size: int) -> None:
        """Make room in the bitmap for about ``size`` hashes in all, before many are added."""
        bits = self.filter.bits
        while size * _BITS_PER_HASH > bits:
            bits *= 2
        if bits > self.filter.bits:
            self._refilter(bits)

    def _refilter(self, bits: int) -> None:
        self.filter = _Bitmap(bits)
        for runs in self.runs:
            for run in runs:
                self.filter.mark(run)

    def add(self, hashes: Hashes) -> None:
        """Add hashes not in the set yet, distinct and in ascending order (the caller sorts)."""
        # In order, a bucket's hashes (by their top bits) are neighbours.
        bounds = np.append(np.searchsorted(hashes, _BUCKET_STARTS), hashes.size)
        for bucket in np.flatnonzero(np.diff(bounds)).tolist():
            runs = self.runs[bucket]
            runs.append(hashes[bounds[bucket] : bounds[bucket + 1]])
            # Runs double in size down the list, so a bucket has about log2(n) of them.
            while len(runs) > 1 and runs[-2].size <= 2 * runs[-1].size:
                merged = np.concatenate((runs[-2], runs[-1]))
                # Two sorted runs: a stable sort (timsort) finds them and merges in one pass.
                merged.sort(kind="stable")
                runs[-2:] = [merged]
        self.size += hashes.size
        if self.size * _BITS_PER_HASH > self.filter.bits:
            # Too full to filter well: a bitmap four times or more the size, from every run.
            bits = self.filter.bits * 4
            while self.size * _BITS_PER_HASH > bits:
                bits *= 4
            self._refilter(bits)
        else:
            self.filter.mark(hashes)

    @property
    def nbytes(self) -> int:
        """The memory the hashes take (the bitmap apart)."""
        return sum(run.nbytes for runs in self.runs for run in runs)


_BITS_PER_HASH = 8
_FIRST_BITMAP_BITS = 1 << 22


class _Bitmap:
    """One bit for each value of a hash's top bits: set for every hash marked."""

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self.shift = np.uint64(64 - (bits.bit_length() - 1))
        self.bytes = np.zeros(bits // 8, dtype=np.uint8)

    def _places(self, hashes: Hashes) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint8]]:
        index = hashes >> self.shift
        return index >> np.uint64(3), (np.uint8(1) << (index & np.uint64(7)).astype(np.uint8))

    def mark(self, hashes: Hashes) -> None:
        """Set the bits of these hashes, which are in order."""
        if not hashes.size:
            return
        # In order, the hashes of one byte are neighbours: their bits are or-ed
        # together first, so that each byte is written once.
        byte, bit = self._places(hashes)
        firsts = np.flatnonzero(np.diff(byte, prepend=byte[0] + np.uint64(1)))
        self.bytes[byte[firsts]] |= np.bitwise_or.reduceat(bit, firsts)

    def holds(self, hashes: Hashes) -> npt.NDArray[np.bool_]:
        """Whether each hash's bit is set: False means never marked."""
        byte, bit = self._places(hashes)
        held: npt.NDArray[np.bool_] = (self.bytes[byte] & bit) != 0
        return held


def _by_bucket(hashes: Hashes) -> list[tuple[int, npt.NDArray[np.intp]]]:
    """The positions of the hashes of each bucket that has any."""
    bucket = (hashes >> _SHIFT).astype(np.uint8)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(_BUCKETS + 1))
    return [
        (b, order[bounds[b] : bounds[b + 1]]) for b in range(_BUCKETS) if bounds[b + 1] > bounds[b]
    ]
