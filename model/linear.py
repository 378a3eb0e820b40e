"""The linear backend: word + character n-gram TF-IDF and logistic regression, saved without pickle.

Files in the model folder: `model.safetensors` (idf vectors, coefficients, intercepts) and
`vocabulary.json` (the two n-gram vocabularies). Evidence is exact: the partisan logit of a post is a
sum over its active features, and every feature is shared out among the tokens that produced it, so each
token's contribution is known and mapped back to its original character span.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from netra.model.features import TfidfFeatures
from netra.model.normalize import NormalizedText

WEIGHTS_FILE = "model.safetensors"
VOCAB_FILE = "vocabulary.json"


class LinearModel:
    def __init__(
        self,
        features: TfidfFeatures,
        coef: np.ndarray,
        intercept: float,
        category_coef: np.ndarray,
        category_intercept: np.ndarray,
        screen_coef: np.ndarray | None = None,
        screen_intercept: float = 0.0,
    ) -> None:
        self.features = features
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.category_coef = np.asarray(category_coef, dtype=np.float64)
        self.category_intercept = np.asarray(category_intercept, dtype=np.float64)
        # The election-topic screen (is the post about an election at all?); None in models trained
        # before it existed.
        self.screen_coef = None if screen_coef is None else np.asarray(screen_coef, dtype=np.float64)
        self.screen_intercept = float(screen_intercept)

    # -- training -------------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        normalized_texts: Sequence[str],
        labels: np.ndarray,
        category_targets: np.ndarray,
        c_partisan: float = 4.0,
        c_category: float = 4.0,
        min_df: int = 2,
        class_weight: str | None = "balanced",
        seed: int = 13,
        topic_targets: np.ndarray | None = None,
        c_screen: float = 16.0,
    ) -> LinearModel:
        """`labels`: 1 for partisan. `category_targets`: (n, 8) 0/1; categories are learned on partisan posts,
        so they are probabilities given that a post is partisan. `topic_targets`: 1 for a post about an
        election (partisan or not), 0 for one that is not, -1 where unknown (left out); trains the
        election-topic screen that the scan cascade uses next to the partisan logit."""
        from sklearn.linear_model import LogisticRegression

        features = TfidfFeatures.fit(normalized_texts, min_df=min_df)
        x = features.transform(normalized_texts)
        partisan = LogisticRegression(
            C=c_partisan, class_weight=class_weight, max_iter=2000, solver="liblinear", random_state=seed
        ).fit(x, labels)
        mask = np.asarray(labels) == 1
        coefs, intercepts = [], []
        for k in range(category_targets.shape[1]):
            y = category_targets[mask, k]
            if y.min() == y.max():  # a category never (or always) present: a constant model
                coefs.append(np.zeros(x.shape[1]))
                intercepts.append(-10.0 if y.max() == 0 else 10.0)
                continue
            lr = LogisticRegression(
                C=c_category, class_weight=class_weight, max_iter=2000, solver="liblinear", random_state=seed
            ).fit(x[mask], y)
            coefs.append(lr.coef_[0])
            intercepts.append(float(lr.intercept_[0]))
        screen_coef, screen_intercept = None, 0.0
        if topic_targets is not None:
            known = np.asarray(topic_targets) >= 0
            y = np.asarray(topic_targets)[known]
            if len(y) and y.min() != y.max():
                screen = LogisticRegression(
                    C=c_screen, max_iter=5000, solver="liblinear", random_state=seed
                ).fit(x[known], y)
                screen_coef, screen_intercept = screen.coef_[0], float(screen.intercept_[0])
        return cls(
            features,
            partisan.coef_[0],
            float(partisan.intercept_[0]),
            np.vstack(coefs),
            np.array(intercepts),
            screen_coef,
            screen_intercept,
        )

    # -- inference ------------------------------------------------------------------------------
    def logits(self, tokens: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, object]:
        """Raw partisan logits, category logits (n, 8) and the feature matrix of tokenised posts."""
        x = self.features.transform_tokens(tokens)
        partisan = x @ self.coef + self.intercept
        categories = x @ self.category_coef.T + self.category_intercept
        return np.asarray(partisan).ravel(), np.asarray(categories), x

    def screen_logits(self, x) -> np.ndarray | None:
        """Election-topic logits of posts' feature rows (from `logits`), or None without a screen."""
        if self.screen_coef is None:
            return None
        return np.asarray(x @ self.screen_coef + self.screen_intercept).ravel()

    def token_contributions(self, normalized: NormalizedText, row) -> np.ndarray:
        """Each token's share of the partisan logit (intercept excluded); `row` is the post's feature row.

        Exact decomposition: every active feature's term x_f * w_f is shared out among the tokens that
        produced it, in proportion to how often each produced it."""
        positions, cols, shares = self.features.token_feature_shares(normalized.tokens)
        out = np.zeros(len(normalized.tokens))
        if not len(cols):
            return out
        unique, inverse = np.unique(cols, return_inverse=True)
        totals = np.bincount(inverse, weights=shares)
        where = np.searchsorted(row.indices, unique).clip(max=max(len(row.indices) - 1, 0))
        present = (row.indices[where] == unique) if len(row.indices) else np.zeros(len(unique), bool)
        values = np.where(present, row.data[where] if len(row.data) else 0.0, 0.0)
        weights = shares / totals[inverse] * values[inverse] * self.coef[cols]
        np.add.at(out, positions, weights)
        return out

    # -- persistence ----------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        tensors = {
            "word_idf": self.features.word_idf,
            "char_idf": self.features.char_idf,
            "coef": self.coef,
            "intercept": np.array([self.intercept]),
            "category_coef": self.category_coef,
            "category_intercept": self.category_intercept,
        }
        if self.screen_coef is not None:
            tensors["screen_coef"] = self.screen_coef
            tensors["screen_intercept"] = np.array([self.screen_intercept])
        save_file(tensors, str(folder / WEIGHTS_FILE))
        with (folder / VOCAB_FILE).open("w", encoding="utf-8") as handle:
            json.dump(
                {"word": self.features.word_vocab, "char": self.features.char_vocab},
                handle,
                ensure_ascii=False,
            )

    @classmethod
    def load(cls, folder: Path) -> LinearModel:
        tensors = load_file(str(folder / WEIGHTS_FILE))
        with (folder / VOCAB_FILE).open(encoding="utf-8") as handle:
            vocab = json.load(handle)
        features = TfidfFeatures(vocab["word"], vocab["char"], tensors["word_idf"], tensors["char_idf"])
        return cls(
            features,
            tensors["coef"],
            float(tensors["intercept"][0]),
            tensors["category_coef"],
            tensors["category_intercept"],
            tensors.get("screen_coef"),
            float(tensors["screen_intercept"][0]) if "screen_intercept" in tensors else 0.0,
        )
