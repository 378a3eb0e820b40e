"""Fitting the linear backend."""

from __future__ import annotations

from typing import Any

import numpy as np

from netra.data.schema import CATEGORIES
from netra.model.linear import LinearModel
from netra.model.normalize import Normalizer
from netra.training.config import TrainConfig


def targets(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    labels = np.array([1 if r["label"] == "partisan" else 0 for r in rows])
    cats = np.array([[1 if c in (r.get("categories") or []) else 0 for c in CATEGORIES] for r in rows])
    return labels, cats


def topic_targets(rows: list[dict[str, Any]]) -> np.ndarray:
    """1: about an election (every partisan post; a neutral one with a `contest`), 0: a neutral post with
    contest "none", -1: unknown (a neutral label without a `contest`, e.g. an analyst's decision)."""
    out = []
    for r in rows:
        contest = r.get("contest")
        if r["label"] == "partisan":
            out.append(1)
        elif contest is None:
            out.append(-1)
        else:
            out.append(0 if contest == "none" else 1)
    return np.array(out)


def fit_linear(config: TrainConfig, train: list[dict[str, Any]], normalizer: Normalizer) -> LinearModel:
    labels, cats = targets(train)
    texts = [normalizer(r["text"]) for r in train]
    return LinearModel.fit(
        texts,
        labels,
        cats,
        c_partisan=config.c_partisan,
        c_category=config.c_category,
        min_df=config.min_df,
        class_weight=None if config.class_weight == "none" else "balanced",
        seed=config.seed,
        topic_targets=topic_targets(train),
        c_screen=config.c_screen,
    )
