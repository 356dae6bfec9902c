"""Near-duplicate detection: MinHash signatures of word 5-grams, compared by estimated Jaccard.

A wire story republished with a new headline or a few edited sentences shares most of its 5-grams
with the original; unrelated articles on the same topic share almost none.
"""

from __future__ import annotations

import hashlib
import re
from typing import Collection

import numpy as np

PERMUTATIONS = 128
SHINGLE = 5
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240601)  # fixed seed: signatures must be comparable across runs
_A = _rng.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)


def signature(text: str) -> bytes:
    """A MinHash signature of the text's word 5-grams, as bytes for storage."""
    words = re.findall(r"\w+", text.lower())
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    hashes = np.array(
        [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") >> 4 for g in grams],
        dtype=np.uint64,
    )
    # (a*h + b) mod p on 64-bit values via Python ints would be slow; uint64 wrap-around is a fine hash family here.
    mixed = hashes[:, None] * _A[None, :] + _B[None, :]
    return mixed.min(axis=0).astype(np.uint64).tobytes()


class NearDuplicateIndex:
    """Signatures of stored articles, searchable for the most similar one."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.ids: list[str] = []
        self._rows: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    def add(self, article_id: str, sig: bytes) -> None:
        self.ids.append(article_id)
        self._rows.append(np.frombuffer(sig, dtype=np.uint64))
        self._matrix = None

    def most_similar(self, sig: bytes, exclude: Collection[str] = ()) -> tuple[str, float] | None:
        """The stored article most similar to ``sig`` if its similarity reaches the threshold;
        ``exclude`` names articles not to compare with (e.g. the old version of a file being updated)."""
        if not self.ids:
            return None
        if self._matrix is None:
            self._matrix = np.vstack(self._rows)
        query = np.frombuffer(sig, dtype=np.uint64)
        similarity = (self._matrix == query[None, :]).mean(axis=1)
        if exclude:
            similarity[[i for i, aid in enumerate(self.ids) if aid in exclude]] = -1.0
        best = int(similarity.argmax())
        if similarity[best] >= self.threshold:
            return self.ids[best], float(similarity[best])
        return None
