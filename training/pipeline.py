"""`netra train`: labeled posts -> fitted, calibrated, evaluated, versioned model folder."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from netra.data.schema import CATEGORIES
from netra.model.calibration import choose_threshold, fit_isotonic, fit_platt, fit_temperature
from netra.model.classifier import Classifier
from netra.model.normalize import Normalizer
from netra.training.config import TrainConfig
from netra.training.dataset import TrainingData, training_data_for
from netra.training.evaluation import evaluate

log = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass


def model_version(config: TrainConfig, data_hash: str) -> str:
    digest = hashlib.sha256(json.dumps([config.to_dict(), data_hash], sort_keys=True).encode()).hexdigest()[
        :8
    ]
    return f"{config.name}-{datetime.now(UTC):%Y%m%d}-{digest}"


def _calibrate(config: TrainConfig, logits: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    method = config.calibration
    if method == "auto":
        method = "temperature" if config.kind == "transformer" else "platt"
    fit = {"platt": fit_platt, "isotonic": fit_isotonic, "temperature": fit_temperature}[method]
    return fit(logits, labels)


def train(
    config: TrainConfig,
    output: str | Path,
    extra_labels: list[dict[str, Any]] | None = None,
    parent: str | None = None,
    data: TrainingData | None = None,
) -> Path:
    """Train, calibrate on validation, choose the threshold, evaluate on the frozen test split, save."""
    started = time.perf_counter()
    seed_everything(config.seed)
    data = data or training_data_for(config, extra_labels)
    if not data.train or not data.validation:
        raise ValueError("training needs non-empty train and validation splits")
    normalizer = Normalizer()
    log.info("training %s on %d posts (%d validation)", config.kind, len(data.train), len(data.validation))
    if config.kind == "linear":
        from netra.training.linear_trainer import fit_linear

        backend: Any = fit_linear(config, data.train, normalizer)
    else:
        from netra.training.transformer_trainer import fit_transformer

        backend = fit_transformer(config, data.train, normalizer)

    meta: dict[str, Any] = {
        "kind": config.kind,
        "version": model_version(config, data.data_hash),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parent": parent,
        "base_model": config.base_model if config.kind == "transformer" else None,
        "max_length": config.max_length,
        "labels": ["neutral", "partisan"],
        "data_hash": data.data_hash,
        "train_size": len(data.train),
        "new_labels": data.new_labels,
        "threshold": 0.5,
        "calibration": {"method": "none"},
    }
    if config.kind == "transformer":
        backend.model.config.id2label = {0: "partisan", **{i + 1: c for i, c in enumerate(CATEGORIES)}}
        backend.model.config.label2id = {v: k for k, v in backend.model.config.id2label.items()}
    classifier = Classifier(backend, config.kind, meta, normalizer)

    # Calibration and operating point on validation (written posts and new labels; no augmentations).
    validation = [r for r in data.validation if not str(r.get("origin", "")).startswith("augmented")]
    val_labels = np.array([1 if r["label"] == "partisan" else 0 for r in validation])
    val_logits, _ = classifier.raw_logits([r["text"] for r in validation])
    meta["calibration"] = _calibrate(config, val_logits, val_labels)
    val_scores = classifier.predict([r["text"] for r in validation], evidence="none")
    chosen = choose_threshold(np.array([p.score for p in val_scores]), val_labels, config.min_recall)
    meta["threshold"] = chosen["threshold"]
    meta["operating_point"] = f"highest precision with recall >= {config.min_recall:.2f} on validation"
    meta["validation"] = chosen

    # Evaluation on the frozen test split: written posts only.
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    test = [r for r in data.test if r.get("origin", "written") == "written"]
    metrics = evaluate(classifier, test, config.symmetry_variants, plots_dir=folder)
    meta["metrics"] = {"test": metrics}
    meta["train_seconds"] = round(time.perf_counter() - started, 1)
    classifier.save_pretrained(folder)
    (folder / "training_config.yaml").write_text(_yaml(config.to_dict()), encoding="utf-8")
    log.info("saved %s to %s", meta["version"], folder)
    return folder


def _yaml(values: dict[str, Any]) -> str:
    import yaml

    return "# The resolved training config of this model.\n" + yaml.safe_dump(
        values, sort_keys=False, allow_unicode=True
    )
