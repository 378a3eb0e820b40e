"""Turning raw model outputs into calibrated probabilities, and choosing the operating threshold."""

from __future__ import annotations

from typing import Any

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log(sigmoid(z)), without overflow for large |z|."""
    return -np.logaddexp(0.0, -np.asarray(z, dtype=np.float64))


def apply_calibration(logits: np.ndarray, calibration: dict[str, Any]) -> np.ndarray:
    method = calibration.get("method", "none")
    logits = np.asarray(logits, dtype=np.float64)
    if method == "platt":
        return sigmoid(calibration["a"] * logits + calibration["b"])
    if method == "temperature":
        return sigmoid(logits / calibration["temperature"])
    if method == "isotonic":
        return np.interp(logits, calibration["x"], calibration["y"])
    if method == "none":
        return sigmoid(logits)
    raise ValueError(f"unknown calibration method {method!r}")


def fit_platt(logits: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Platt scaling: a logistic regression on the single raw logit."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(np.asarray(logits).reshape(-1, 1), labels)
    return {"method": "platt", "a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}


def fit_isotonic(logits: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(logits, labels)
    return {"method": "isotonic", "x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Temperature scaling: one scalar T minimising the validation negative log-likelihood."""
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)

    def nll(t: float) -> float:
        p = np.clip(sigmoid(logits / t), 1e-7, 1 - 1e-7)
        return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))

    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 400))
    best = min(grid, key=nll)
    return {"method": "temperature", "temperature": float(best)}


def choose_threshold(scores: np.ndarray, labels: np.ndarray, min_recall: float = 0.90) -> dict[str, float]:
    """The threshold with the highest precision among those keeping recall >= `min_recall`.

    Ties go to the lower threshold (more recall). Returns the threshold and the validation figures."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(int)
    positives = labels.sum()
    if positives == 0:
        raise ValueError("cannot choose a threshold: the validation split has no partisan post")
    best = None
    for t in np.unique(scores):
        predicted = scores >= t
        tp = int((predicted & (labels == 1)).sum())
        recall = tp / positives
        if recall < min_recall:
            continue
        precision = tp / max(int(predicted.sum()), 1)
        key = (precision, recall)
        if best is None or key > best[0]:
            best = (key, float(t))
    if best is None:  # recall target unreachable: flag everything scored above zero
        t = float(scores.min())
        return {"threshold": t, "precision": float(labels.mean()), "recall": 1.0, "min_recall": min_recall}
    (precision, recall), t = best
    return {"threshold": t, "precision": float(precision), "recall": float(recall), "min_recall": min_recall}
