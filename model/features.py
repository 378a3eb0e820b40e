"""Word + character n-gram TF-IDF features, fitted with scikit-learn, applied by a fast cached path.

`TfidfFeatures.fit` uses scikit-learn's `TfidfVectorizer` (one for word 1-2-grams, one for character
2-5-grams inside word boundaries, as `analyzer="char_wb"` does), then keeps only plain data: the two
vocabularies and idf vectors. `transform` rebuilds the same matrix without scikit-learn's per-document
Python analyzers: each distinct token's character n-gram columns are computed once and cached, and a
batch is assembled with numpy. That is what makes the linear model score thousands of posts per second.
`transform` and scikit-learn's own `transform` agree (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
_EMPTY = np.zeros(0, dtype=np.int64)


def word_ngrams(tokens: Sequence[str]) -> list[str]:
    grams = list(tokens)
    grams.extend(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return grams


def char_ngrams_of_token(token: str) -> list[str]:
    padded = f" {token} "
    lo, hi = CHAR_NGRAMS
    out = []
    for n in range(lo, hi + 1):
        if n > len(padded):
            break
        out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


class TfidfFeatures:
    def __init__(
        self,
        word_vocab: dict[str, int],
        char_vocab: dict[str, int],
        word_idf: np.ndarray,
        char_idf: np.ndarray,
    ) -> None:
        self.word_vocab = word_vocab
        self.char_vocab = char_vocab
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self.n_word = len(word_vocab)
        self.n_features = len(word_vocab) + len(char_vocab)
        self.idf = np.concatenate([self.word_idf, self.char_idf])
        # Per distinct token: its character n-gram columns, with repeats (one entry per occurrence).
        self.token_columns = lru_cache(maxsize=262_144)(self._token_columns)

    @classmethod
    def fit(cls, normalized_texts: Sequence[str], min_df: int = 2, max_features: int | None = 200_000):
        from sklearn.feature_extraction.text import TfidfVectorizer

        word = TfidfVectorizer(
            analyzer=lambda t: word_ngrams(t.split()),
            min_df=min_df,
            sublinear_tf=True,
            max_features=max_features,
        )
        char = TfidfVectorizer(
            analyzer=lambda t: [g for tok in t.split() for g in char_ngrams_of_token(tok)],
            min_df=min_df,
            sublinear_tf=True,
            max_features=max_features,
        )
        word.fit(normalized_texts)
        char.fit(normalized_texts)
        word_vocab = {k: int(v) for k, v in word.vocabulary_.items()}
        char_vocab = {k: int(v) for k, v in char.vocabulary_.items()}
        return cls(word_vocab, char_vocab, word.idf_, char.idf_)

    def _token_columns(self, token: str) -> np.ndarray:
        vocab = self.char_vocab
        found = [i + self.n_word for i in map(vocab.get, char_ngrams_of_token(token)) if i is not None]
        return np.asarray(found, dtype=np.int64) if found else _EMPTY

    def _word_columns(self, tokens: Sequence[str]) -> list[int]:
        get = self.word_vocab.get
        cols = [i for i in map(get, tokens) if i is not None]
        cols.extend(
            i
            for i in map(get, [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)])
            if i is not None
        )
        return cols

    def transform_tokens(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """TF-IDF rows for tokenised posts: word block then char block, each with sublinear tf, idf and
        l2 normalisation (as two `TfidfVectorizer(sublinear_tf=True)` side by side)."""
        n = len(docs)
        parts: list[np.ndarray] = []  # per post: its word columns, then each token's char columns
        parts_per_doc = np.zeros(n, dtype=np.int64)
        columns = self.token_columns
        for d, tokens in enumerate(docs):
            parts.append(np.asarray(self._word_columns(tokens), dtype=np.int64))
            parts.extend(map(columns, tokens))
            parts_per_doc[d] = 1 + len(tokens)
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        starts = np.concatenate([[0], np.cumsum(parts_per_doc)[:-1]])
        per_doc = np.add.reduceat(lengths, starts) if n else np.zeros(0, dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(per_doc)])
        cols = np.concatenate(parts) if parts else _EMPTY
        matrix = sp.csr_matrix((np.ones(len(cols)), cols, indptr), shape=(n, self.n_features))
        matrix.sum_duplicates()  # per-row sort in C: repeated features of a post become counts
        cols = matrix.indices
        rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
        data = (1.0 + np.log(matrix.data)) * self.idf[cols]
        block = rows * 2 + (cols >= self.n_word)
        norms = np.sqrt(np.bincount(block, weights=data * data, minlength=2 * n))
        norms[norms == 0] = 1.0
        matrix.data = data / norms[block]
        return matrix

    def transform(self, normalized_texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_tokens([t.split() for t in normalized_texts])

    def token_feature_shares(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(token position, column, share) triples: which features each token takes part in.

        A character n-gram counts once per occurrence in its token; a word unigram once; a bigram half
        for each of its two tokens. Used to share a feature's contribution out among tokens (evidence)."""
        char_parts = [self.token_columns(t) for t in tokens]
        lengths = np.fromiter(map(len, char_parts), dtype=np.int64, count=len(char_parts))
        char_positions = np.repeat(np.arange(len(tokens)), lengths)
        char_cols = np.concatenate(char_parts) if char_parts else _EMPTY
        get = self.word_vocab.get
        unigrams = np.fromiter(
            (-1 if (i := get(t)) is None else i for t in tokens), dtype=np.int64, count=len(tokens)
        )
        pairs = [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        bigrams = np.fromiter(
            (-1 if (i := get(p)) is None else i for p in pairs), dtype=np.int64, count=len(pairs)
        )
        uni_at = np.flatnonzero(unigrams >= 0)
        bi_at = np.flatnonzero(bigrams >= 0)
        # A bigram at position p belongs half to token p and half to token p + 1.
        word_positions = np.concatenate([uni_at, bi_at, bi_at + 1])
        word_cols = np.concatenate([unigrams[uni_at], bigrams[bi_at], bigrams[bi_at]])
        word_shares = np.concatenate([np.ones(len(uni_at)), np.full(2 * len(bi_at), 0.5)])
        return (
            np.concatenate([char_positions, word_positions]),
            np.concatenate([char_cols, word_cols]),
            np.concatenate([np.ones(len(char_cols)), word_shares]),
        )
