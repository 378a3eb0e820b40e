"""Evaluation of a classifier on labeled posts: the figures of the model card and `netra evaluate`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from netra.data.camps import markers, swap_camps
from netra.data.schema import CATEGORIES, LOOKALIKES


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def expected_calibration_error(scores: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (scores >= lo) & ((scores < hi) if hi < 1 else (scores <= hi))
        if mask.any():
            ece += mask.mean() * abs(scores[mask].mean() - labels[mask].mean())
    return float(ece)


def camp_symmetry(classifier, texts: Sequence[str], variants: int = 3, seed: int = 13) -> dict[str, Any]:
    """Swap ballot numbers and contestant names in each text; report how much the score moves."""
    rng = random.Random(seed)
    originals, swapped, owner = [], [], []
    for text in texts:
        if not markers(text):
            continue
        originals.append(text)
        for _ in range(variants):
            swapped.append(swap_camps(text, rng))
            owner.append(len(originals) - 1)
    if not originals:
        return {"posts": 0, "variants": variants, "mean_abs_delta": 0.0, "max_abs_delta": 0.0, "flips": 0}
    base = classifier.predict(originals, evidence="none")
    moved = classifier.predict(swapped, evidence="none")
    deltas = np.array([abs(moved[k].score - base[owner[k]].score) for k in range(len(swapped))])
    flips = sum(1 for k in range(len(swapped)) if moved[k].flagged != base[owner[k]].flagged)
    return {
        "posts": len(originals),
        "variants": variants,
        "mean_abs_delta": float(deltas.mean()),
        "max_abs_delta": float(deltas.max()),
        "flips": int(flips),
    }


def evaluate(
    classifier,
    records: Sequence[dict[str, Any]],
    symmetry_variants: int = 3,
    plots_dir: Path | None = None,
    predictions: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """Metrics on labeled records (`text`, `label`, optional `categories` and `lookalike`).

    `predictions`: the classifier's predictions (without evidence) for these records, where the caller
    already has them; otherwise they are computed here."""
    from sklearn.metrics import average_precision_score

    if not records:
        raise ValueError("no labeled records to evaluate on")
    texts = [r["text"] for r in records]
    labels = np.array([1 if r["label"] == "partisan" else 0 for r in records])
    if predictions is None:
        predictions = classifier.predict(texts, evidence="none")
    elif len(predictions) != len(records):
        raise ValueError(f"{len(predictions)} predictions for {len(records)} records")
    scores = np.array([p.score for p in predictions])
    flagged = np.array([p.flagged for p in predictions])
    tp = int((flagged & (labels == 1)).sum())
    fp = int((flagged & (labels == 0)).sum())
    fn = int((~flagged & (labels == 1)).sum())
    partisan = _prf(tp, fp, fn)
    partisan["pr_auc"] = (
        float(average_precision_score(labels, scores)) if 0 < labels.sum() < len(labels) else None
    )
    partisan["support"] = int(labels.sum())
    partisan["threshold"] = classifier.threshold

    categories: dict[str, Any] = {}
    for c in CATEGORIES:
        gold = np.array([c in (r.get("categories") or []) for r in records])
        pred = np.array([p.flagged and p.categories[c] >= 0.5 * p.score for p in predictions])
        m = _prf(int((gold & pred).sum()), int((~gold & pred).sum()), int((gold & ~pred).sum()))
        m["support"] = int(gold.sum())
        categories[c] = m

    lookalikes: dict[str, Any] = {}
    for k in LOOKALIKES:
        idx = [i for i, r in enumerate(records) if r["label"] == "neutral" and r.get("lookalike") == k]
        if idx:
            fps = int(flagged[idx].sum())
            lookalikes[k] = {"n": len(idx), "false_positives": fps, "fpr": fps / len(idx)}

    partisan_texts = [t for t, y in zip(texts, labels, strict=True) if y == 1]
    result = {
        "n": len(records),
        "partisan": partisan,
        "categories": categories,
        "lookalikes": lookalikes,
        "ece": expected_calibration_error(scores, labels),
        "camp_symmetry": camp_symmetry(classifier, partisan_texts, symmetry_variants),
    }
    if plots_dir is not None:
        write_plots(scores, labels, plots_dir)
    return result


def write_plots(scores: np.ndarray, labels: np.ndarray, folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    folder.mkdir(parents=True, exist_ok=True)
    precision, recall, _ = precision_recall_curve(labels, scores)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(recall, precision)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Partisan: precision-recall (test split)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(folder / "pr_curve.png", dpi=100)
    plt.close(fig)

    edges = np.linspace(0, 1, 11)
    centers, observed, counts = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (scores >= lo) & ((scores < hi) if hi < 1 else (scores <= hi))
        if mask.any():
            centers.append(scores[mask].mean())
            observed.append(labels[mask].mean())
            counts.append(int(mask.sum()))
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(centers, observed, marker="o", label="model")
    for x, y, n in zip(centers, observed, counts, strict=True):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(3, -10), fontsize=7)
    ax.set_xlabel("predicted probability (score)")
    ax.set_ylabel("observed share partisan")
    ax.set_title("Reliability diagram (test split)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(folder / "reliability.png", dpi=100)
    plt.close(fig)
