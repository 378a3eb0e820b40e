"""The rows a training run sees: the shipped corpus plus new labels, deduplicated, split, hashed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netra.data.corpus import DEFAULT_CORPUS, CorpusError, corpus_hash, load_records
from netra.data.neardup import dedup_key
from netra.data.schema import CATEGORIES


def split_for_new_label(text: str) -> str:
    """New labels go to train or validation (8:1), never to the frozen test split."""
    digest = int(hashlib.sha256(dedup_key(text).encode()).hexdigest()[:8], 16)
    return "validation" if digest % 9 == 0 else "train"


@dataclass
class TrainingData:
    train: list[dict[str, Any]]
    validation: list[dict[str, Any]]
    test: list[dict[str, Any]]
    data_hash: str
    new_labels: int = 0
    overrides: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def build_training_data(
    corpus: str | Path = "",
    extra: list[dict[str, Any]] | None = None,
    supplements: list[dict[str, Any]] | None = None,
) -> TrainingData:
    """Merge the corpus with labeled supplements (a config's `extra_labels` files) and new labels.

    - A new label whose text matches a corpus post (after normalising case and spaces) overrides the
      corpus label when that post is in train/validation; every override is listed.
    - A new label matching a post of the frozen test split is not used (listed in `skipped`).
    - Several new labels for one text: the one with the latest `decided_at` wins.
    """
    records = [dict(r) for r in load_records(corpus or DEFAULT_CORPUS)]
    by_key: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_key.setdefault(dedup_key(r["text"]), []).append(r)
    latest: dict[str, dict[str, Any]] = {}
    new_keys = {dedup_key(row["text"]) for row in extra or [] if isinstance(row.get("text"), str)}
    for row in [*(supplements or []), *(extra or [])]:
        if row.get("label") not in ("partisan", "neutral"):
            raise CorpusError(f"new label for post {row.get('id', '?')}: unknown label {row.get('label')!r}")
        unknown = [c for c in row.get("categories") or [] if c not in CATEGORIES]
        if unknown:
            raise CorpusError(f"new label for post {row.get('id', '?')}: unknown categories {unknown}")
        key = dedup_key(row["text"])
        if key not in latest or str(row.get("decided_at", "")) >= str(latest[key].get("decided_at", "")):
            latest[key] = row
    overrides, skipped = [], []
    skipped_keys: set[str] = set()
    for key, row in latest.items():
        categories = list(row.get("categories") or []) if row["label"] == "partisan" else []
        matches = by_key.get(key)
        if matches:
            if any(m["split"] == "test" for m in matches):
                skipped.append({"id": row.get("id"), "reason": "text is in the frozen test split"})
                skipped_keys.add(key)
                continue
            for m in matches:
                if m["label"] != row["label"] or (m.get("categories") or []) != categories:
                    overrides.append(
                        {
                            "corpus_id": m["id"],
                            "text": m["text"],
                            "corpus_label": m["label"],
                            "corpus_categories": m.get("categories") or [],
                            "new_label": row["label"],
                            "new_categories": categories,
                            "decided_at": row.get("decided_at"),
                            "decided_by": row.get("decided_by"),
                        }
                    )
                m["label"], m["categories"] = row["label"], categories
                if row["label"] == "partisan":
                    m["lookalike"] = None
            continue
        records.append(
            {
                "id": f"label-{row.get('id') or hashlib.sha256(key.encode()).hexdigest()[:12]}",
                "text": row["text"],
                "label": row["label"],
                "categories": categories,
                "lookalike": row.get("lookalike"),
                "contest": row.get("contest"),  # None where unknown (analysts' labels)
                "origin": row.get("origin") or "analyst",
                "split": split_for_new_label(row["text"]),
            }
        )
    split = {s: [r for r in records if r["split"] == s] for s in ("train", "validation", "test")}
    return TrainingData(
        train=split["train"],
        validation=split["validation"],
        test=split["test"],
        data_hash=corpus_hash(records),
        new_labels=len((new_keys & latest.keys()) - skipped_keys),  # supplements are not new labels
        overrides=overrides,
        skipped=skipped,
    )


def label_files_rows(paths: list[str]) -> list[dict[str, Any]]:
    """The rows of a training config's `extra_labels` files (labeled JSONL, e.g. the everyday supplement)."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        rows.extend(load_records(path, full_schema=False))
    return rows


def training_data_for(config, labels: list[dict[str, Any]] | None = None) -> TrainingData:
    """The corpus, then the config's label files, then `labels` (later rows win on the same text)."""
    return build_training_data(config.corpus, labels, supplements=label_files_rows(config.extra_labels))
