"""Near-duplicate detection: character 5-gram Jaccard similarity over lightly normalised text."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_SPACE = re.compile(r"\s+")


def dedup_key(text: str) -> str:
    """The key under which two texts count as exact duplicates: case and whitespace ignored."""
    return " ".join(text.lower().split())


def _shingle_text(text: str) -> str:
    return _SPACE.sub(" ", text.lower()).strip()


def near_duplicate_pairs(
    texts: Sequence[str], threshold: float = 0.7, n: int = 5, chunk: int = 512
) -> list[tuple[int, int, float]]:
    """All pairs (i, j, jaccard) with i < j whose character n-gram Jaccard is >= threshold."""
    from sklearn.feature_extraction.text import CountVectorizer

    if len(texts) < 2:
        return []
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(n, n), binary=True, lowercase=False)
    matrix = vectorizer.fit_transform([_shingle_text(t) for t in texts]).tocsr().astype(np.float32)
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    pairs: list[tuple[int, int, float]] = []
    transposed = matrix.T.tocsc()
    for start in range(0, matrix.shape[0], chunk):
        block = (matrix[start : start + chunk] @ transposed).toarray()
        rows = np.arange(start, min(start + chunk, matrix.shape[0]))
        union = sizes[rows, None] + sizes[None, :] - block
        with np.errstate(divide="ignore", invalid="ignore"):
            jaccard = np.where(union > 0, block / union, 0.0)
        hit_r, hit_c = np.nonzero(jaccard >= threshold)
        for r, c in zip(hit_r, hit_c, strict=True):
            i = int(rows[r])
            if i < c:
                pairs.append((i, int(c), float(jaccard[r, c])))
    return pairs
