"""Word + character n-gram TF-IDF features, fitted with scikit-learn, applied by a fast cached path.

`TfidfFeatures.fit` uses scikit-learn's `TfidfVectorizer` (one for word 1-2-grams, one for character
2-5-grams inside word boundaries, as `analyzer="char_wb"`), then keeps only plain data: the two
vocabularies and idf vectors. `transform` rebuilds the same matrix without scikit-learn's per-document
Python analyzers: a token's character n-grams are computed once and cached, which is what makes the
linear model score thousands of posts per second. `transform` and scikit-learn's own `transform` agree
(tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)


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


def _split(text: str) -> list[str]:
    return text.split()


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
        self._token_cache = lru_cache(maxsize=200_000)(self._token_char_features)
        self.feature_names: list[str] | None = None

    @classmethod
    def fit(cls, normalized_texts: Sequence[str], min_df: int = 2, max_features: int | None = 200_000):
        from sklearn.feature_extraction.text import TfidfVectorizer

        word = TfidfVectorizer(
            analyzer=lambda t: word_ngrams(_split(t)),
            min_df=min_df,
            sublinear_tf=True,
            max_features=max_features,
        )
        char = TfidfVectorizer(
            analyzer=lambda t: [g for tok in _split(t) for g in char_ngrams_of_token(tok)],
            min_df=min_df,
            sublinear_tf=True,
            max_features=max_features,
        )
        word.fit(normalized_texts)
        char.fit(normalized_texts)
        word_vocab = {k: int(v) for k, v in word.vocabulary_.items()}
        char_vocab = {k: int(v) for k, v in char.vocabulary_.items()}
        return cls(word_vocab, char_vocab, word.idf_, char.idf_)

    def _token_char_features(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        vocab = self.char_vocab
        for gram in char_ngrams_of_token(token):
            index = vocab.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        return np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)), np.fromiter(
            counts.values(), dtype=np.float64, count=len(counts)
        )

    def _block(self, docs: Sequence[Sequence[str]], char: bool) -> sp.csr_matrix:
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for tokens in docs:
            counts: dict[int, float] = {}
            if char:
                for token in tokens:
                    idx, cnt = self._token_cache(token)
                    for i, c in zip(idx.tolist(), cnt.tolist(), strict=True):
                        counts[i] = counts.get(i, 0.0) + c
            else:
                vocab = self.word_vocab
                for gram in word_ngrams(tokens):
                    i = vocab.get(gram)
                    if i is not None:
                        counts[i] = counts.get(i, 0.0) + 1.0
            indices.append(np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)))
            data.append(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            indptr.append(indptr[-1] + len(counts))
        width = len(self.char_vocab) if char else self.n_word
        matrix = sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
                np.asarray(indptr),
            ),
            shape=(len(docs), width),
        )
        matrix.sort_indices()
        # sublinear tf, idf, l2 normalisation: as TfidfVectorizer(sublinear_tf=True)
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
        matrix = matrix @ sp.diags(self.char_idf if char else self.word_idf)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)

    def transform_tokens(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        return sp.hstack([self._block(docs, char=False), self._block(docs, char=True)], format="csr")

    def transform(self, normalized_texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_tokens([_split(t) for t in normalized_texts])

    def token_feature_counts(self, tokens: Sequence[str]) -> list[dict[int, float]]:
        """For each token of a post, the features it takes part in (column -> share of that feature's count).

        Word bigrams are shared half and half between their two tokens. Used for evidence."""
        per_token: list[dict[int, float]] = [{} for _ in tokens]
        for position, token in enumerate(tokens):
            i = self.word_vocab.get(token)
            if i is not None:
                per_token[position][i] = per_token[position].get(i, 0.0) + 1.0
            if position + 1 < len(tokens):
                j = self.word_vocab.get(f"{token} {tokens[position + 1]}")
                if j is not None:
                    per_token[position][j] = per_token[position].get(j, 0.0) + 0.5
                    per_token[position + 1][j] = per_token[position + 1].get(j, 0.0) + 0.5
            idx, cnt = self._token_cache(token)
            for k, c in zip(idx.tolist(), cnt.tolist(), strict=True):
                col = self.n_word + k
                per_token[position][col] = per_token[position].get(col, 0.0) + c
        return per_token
